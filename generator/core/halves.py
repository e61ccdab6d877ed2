"""Work on two cores by fork: one half in a forked child, the other in the caller; or one job aside.

A no-op build at 100,000 briefings is ~240,000 `stat` calls (every input file, every output file), about
4 µs each on a small VM: seconds of system time in one process. Split in two, they run on two cores. A
text edit's build is mostly start-up: its Markdown side runs in a child while the caller imports the
renderer (`aside`). Only plain `os` and `pickle`: this module is loaded before anything heavy
(build/current.py).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

LEAST = 20_000  # below this many items a fork costs more than it saves


def _can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and copies_that_fit() >= 1


def copies_that_fit() -> int:
    """How many whole copies of this process the memory available to it holds: the machine's, and its
    memory cgroup's (a container's limit) if that is less. A forked child copies each page of memory it
    touches (render workers came to about three quarters of the parent's), and children that ran the
    machine or the container short would cost far more than the cores they save (a container's limit is
    met by its OOM killer): a build of a huge archive holds gigabytes. Where this cannot be told (not
    Linux), as many as anyone asks for."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        available = min(_machine_room(), cgroup_room(_PROC_CGROUP, _CGROUP_ROOT))
    except (OSError, ValueError, IndexError):
        return 1 << 30
    return available // max(resident, 1)


def _machine_room() -> int:
    with open("/proc/meminfo", "rb") as meminfo:
        for line in meminfo:
            if line.startswith(b"MemAvailable:"):
                return int(line.split()[1]) * 1024
    raise ValueError("no MemAvailable in /proc/meminfo")


_PROC_CGROUP = "/proc/self/cgroup"
_CGROUP_ROOT = "/sys/fs/cgroup"
_NO_LIMIT = 1 << 62  # cgroup v1 says "no limit" with a number near 2**63


def cgroup_room(proc_cgroup: str, root: str) -> int:
    """Bytes this process's memory cgroup and every cgroup above it still allow: the least, over them, of
    the limit less the memory in use that cannot be reclaimed (the page cache's inactive files can). A huge
    number when none is limited, or the cgroups cannot be read (no cgroup file system: not limited)."""
    room = 1 << 63
    for folder, limit_file, usage_file, inactive in _memory_cgroups(proc_cgroup, root):
        try:
            limit = _number(f"{folder}/{limit_file}")
        except (OSError, ValueError):
            continue  # the root cgroup has no limit file; "max": no limit
        if limit >= _NO_LIMIT:
            continue
        try:
            used = _number(f"{folder}/{usage_file}") - _stat(f"{folder}/memory.stat", inactive)
        except (OSError, ValueError):
            continue
        room = min(room, max(limit - used, 0))
    return room


def _memory_cgroups(proc_cgroup: str, root: str) -> list[tuple[str, str, str, bytes]]:
    """The folders of this process's memory cgroup and its ancestors, with the names of their limit, usage
    and reclaimable-memory entries: cgroup v1's memory controller if mounted, else v2's unified tree."""
    try:
        with open(proc_cgroup, "rb") as lines:
            entries = [line.rstrip(b"\n").split(b":", 2) for line in lines]
    except OSError:
        return []
    for entry in entries:
        if len(entry) == 3 and b"memory" in entry[1].split(b","):
            names = ("memory.limit_in_bytes", "memory.usage_in_bytes", b"total_inactive_file")
            return _up(f"{root}/memory", entry[2].decode(), *names)
    for entry in entries:
        if len(entry) == 3 and entry[0] == b"0" and not entry[1]:
            return _up(root, entry[2].decode(), "memory.max", "memory.current", b"inactive_file")
    return []


def _up(mount: str, path: str, *names: Any) -> list[tuple[str, str, str, bytes]]:
    """`path` under `mount` and each folder above it up to the mount (those that exist: in a container the
    process sees its own cgroup as the root, whatever path it is given)."""
    parts = [p for p in path.split("/") if p]
    folders = ["/".join([mount, *parts[:n]]) for n in range(len(parts), -1, -1)]
    return [(f, *names) for f in folders if os.path.isdir(f)]


def _number(path: str) -> int:
    with open(path, "rb") as handle:
        return int(handle.read().strip())  # "max" (v2's no limit): ValueError


def _stat(path: str, key: bytes) -> int:
    """One entry of a cgroup's memory.stat (0 if absent)."""
    with open(path, "rb") as handle:
        for line in handle:
            name, _, value = line.partition(b" ")
            if name == key:
                return int(value)
    return 0


def _fork(compute: Callable[[], object]) -> tuple[int, int]:
    """A forked child computing `compute()` and pickling it down a pipe, then gone without cleanup of the
    parent's state; (its pid, the read end of its pipe)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(read)
            view = memoryview(pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(write, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int) -> tuple[bool, Any]:
    """(True, what the child of `_fork` computed), or (False, None) if it failed; the child is reaped."""
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    return (True, pickle.loads(data)) if status == 0 else (False, None)


def in_halves(
    fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], least: int = LEAST
) -> list[R]:
    """fn(items), the first half computed in a forked child meanwhile; fn must be pure (no writes), and
    its results picklable. Where fork is missing, on one core, or for few items: fn(items)."""
    if len(items) < least or not _can_fork():
        return fn(items)
    half = len(items) // 2
    pid, read = _fork(lambda: fn(items[:half]))
    try:
        rest = fn(items[half:])
    finally:
        done, first = _collect(pid, read)
    if not done:
        return fn(items[:half]) + rest  # the child failed: do its half here
    return first + rest


class Forked(Generic[R]):
    """fn(part, parts) for each part of `parts`, computed from now on in forked children while the caller
    goes on (the no-op check's output stat calls run beside the survey of the inputs). `result()` gathers
    the children's returns in part order; a part whose child failed is done by the caller. `stop()` (or
    leaving a `with` block) ends and reaps children not gathered. fn must be pure (no writes), and its
    results picklable. Without fork, on one core, or for fewer than `least` parts (one part's child costs
    a fork where the caller has nothing else to do), `result()` computes every part in the caller; with
    `in_caller` instead of fn, where given."""

    def __init__(
        self,
        fn: Callable[[int, int], R],
        parts: int,
        least: int = 2,
        in_caller: Callable[[int, int], R] | None = None,
    ) -> None:
        self._fn, self._parts = in_caller or fn, parts
        self._children: list[tuple[int, int]] = []  # (pid, read end of its pipe), by part
        if parts < least or not _can_fork():
            return
        for part in range(parts):
            self._children.append(_fork(functools.partial(fn, part, parts)))

    @property
    def forked(self) -> bool:
        """Whether children compute the parts (else `result()` will, in the caller)."""
        return bool(self._children)

    def result(self) -> list[R]:
        if not self._children:
            return [self._fn(part, self._parts) for part in range(self._parts)]
        children, self._children = self._children, []
        found: list[R] = []
        for part, (pid, read) in enumerate(children):
            done, value = _collect(pid, read)
            found.append(value if done else self._fn(part, self._parts))
        return found

    def nice(self, increment: int) -> None:
        """Put the children behind the caller's other work from now on (by `increment` in nice value)."""
        for pid, _ in self._children:
            with contextlib.suppress(OSError):  # gone already
                os.setpriority(
                    os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + increment
                )

    def stop(self) -> None:
        children, self._children = self._children, []
        for pid, read in children:
            os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def __enter__(self) -> Forked[R]:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def aside(compute: Callable[[], R], prepare: Callable[[], object] | None = None) -> Forked[R]:
    """`compute()` in one forked child from now on, while the caller does other work (a text edit's
    Markdown is converted while the renderer is imported); `result()` returns `[value]`. `prepare()` runs
    first in the child alone, not in the caller if it computes instead: settings that hold for the rest
    of a process, which a throwaway child may take and a caller that goes on (serve, tests) may not."""

    def in_child(_part: int, _parts: int) -> R:
        if prepare is not None:
            prepare()
        return compute()

    return Forked(in_child, 1, least=1, in_caller=lambda _part, _parts: compute())
