"""The core pipeline: tiny sites built in tmp_path, asserted on parsed HTML and files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.core.errors import SiteError
from tests.conftest import briefing_md

SUBPATH_CONFIG = "title: Sub Site\nbase_url: https://example.org/briefings/\n"


def two_briefings() -> dict[str, str]:
    return {
        "content/briefings/one.md": briefing_md(
            "Talks stall in Geneva",
            "2026-11-20T09:00:00+00:00",
            body="Intro paragraph.\n\n## Context\n\nMore text.",
            summary="Talks stalled.",
            takeaways=["First point.", "Second point."],
            countries=["Russia", "Ukraine"],
            people=["Vladimir Putin"],
            topics=["Diplomacy"],
            source={"name": "Wire", "url": "https://example.com/story"},
        ),
        "content/briefings/two.md": briefing_md(
            "Ceasefire holds", "2026-11-21", countries=["Ukraine"], topics=["Conflict"]
        ),
        "content/pages/about.md": "---\ntitle: About us\n---\n\nWho we are.\n",
    }


def internal_targets(project, prefix: str) -> list[tuple[str, str]]:
    """(page, link) for every internal link of every HTML page whose target file does not exist."""
    missing = []
    for rel in sorted(project.files()):
        if not rel.endswith(".html"):
            continue
        page = project.html(rel)
        for href in page.links():
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            assert parts.path.startswith(prefix), f"{rel}: link {href} escapes {prefix}"
            target = project.output / parts.path[len(prefix) :]
            if parts.path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                missing.append((rel, href))
    return missing


@pytest.mark.parametrize(
    "config, prefix",
    [("title: Root\nbase_url: https://example.org/\n", "/"), (SUBPATH_CONFIG, "/briefings/")],
)
def test_every_internal_link_resolves_at_root_and_subpath(make_site, config, prefix):
    project = make_site(two_briefings(), config=config)
    project.build()
    assert internal_targets(project, prefix) == []
    home = project.html("index.html")
    assert home.all("link", rel="canonical")[0]["href"] == f"https://example.org{prefix}"


def test_briefing_page_shows_headline_summary_takeaways_sections_and_entities(make_site):
    project = make_site(two_briefings())
    project.build()
    page = project.html("briefings/talks-stall-in-geneva/index.html")
    assert page.texts("h1") == ["Talks stall in Geneva"]
    assert "Talks stalled." in page.text
    takeaways = [li for li in page.texts("li") if li in ("First point.", "Second point.")]
    assert takeaways == ["First point.", "Second point."]
    assert "context" in page.ids
    hrefs = page.links()
    for expected in (
        "/countries/russia/",
        "/countries/ukraine/",
        "/people/vladimir-putin/",
        "/topics/diplomacy/",
    ):
        assert expected in hrefs
    assert "https://example.com/story" in hrefs
    assert page.all("html")[0]["lang"] == "en"
    assert page.all("time")[0]["datetime"] == "2026-11-20T09:00:00+00:00"


def test_home_lists_newest_first_and_paginates(make_site):
    files = {
        f"content/briefings/b{i:02}.md": briefing_md(
            f"Briefing {i:02}", f"2026-10-{i:02}T08:00:00+00:00"
        )
        for i in range(1, 26)
    }
    project = make_site(files, config="base_url: https://example.org/\npaginate: 10\n")
    project.build()
    first = project.html("index.html")
    titles = [t for t in first.texts("h2") if t.startswith("Briefing")]
    assert titles == [f"Briefing {i:02}" for i in range(25, 15, -1)]
    assert {"page/2/index.html", "page/3/index.html"} <= project.files()
    assert "page/4/index.html" not in project.files()
    assert first.all("a", rel="next")[0]["href"] == "/page/2/"
    third = project.html("page/3/index.html")
    assert [t for t in third.texts("h2") if t.startswith("Briefing")] == [
        f"Briefing {i:02}" for i in range(5, 0, -1)
    ]


def test_static_page_404_sitemap_and_robots(make_site):
    project = make_site(two_briefings(), config=SUBPATH_CONFIG)
    project.build()
    assert project.html("about/index.html").texts("h1") == ["About us"]
    assert "Page not found" in project.html("404.html").texts("h1")
    tree = ET.fromstring(project.read("sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in tree.findall("s:url/s:loc", ns)}
    html_pages = {
        f"https://example.org/briefings/{rel[: -len('index.html')]}"
        for rel in project.files()
        if rel.endswith("index.html")
    }
    assert locs == html_pages
    assert all(url.find("s:lastmod", ns) is not None for url in tree.findall("s:url", ns))
    robots = project.read("robots.txt")
    assert "Sitemap: https://example.org/briefings/sitemap.xml" in robots


def test_drafts_and_future_briefings_are_left_out_unless_asked(make_site):
    files = {
        "content/briefings/now.md": briefing_md("Published", "2026-01-01"),
        "content/briefings/draft.md": briefing_md("Draft piece", "2026-01-02", draft=True),
        "content/briefings/future.md": briefing_md("From the future", "2999-01-01"),
    }
    project = make_site(files)
    project.build()
    assert {"briefings/published/index.html"} == {
        f for f in project.files() if f.startswith("briefings/")
    }
    project.build(drafts=True, future=True)
    assert {f for f in project.files() if f.startswith("briefings/")} == {
        "briefings/published/index.html",
        "briefings/draft-piece/index.html",
        "briefings/from-the-future/index.html",
    }


def test_naive_dates_take_the_site_timezone(make_site):
    project = make_site(
        {"content/briefings/a.md": briefing_md("Berlin time", "2026-03-01 10:00")},
        config="base_url: https://example.org/\ntimezone: Europe/Berlin\n",
    )
    project.build()
    page = project.html("briefings/berlin-time/index.html")
    assert page.all("time")[0]["datetime"] == "2026-03-01T10:00:00+01:00"


def test_markdown_features_tables_footnotes_attr_list_smart_quotes(make_site):
    body = '## Figures {: #figs }\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA "quoted" claim[^1].\n\n[^1]: The note.'
    project = make_site({"content/briefings/m.md": briefing_md("Markdown", body=body)})
    project.build()
    page = project.html("briefings/markdown/index.html")
    assert "figs" in page.ids
    assert page.all("table") and page.all("sup")
    assert "A \u201cquoted\u201d claim" in page.text


def test_unknown_front_matter_fields_pass_through_to_templates(make_site):
    template = '{% extends "base.html" %}{% block main %}<p id="desk">{{ briefing.extra.desk }}</p>{% endblock %}'
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Extra", desk="Europe desk"),
            "themes/mine/templates/briefing.html": template,
        },
        config="base_url: https://example.org/\ntheme: mine\n",
    )
    project.build()
    page = project.html("briefings/extra/index.html")
    assert page.texts("p")[0] == "Europe desk"


def test_site_theme_overrides_templates_and_static_files(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Override"),
            "themes/mine/static/style.css": "body { color: red }",
        },
        config="base_url: https://example.org/\ntheme: mine\n",
    )
    project.build()
    page = project.html("index.html")
    css = next(
        link["href"] for link in page.all("link", rel="stylesheet") if "style." in str(link["href"])
    )
    assert (project.output / str(css).lstrip("/")).read_text() == "body { color: red }"


def test_output_is_deterministic(make_site, tmp_path):
    project = make_site(two_briefings())
    project.build()
    first = {rel: (project.output / rel).read_bytes() for rel in project.files()}
    project.build(output=tmp_path / "again")
    again = {
        p.relative_to(tmp_path / "again").as_posix(): p.read_bytes()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    }
    first.pop(".briefings-build")
    again.pop(".briefings-build")
    assert first == again


def test_stale_files_are_pruned_and_unchanged_files_keep_their_mtime(make_site):
    project = make_site(two_briefings())
    project.build()
    keep = project.output / "about/index.html"  # shows no briefing, so its bytes do not change
    before = keep.stat().st_mtime_ns
    (project.root / "content/briefings/one.md").unlink()
    project.build()
    assert "briefings/talks-stall-in-geneva/index.html" not in project.files()
    assert keep.stat().st_mtime_ns == before


# --- bad input: every problem reported with path:line, output/ untouched ---


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


BAD_FILES = {
    "content/briefings/yaml.md": "---\ntitle: Broken\ndate: 2026-01-01\ntags: [unclosed\n---\nBody\n",
    "content/briefings/notitle.md": "---\ndate: 2026-01-01\n---\nBody\n",
    "content/briefings/baddate.md": "---\ntitle: Bad date\ndate: next tuesday\n---\nBody\n",
    "content/briefings/nofm.md": "Just text, no front matter.\n",
}


def test_all_content_errors_reported_with_file_and_line_and_output_untouched(make_site):
    project = make_site(two_briefings())
    project.build()
    before = snapshot(project.output)
    project.write(BAD_FILES)
    with pytest.raises(SiteError) as caught:
        project.build()
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 4
    by_file = {Path(str(p.path)).name: p for p in caught.value.problems}
    assert by_file["yaml.md"].line == 5 and "YAML" in by_file["yaml.md"].message
    assert by_file["notitle.md"].line and "title" in by_file["notitle.md"].message
    assert by_file["baddate.md"].line == 3 and "date" in by_file["baddate.md"].message
    assert by_file["nofm.md"].line == 1 and "front matter" in by_file["nofm.md"].message
    assert all(":" in m and m.split(":")[1].isdigit() for m in messages)
    assert snapshot(project.output) == before


def test_two_briefings_claiming_one_url_is_an_error_naming_both(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Same title"),
            "content/briefings/b.md": briefing_md("Same title"),
        }
    )
    with pytest.raises(SiteError) as caught:
        project.build()
    message = str(caught.value)
    assert "a.md" in message and "b.md" in message and "/briefings/same-title/" in message
    assert not (project.output / "briefings").exists()


def test_unknown_template_and_template_errors_name_the_template_and_line(make_site):
    project = make_site(
        {
            "content/pages/x.md": "---\ntitle: X\ntemplate: nope.html\n---\n",
            "themes/mine/templates/home.html": '{% extends "base.html" %}\n{% block main %}\n'
            "{{ missing_variable.attr }}\n{% endblock %}\n",
            "themes/mine/templates/term.html": '{% extends "base.html" %}\n{% block main %}\n'
            "{% if %}\n{% endblock %}\n",
        },
        config="base_url: https://example.org/\ntheme: mine\n",
    )
    project.write({"content/briefings/a.md": briefing_md("A", countries=["Chad"])})
    with pytest.raises(SiteError) as caught:
        project.build()
    text = str(caught.value)
    assert "nope.html" in text and "not found" in text
    assert "home.html:3:" in text and "missing_variable" in text
    assert "term.html:3:" in text and "syntax" in text


@pytest.mark.parametrize(
    "config, line, words",
    [
        ("title: T\ncolour: red\n", 2, "unknown key 'colour'"),
        ("title: T\npaginate: many\n", 2, "'paginate' must be"),
        ("base_url: example.org\n", 1, "base_url"),
        ("timezone: Mars/Olympus\n", 1, "unknown timezone"),
        ("title: [unclosed\n", 2, "invalid YAML"),
        # found at the end, said where it began
        ('title: T\ntagline: "open\npaginate: 5\n', 4, "quoted scalar (from line 2)"),
        ("markdown:\n  extensions: [toc]\n  sparkle: true\n", 3, "markdown.sparkle"),
    ],
)
def test_config_errors_name_file_line_and_key(make_site, config, line, words):
    project = make_site({"content/briefings/a.md": briefing_md("A")}, config=config)
    with pytest.raises(SiteError) as caught:
        project.build()
    problem = caught.value.problems[0]
    assert Path(str(problem.path)).name == "site.yaml"
    assert problem.line == line
    assert words in problem.message


def test_refuses_to_replace_a_folder_it_did_not_build(make_site, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.txt").write_text("precious")
    project = make_site(two_briefings())
    with pytest.raises(SiteError) as caught:
        project.build(output=home)
    assert "refusing" in str(caught.value)
    assert (home / "thesis.txt").read_text() == "precious"


def test_slug_that_escapes_the_output_folder_is_refused(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Evil", slug="../../etc")})
    with pytest.raises(SiteError) as caught:
        project.build()
    assert "slug" in str(caught.value) and caught.value.problems[0].line == 4
