"""A Builder kept alive re-renders only what an edit touches."""

from __future__ import annotations

from generator.build.builder import Builder, BuildOptions
from tests.conftest import briefing_md


def site_files():
    files = {
        f"content/briefings/b{i}.md": briefing_md(
            f"Briefing {i}", f"2026-0{1 + i % 9}-1{i % 9}", countries=[f"Country{i % 3}"]
        )
        for i in range(12)
    }
    files["content/pages/about.md"] = "---\ntitle: About\n---\nAbout.\n"
    return files


def tree(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".briefings-build"
    }


def test_noop_rebuild_renders_nothing_and_template_edit_renders_its_pages_only(make_site, tmp_path):
    project = make_site(site_files())
    builder = Builder(project.root, BuildOptions(run_import=False))
    first = builder.build()
    assert first.rendered > 20
    assert builder.build().rendered == 0
    project.write({"themes/default/templates/x": ""})  # not a template any page uses
    term = project.root / "themes/mine/templates/term.html"
    project.write(
        {
            "themes/mine/templates/term.html": '{% extends "base.html" %}{% block main %}'
            "<h1>{{ term.name }}</h1>{% endblock %}"
        }
    )
    project.write(
        {"site.yaml": "title: Test Briefings\nbase_url: https://example.org/\ntheme: mine\n"}
    )
    builder.build()  # config changed: everything
    term.write_text(
        '{% extends "base.html" %}{% block main %}<h1>Term: {{ term.name }}</h1>{% endblock %}'
    )
    report = builder.build()
    term_pages = [
        f for f in project.files() if f.startswith("countries/country") and f.endswith(".html")
    ]
    assert report.rendered == len(term_pages) == 3
    assert project.html("countries/country1/index.html").texts("h1") == ["Term: Country1"]


def test_editing_one_briefing_rerenders_few_pages_and_equals_a_clean_build(make_site, tmp_path):
    project = make_site(site_files())
    builder = Builder(project.root, BuildOptions(run_import=False))
    total = builder.build().rendered
    project.write(
        {
            "content/briefings/b5.md": briefing_md(
                "Briefing 5 revised", "2026-06-15", countries=["Country2"]
            )
        }
    )
    report = builder.build()
    assert 0 < report.rendered < total * 0.6  # what lists show changed: every page showing it
    # A body edit: lists, cards and neighbours show none of the text, so only the page and the feeds render.
    project.write(
        {
            "content/briefings/b5.md": briefing_md(
                "Briefing 5 revised", "2026-06-15", body="New words.", countries=["Country2"]
            )
        }
    )
    report = builder.build()
    # its page, feed.xml, rss.xml, feed.json, Country2's feed
    assert report.rendered == 5, report.stats.changed_paths
    clean = tmp_path / "clean"
    Builder(project.root, BuildOptions(run_import=False, output=clean)).build()
    assert tree(project.output) == tree(clean)
