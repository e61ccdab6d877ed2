"""What `serve` calls to rebuild: one Builder kept alive, errors printed once each, and a half-written
file given a moment to settle before its error is shown.

An editor that saves in place truncates the file, then writes it: a rebuild that starts in between (the
watcher's quiet period is 40 ms; a busy or slow writer can pause longer) reads a file without its end and
would show an error for a save that is valid. So a build that fails on a file saved less than `SETTLE`
seconds ago, or on one that changed again since the last attempt, is tried again after a short wait, a
few times (about a second in all); only an error that stands once its files are quiet reaches the tabs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from generator.build.builder import Builder
from generator.build.options import BuildOptions
from generator.core.errors import SiteError
from generator.dev.serve import Outcome

SETTLE = 1.0  # seconds: a file saved this recently may still be half-written
# waits before trying a failed build again (1.1 s in all)
RETRIES = (0.05, 0.1, 0.15, 0.25, 0.25, 0.3)


class ServeBuilds:
    """What serve calls: `rebuild(changed) -> Outcome` on one Builder kept alive (errors printed once each),
    and `quick(changed)`, the fast render of edited briefings that runs first."""

    def __init__(
        self,
        root: Path,
        options: BuildOptions,
        echo: Callable[[str], object] = print,
        *,
        retries: tuple[float, ...] = RETRIES,
    ) -> None:
        self.builder = Builder(root, options)
        self.echo = echo
        self.last_error: str | None = None
        self.retries = retries
        self.settled_retries = 0  # builds tried again because a file was still being written

    def __call__(self, changed: set[Path]) -> Outcome:
        stamps: dict[Path, tuple[int, int] | None] = {}
        for wait in (*self.retries, None):
            try:
                report = self.builder.build(changed)
            except SiteError as error:
                now = _stamps(self.builder.root, error)
                if wait is not None and _unsettled(now, stamps):
                    stamps = now
                    self.settled_retries += 1
                    time.sleep(wait)
                    continue
                return self._failed(error)
            break
        self.last_error = None
        names = ", ".join(sorted(p.name for p in changed)[:3]) + (
            " ..." if len(changed) > 3 else ""
        )
        self.echo(f"{names or 'start'}: {report.summary()}")
        css_only = bool(changed) and all(p.suffix == ".css" for p in changed)
        return Outcome(changed=report.stats.changed_paths, css_only=css_only)

    def _failed(self, error: SiteError) -> Outcome:
        text = "\n".join(str(p) for p in error.problems)
        if text != self.last_error:  # a burst of saves that keep the same mistake says it once
            self.echo(
                text + "\nerror: the last good build is still served; fix and save to rebuild"
            )
        self.last_error = text
        return Outcome(error=text)

    def quick(self, changed: set[Path]) -> Outcome | None:
        stats = self.builder.quick(changed)
        return None if stats is None else Outcome(changed=stats.changed_paths)


def _stamps(root: Path, error: SiteError) -> dict[Path, tuple[int, int] | None]:
    """(mtime_ns, size) of every file a problem names (None: gone)."""
    found: dict[Path, tuple[int, int] | None] = {}
    for problem in error.problems:
        path = root / problem.path  # an absolute path stays as it is
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            found[path] = None
            continue
        found[path] = (st.st_mtime_ns, st.st_size)
    return found


def _unsettled(
    now: dict[Path, tuple[int, int] | None], before: dict[Path, tuple[int, int] | None]
) -> bool:
    """Whether a file the errors name was saved within SETTLE seconds, or changed since the last attempt."""
    recent = time.time_ns() - int(SETTLE * 1e9)
    if any(stamp is not None and stamp[0] > recent for stamp in now.values()):
        return True
    return bool(before) and now != before
