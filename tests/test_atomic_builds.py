"""Builds under concurrency and faults: one writer per project, every write whole or not at all, a full disk
as one clear error, conflicts that fail the import."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.build import spool
from generator.build import write as writer
from generator.build.lock import project_lock
from generator.build.spool import spool_path
from generator.build.write import MARKER, TEMP_PREFIX, journal_path
from generator.core.errors import SiteError
from tests.conftest import ROOT, briefing_md

BRIEFINGS = 40


def project(make_site, n: int = BRIEFINGS):
    files = {
        f"content/briefings/b{i:03d}.md": briefing_md(
            f"Briefing number {i}",
            f"2026-11-{1 + i % 27:02d}T09:00:00+00:00",
            body=f"Text of briefing {i}.",
            countries=["Mali", "Niger", "Chad"][: 1 + i % 3],
            topics=["Security"],
        )
        for i in range(n)
    }
    return make_site(files)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MARKER
    }


def clean_build(site, tmp_path: Path, name: str = "clean") -> dict[str, bytes]:
    out = tmp_path / name
    site.build(output=out, cache=False)
    return tree(out)


def cli(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "-C", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def no_leftovers(site) -> None:
    out = site.output
    assert not [
        p for p in out.rglob("*") if p.name.startswith((TEMP_PREFIX, ".")) and p.name != MARKER
    ], "temporary files left in output/"
    assert not journal_path(out).exists()
    assert not out.with_name(f".{out.name}.new").exists()


def test_two_builds_at_once_both_succeed_and_leave_a_whole_site(make_site, tmp_path):
    site = project(make_site)
    site.build()
    # every page changes (the site title is on each), so the large-write path runs in both
    (site.root / "site.yaml").write_text("title: Retitled Desk\nbase_url: https://example.org/\n")
    runs = [cli(site.root, "build", "--no-import") for _ in range(3)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in runs]
    for code, _out, err in results:
        assert code == 0, err
    assert sum("waiting for another briefings process (pid" in err for _, _, err in results) >= 1
    assert tree(site.output) == clean_build(site, tmp_path)
    no_leftovers(site)


def test_a_build_waits_for_the_lock_and_names_its_holder(make_site):
    site = project(make_site, 3)
    site.build()
    held, released = threading.Event(), threading.Event()

    def hold() -> None:
        with project_lock(site.root, "briefings serve"):
            held.set()
            released.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    run = cli(site.root, "build", "--no-import")
    assert run.stderr is not None
    first = run.stderr.readline()  # the build says it waits (or ends, giving EOF)
    assert (
        first == f"waiting for another briefings process (pid {os.getpid()}: briefings serve)...\n"
    )
    time.sleep(0.5)
    assert run.poll() is None  # and still waits
    released.set()
    holder.join()
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err


# Kill points: the K-th file written (temporaries, before the commit), or the K-th rename (after it).
KILL_SCRIPT = """
import os, sys
from generator.build import write
point, k = sys.argv[1], int(sys.argv[2])
calls = [0]
def dying(original):
    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == k:
            os._exit(9)  # as SIGKILL: no handler, no finally
        return original(*args, **kwargs)
    return call
if point == "write":
    write._write_private = dying(write._write_private)
else:
    os.replace = dying(os.replace)
from generator.cli import main
raise SystemExit(main(["-C", sys.argv[3], "build", "--no-import"]))
"""


@pytest.mark.parametrize(("point", "k"), [("write", 1), ("write", 3), ("rename", 2), ("rename", 5)])
def test_a_build_killed_at_a_write_point_leaves_the_old_or_the_new_site(
    make_site, tmp_path, point, k
):
    site = project(make_site)
    site.build()
    before = tree(site.output)
    # a small change (written in place, through the journal): one briefing retitled
    path = site.root / "content/briefings/b007.md"
    path.write_text(path.read_text().replace("Briefing number 7", "Briefing number seven"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, point, str(k), str(site.root)],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == 9
    after_kill = tree(site.output)
    published = {rel for rel in after_kill if not rel.split("/")[-1].startswith(TEMP_PREFIX)}
    if point == "write":  # killed before the commit: the site is still wholly the old one
        assert {rel: after_kill[rel] for rel in published} == before
    # the next build completes or undoes the interrupted one, and makes the new site
    site.build()
    assert tree(site.output) == clean_build(site, tmp_path)
    no_leftovers(site)


def test_a_full_disk_is_one_clear_error_and_the_site_is_left_as_it_was(make_site, monkeypatch):
    site = project(make_site, 5)
    site.build()
    before = tree(site.output)
    path = site.root / "content/briefings/b002.md"
    path.write_text(path.read_text().replace("Briefing number 2", "Briefing number two"))
    real = writer._write_private
    calls = [0]

    def full(target: str, data: bytes, made: set[str]):
        calls[0] += 1
        if calls[0] == 2:
            raise OSError(errno.ENOSPC, "No space left on device", target)
        return real(target, data, made)

    monkeypatch.setattr(writer, "_write_private", full)
    with pytest.raises(SiteError) as caught:
        site.build()
    (problem,) = caught.value.problems
    assert "cannot write the site: No space left on device" in problem.message
    assert str(site.output) in str(problem.path)
    assert tree(site.output) == before
    no_leftovers(site)


def test_a_change_of_part_of_the_site_is_written_in_place_pages_last_and_most_of_it_swapped(
    make_site, tmp_path, monkeypatch
):
    """Publishing a briefing changes many files (its page, lists, feeds, search shards) but a part of the site:
    written in place through the journal, the new files and those that are not pages renamed into place
    first, the pages last (a list never links a page not there yet). A change of most of the site (the
    site's title on every page) goes to a hard-linked copy swapped in whole. Both equal a clean build."""
    site = project(make_site)
    site.build()
    monkeypatch.setattr(writer, "SWAP_THRESHOLD", 5)
    folder = site.output.stat().st_ino
    renames: list[str] = []
    real = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if Path(src).name.startswith(TEMP_PREFIX):
            renames.append(Path(dst).relative_to(site.output).as_posix())
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    before = set(tree(site.output))
    site.write(
        {
            "content/briefings/b999.md": briefing_md(
                "A new one", "2026-11-28T09:00:00+00:00", body="New."
            )
        }
    )
    site.build()
    assert site.output.stat().st_ino == folder  # in place
    assert SWAP_FLOOR < len(renames) < len(tree(site.output)) / 2
    kinds = [(rel.endswith(".html"), rel in before) for rel in renames]
    assert kinds == sorted(kinds) and (False, False) in kinds and (True, True) in kinds
    assert "briefings/a-new-one/index.html" in renames
    assert tree(site.output) == clean_build(site, tmp_path)
    no_leftovers(site)
    renames.clear()
    config = site.root / "site.yaml"
    config.write_text(config.read_text().replace("title:", "title: Renamed -", 1))
    site.build()
    assert site.output.stat().st_ino != folder and not renames  # swapped in whole
    assert tree(site.output) == clean_build(site, tmp_path, "clean-2")
    no_leftovers(site)


SWAP_FLOOR = 5


def test_a_first_build_writes_pages_as_they_arrive_and_makes_the_same_site(
    make_site, tmp_path, monkeypatch
):
    site = project(make_site, 200)  # ~300 pages rendered: by two forked workers
    placed: list[str] = []
    real = writer.place

    def counting(folder, rel, data, digest):
        placed.append(rel)
        return real(folder, rel, data, digest)

    monkeypatch.setattr(spool, "place", counting)
    first = site.build(jobs=2)
    assert first.rendered >= 256 and len(placed) == first.rendered  # each page written as it came
    monkeypatch.undo()
    # the same site as one written by the writer alone (no swap: no first-build placing)
    out = tmp_path / "by-the-writer"
    site.build(output=out, swap=False, cache=False)
    assert tree(site.output) == tree(out)
    # the manifest holds every placed file's true size and mtime: the next build is a no-op
    again = site.build(jobs=2)
    assert again.rendered == 0 and again.stats.written == 0
    no_leftovers(site)
    assert not spool_path(site.output).exists()


def test_a_first_build_of_many_pages_leaves_them_to_the_writer(make_site, tmp_path, monkeypatch):
    site = project(make_site, 20)
    placed: list[str] = []
    monkeypatch.setattr(spool, "place", lambda *args: placed.append(args[1]))
    monkeypatch.setattr(spool, "PLACED_PAGES", 10)  # fewer than this site has
    site.build()
    assert not placed
    assert tree(site.output) == clean_build(site, tmp_path)
    no_leftovers(site)


def test_a_first_build_that_fails_midway_leaves_no_output_and_no_spool(make_site):
    site = project(make_site, 130)
    site.write(
        {
            "site.yaml": "title: T\nbase_url: https://example.org/\npreview_images: false\n"
            "theme: mine\n",
            # term pages fail to render; briefing pages render, and are placed, before the build fails
            "themes/mine/templates/term.html": '{% extends "base.html" %}\n{% block main %}\n'
            "{{ missing_variable.attr }}\n{% endblock %}\n",
        }
    )
    with pytest.raises(SiteError) as caught:
        site.build(jobs=2)
    assert "term.html:3:" in str(caught.value)
    assert not site.output.exists()
    assert not spool_path(site.output).exists()


def test_a_full_disk_in_a_first_build_is_one_clear_error_and_leaves_nothing(make_site, monkeypatch):
    site = project(make_site, 5)
    real = writer._new_file  # what writes a first build's pages as they arrive
    calls = [0]

    def full(target, data):  # the disk fills up at the third page, for good
        calls[0] += 1
        if calls[0] >= 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real(target, data)

    monkeypatch.setattr(writer, "_new_file", full)
    with pytest.raises(SiteError) as caught:
        site.build()
    (problem,) = caught.value.problems
    assert "cannot write the site: No space left on device" in problem.message
    assert not site.output.exists()
    assert not spool_path(site.output).exists()


def test_an_import_that_leaves_an_edited_briefing_alone_exits_1(tmp_path):
    root = tmp_path / "site"
    (root / "seeds").mkdir(parents=True)
    (root / "site.yaml").write_text("title: T\n")
    seed = root / "seeds/talks.txt"
    seed.write_text("Talks resume in Geneva\n\nDiplomats from Russia and Ukraine met in Geneva.\n")
    first = cli(root, "import")
    assert first.wait(timeout=120) == 0, first.communicate()
    (briefing,) = (root / "content/briefings").glob("*.md")
    briefing.write_text(briefing.read_text() + "\nAn editor's paragraph.\n")
    seed.write_text(seed.read_text() + "\nThey agreed to meet again.\n")
    second = cli(root, "import")
    code, (out, _) = second.wait(timeout=120), second.communicate()
    assert code == 1
    assert "conflict" in out
    assert "An editor's paragraph." in briefing.read_text()


def test_a_seed_from_outside_seeds_is_refused_and_leaves_another_seeds_briefing_alone(tmp_path):
    root = tmp_path / "site"
    (root / "seeds").mkdir(parents=True)
    (root / "site.yaml").write_text("title: T\n")
    (root / "seeds/news.txt").write_text(
        "Talks resume in Geneva\n\nDiplomats from Russia and Ukraine met in Geneva.\n"
    )
    first = cli(root, "import")
    assert first.wait(timeout=120) == 0, first.communicate()
    (briefing,) = (root / "content/briefings").glob("*.md")
    before = briefing.read_bytes()
    elsewhere = tmp_path / "elsewhere/news.txt"  # the same name, another text
    elsewhere.parent.mkdir()
    elsewhere.write_text("Floods hit Dhaka\n\nMonsoon rains flooded Bangladesh's capital.\n")
    run = cli(root, "import", str(elsewhere))
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2
    assert err.startswith(f"{elsewhere}: not in {root / 'seeds'}; copy it into seeds/")
    assert briefing.read_bytes() == before
    assert [p.name for p in (root / "content/briefings").glob("*.md")] == [briefing.name]
