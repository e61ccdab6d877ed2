"""serve's rebuild after edits to the text of briefings alone (build/settle.py): only the pages holding the
edited bodies are rendered, nothing else is planned or written, and the output equals a clean build."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from generator.build.builder import Builder
from generator.build.options import BuildOptions
from generator.core.errors import SiteError
from tests.conftest import briefing_md

COUNTRIES = ["France", "Mali", "Niger", "Chad", "Japan"]
WORDS = (
    "ceasefire talks envoy sanctions border drones grain corridor ministers summit parliament "
    "referendum militia airstrike convoy refugees pipeline tariffs election coalition"
).split()


def site_files(n: int = 14) -> dict[str, str]:
    files: dict[str, str] = {}
    for i in range(n):
        files[f"content/briefings/b{i:02d}.md"] = briefing_md(
            f"Briefing {i}",
            f"2026-10-{i + 1:02d}T09:00:00+00:00",
            body=f"## Context\n\nParagraph {i} about {COUNTRIES[i % 5]} and {WORDS[i]}.\n\n"
            f"## Outlook\n\nNothing is settled yet.",
            countries=[COUNTRIES[i % 5], COUNTRIES[(i + 2) % 5]],
            topics=["Security"],
        )
    return files


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".briefings-build"
    }


def clean(root: Path, scratch: Path) -> dict[str, bytes]:
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("output", ".cache", ".output*"))
    Builder(scratch, BuildOptions(run_import=False, cache=False, jobs=1)).build()
    return tree(scratch / "output")


class Serve:
    """A Builder kept alive as serve keeps it; counts the builds that took the full path."""

    def __init__(self, root: Path):
        self.builder = Builder(root, BuildOptions(run_import=False, swap=False, jobs=1))
        self.builder.build()
        self.full = 0
        inner = self.builder._build

        def counted(surveyed=None):  # type: ignore[no-untyped-def]
            self.full += 1
            return inner(surveyed)

        self.builder._build = counted  # type: ignore[method-assign]

    def save(self, path: Path, text: str, *, quick: bool = True):  # type: ignore[no-untyped-def]
        path.write_text(text, encoding="utf-8")
        if quick:
            self.builder.quick({path})
        return self.builder.build({path})


def test_a_body_edit_renders_only_the_pages_holding_that_body(make_site, tmp_path):
    project = make_site(site_files())
    serve = Serve(project.root)
    path = project.root / "content/briefings/b13.md"  # the newest: in every feed
    text = path.read_text().replace("settled yet.", "settled yet, says a new word: hydropower.")
    report = serve.save(path, text, quick=False)
    assert serve.full == 0
    # its page and the full-content feeds; no list, term page or the home page
    assert 1 <= report.rendered <= 8, sorted(report.stats.changed_paths)
    written = report.stats.changed_paths
    assert "briefings/briefing-13/index.html" in written, sorted(written)
    assert not any(
        p in written
        for p in ("index.html", "countries/chad/index.html", "topics/security/index.html")
    )
    assert any(p.startswith("search/") for p in written)  # the new word's shard
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    # the files in the site, as the full build counts them (not the pages alone), with the new shard
    assert report.pages == len(tree(project.output))
    # the page shows the new text
    assert "hydropower" in project.read(next(p for p in written if p.endswith(".html")))


def test_settle_after_quick_and_repeated_edits_equals_a_clean_build(make_site, tmp_path):
    project = make_site(site_files())
    serve = Serve(project.root)
    rng = random.Random(7)
    for step in range(12):
        path = project.root / f"content/briefings/b{rng.randrange(14):02d}.md"
        text = path.read_text().rstrip() + f" {rng.choice(WORDS)} {rng.choice(WORDS)} step{step}.\n"
        serve.save(path, text, quick=rng.random() < 0.6)
        assert tree(project.output) == clean(project.root, tmp_path / "clean"), f"step {step}"
    assert serve.full == 0


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda t: t.replace("title: Briefing 3", "title: Briefing three"), id="title"),
        pytest.param(lambda t: t.replace("- Security", "- Energy"), id="terms"),
        pytest.param(
            lambda t: t.replace("title: Briefing 3", "title: Briefing 3\ndraft: true"), id="draft"
        ),
        pytest.param(lambda t: t.replace("title: Briefing 3", "title: [broken"), id="error"),
    ],
)
def test_edits_that_change_what_lists_show_take_the_full_build(make_site, tmp_path, edit):
    project = make_site(site_files())
    serve = Serve(project.root)
    path = project.root / "content/briefings/b03.md"
    try:
        serve.save(path, edit(path.read_text()), quick=False)
    except Exception as exc:  # the broken one: the full build reports it, as a clean build does
        assert "b03.md" in str(exc)
        assert serve.full == 1
        return
    assert serve.full == 1
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_a_mention_sentence_edit_takes_the_full_build(make_site, tmp_path):
    """The sentence naming a term is shown on its term page: changing it changes the briefing, not only
    the body."""
    project = make_site(site_files())
    serve = Serve(project.root)
    path = project.root / "content/briefings/b01.md"
    serve.save(
        path, path.read_text().replace("about Mali and", "about Mali, and notably"), quick=False
    )
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_other_inputs_in_the_same_batch_take_the_full_build(make_site, tmp_path):
    project = make_site(site_files())
    serve = Serve(project.root)
    body = project.root / "content/briefings/b05.md"
    body.write_text(body.read_text().replace("Paragraph 5", "Paragraph five"), encoding="utf-8")
    config = project.root / "site.yaml"
    config.write_text(
        config.read_text().replace("paginate:", "paginate: 3\n#")
        if "paginate:" in config.read_text()
        else config.read_text() + "paginate: 3\n",
        encoding="utf-8",
    )
    serve.builder.build({body, config})
    assert serve.full == 1
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_removing_an_image_from_the_text_takes_the_full_build(make_site, tmp_path):
    """Its derived files must go: only the full build prunes the output folder."""
    from PIL import Image

    files = site_files()
    files["content/briefings/b02.md"] = files["content/briefings/b02.md"].replace(
        "Nothing is settled yet.", "Nothing is settled yet.\n\n![A map of the border](map.png)"
    )
    project = make_site(files)
    Image.new("RGB", (640, 400), "#336699").save(project.root / "content/briefings/map.png")
    serve = Serve(project.root)
    path = project.root / "content/briefings/b02.md"
    serve.save(path, path.read_text().replace("![A map of the border](map.png)", "No map."))
    assert serve.full == 1
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_edits_to_what_pages_show_settle_and_equal_a_clean_build(make_site, tmp_path):
    """A retitle, a new summary or takeaways, a moved reading time (fields page keys leave out and
    renderings record): serve renders the pages that show them, with the briefing swapped into their last
    contexts (term pages, neighbours, feeds), and no full build runs."""
    files = site_files()
    for name, text in files.items():  # slugs of their own: a retitle keeps the URL
        files[name] = text.replace("\ntitle: ", f"\nslug: s-{name[-5:-3]}\ntitle: ", 1)
    project = make_site(files)
    serve = Serve(project.root)
    rng = random.Random(11)
    for step in range(10):
        n = rng.randrange(14)
        path = project.root / f"content/briefings/b{n:02d}.md"
        text = path.read_text()
        change = rng.choice(["title", "summary", "takeaways", "minutes", "title and text"])
        if change.startswith("title"):
            text = re.sub(r"\ntitle: .*", f"\ntitle: Retitled {step}", text, count=1)
        if change == "summary":
            text = text.replace("\n---\n", f"\nsummary: Summary of step {step}.\n---\n", 1)
        if change == "takeaways":
            text = text.replace("\n---\n", f"\ntakeaways:\n- Point {step}.\n---\n", 1)
        if change == "minutes":
            text = re.sub(r"\nreading_time: .*", "", text).replace(
                "\n---\n", f"\nreading_time: {step + 2}\n---\n", 1
            )
        if change.endswith("text"):
            text = text.rstrip() + f" {rng.choice(WORDS)} step{step}.\n"
        report = serve.save(path, text, quick=rng.random() < 0.5)
        assert serve.full == 0, (step, change)
        assert tree(project.output) == clean(project.root, tmp_path / "clean"), (step, change)
        if change.startswith("title"):
            assert f"Retitled {step}" in project.read(f"briefings/s-{n:02d}/index.html")
            assert report.rendered < 40


def test_files_rewritten_as_they_were_are_no_change_to_serve(make_site, tmp_path, monkeypatch):
    """A checkout under a running serve rewrites every file with its bytes, and the watcher reports them
    all: neither the fast render nor the rebuild parses or renders any; an edit among them is the one
    file parsed. After a failed build the files reported are not trusted to be all that changed."""
    from generator.build import settle

    project = make_site(site_files())
    serve = Serve(project.root)
    files = sorted((project.root / "content").rglob("*.md"))
    parsed: list[Path] = []
    real = settle.reparse
    monkeypatch.setattr(settle, "reparse", lambda path, *a: parsed.append(path) or real(path, *a))

    def checkout() -> set[Path]:
        for path in files:
            path.write_bytes(path.read_bytes())
        return set(files)

    touched = checkout()
    assert serve.builder.quick(touched) is None
    report = serve.builder.build(touched)
    assert (report.rendered, report.stats.written, serve.full, parsed) == (0, 0, 0, [])
    assert report.pages == len(tree(project.output))
    edited = project.root / "content/briefings/b05.md"
    touched = checkout()
    edited.write_text(edited.read_text().replace("Nothing is settled", "Little is settled"))
    assert serve.builder.quick(touched) is not None
    serve.builder.build(touched)
    assert set(parsed) == {edited} and serve.full == 0
    assert tree(project.output) == clean(project.root, tmp_path / "clean")
    # a failed build: one file broken, another edited; the broken one then put back as it was built
    broken, other = (
        project.root / "content/briefings/b07.md",
        project.root / "content/briefings/b08.md",
    )
    before = broken.read_text()
    broken.write_text("---\ntitle: [unclosed\n---\n")
    other.write_text(other.read_text().replace("Nothing is settled", "Much is unsettled"))
    with pytest.raises(SiteError):
        serve.builder.build({broken, other})
    broken.write_text(before)
    serve.builder.build({broken})
    assert "Much is unsettled" in project.read("briefings/briefing-8/index.html")
    assert tree(project.output) == clean(project.root, tmp_path / "clean")


def test_a_checkout_after_a_briefing_came_due_shows_it(make_site, monkeypatch):
    """Files rewritten as they were are no change, but a briefing whose date has come since the last
    build is: the rebuild the watcher's report starts shows it."""
    from datetime import UTC, datetime

    files = site_files(4)
    files["content/briefings/later.md"] = briefing_md("Later news", "2030-01-01T09:00:00+00:00")
    project = make_site(files)
    serve = Serve(project.root)
    assert not (project.output / "briefings/later-news/index.html").exists()
    monkeypatch.setattr(serve.builder, "now", lambda config: datetime(2030, 1, 2, tzinfo=UTC))
    touched = set((project.root / "content").rglob("*.md"))
    for path in touched:
        path.write_bytes(path.read_bytes())
    serve.builder.quick(touched)
    serve.builder.build(touched)
    assert (project.output / "briefings/later-news/index.html").is_file()
