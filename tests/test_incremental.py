"""Incremental rebuilds (as `serve` runs them) equal a clean full build, byte for byte, over random edits."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from generator.build.builder import Builder, BuildOptions
from tests.conftest import briefing_md

COUNTRIES = ["France", "Chile", "Japan", "Kenya", "Peru"]
TOPICS = ["Trade", "Energy", "Security"]
WORDS = (
    "talks resume after a long pause while ministers weigh sanctions and new trade terms".split()
)
BRIEFING_TEMPLATE = (
    Path(__file__).resolve().parent.parent / "themes/default/templates/briefing.html"
).read_text(encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".briefings-build"
    }


def clean_build(root: Path, scratch: Path) -> dict[str, bytes]:
    """A full build of a fresh copy of the project's inputs: no memory, no cache, no previous output."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("output", ".cache"))
    Builder(scratch, BuildOptions(run_import=False)).build()
    return tree(scratch / "output")


class Editor:
    """Random edits, additions, renames and deletions of briefings in a project, from one seeded generator."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng, self.count = root, rng, 0
        self.folder = root / "content/briefings"
        # files the last step changed, as the watcher would report them
        self.touched: set[Path] = set()

    def briefing(self) -> str:
        rng = self.rng
        self.count += 1
        return briefing_md(
            " ".join(rng.sample(WORDS, 3)).capitalize() + f" {self.count}",
            f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00+00:00",
            body=" ".join(rng.choices(WORDS, k=rng.randint(5, 40))) + ".",
            summary=" ".join(rng.sample(WORDS, 5)) + ".",
            countries=rng.sample(COUNTRIES, rng.randint(0, 2)),
            topics=rng.sample(TOPICS, rng.randint(0, 1)),
        )

    def files(self) -> list[Path]:
        return sorted(self.folder.rglob("*.md"))

    def step(self) -> str:
        files = self.files()
        self.touched = set()
        action = self.rng.choice(
            ["edit", "edit", "add", "rename", "delete"] if len(files) > 3 else ["add"]
        )
        if action == "add":
            sub = self.rng.choice(["", "2026/", "archive/old/"])  # new folders too
            path = self.folder / f"{sub}n{self.count}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.briefing(), encoding="utf-8")
        elif action == "edit":
            path = self.rng.choice(files)
            self.touched = {path}
            text = path.read_text(encoding="utf-8")
            if self.rng.random() < 0.5:
                # body only
                path.write_text(
                    text.rstrip() + " " + self.rng.choice(WORDS) + ".\n", encoding="utf-8"
                )
            else:
                path.write_text(self.briefing(), encoding="utf-8")  # title, date, tags, everything
        elif action == "rename":
            path = self.rng.choice(files)
            path.rename(path.with_name(f"r{self.count}-{path.name}"))
            self.count += 1
        else:
            self.rng.choice(files).unlink()
        return action


@pytest.mark.parametrize("seed", [7])
def test_random_edits_rebuilt_incrementally_equal_a_clean_build(make_site, tmp_path, seed):
    project = make_site(
        config="title: Incremental\nbase_url: https://example.org/sub/\ntheme: mine\nrelated_count: 2\npaginate: 4\n"
    )
    project.write(
        {
            "themes/mine/templates/briefing.html": BRIEFING_TEMPLATE,
            "content/pages/about.md": "---\ntitle: About\n---\nUs.\n",
        }
    )
    rng = random.Random(seed)
    editor = Editor(project.root, rng)
    for _ in range(8):
        editor.step()
    builder = Builder(project.root, BuildOptions(swap=False, run_import=False))
    builder.build()
    actions = []
    quick = 0
    for number in range(30):
        actions.append(editor.step())
        # serve's fast render first, as LiveServer runs it
        if builder.quick(editor.touched) is not None:
            quick += 1
        if number == 10:  # one template edit
            project.write(
                {
                    "themes/mine/templates/briefing.html": BRIEFING_TEMPLATE.replace(
                        "</h1>", "</h1><p class=edited>Edited</p>", 1
                    )
                }
            )
            actions.append("template")
        if number == 20:  # one site.yaml edit
            project.write(
                {
                    "site.yaml": "title: Incremental renamed\nbase_url: https://example.org/sub/\n"
                    "theme: mine\nrelated_count: 3\npaginate: 4\n"
                }
            )
            actions.append("config")
        builder.build()
        if number % 5 == 4 or number in (10, 20):
            assert tree(project.output) == clean_build(project.root, tmp_path / "clean"), (
                f"after {actions}"
            )
    assert {"add", "edit", "rename", "delete", "template", "config"} <= set(actions)
    assert quick >= 2  # body edits took the fast path
    assert tree(project.output) == clean_build(project.root, tmp_path / "clean")


def test_fast_render_writes_the_edited_page_first_and_the_full_rebuild_leaves_it(make_site):
    """Builder.quick: the edited briefing's page at once; the full rebuild then updates the lists, not that page."""
    project = make_site(config="title: Quick\nbase_url: https://example.org/\n")
    project.write(
        {
            f"content/briefings/b{i}.md": briefing_md(
                f"Briefing {i}",
                f"2026-10-{i + 1:02d}T09:00:00+00:00",
                countries=["Chile"],
                summary=f"Summary {i}.",
                body=f"Body {i}.",
            )
            for i in range(5)
        }
    )
    builder = Builder(project.root, BuildOptions(swap=False, run_import=False))
    builder.build()
    path = project.root / "content/briefings/b2.md"
    path.write_text(
        briefing_md(
            "Briefing 2",
            "2026-10-03T09:00:00+00:00",
            countries=["Chile"],
            summary="New summary.",
            body="Fresh body.",
        ),
        encoding="utf-8",
    )
    stats = builder.quick({path})
    assert stats is not None and stats.changed_paths == {"briefings/briefing-2/index.html"}
    assert "Fresh body." in project.html("briefings/briefing-2/index.html").text
    assert "New summary." not in project.html("index.html").text  # lists follow in the full rebuild
    report = builder.build()
    # already current: no second reload
    assert "briefings/briefing-2/index.html" not in report.stats.changed_paths
    assert (
        "index.html" in report.stats.changed_paths
        and "New summary." in project.html("index.html").text
    )
    # A change of terms (or date, slug, draft) moves the briefing in lists and related: no fast path.
    path.write_text(
        briefing_md(
            "Briefing 2", "2026-10-03T09:00:00+00:00", countries=["Peru"], body="Fresh body."
        ),
        encoding="utf-8",
    )
    assert builder.quick({path}) is None
    # Nor for a file with an error: the full rebuild reports it.
    path.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    assert builder.quick({path}) is None


def test_editing_one_briefing_re_renders_far_fewer_pages_than_the_site_has(make_site):
    rng = random.Random(3)
    project = make_site(config="title: Incremental\nbase_url: https://example.org/\n")
    editor = Editor(project.root, rng)
    for i in range(60):
        project.write({f"content/briefings/b{i}.md": editor.briefing()})
    builder = Builder(project.root, BuildOptions(swap=False, run_import=False))
    full = builder.build()
    assert builder.build().rendered == 0
    target = editor.files()[len(editor.files()) // 2]
    target.write_text(
        target.read_text(encoding="utf-8").rstrip() + " One more sentence.\n", encoding="utf-8"
    )
    report = builder.build()
    assert 1 <= report.rendered <= full.rendered // 4, (report.rendered, full.rendered)
    # search index, feeds: a handful of data files at most
    assert report.stats.written <= report.rendered + 5


def test_retitling_a_briefing_re_renders_only_the_term_page_listing_it(make_site, monkeypatch):
    """A term page's key holds its own briefings and the term's name, count and latest date, not the term's
    whole list; a template that reads `term.briefings` (the whole list) depends on all of it."""
    from generator.build import builder as builder_module

    config = "title: Terms\nbase_url: https://example.org/\npaginate: 5\npreview_images: false\n"
    project = make_site(config=config)
    for i in range(30):
        project.write(
            {
                f"content/briefings/b{i:02d}.md": briefing_md(
                    f"Briefing number {i}",
                    f"2026-01-{i + 1:02d}T09:00:00+00:00",
                    countries=["France"],
                )
            }
        )
    rendered: list[str] = []
    real = builder_module.render_many

    def spy(env, pages, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.extend(page.path for page in pages)
        return real(env, pages, *args, **kwargs)

    monkeypatch.setattr(builder_module, "render_many", spy)
    builder = Builder(project.root, BuildOptions(swap=False, run_import=False))
    builder.build()
    term_pages = sorted(
        p for p in project.files() if p.startswith("countries/france/") and p.endswith(".html")
    )
    assert len(term_pages) == 6  # 30 briefings, 5 a page

    def retitle(title: str) -> set[str]:
        """Retitle the oldest briefing (the last page lists it); the term pages rendered again."""
        project.write(
            {
                "content/briefings/b00.md": briefing_md(
                    title, "2026-01-01T09:00:00+00:00", countries=["France"]
                )
            }
        )
        rendered.clear()
        builder.build()
        return {p for p in rendered if p.startswith("countries/france/") and p.endswith(".html")}

    assert retitle("The oldest, retitled") == {"countries/france/page/6/index.html"}
    last = project.html("countries/france/page/6/index.html").text
    assert "The oldest, retitled" in last and "Briefing number 0" not in last

    # A theme whose term pages show the term's oldest briefing reads the whole list: every page follows it.
    template = (
        Path(__file__).resolve().parent.parent / "themes/default/templates/term.html"
    ).read_text(encoding="utf-8")
    marker = "{% block main %}"
    project.write(
        {
            "site.yaml": config + "theme: mine\n",
            "themes/mine/templates/term.html": template.replace(
                marker, marker + "<data>{{ term.briefings[-1].title }}</data>"
            ),
        }
    )
    builder.build()
    assert retitle("The oldest, once more") == set(term_pages)
    for page in term_pages:
        assert project.html(page).texts("data") == ["The oldest, once more"]
