"""Spreading a pure function over many items across processes (fork), keeping the result order.

The function and the items are handed to the workers by fork, not pickled: a worker inherits the parent's
memory (the Jinja environment, the Markdown converter, the whole Site) and only its results travel back.
Each worker thus has its own Environment and Markdown instance, as neither is safe to share.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from generator.core.halves import copies_that_fit

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# Below this many items the cost of forking and sending results back outweighs the gain.
MIN_ITEMS = 256
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    """Worker processes when the user gives no --jobs: one per core."""
    return os.cpu_count() or 1


def _run_chunk(start: int, stop: int) -> list[Any]:
    assert _TASK is not None
    fn, items = _TASK
    return [fn(items[i]) for i in range(start, stop)]


def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    *,
    progress: Callable[[int], None] | None = None,
    min_items: int | None = None,
    chunk: int | None = None,
    received: Callable[[T, R], R] | None = None,
) -> list[R]:
    """[fn(x) for x in items], in `jobs` forked processes when there are at least `min_items` (default
    MIN_ITEMS) items; each worker task takes `chunk` items (default: a share that keeps every worker
    busy). fn must not raise and must return picklable values. `received(x, result)`, if given, is
    applied in this process to each result as it arrives, and its answer kept (to share what equal
    results of several workers hold before the next batch is read; to act on results meanwhile)."""
    global _TASK
    n = len(items)
    least = MIN_ITEMS if min_items is None else min_items
    if jobs > 1 and n >= least:
        # no more workers than whole copies of this process fit in memory: each may come to copy most of it
        jobs = min(jobs, copies_that_fit())
    if jobs <= 1 or n < least or not hasattr(os, "fork"):
        results = []
        for i, item in enumerate(items):
            result = fn(item)
            results.append(received(item, result) if received is not None else result)
            if progress and i % 64 == 63:
                progress(64)
        if progress:
            progress(n % 64)
        return results
    # Imported with the first pool: concurrent.futures and multiprocessing cost a start-up 15 ms that a
    # no-op or text-edit build, which makes no pool, would pay for nothing.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    chunk = chunk or max(1 if least < MIN_ITEMS else 16, min(256, n // (jobs * 8)))
    _TASK = (fn, items)
    try:
        out: list[Any] = [None] * n
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {
                pool.submit(_run_chunk, start, min(start + chunk, n)): start
                for start in range(0, n, chunk)
            }
            for future in as_completed(futures):
                start = futures[future]
                part = future.result()
                if received is not None:
                    part = list(map(received, items[start : start + len(part)], part))
                out[start : start + len(part)] = part
                if progress:
                    progress(len(part))
        return out
    finally:
        _TASK = None


def fork_map_batches(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    jobs: int,
    *,
    batch: int,
    min_items: int,
) -> list[R]:
    """fn over consecutive slices of `batch` items (a model that reads many texts per call is faster),
    one slice per worker task, results concatenated in order; forked as fork_map does when there are at
    least `min_items` items."""
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    workers = jobs if len(items) >= min_items else 1
    parts = fork_map(fn, batches, workers, min_items=1, chunk=1)
    return [result for part in parts for result in part]


class Background:
    """`fn()` running in one forked process while the caller goes on; `result()` waits for its value.

    Used to overlap a serial job (the search index of a cold build) with the stages that follow it; the
    function is inherited by fork, only its result is pickled back. Where fork is missing, or memory for
    two copies of this process, it runs at once: the child comes to copy most of this process, and this
    process goes on growing while the child works (a cold build of 1,000,000 briefings forked its search
    index at 10 GiB, went on to 13.3 GiB while the child reached 11 GiB, and the OOM killer ended the
    child on a 23.5 GiB machine).
    """

    def __init__(self, fn: Callable[[], R]):
        global _CALL
        self._pool: ProcessPoolExecutor | None = None
        if not hasattr(os, "fork") or copies_that_fit() < 2:
            self._value: Any = fn()
            return
        import multiprocessing  # with the first pool, as in fork_map
        from concurrent.futures import ProcessPoolExecutor

        _CALL = fn
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            # with fork, submit() forks the worker: it holds `fn` now
            self._future = self._pool.submit(_run_call)
        finally:
            _CALL = None

    def result(self) -> Any:
        if self._pool is None:
            return self._value
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()


_CALL: Callable[[], Any] | None = None


def _run_call() -> Any:
    assert _CALL is not None
    return _CALL()
