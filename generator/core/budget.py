"""A CPU-time budget for one call, enforced in whatever thread or process runs it.

Markdown is converted in worker processes (parallel builds), in the main thread (small builds) and on the
watcher's thread (`serve`), so SIGALRM, which interrupts only the main thread, cannot bound it. Instead one
watchdog thread per process measures the CPU time the calling thread has spent (its own CPU clock, so a
busy machine does not make a normal text look slow) and, once the budget is spent, raises an exception in
that thread at its next bytecode (CPython's PyThreadState_SetAsyncExc). The call is then abandoned and
`call_within` raises `OverBudget`. A long C call (one regular expression) finishes first: inputs are also
bounded in size and shape before they get here (read/limits.py).
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

R = TypeVar("R")
POLL = 0.05  # seconds between the watchdog's looks at a running call


class OverBudget(Exception):
    """The call used more CPU time than it was given and was stopped."""

    def __init__(self, seconds: float):
        super().__init__(f"stopped after {seconds:g} s of CPU time")
        self.seconds = seconds


class _Interrupt(BaseException):
    """Raised asynchronously in the over-budget thread; a BaseException so `except Exception` can't eat it."""


_set_async_exc: Callable[[ctypes.c_ulong, object], int] | None
try:
    # no argtypes: None must reach it as NULL ("clear the pending exception"), not as Py_None
    _set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
except AttributeError:  # pragma: no cover - not CPython: calls run unbounded
    _set_async_exc = None


@dataclass
class _Call:
    thread: int
    clock: int | None  # the thread's CPU clock id; None: measure wall time
    start: float
    seconds: float
    fired: bool = False
    done: bool = False

    def spent(self) -> float:
        now = time.clock_gettime(self.clock) if self.clock is not None else time.monotonic()
        return now - self.start


class _Watchdog:
    """One per process (reset in a forked child, which inherits no threads)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.calls: dict[int, _Call] = {}
        self.thread: threading.Thread | None = None
        self.idle = True

    def arm(self, seconds: float) -> _Call:
        ident = threading.get_ident()
        clock: int | None
        try:
            clock = time.pthread_getcpuclockid(ident)
            start = time.clock_gettime(clock)
        except (AttributeError, OSError):  # pragma: no cover - no per-thread CPU clocks here
            clock, start = None, time.monotonic()
        call = _Call(ident, clock, start, seconds)
        with self.cond:
            self.calls[ident] = call
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="budget", daemon=True)
                self.thread.start()
            elif self.idle:
                self.cond.notify()
        return call

    def disarm(self, call: _Call) -> bool:
        """Stop watching `call`; True if it was interrupted (a pending interrupt is withdrawn)."""
        with self.cond:
            call.done = True
            if self.calls.get(call.thread) is call:
                del self.calls[call.thread]
            fired = call.fired
        if fired and _set_async_exc is not None:
            _set_async_exc(ctypes.c_ulong(call.thread), None)  # NULL: clear it if not yet raised
        return fired

    def _run(self) -> None:
        with self.cond:
            while True:
                self.idle = not self.calls
                self.cond.wait(None if self.idle else POLL)
                for call in list(self.calls.values()):
                    if not call.done and not call.fired and call.spent() >= call.seconds:
                        call.fired = True
                        assert _set_async_exc is not None
                        _set_async_exc(ctypes.c_ulong(call.thread), ctypes.py_object(_Interrupt))


_watchdog = _Watchdog()


def _after_fork() -> None:
    global _watchdog
    _watchdog = _Watchdog()  # the parent's lock may have been held by its watchdog at the fork


os.register_at_fork(after_in_child=_after_fork)


def call_within(seconds: float, fn: Callable[[], R]) -> R:
    """fn(), or OverBudget once it has used `seconds` of the calling thread's CPU time."""
    if _set_async_exc is None or threading.get_ident() in _watchdog.calls:
        return fn()  # not CPython, or nested in a call already watched
    watchdog = _watchdog
    call = watchdog.arm(seconds)
    try:
        try:
            result = fn()
        finally:
            fired = watchdog.disarm(call)
    except _Interrupt:
        # raised in fn, or (rarely) just after it returned, before disarm withdrew it
        watchdog.disarm(call)
        fired = True
    if fired:
        raise OverBudget(seconds)
    return result
