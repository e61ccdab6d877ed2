"""A one-line progress display for long builds (stage, items done / total) on stderr, only when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`stage(name, total)` then `advance(n)`; `done()` clears the line. Silent unless the stream is a TTY."""

    def __init__(
        self, stream: TextIO | None = None, *, enabled: bool | None = None, interval: float = 0.1
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.interval = interval
        self.name = ""
        self.total = 0
        self.count = 0
        self._shown = 0.0
        self._width = 0

    def stage(self, name: str, total: int) -> None:
        """Start a stage of `total` items."""
        self.name, self.total, self.count = name, total, 0
        self._show(force=True)

    def advance(self, n: int = 1) -> None:
        """Count n more items done."""
        self.count += n
        self._show(force=self.count >= self.total)

    def _show(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown < self.interval:
            return
        self._shown = now
        text = f"{self.name}: {self.count}/{self.total}" if self.total else f"{self.name}..."
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def done(self) -> None:
        """Erase the line so the build summary starts clean."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
