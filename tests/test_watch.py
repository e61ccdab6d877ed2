"""The watcher: editor junk ignored, every kind of save coalesced into one batch of changed paths."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from generator.dev.watch import Debouncer, Watcher, is_junk


@pytest.mark.parametrize(
    "name",
    [
        "a.md.swp",
        "a.md.swx",
        ".a.md.swp",
        "a.md~",
        ".#a.md",
        "#a.md#",
        "a.md.bck",
        "a.md.bak",
        "a.md.tmp",
        "4913",
        ".hidden.md",
        "a.md___jb_tmp___",
    ],
)
def test_editor_junk_is_ignored(name, tmp_path):
    assert is_junk(tmp_path / "content/briefings" / name, tmp_path)


@pytest.mark.parametrize(
    "rel",
    [
        "content/briefings/a.md",
        "site.yaml",
        "themes/x/static/style.css",
        "seeds/a.txt",
        "content/briefings/sub/b.md",
    ],
)
def test_real_files_are_not_junk(rel, tmp_path):
    assert not is_junk(tmp_path / rel, tmp_path)


@pytest.mark.parametrize(
    "rel", ["output/index.html", ".cache/x", "content/.git/HEAD", "content/.hidden/a.md"]
)
def test_output_cache_and_hidden_folders_are_ignored(rel, tmp_path):
    assert is_junk(tmp_path / rel, tmp_path)


def test_debouncer_coalesces_a_burst_into_one_batch_after_the_quiet_period():
    batches: list[set[Path]] = []
    done = threading.Event()

    def callback(paths: set[Path]) -> None:
        batches.append(paths)
        done.set()

    debouncer = Debouncer(callback, quiet=0.1)
    debouncer.start()
    try:
        for i in range(10):  # ten events 20 ms apart: never 100 ms of quiet in between
            debouncer.add([Path(f"f{i % 3}")])
            last = time.monotonic()
            time.sleep(0.02)
        assert done.wait(2)
        waited = time.monotonic() - last
        time.sleep(0.2)
        assert batches == [{Path("f0"), Path("f1"), Path("f2")}]
        assert 0.09 <= waited < 0.5  # the quiet period counts from the last event
    finally:
        debouncer.stop()


def test_debouncer_survives_a_failing_callback_and_stop_joins_its_thread(capsys):
    calls: list[set[Path]] = []

    def callback(paths: set[Path]) -> None:
        calls.append(paths)
        if len(calls) == 1:
            raise RuntimeError("boom")

    debouncer = Debouncer(callback, quiet=0.02)
    debouncer.start()
    debouncer.add([Path("a")])
    _wait(lambda: len(calls) == 1)
    debouncer.add([Path("b")])
    _wait(lambda: len(calls) == 2)
    debouncer.stop()
    assert not debouncer._thread.is_alive()
    assert "boom" in capsys.readouterr().err


def _wait(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Recorder:
    """A running Watcher over a scratch project, recording each batch it hands over."""

    def __init__(self, root: Path, poll: bool):
        self.root = root
        self.batches: list[set[Path]] = []
        self.cond = threading.Condition()
        self.watcher = Watcher(
            root,
            ("content", "seeds", "themes", "site.yaml"),
            self._record,
            poll=poll,
            quiet=0.1,
            poll_interval=0.1,
        )

    def _record(self, paths: set[Path]) -> None:
        with self.cond:
            self.batches.append(paths)
            self.cond.notify_all()

    def next_batch(self, timeout: float = 5.0) -> set[str]:
        """The next batch, as paths relative to the root."""
        with self.cond:
            assert self.cond.wait_for(lambda: self.batches, timeout=timeout), "no change reported"
            batch = self.batches.pop(0)
        return {p.relative_to(self.root).as_posix() for p in batch}

    def nothing(self, wait: float = 0.5) -> bool:
        time.sleep(wait)
        with self.cond:
            return not self.batches


@pytest.fixture(params=[False, True], ids=["events", "poll"])
def recorder(request, tmp_path):
    root = tmp_path / "site"
    (root / "content/briefings").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "output").mkdir()
    (root / "site.yaml").write_text("title: T\n")
    (root / "content/briefings/a.md").write_text("one\n")
    rec = Recorder(root, poll=request.param)
    rec.watcher.start()
    time.sleep(0.15)  # the polling observer takes its first snapshot
    yield rec
    rec.watcher.stop()
    assert not rec.watcher.observer.is_alive() and not rec.watcher.debouncer._thread.is_alive()


def test_atomic_save_with_swap_and_backup_files_is_one_change_of_the_real_file(recorder):
    folder = recorder.root / "content/briefings"
    # Roughly what vim does on :w with backup and swap: swap file, 4913 probe, backup rename, new file, cleanup.
    (folder / ".a.md.swp").write_text("swap")
    (folder / "4913").write_text("")
    os.unlink(folder / "4913")
    tmp = folder / ".a.md.tmp123"
    tmp.write_text("two\n")
    os.replace(tmp, folder / "a.md")
    (folder / "a.md~").write_text("one\n")
    (folder / ".a.md.swp").unlink()
    assert recorder.next_batch() == {"content/briefings/a.md"}
    assert recorder.nothing()


def test_a_burst_of_saves_is_one_batch(recorder):
    path = recorder.root / "content/briefings/a.md"
    for i in range(8):
        path.write_text(f"version {i}\n")
        time.sleep(0.01)
    assert recorder.next_batch() == {"content/briefings/a.md"}
    assert recorder.nothing()


def test_junk_alone_and_output_writes_trigger_nothing(recorder):
    folder = recorder.root / "content/briefings"
    for name in ("a.md.swp", "a.md~", ".#a.md", "#a.md#", "a.md.bck", "4913", ".hidden"):
        (folder / name).write_text("x")
    (recorder.root / "output/index.html").write_text("<html>")
    (recorder.root / "README.md").write_text("readme")
    assert recorder.nothing(0.6)


def test_delete_rename_new_folder_and_config(recorder):
    folder = recorder.root / "content/briefings"
    (folder / "a.md").rename(folder / "b.md")
    assert recorder.next_batch() == {"content/briefings/a.md", "content/briefings/b.md"}
    (folder / "b.md").unlink()
    assert recorder.next_batch() == {"content/briefings/b.md"}
    (folder / "2026" / "nov").mkdir(parents=True)
    (folder / "2026" / "nov" / "c.md").write_text("new\n")
    assert "content/briefings/2026/nov/c.md" in recorder.next_batch()
    (recorder.root / "site.yaml").write_text("title: U\n")
    assert recorder.next_batch() == {"site.yaml"}
    (recorder.root / "seeds" / "s.txt").write_text("seed\n")
    assert recorder.next_batch() == {"seeds/s.txt"}


def test_a_watched_folder_created_after_start_is_watched(recorder):
    (recorder.root / "themes").mkdir()
    assert recorder.next_batch() == {"themes"}
    time.sleep(0.2)  # a file created in the same instant as its folder could precede the new watch
    (recorder.root / "themes" / "mine").mkdir()
    (recorder.root / "themes" / "mine" / "style.css").write_text("body{}")
    assert "themes/mine/style.css" in recorder.next_batch()
