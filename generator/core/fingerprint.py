"""Fingerprints of values: a digest of everything a value holds, so equal fingerprints mean equal pages.

A page's key is the fingerprint of the context it is rendered with (plus the files and templates its
rendering read, recorded by `trace`). Nothing is listed by hand: whatever a page kind puts in the context
is in the key, and a template cannot show what is not in its context. A type the function does not know
is an error, so a new kind of value cannot slip into a page unseen.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

# Values whose repr says all they hold. Content data comes from YAML, so it never holds an Ellipsis: `...`
# marks the nested tuples that stand for objects, mappings and sets, and nothing else can look like them.
_PLAIN = frozenset(
    {str, bytes, int, float, bool, type(None), date, datetime, time, timedelta, ZoneInfo}
)


# A tuple this long is hashed once per build however many pages hold it (see `_shared`); shorter ones cost
# less to hash again than to look up.
_SHARED = 8

# The fields a dataclass's fingerprint holds, by class.
_FIELDS: dict[type, tuple[str, ...]] = {}


class Fingerprints:
    """Fingerprints with a memo for the objects of one build (a term's briefings are hashed once, not per page).

    Objects of a class marked `watched = True` (briefing bodies) met inside a value, however deep, are listed
    in `seen` by their `digest`: when nothing but bodies changed in a site, a page holding none of the changed
    ones need not be fingerprinted again.
    """

    def __init__(self) -> None:
        # id -> (object kept alive, fingerprint, watched)
        self._memo: dict[int, tuple[object, str, tuple[str, ...]]] = {}
        self.seen: list[str] = []  # digests of watched objects met by the last call

    def __call__(self, value: object) -> str:
        """Hex digest of `value`: plain values, tuples, lists, sets, mappings and dataclasses, recursively."""
        self.seen = []
        return hashlib.blake2b(repr(self._token(value)).encode(), digest_size=16).hexdigest()

    def _token(self, value: Any) -> Any:
        """`value` as nested tuples of plain values (repr'd in C, once), objects as their fingerprints."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is tuple:
            if len(value) >= _SHARED:
                return (..., self._shared(value))
            return tuple(map(self._token, value))
        if kind is list:
            return tuple(map(self._token, value))
        if kind is dict:
            return (..., "map", self._items(value))
        if getattr(kind, "watched", False):
            self.seen.append(value.digest)
        fingerprint = getattr(value, "_fingerprint", None)  # a frozen model object already hashed
        if fingerprint is not None:
            self.seen.extend(getattr(value, "_watched", ()))
            return (..., fingerprint)
        # e.g. Config: its own digest of the settings (not its folder)
        if hasattr(value, "fingerprint"):
            return (..., type(value).__qualname__, value.fingerprint)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return (..., self._object(value))
        if isinstance(value, Mapping):
            return (..., "map", self._items(value))
        if isinstance(value, (set, frozenset)):
            return (..., "set", tuple(sorted(map(self._token, value), key=repr)))
        if isinstance(value, (tuple, list)):  # named tuples and other sequences
            return tuple(map(self._token, value))
        if isinstance(value, PurePath):
            return (..., "path", str(value))
        raise TypeError(
            f"cannot fingerprint a {type(value).__qualname__} in a page context; pass plain values, "
            "dataclasses or collections of them (or give the type a `fingerprint`)"
        )

    def _items(self, mapping: Mapping) -> tuple:
        """A mapping's items in a fixed order: by key (distinct, so values are never compared), or by the
        keys' repr when they do not compare."""
        try:
            items = sorted(mapping.items())
        except TypeError:
            items = sorted(mapping.items(), key=lambda item: repr(item[0]))
        return tuple((self._token(k), self._token(v)) for k, v in items)

    def _shared(self, value: tuple) -> str:
        """A long tuple, memoised by identity for this build: pages share them (a term's year list on each
        of its pages, the preview colours on every preview), and a tuple's items never change."""
        held = self._memo.get(id(value))
        if held is not None and held[0] is value:
            self.seen.extend(held[2])
            return held[1]
        outer, self.seen = self.seen, []
        digest = hashlib.blake2b(
            repr(tuple(map(self._token, value))).encode(), digest_size=16
        ).hexdigest()
        watched, self.seen = tuple(self.seen), outer
        self.seen.extend(watched)
        self._memo[id(value)] = (value, digest, watched)
        return digest

    def _object(self, value: Any) -> str:
        """A dataclass: its type and every field, memoised (frozen model objects carry theirs)."""
        held = self._memo.get(id(value))
        if held is not None and held[0] is value:
            self.seen.extend(held[2])
            return held[1]
        outer, self.seen = self.seen, []
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            # a listed field (model.LISTED) is recorded by the rendering that reads it, not held here
            names = _FIELDS[kind] = tuple(
                f.name for f in dataclasses.fields(value) if not f.metadata.get("listed")
            )
        token = (kind.__qualname__, tuple(self._token(getattr(value, name)) for name in names))
        digest = hashlib.blake2b(repr(token).encode(), digest_size=16).hexdigest()
        watched, self.seen = tuple(self.seen), outer
        self.seen.extend(watched)
        if type(value).__dataclass_params__.frozen:
            # Frozen model objects (a parsed briefing lives across builds) keep theirs: computed once.
            try:
                if watched:
                    object.__setattr__(value, "_watched", watched)
                object.__setattr__(value, "_fingerprint", digest)
                return digest
            except AttributeError:  # a slotted dataclass has no room for it
                pass
        self._memo[id(value)] = (value, digest, watched)
        return digest


def fingerprint(value: object) -> str:
    """The fingerprint of one value, without a shared memo."""
    return Fingerprints()(value)
