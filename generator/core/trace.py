"""Inputs recorded as they are read: what a page's rendering touched besides its context.

The code that reads a template, a theme file or a static asset calls `record(kind, name)`; while a page
renders, `recording()` collects those names. The build stores each page's reads with the digest each
input had, and renders the page again when any of them differs (a trace, as build systems such as Shake
or Salsa verify theirs). Nothing lists a page's inputs by hand, so nothing can be forgotten.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

# (kind, name), e.g. ("template", "term.html"), ("theme", "data/countries-110m.json")
Input = tuple[str, str]
Trace = tuple[tuple[Input, str], ...]  # each input read with its digest at the time, sorted

_reads: ContextVar[set[Input] | None] = ContextVar("reads", default=None)


def record(kind: str, name: str) -> None:
    """Note that the current rendering read input `name` of `kind` (nothing happens outside `recording`)."""
    reads = _reads.get()
    if reads is not None:
        reads.add((kind, name))


@contextlib.contextmanager
def recording() -> Iterator[set[Input]]:
    """Collect every input recorded inside the block."""
    reads: set[Input] = set()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


class Digests:
    """The current digest of each kind of input, each computed at most once per build."""

    def __init__(self, resolvers: dict[str, Callable[[str], str]]):
        self._resolvers = resolvers
        self._known: dict[Input, str] = {}
        # equal traces as one object: most pages of a kind read the same inputs, and records pickle each
        # object once (a briefing page's record is 150 bytes, not 900)
        self._traces: dict[Trace, Trace] = {}
        # and equal reads as one object: a trace naming its own page's briefing (its reading time) is one
        # page's, but its other reads are still pickled once
        self._pairs: dict[Input, tuple[Input, str]] = {}
        self._checked: dict[int, tuple[Trace, bool]] = {}

    def renewed(self, resolvers: dict[str, Callable[[str], str]]) -> Digests:
        """These digests with `resolvers` in place of theirs (another site's listed fields): what the other
        kinds resolved is kept."""
        again = Digests({**self._resolvers, **resolvers})
        again._known = {item: d for item, d in self._known.items() if item[0] not in resolvers}
        return again

    def __call__(self, item: Input) -> str:
        digest = self._known.get(item)
        if digest is None:
            resolve = self._resolvers.get(item[0])
            digest = resolve(item[1]) if resolve else "unknown kind"
            self._known[item] = digest
        return digest

    def trace(self, reads: Iterable[Input]) -> Trace:
        """The reads of one page with their current digests."""
        trace = tuple(sorted(map(self._pair, reads)))
        return self._traces.setdefault(trace, trace)

    def _pair(self, item: Input) -> tuple[Input, str]:
        pair = self._pairs.get(item)
        if pair is None:
            pair = self._pairs[item] = (item, self(item))
        return pair

    def current(self, trace: Trace) -> bool:
        """True if every input of `trace` still has the digest it had (asked once per trace object: the
        records of a site share a few)."""
        known = self._checked.get(id(trace))
        if known is not None and known[0] is trace:
            return known[1]
        answer = all(self(item) == digest for item, digest in trace)
        self._checked[id(trace)] = (trace, answer)
        return answer
