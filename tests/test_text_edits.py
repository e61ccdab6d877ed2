"""`briefings build` after edits to the text of briefings alone (build/text_edits.py): the pages holding the
edited bodies come from the store the last full build left in .cache/; the output equals a clean build,
and anything else takes the full build."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build.cache import load, save
from generator.build.once import build_project
from generator.build.options import BuildOptions, BuildReport
from generator.build.text_store import shard_of
from generator.core.errors import SiteError
from generator.pages import registry
from generator.pages.page import html_page
from tests.conftest import briefing_md
from tests.test_settle import WORDS, clean, site_files, tree

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes/default"


def cli_build(root: Path) -> BuildReport:
    """As `briefings build` runs: a new process each time, its state from .cache/."""
    return build_project(root, BuildOptions(run_import=False, jobs=1))


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_a_body_edit_renders_only_the_pages_holding_that_body(make_site, tmp_path):
    project = make_site(site_files())
    cli_build(project.root)
    path = project.root / "content/briefings/b13.md"  # the newest: in every feed
    edit(path, lambda t: t.replace("settled yet.", "settled yet, says a new word: hydropower."))
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert "text edits only" in report.summary()
    written = report.stats.changed_paths
    assert 1 <= report.rendered <= 8, sorted(written)
    assert "briefings/briefing-13/index.html" in written
    assert not any(p in written for p in ("index.html", "countries/chad/index.html"))
    assert "search/terms/hyd.json" in written  # a new word: a new shard
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    assert report.pages == len(tree(project.output))
    assert "hydropower" in project.read("briefings/briefing-13/index.html")
    again = cli_build(project.root)
    assert again.shortcut == "unchanged"  # the no-op check knows what the text edit wrote


def test_a_text_edit_converts_markdown_in_a_child_while_the_builder_imports_the_renderer(make_site):
    """The two halves of a text edit's start-up run side by side only while the building process never
    imports Python-Markdown (nor Pygments, which the child forgoes with the site's extensions): an import
    of it on the renderer's side (a page kind, the theme, a pickled context's class) would serialise
    them again, and nothing else would tell. Nor does it run urllib.request (http.client, ssl, email),
    which the feed writer's XML module imports (pages/__init__.py defers it)."""
    project = make_site(site_files())
    cli_build(project.root)
    edit(project.root / "content/briefings/b13.md", lambda t: t.replace("yet.", "yet, for now."))
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from generator.build.once import build_project\n"
        "from generator.build.options import BuildOptions\n"
        f"report = build_project(Path({str(project.root)!r}), BuildOptions(run_import=False))\n"
        "print(json.dumps([report.shortcut, report.rendered,"
        " [m for m in ('markdown', 'pygments', 'http.client') if m in sys.modules]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    shortcut, rendered, imported = json.loads(done.stdout.splitlines()[-1])
    assert (shortcut, imported) == ("text edits", [])
    assert rendered >= 2  # the briefing's page and the full-content feeds holding its body
    assert "for now." in project.read("briefings/briefing-13/index.html")


def test_repeated_text_edits_then_full_builds_equal_clean_builds(make_site, tmp_path):
    """Text edits, a word's last use removed, a touch that changes no byte, then a full build (a title
    edit) and text edits again: each build equals a clean one."""
    project = make_site(site_files())
    cli_build(project.root)
    rng = random.Random(11)
    shortcuts = []
    for step in range(14):
        path = project.root / f"content/briefings/b{rng.randrange(14):02d}.md"
        if step == 6:
            edit(path, lambda t: t.replace("title: Briefing", "title: The briefing"))
        elif step == 9:
            path.touch()
        elif step % 4 == 3:  # the word a previous step added goes again
            edit(path, lambda t: t.replace(" step", " stage"))
        else:
            word = f"{rng.choice(WORDS)} step{step}x"
            edit(path, lambda t, w=word: t.rstrip() + f" {w}.\n")
        shortcuts.append(cli_build(project.root).shortcut)
        assert tree(project.output) == clean(project.root, tmp_path / "clean"), f"step {step}"
    assert shortcuts.count("text edits") >= 10, shortcuts
    assert shortcuts[6] == ""  # the title: lists change


def test_a_full_build_stores_again_only_the_pages_it_changed_and_text_edits_then_use_them(
    make_site, tmp_path, monkeypatch
):
    """A briefing published: the full build keeps the stored context of every page whose key, bytes and
    bodies are unchanged and stores only the others again; text edits of old and new briefings after it
    equal clean builds (a context kept that no longer stood would show in them)."""
    from generator.build import text_store

    monkeypatch.setattr(text_store, "SHARDS", 4)  # many pages a shard, as on a large site
    project = make_site(site_files())
    cli_build(project.root)
    stored: list[str] = []
    real = text_store._page_bytes
    monkeypatch.setattr(
        text_store, "_page_bytes", lambda page, *a: stored.append(page.path) or real(page, *a)
    )
    files = site_files(15)
    project.write({"content/briefings/b14.md": files["content/briefings/b14.md"]})  # the newest
    report = cli_build(project.root)
    assert report.shortcut == "" and report.rendered > 0
    assert "briefings/briefing-14/index.html" in stored  # new
    # a page whose context (key) or bytes changed was rendered again; the others are kept as stored
    assert len(stored) <= report.rendered, sorted(stored)
    for name in ("b14", "b02", "b13"):
        edit(project.root / f"content/briefings/{name}.md", lambda t: t.rstrip() + " More text.\n")
        assert cli_build(project.root).shortcut == "text edits", name
        assert tree(project.output) == clean(project.root, tmp_path / "clean"), name


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t.replace("title: Briefing 3", "title: Briefing three"), id="title"),
        pytest.param(lambda t: t.replace("- Security", "- Energy"), id="terms"),
        pytest.param(
            lambda t: t.replace("title: Briefing 3", "title: Briefing 3\ndraft: true"), id="draft"
        ),
    ],
)
def test_edits_that_change_what_lists_show_take_the_full_build(make_site, tmp_path, change):
    project = make_site(site_files())
    cli_build(project.root)
    for name in ("b03.md", "b01.md"):
        edit(project.root / "content/briefings" / name, change)
    assert cli_build(project.root).shortcut == ""
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t.replace("about Mali and", "about Mali, notably"), id="mention"),
        pytest.param(
            lambda t: t.replace("---\n\n", "summary: New summary.\n---\n\n", 1), id="summary"
        ),
        pytest.param(
            lambda t: t.replace("---\n\n", "takeaways:\n- A new point.\n---\n\n", 1),
            id="takeaways",
        ),
    ],
)
def test_edits_to_what_pages_show_render_those_pages_from_the_store(make_site, tmp_path, change):
    """The sentence a term page quotes, a summary, the takeaways: the pages that read them are loaded from
    the store with the briefing swapped in and rendered; the output equals a clean build."""
    project = make_site(site_files())
    cli_build(project.root)
    for name in ("b03.md", "b01.md"):
        edit(project.root / "content/briefings" / name, change)
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    assert cli_build(project.root).shortcut == "unchanged"


def test_a_broken_edit_is_reported_by_the_full_build_and_the_site_is_left(make_site, tmp_path):
    project = make_site(site_files())
    cli_build(project.root)
    before = tree(project.output)
    edit(project.root / "content/briefings/b03.md", lambda t: t.replace("title:", "title: [x\n#"))
    with pytest.raises(Exception, match=r"b03\.md"):
        cli_build(project.root)
    assert tree(project.output) == before


@pytest.mark.parametrize("other", ["site.yaml", "new briefing", "removed briefing", "template"])
def test_a_text_edit_with_any_other_change_takes_the_full_build(make_site, tmp_path, other):
    project = make_site(site_files())
    cli_build(project.root)
    edit(
        project.root / "content/briefings/b05.md", lambda t: t.replace("settled yet", "settled now")
    )
    if other == "site.yaml":
        edit(project.root / "site.yaml", lambda t: t + "paginate: 3\n")
    elif other == "new briefing":
        (project.root / "content/briefings/b99.md").write_text(
            site_files(1)["content/briefings/b00.md"].replace("Briefing 0", "Newcomer"),
            encoding="utf-8",
        )
    elif other == "removed briefing":
        (project.root / "content/briefings/b02.md").unlink()
    else:
        folder = project.root / "themes/default/templates"
        folder.mkdir(parents=True)
        (folder / "briefing.html").write_text(
            '{% extends "base.html" %}{% block content %}<p>{{ body.html | safe }}</p>'
            "{% endblock %}",
            encoding="utf-8",
        )
        edit(project.root / "site.yaml", lambda t: t)
    assert cli_build(project.root).shortcut == ""
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    edit(project.root / "content/briefings/b05.md", lambda t: t.replace("settled now", "so"))
    assert cli_build(project.root).shortcut == "text edits"  # alone, it would have been one


def minutes_read(project, rel: str) -> str:  # type: ignore[no-untyped-def]
    return next(t for t in project.html(rel).texts("span") if t.endswith("min read"))


def test_an_edit_that_moves_the_reading_time_renders_only_the_briefings_page(make_site, tmp_path):
    """The default theme shows a reading time on the briefing's page alone: a paragraph that moves it, or
    `reading_time:` set in front matter, is a text edit; lists holding the briefing stay as they are."""
    project = make_site(site_files())
    cli_build(project.root)
    path = (
        project.root / "content/briefings/b13.md"
    )  # the newest: on the home page and in every feed
    assert minutes_read(project, "briefings/briefing-13/index.html") == "1 min read"
    edit(path, lambda t: t.rstrip() + " " + " ".join(WORDS * 25) + ".\n")  # 500 words more
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert "index.html" not in report.stats.changed_paths
    assert minutes_read(project, "briefings/briefing-13/index.html") == "2 min read"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    edit(path, lambda t: t.replace("---\n", "---\nreading_time: 7\n", 1))
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert minutes_read(project, "briefings/briefing-13/index.html") == "7 min read"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    # the store holds the new reading time: a later body edit of the same briefing keeps it
    edit(path, lambda t: t.replace("settled yet.", "settled yet, again."))
    assert cli_build(project.root).shortcut == "text edits"
    assert minutes_read(project, "briefings/briefing-13/index.html") == "7 min read"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    assert cli_build(project.root).shortcut == "unchanged"


def test_a_reading_time_a_list_shows_renders_that_list_too(make_site, tmp_path):
    """A theme whose home page shows each briefing's reading time: the home page read it, so an edit that
    moves it renders the home page too (from the store), and a later full build keeps it current."""
    files: dict[str, str | bytes] = dict(site_files())
    home = (DEFAULT_THEME / "templates/home.html").read_text(encoding="utf-8")
    shown = '{% for b in briefings %}<span class="minutes">{{ b.reading_time }}</span>{% endfor %}'
    files["themes/site/templates/home.html"] = home.replace(
        "{% endblock %}", shown + "{% endblock %}", 1
    )
    project = make_site(
        files,
        config="title: T\nbase_url: https://example.org/\npreview_images: false\ntheme: site\n",
    )
    cli_build(project.root)
    path = project.root / "content/briefings/b13.md"
    edit(path, lambda t: t.rstrip() + " " + " ".join(WORDS * 25) + ".\n")
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert "index.html" in report.stats.changed_paths
    assert "2" in [t for t in project.html("index.html").texts("span") if t.isdigit()]
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    # a sentence that keeps the reading time is a text edit again
    edit(path, lambda t: t.replace("settled yet.", "settled yet, again."))
    assert cli_build(project.root).shortcut == "text edits"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_a_read_a_page_makes_only_after_an_edit_is_indexed_for_the_next_edit(make_site, tmp_path):
    """A theme whose home page reads a briefing's reading time only when its title asks for it: a retitle
    (a text edit) renders the home page, whose rendering now reads that reading time; the store must note
    the read, so that a later edit moving the reading time renders the home page too."""
    files: dict[str, str | bytes] = dict(site_files())
    home = (DEFAULT_THEME / "templates/home.html").read_text(encoding="utf-8")
    shown = (
        "{% for b in briefings %}{% if 'timed' in b.title %}"
        "<span>minutes:{{ b.reading_time }}</span>{% endif %}{% endfor %}"
    )
    files["themes/site/templates/home.html"] = home.replace(
        "{% endblock %}", shown + "{% endblock %}", 1
    )
    project = make_site(
        files,
        config="title: T\nbase_url: https://example.org/\npreview_images: false\ntheme: site\n",
    )
    path = project.root / "content/briefings/b13.md"  # the newest: on the home page
    edit(path, lambda t: t.replace("title: Briefing 13", "title: Briefing 13\nslug: briefing-13"))
    cli_build(project.root)
    edit(path, lambda t: t.replace("title: Briefing 13", "title: Briefing 13 timed"))
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert minutes_listed(project) == ["minutes:1"]
    edit(path, lambda t: t.rstrip() + " " + " ".join(WORDS * 25) + ".\n")  # 500 words more
    report = cli_build(project.root)
    assert report.shortcut == "text edits"
    assert "index.html" in report.stats.changed_paths
    assert minutes_listed(project) == ["minutes:2"]
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def minutes_listed(project) -> list[str]:  # type: ignore[no-untyped-def]
    return [t for t in project.html("index.html").texts("span") if t.startswith("minutes:")]


def test_a_reading_time_read_while_planning_is_in_the_keys_of_the_pages_holding_it(
    make_site, tmp_path, monkeypatch
):
    """Were a page kind to copy reading times into a context while planning (none does), the skeleton,
    which leaves them out, would not tell its pages apart: then every page is fingerprinted and no text
    edit is stored, so the page follows."""

    def minutes_page(site):  # type: ignore[no-untyped-def]
        total = sum(b.reading_time for b in site.briefings)
        yield html_page(
            "minutes/", "search.html", title=f"{total} minutes", description="", kind="search"
        )

    monkeypatch.setattr(registry, "PAGE_KINDS", (*registry.PAGE_KINDS, minutes_page))
    project = make_site(site_files())
    cli_build(project.root)
    assert project.html("minutes/index.html").texts("title")[0].startswith("14 minutes")
    path = project.root / "content/briefings/b03.md"
    edit(path, lambda t: t.rstrip() + " " + " ".join(WORDS * 25) + ".\n")
    assert cli_build(project.root).shortcut == ""
    assert project.html("minutes/index.html").texts("title")[0].startswith("15 minutes")
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_an_output_folder_changed_by_hand_takes_the_full_build(make_site, tmp_path):
    project = make_site(site_files())
    cli_build(project.root)
    (project.output / "countries/mali/index.html").unlink()
    edit(
        project.root / "content/briefings/b05.md", lambda t: t.replace("settled yet", "settled now")
    )
    assert cli_build(project.root).shortcut == ""
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_a_store_left_half_written_is_not_used(make_site, tmp_path):
    """A build stopped while saving its store leaves no index; a shard from another build is refused."""
    project = make_site(site_files())
    cli_build(project.root)
    cache = project.root / ".cache"
    (cache / "text-index.pickle").unlink()
    path = project.root / "content/briefings/b05.md"
    edit(path, lambda t: t.replace("settled yet", "settled now"))
    assert cli_build(project.root).shortcut == ""  # no index: the full build, which saves one
    assert (cache / "text-index.pickle").is_file()
    # the shard holding the page, as another build wrote it: same entries, another version
    name = f"text-pages-{shard_of('briefings/briefing-5/index.html'):02x}"
    header = (cache / f"{name}.pickle").read_bytes().split(b"\n", 1)[0]
    settings = header.split(b" ", 3)[3].decode()
    _, entries = load(cache / f"{name}.pickle", name, settings)
    save(cache / f"{name}.pickle", name, settings, ("another build", entries))
    edit(path, lambda t: t.replace("settled now", "settled yet"))
    assert cli_build(project.root).shortcut == ""
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    edit(path, lambda t: t.replace("settled yet", "settled now"))
    assert cli_build(project.root).shortcut == "text edits"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_an_edit_to_what_the_importer_matches_takes_the_full_build(make_site, tmp_path):
    """`briefings build` imports seeds first: a text edit of an imported briefing is one, but an edit of
    its `seed:` link (which could make a seed look new) is not."""
    project = make_site(site_files(4))
    (project.root / "seeds").mkdir()
    (project.root / "seeds/talks.txt").write_text(
        "Ministers meet in Geneva\n\nThe talks in Geneva resumed on Tuesday with envoys from France "
        "and Mali.\n\nNo agreement was expected before the weekend.\n",
        encoding="utf-8",
    )
    options = BuildOptions(run_import=True, jobs=1)
    build_project(project.root, options)
    imported = next(
        p for p in (project.root / "content/briefings").glob("*.md") if "seed:" in p.read_text()
    )
    edit(imported, lambda t: t.replace("before the weekend", "before the summit"))
    assert build_project(project.root, options).shortcut == "text edits"
    assert "file: talks.txt" in imported.read_text()
    edit(
        imported,
        lambda t: t.replace("file: talks.txt", "file: old.txt").replace("summit", "Sunday"),
    )
    assert build_project(project.root, options).shortcut == ""


def test_every_kind_of_cli_build_leaves_the_collector_as_it_found_it(make_site):
    """build_project turns the cyclic collector off while it works: a full build, a no-op, a text edit and
    a failed build each give it back on or off as it was."""
    project = make_site(site_files())
    path = project.root / "content/briefings/b13.md"
    good = path.read_text(encoding="utf-8")
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            cli_build(project.root)  # full (first pass), then no-op
            assert gc.isenabled() is enabled
            path.write_text(good.replace("settled yet.", f"settled yet ({enabled})."), "utf-8")
            assert cli_build(project.root).shortcut == "text edits"
            assert gc.isenabled() is enabled
            edit(path, lambda t: t.replace("title: ", 'title: "', 1))  # a quote left open
            with pytest.raises(SiteError):
                cli_build(project.root)
            assert gc.isenabled() is enabled
            path.write_text(good, encoding="utf-8")
    finally:
        gc.enable()


def test_a_retitle_renders_only_the_pages_that_show_the_title(make_site, tmp_path):
    """Titles and summaries are left out of page keys and the site's skeleton, and recorded where a page
    shows them: a retitle (a full build) fingerprints no page again and renders those that show the old
    title, not the sitemap or the term pages that list other briefings."""
    project = make_site(site_files())
    path = project.root / "content/briefings/b03.md"
    edit(path, lambda t: t.replace("title: Briefing 3", "title: Briefing 3\nslug: briefing-3"))
    first = cli_build(project.root)
    edit(path, lambda t: t.replace("title: Briefing 3", "title: Briefing three"))
    report = cli_build(project.root)
    assert report.shortcut == "text edits"  # the pages showing it come from the store
    written = report.stats.changed_paths
    assert "search/docs/0.json" in written  # its entry in the search results
    assert "briefings/briefing-3/index.html" in written
    assert "Briefing three" in project.read("briefings/briefing-2/index.html")  # a neighbour
    assert "sitemap.xml" not in written
    assert 0 < report.rendered < first.rendered / 2, sorted(written)
    assert "countries/mali/index.html" not in written  # lists no briefing retitled
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    # a text edit then loads the briefing from the store the full build left: with its new title
    edit(path, lambda t: t.replace("settled yet.", "settled yet, again."))
    assert cli_build(project.root).shortcut == "text edits"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    # and back: the pages that show it follow again
    edit(path, lambda t: t.replace("title: Briefing three", "title: Briefing 3"))
    assert cli_build(project.root).shortcut == "text edits"
    assert "Briefing three" not in project.read("briefings/briefing-2/index.html")
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    edit(path, lambda t: t.replace("settled yet, again.", "settled yet."))
    assert cli_build(project.root).shortcut == "text edits"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_a_title_read_while_planning_is_in_the_keys_of_the_pages_holding_it(
    make_site, tmp_path, monkeypatch
):
    """Were a page kind to copy titles into a context while planning, the skeleton (which leaves them out)
    would not tell its pages apart: then every page is fingerprinted, and the page follows a retitle."""

    def titles_page(site):  # type: ignore[no-untyped-def]
        first = site.briefings[-1].title
        yield html_page("oldest/", "search.html", title=first, description="", kind="search")

    monkeypatch.setattr(registry, "PAGE_KINDS", (*registry.PAGE_KINDS, titles_page))
    project = make_site(site_files())
    cli_build(project.root)
    assert project.html("oldest/index.html").texts("title")[0].startswith("Briefing 0")
    path = project.root / "content/briefings/b00.md"
    edit(path, lambda t: t.replace("title: Briefing 0", "title: Zero\nslug: briefing-0"))
    assert cli_build(project.root).shortcut == ""
    assert project.html("oldest/index.html").texts("title")[0].startswith("Zero")
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


@pytest.mark.parametrize("mode", ["cli", "serve"])
def test_a_date_rewritten_in_another_utc_offset_renders_the_pages_that_print_it(
    make_site, tmp_path, mode
):
    """The same instant at another offset (an import after `timezone:` changed, an editor's rewrite): `==`
    takes the two dates for equal, but pages print a date in its own offset, so the edit is not a text
    edit; the build, as the CLI runs it and as serve's kept Builder does (fast render first), equals a
    clean one (found by the property test's seed 166)."""
    from generator.build.builder import Builder

    config = "title: T\nbase_url: https://example.org/\ntimezone: America/Santiago\n"
    files = {
        f"content/briefings/b{i}.md": briefing_md(
            f"B {i}", f"2026-11-0{i + 1}T09:00:00+00:00", countries=["France"], body=f"Body {i}."
        )
        for i in range(3)
    }
    newest = "content/briefings/new.md"
    files[newest] = briefing_md(
        "New", "2026-12-06T01:43:14+00:00", countries=["France"], body="New."
    )
    project = make_site(files, config=config)
    kept = Builder(project.root, BuildOptions(run_import=False, swap=False, jobs=1))
    kept.build() if mode == "serve" else cli_build(project.root)
    again = briefing_md("New", "2026-12-05T22:43:14-03:00", countries=["France"], body="New.")
    project.write({newest: again})
    if mode == "serve":
        kept.quick({project.root / newest})
        kept.build({project.root / newest})
    else:
        assert cli_build(project.root).shortcut != "text edits"
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    assert "5 December 2026" in project.read("briefings/new/index.html")
