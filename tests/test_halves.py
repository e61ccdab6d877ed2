"""core/halves.py: stat-bound work split between forked children and the caller gives what one pass gives."""

from __future__ import annotations

import functools
import os
import time

from generator.build import inputs, manifest
from generator.build.builder import build
from generator.build.options import BuildOptions
from generator.core import halves
from generator.core.halves import Forked, aside, in_halves


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


def test_children_put_behind_the_caller_run_at_a_higher_nice_value():
    """A large site's output check, forked before the build knows it is a text edit's, then yields to
    the edit's parse and render (`OutputCheck.start`)."""
    base = os.nice(0)
    read, write = os.pipe()

    def niceness_once_told(part, parts):  # type: ignore[no-untyped-def]
        os.read(read, 1)  # until the caller has reniced it
        return os.nice(0)

    with Forked(niceness_once_told, 2) as work:
        work.nice(5)
        os.write(write, b"go")
        assert work.result() == [base + 5, base + 5]
    os.close(read)
    os.close(write)


def test_one_part_is_computed_by_the_caller_when_asked():
    calls = []
    work = Forked(lambda part, parts: calls.append(os.getpid()) or part, 1)
    assert calls == [] and work.result() == [0] and calls == [os.getpid()]


def test_aside_computes_in_a_child_that_alone_runs_prepare():
    mark = "BRIEFINGS_TEST_ASIDE"
    with aside(
        lambda: (os.getpid(), os.environ.get(mark)),
        prepare=lambda: os.environ.__setitem__(mark, "set"),
    ) as work:
        [(pid, seen)] = work.result()
    assert pid != os.getpid() and seen == "set"
    assert mark not in os.environ  # the caller's process is left as it was


def test_what_a_failed_child_of_aside_computed_the_caller_computes_without_prepare():
    caller, mark = os.getpid(), "BRIEFINGS_TEST_ASIDE"

    def compute() -> tuple[int, str | None]:
        if os.getpid() != caller:
            raise RuntimeError("the child fails")
        return os.getpid(), os.environ.get(mark)

    with aside(compute, prepare=lambda: os.environ.__setitem__(mark, "set")) as work:
        assert work.result() == [(caller, None)]
    assert mark not in os.environ


def test_stamps_see_every_file_in_order(tmp_path):
    for n in range(60):
        (tmp_path / f"f{n:02d}.txt").write_text("x" * n)
    one = inputs.input_stamps([tmp_path])
    assert inputs.input_stamps([tmp_path]) == one
    assert len(one.paths) == 60 and one.paths == sorted(one.paths)
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
    """A build's output is current until any file, the child's to check or the caller's, changes."""
    project = tmp_path / "site"
    (project / "content/briefings").mkdir(parents=True)
    (project / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    build(project, BuildOptions(run_import=False, jobs=1))
    output = project / "output"
    marker = manifest.marker_digest(output)
    monkeypatch.setattr(manifest, "_FORK_FROM", 0)  # a forked child, however small the site
    count = manifest.output_is_current(output, marker)
    files = sorted(p for p in output.rglob("*") if p.is_file() and p.name != ".briefings-build")
    assert count == len(files) > 4
    for path in (files[1], files[-1]):  # one in each half
        stamp = path.stat()
        os.utime(path, ns=(1, 1))
        assert manifest.output_is_current(output, marker) is None
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        assert manifest.output_is_current(output, marker) == count


def test_a_build_that_judges_and_checks_pages_in_halves_equals_one_in_one_pass(
    make_site, tmp_path, monkeypatch
):
    """Page keys, trace checks (build/keys.judge) and the writer's stat calls split between a forked child
    and the caller, however small the site: each incremental build equals a clean one, renders what one
    pass renders, and a file altered by hand in the output is written again."""
    from generator.build import keys, write
    from tests.conftest import briefing_md

    files = {
        f"content/briefings/b{i}.md": briefing_md(f"Briefing {i}", f"2026-0{1 + i % 9}-1{i % 9}")
        for i in range(12)
    }
    project = make_site(files)
    options = BuildOptions(run_import=False, jobs=1)
    one_pass = []
    forks = []
    fork = halves._fork
    for split in (False, True):
        if split:
            monkeypatch.setattr(keys, "in_halves", functools.partial(in_halves, least=2))
            monkeypatch.setattr(write, "in_halves", functools.partial(in_halves, least=2))
            monkeypatch.setattr(halves, "_fork", lambda compute: forks.append(1) or fork(compute))
        project.write(files)
        rendered = [build(project.root, options).rendered]
        project.write(
            {
                "content/briefings/b3.md": files["content/briefings/b3.md"].replace(
                    "Briefing 3", "Briefing three"
                )
            }
        )
        rendered.append(build(project.root, options).rendered)
        project.write({"content/briefings/b5.md": files["content/briefings/b5.md"] + "\nMore.\n"})
        rendered.append(build(project.root, options).rendered)
        altered = project.root / "output/index.html"
        altered.write_text("altered by hand")
        rendered.append(build(project.root, options).rendered)
        clean = build(
            project.root,
            BuildOptions(run_import=False, jobs=1, cache=False, output=tmp_path / f"clean-{split}"),
        )
        assert clean.pages > 20
        assert _tree(project.root / "output") == _tree(tmp_path / f"clean-{split}")
        one_pass.append(rendered)
    assert one_pass[1][1:] == one_pass[0][1:] and all(n > 0 for n in one_pass[1][1:3])
    assert len(forks) >= 8  # two a build: its pages judged, its files checked


def _tree(folder):  # type: ignore[no-untyped-def]
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".briefings-build"
    }


def test_no_child_is_forked_when_the_machine_could_not_hold_a_copy(monkeypatch):
    assert halves.copies_that_fit() >= 2  # this machine has room for copies of the test process
    monkeypatch.setattr(halves, "copies_that_fit", lambda: 0)
    caller = os.getpid()
    assert (
        in_halves(lambda xs: [os.getpid() for _ in xs], list(range(100)), least=10)
        == [caller] * 100
    )


def _cgroups(tmp_path, proc: str, files: dict[str, str]):  # type: ignore[no-untyped-def]
    """A fake /proc/self/cgroup and cgroup file system; (its path, the mount's root)."""
    (tmp_path / "cgroup").write_text(proc)
    root = tmp_path / "sys"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return str(tmp_path / "cgroup"), str(root)


MiB = 1 << 20


def test_a_container_limit_is_the_room_less_what_cannot_be_reclaimed(tmp_path):
    """cgroup v2, as a container sees itself: limit 1 GiB, 700 MiB in use of which 200 MiB inactive page
    cache (reclaimable): 1024 - 500 = 524 MiB left."""
    proc, root = _cgroups(
        tmp_path,
        "0::/\n",
        {
            "memory.max": f"{1024 * MiB}\n",
            "memory.current": f"{700 * MiB}\n",
            "memory.stat": f"anon 1\nfile 3\ninactive_file {200 * MiB}\nactive_file 5\n",
        },
    )
    assert halves.cgroup_room(proc, root) == 524 * MiB


def test_the_tightest_of_a_cgroup_and_its_ancestors_counts(tmp_path):
    """cgroup v1 (the memory controller's own hierarchy): the job's cgroup has no limit of its own, its
    parent has 2 GiB with 1.5 GiB in use; v2's files beside it are not read."""
    no_limit = str(9223372036854771712)
    proc, root = _cgroups(
        tmp_path,
        "5:cpu,cpuacct:/\n4:memory:/jobs/build-7\n0::/\n",
        {
            "memory/memory.limit_in_bytes": no_limit,
            "memory/memory.usage_in_bytes": "1",
            "memory/memory.stat": "",
            "memory/jobs/memory.limit_in_bytes": str(2048 * MiB),
            "memory/jobs/memory.usage_in_bytes": str(1536 * MiB),
            "memory/jobs/memory.stat": "total_inactive_file 0\n",
            "memory/jobs/build-7/memory.limit_in_bytes": no_limit,
            "memory/jobs/build-7/memory.usage_in_bytes": str(1024 * MiB),
            "memory/jobs/build-7/memory.stat": "",
            "memory.max": "1\n",
            "memory.current": "1\n",
        },
    )
    assert halves.cgroup_room(proc, root) == 512 * MiB


def test_no_limit_or_no_cgroups_leave_the_machine_s_memory_to_decide(tmp_path):
    proc, root = _cgroups(tmp_path, "0::/user.slice\n", {"user.slice/memory.max": "max\n"})
    assert halves.cgroup_room(proc, root) >= 1 << 62
    assert halves.cgroup_room(str(tmp_path / "absent"), root) >= 1 << 62


def test_copies_that_fit_counts_the_cgroup_s_room(monkeypatch):
    assert halves.copies_that_fit() >= 2
    monkeypatch.setattr(halves, "cgroup_room", lambda proc, root: 0)
    assert halves.copies_that_fit() == 0
