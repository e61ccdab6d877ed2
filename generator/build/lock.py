"""One writer per project at a time: builds, serve's rebuilds, imports and clean take the project's lock.

Two builds at once used to interleave their writes into output/ and .cache/ (one reported success over a
half-written site). The lock is an advisory `flock` on `.briefings.lock` in the project folder (as Hugo keeps
`.hugo_build.lock`: outside `.cache/`, which `--no-cache` must not create and `clean` deletes), released by
the kernel when its holder exits, however it exits, so a killed build never leaves a stale lock behind. The
file holds the holder's pid and command, for the message the next one prints while it waits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from generator.core.errors import SiteError

LOCK_NAME = ".briefings.lock"
WAIT_SECONDS = 600.0  # a build waits this long for another before giving up with an error
POLL_SECONDS = 0.05


def lock_path(root: Path) -> Path:
    return root / LOCK_NAME


@contextlib.contextmanager
def project_lock(
    root: Path, what: str, *, wait: float = WAIT_SECONDS, quiet: bool = False
) -> Iterator[None]:
    """Hold the project's lock for the block; wait up to `wait` seconds for another holder (saying who, on
    stderr, unless quiet), then raise SiteError naming it. `wait=0` gives up at once."""
    path = lock_path(root)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait, quiet)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {what}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: float, quiet: bool) -> None:
    deadline = time.monotonic() + wait
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(path)
        if time.monotonic() >= deadline:
            raise SiteError.at(
                path,
                None,
                f"another briefings process is writing this project ({holder}); "
                "wait for it to finish, or stop it",
            )
        if not said and not quiet:
            print(f"waiting for another briefings process ({holder})...", file=sys.stderr)
            said = True
        time.sleep(POLL_SECONDS)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    pid, _, what = text.partition(" ")
    return f"pid {pid}: {what}" if pid else "pid unknown"
