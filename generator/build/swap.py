"""Edits to the text of briefings alone: which edits they are, and a page context with the new bodies in;
how serve's settle and a CLI build after text edits make a page's new context from its last one
(build/settle.py, build/text_edits.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from generator.core.model import Body, BriefingFile


def text_alone(old: BriefingFile, new: BriefingFile) -> bool:
    """Whether `new` differs from `old` in its text alone: what lists and term pages show (`Briefing`, but
    for the reading time: the caller finds the pages that read it) and what the importer matches it by
    (`seed`) are the same, and no image is read or derived (those take the full build, which derives and
    prunes files)."""
    return (
        dataclasses.replace(new.briefing, _reading_time=old.briefing._reading_time) == old.briefing
        and new.seed == old.seed
        and not (new.inputs or old.inputs or new.body.images or old.body.images)
    )


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
