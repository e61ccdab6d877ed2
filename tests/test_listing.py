"""build/inputs.py: a survey takes the last build's listing of the folders when each keeps its mtime, and
walks them again after any entry is added, removed or renamed anywhere under them."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

from generator.build import inputs
from tests.conftest import briefing_md

HOUR_AGO = time.time_ns() - 3600 * 10**9


def backdate(top: Path) -> None:
    """Every folder under `top` (and it) last changed an hour ago: a listing of them is trusted."""
    for folder in [top, *(p for p in top.rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(HOUR_AGO, HOUR_AGO))


def tree(top: Path) -> None:
    for rel in ("a.md", "b.md", "sub/c.md", "sub/deeper/d.md", "other/e.md"):
        (top / rel).parent.mkdir(parents=True, exist_ok=True)
        (top / rel).write_text(rel)
    backdate(top)


def survey_again(tops: list[Path], last: inputs.Stamps) -> inputs.Stamps:
    """A survey given the last one's stamps, as they come back from the cache."""
    return inputs.input_stamps(tops, pickle.loads(pickle.dumps(last)))


def test_an_unchanged_tree_is_taken_from_the_listing_and_equals_a_walk(tmp_path):
    tree(tmp_path / "content")
    tops = [tmp_path / "content", tmp_path / "missing"]
    first = inputs.input_stamps(tops)
    assert first.listing is not None
    assert str(tmp_path / "missing") in first.listing.folders  # a folder that may appear later
    (tmp_path / "content" / "a.md").write_text("edited in place")  # no folder changes
    again = survey_again(tops, first)
    assert again.listing == first.listing  # taken, not walked
    walked = inputs.input_stamps(tops)
    assert again == walked and again.paths == walked.paths
    assert again.changed(first) == [str(tmp_path / "content" / "a.md")]


def test_every_change_of_a_folder_is_walked_again(tmp_path):
    changes = {
        "a file added": lambda top: (top / "sub" / "deeper" / "new.md").write_text("new"),
        "a file removed": lambda top: (top / "sub" / "c.md").unlink(),
        "a file renamed": lambda top: (top / "b.md").rename(top / "z.md"),
        "a folder added with a file": lambda top: (
            (top / "sub" / "fresh").mkdir(),
            (top / "sub" / "fresh" / "f.md").write_text("f"),
        ),
        "a folder removed": lambda top: (
            (top / "other" / "e.md").unlink(),
            (top / "other").rmdir(),
        ),
        "a missing top made": lambda top: (top.parent / "seeds").mkdir(),
    }
    for n, (what, change) in enumerate(changes.items()):
        top = tmp_path / str(n) / "content"
        tree(top)
        tops = [top, top.parent / "seeds"]
        first = inputs.input_stamps(tops)
        assert first.listing is not None, what
        change(top)
        again = survey_again(tops, first)
        assert again.listing is None, what  # walked (and changed just now: not listed for the next)
        walked = inputs.input_stamps(tops)
        assert again.paths == walked.paths and again == walked, what
        if what != "a missing top made":
            assert again.changed(first) is None, what  # files added or removed: not a text edit


def test_a_folder_changed_just_before_its_listing_is_not_trusted(tmp_path):
    """A file added within the same mtime tick as the listing could leave the folder's mtime as listed."""
    tree(tmp_path / "content")
    (tmp_path / "content" / "sub" / "new.md").write_text("just now")
    stamps = inputs.input_stamps([tmp_path / "content"])
    assert stamps.listing is None
    assert survey_again([tmp_path / "content"], stamps).paths == stamps.paths  # walked again


def test_other_folders_are_walked(tmp_path):
    tree(tmp_path / "content")
    tree(tmp_path / "theme")
    first = inputs.input_stamps([tmp_path / "content"])
    both = survey_again([tmp_path / "content", tmp_path / "theme"], first)
    assert both.paths == inputs.input_stamps([tmp_path / "content", tmp_path / "theme"]).paths
    assert both.listing is not None and both.listing.tops != first.listing.tops


def test_builds_from_a_listing_see_a_briefing_added_edited_and_removed(make_site, monkeypatch):
    """The command line's no-op check and text edits take the folders' listing from the last build; what
    an editor then adds, edits or removes still reaches the site. (Every folder listed counts as old
    enough here: the generator's own folders may have had a __pycache__ made in them seconds ago.)"""
    from generator.build.once import build_project
    from generator.build.options import BuildOptions

    monkeypatch.setattr(inputs, "_RACY_NS", 0)
    walks: list[str] = []
    walk = inputs._walk
    monkeypatch.setattr(
        inputs, "_walk", lambda top, *rest: walks.append(str(top)) or walk(top, *rest)
    )
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Alpha", body="First text."),
            "content/briefings/b.md": briefing_md("Beta", body="Second text."),
        }
    )
    backdate(project.root / "content")

    def build() -> str:
        walks.clear()
        summary = build_project(project.root, BuildOptions(run_import=False)).summary()
        # the survey's walks (code_version() walks the generator's own files each build)
        walks[:] = [top for top in walks if top.startswith(str(project.root))]
        return summary

    build()
    assert walks  # the first build lists its folders
    assert "0 rendered" in build() and walks == []  # a no-op, from the listing
    (project.root / "content/briefings/a.md").write_text(
        briefing_md("Alpha", body="First text, edited."), encoding="utf-8"
    )
    assert "text edits" in build() and walks == []
    assert "First text, edited." in project.read("briefings/alpha/index.html")
    project.write({"content/briefings/c.md": briefing_md("Gamma", body="Third text.")})
    build()
    assert walks and "Third text." in project.read("briefings/gamma/index.html")
    (project.root / "content/briefings/b.md").unlink()
    build()
    assert walks and not (project.output / "briefings/beta/index.html").exists()
    assert "0 rendered" in build() and walks == []
