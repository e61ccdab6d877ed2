"""core/halves.py: stat-bound work split between forked children and the caller gives what one pass gives."""

from __future__ import annotations

import os
import time

from generator.build import inputs, manifest
from generator.build.builder import build
from generator.build.options import BuildOptions
from generator.core.halves import Forked, in_halves


def test_in_halves_equals_one_pass_in_order():
    items = list(range(1001))
    assert in_halves(lambda xs: [x * 2 for x in xs], items, least=10) == [x * 2 for x in items]


def test_a_child_that_fails_has_its_half_done_by_the_caller():
    caller = os.getpid()

    def fn(xs):  # type: ignore[no-untyped-def]
        if os.getpid() != caller:
            raise RuntimeError("the child's half fails")
        return list(xs)

    assert in_halves(fn, list(range(100)), least=10) == list(range(100))


def test_forked_parts_come_back_in_part_order_from_other_processes():
    caller = os.getpid()
    with Forked(lambda part, parts: (part, parts, os.getpid()), 3) as work:
        found = work.result()
    assert [(part, parts) for part, parts, _ in found] == [(0, 3), (1, 3), (2, 3)]
    pids = {pid for _, _, pid in found}
    assert caller not in pids and len(pids) == 3


def test_a_forked_part_that_fails_is_done_by_the_caller():
    caller = os.getpid()

    def fn(part, parts):  # type: ignore[no-untyped-def]
        if part == 1 and os.getpid() != caller:
            raise RuntimeError("this child fails")
        return part * 10

    with Forked(fn, 2) as work:
        assert work.result() == [0, 10]


def test_leaving_the_block_stops_children_not_waited_for():
    with Forked(lambda part, parts: time.sleep(60), 2) as work:
        pids = [pid for pid, _ in work._children]
        assert len(pids) == 2
    for pid in pids:  # killed and reaped: no such child any more
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        raise AssertionError(f"child {pid} still there")


def test_one_part_is_computed_by_the_caller_when_asked():
    calls = []
    work = Forked(lambda part, parts: calls.append(os.getpid()) or part, 1)
    assert calls == [] and work.result() == [0] and calls == [os.getpid()]


def test_split_stamps_see_every_file_in_order(tmp_path, monkeypatch):
    for n in range(60):
        (tmp_path / f"f{n:02d}.txt").write_text("x" * n)
    one = inputs.input_stamps([tmp_path])
    monkeypatch.setattr(inputs, "in_halves", lambda fn, items: in_halves(fn, items, least=2))
    split = inputs.input_stamps([tmp_path])
    assert split == one and len(one.paths) == 60 and one.paths == sorted(one.paths)
    assert list(one.numbers[:4]) == [
        0,
        os.stat(tmp_path / "f00.txt").st_mtime_ns,
        1,
        one.numbers[3],
    ]
    (tmp_path / "f07.txt").write_text("changed")
    assert inputs.input_stamps([tmp_path]).changed(one) == [str(tmp_path / "f07.txt")]
    (tmp_path / "f08.txt").unlink()
    assert inputs.input_stamps([tmp_path]).changed(one) is None


def test_the_output_check_finds_an_altered_file_in_either_half(tmp_path, monkeypatch):
    """A build's output is current until any file, in the child's half or the caller's, changes."""
    project = tmp_path / "site"
    (project / "content/briefings").mkdir(parents=True)
    (project / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    build(project, BuildOptions(run_import=False, jobs=1))
    output = project / "output"
    marker = manifest.marker_digest(output)
    monkeypatch.setattr(manifest, "_FORK_FROM", 0)  # two forked children, however small the site
    count = manifest.output_is_current(output, marker)
    files = sorted(p for p in output.rglob("*") if p.is_file() and p.name != ".briefings-build")
    assert count == len(files) > 4
    for path in (files[1], files[-1]):  # one in each half
        stamp = path.stat()
        os.utime(path, ns=(1, 1))
        assert manifest.output_is_current(output, marker) is None
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        assert manifest.output_is_current(output, marker) == count
