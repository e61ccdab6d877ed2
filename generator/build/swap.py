"""Edits to the text of briefings alone, or to what pages show of them (titles, summaries, reading times:
the fields page keys leave out, model.LISTED): which edits they are, and a page context with the new
bodies and briefings in; how serve's settle and a CLI build after text edits make a page's new context from
its last one (build/settle.py, build/text_edits.py)."""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import PurePath
from typing import Any

from generator.core.config import Config
from generator.core.model import (
    FRONT_STORED,
    Body,
    Briefing,
    BriefingFile,
    Neighbours,
    Page,
    Site,
    Taxonomy,
    Term,
    TermInfo,
)


def shown_alone(old: BriefingFile, new: BriefingFile) -> bool:
    """Whether `new` differs from `old` in its text and in what pages show of it alone (its title, summary,
    takeaways, sources, reading time...: model.FRONT), not in anything assembly or planning read."""
    return (
        same_but_shown(old.briefing, new.briefing)
        and new.seed == old.seed
        and not (new.inputs or old.inputs or new.body.images or old.body.images)
    )


def same_but_shown(old: Briefing, new: Briefing) -> bool:
    kept = {name: getattr(old, name) for name in FRONT_STORED}
    return identical(dataclasses.replace(new, _reading_time=old._reading_time, **kept), old)


def identical(a: object, b: object) -> bool:
    """`a == b`, with every datetime in them at the same UTC offset too. `==` takes two datetimes of one
    instant for equal whatever their offsets, and pages print a date in its own: a briefing's date
    rewritten from +00:00 to -03:00 was taken for unchanged and its pages were left stale (a property
    test's seed 166)."""
    return a == b and _offsets(a) == _offsets(b)


def _offsets(value: object) -> tuple:
    """The UTC offset of every datetime in `value` (fields, items, values), in order."""
    if isinstance(value, datetime):
        return (value.utcoffset(),)
    if isinstance(value, (str, bytes, int, float, PurePath)) or value is None:
        return ()
    if isinstance(value, (tuple, list)):
        return tuple(o for item in value for o in _offsets(item))
    if isinstance(value, Mapping):
        return tuple(o for item in value.values() for o in _offsets(item))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(o for f in dataclasses.fields(value) for o in _offsets(getattr(value, f.name)))
    return ()


def site_with(site: Site, new: Mapping[str, Briefing]) -> tuple[Site, dict[int, Any]]:
    """`site` with each briefing of `new` (by slug: shown briefings whose FRONT fields or reading time
    changed) in place of its old self, and what was replaced: id of each old object (the briefing, its
    terms and taxonomies, the neighbours holding it) -> its new one, for `swap_objects`."""
    swaps: dict[int, Any] = {}
    for b in site.briefings:
        if b.slug in new:
            swaps[id(b)] = new[b.slug]

    def one(b: Briefing) -> Briefing:
        return swaps.get(id(b), b)

    taxonomies = dict(site.taxonomies)
    for name, taxonomy in site.taxonomies.items():
        named = {term for b in new.values() for term in b.terms.get(name, ())}
        terms = tuple(
            dataclasses.replace(t, _briefings=tuple(map(one, t._briefings)))
            if t.name in named
            else t
            for t in taxonomy._terms
        )
        if any(a is not b for a, b in zip(terms, taxonomy._terms, strict=True)):
            swaps.update(
                (id(a), b) for a, b in zip(taxonomy._terms, terms, strict=True) if a is not b
            )
            taxonomies[name] = swaps[id(taxonomy)] = dataclasses.replace(taxonomy, _terms=terms)
    neighbours = dict(site.neighbours)
    for slug, around in site.neighbours.items():
        if any(id(b) in swaps for b in (around.previous, around.next, *around.related) if b):
            moved = Neighbours(
                around.previous and one(around.previous),
                around.next and one(around.next),
                tuple(map(one, around.related)),
            )
            neighbours[slug] = swaps[id(around)] = moved
    changed = dataclasses.replace(
        site,
        briefings=tuple(map(one, site.briefings)),
        taxonomies=taxonomies,
        neighbours=neighbours,
        news=tuple(map(one, site.news)),
    )
    return changed, swaps


# Model objects a context holds by reference, never a copy: `swap_objects` keeps those it is not told to
# replace as they are (a term page's term holds all its briefings).
_SHARED = (Briefing, Term, Taxonomy, Body, Page, TermInfo, Config)


class _Swapping(pickle.Pickler):
    def __init__(self, file: io.BytesIO, swaps: Mapping[int, Any], kept: dict[int, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._swaps, self._kept = swaps, kept

    def persistent_id(self, obj: Any) -> Any:
        if id(obj) in self._swaps:
            return ("new", id(obj))
        if isinstance(obj, _SHARED):
            self._kept[id(obj)] = obj
            return ("kept", id(obj))
        if isinstance(obj, Site):
            raise pickle.PicklingError("a context holding the site")
        return None


class _Swapped(pickle.Unpickler):
    def __init__(self, data: bytes, swaps: Mapping[int, Any], kept: Mapping[int, Any]):
        super().__init__(io.BytesIO(data))
        self._swaps, self._kept = swaps, kept

    def persistent_load(self, pid: Any) -> Any:
        return (self._swaps if pid[0] == "new" else self._kept)[pid[1]]


def swap_objects(value: Any, swaps: Mapping[int, Any]) -> Any:
    """A copy of `value` (a page context) with every object whose id is in `swaps` replaced, however deep,
    model objects it does not name kept as they are; None if it cannot be copied (the caller runs the full
    build)."""
    kept: dict[int, Any] = {}
    out = io.BytesIO()
    try:
        _Swapping(out, swaps, kept).dump(value)
        return _Swapped(out.getvalue(), swaps, kept).load()
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def swap_bodies(value: Any, swaps: Mapping[Any, Body], key: Callable[[object], object] = id) -> Any:
    """`value` (a page context) with each body whose `key` (its id, or its digest) is in `swaps` replaced by
    its new body. Contexts hold
    bodies in mappings, tuples and lists (a briefing page's `body`, a feed's (briefing, body) entries);
    containers are rebuilt only along the way to a swapped body, and model objects are not entered (a
    body held inside one is caught by the caller's fingerprint check)."""
    new = swaps.get(key(value))
    if new is not None:
        return new
    kind = type(value)
    if kind is tuple or kind is list:
        items = [swap_bodies(v, swaps, key) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else kind(items)
    if kind is dict:
        swapped = {k: swap_bodies(v, swaps, key) for k, v in value.items()}
        return value if all(swapped[k] is v for k, v in value.items()) else swapped
    return value
