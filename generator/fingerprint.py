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

_PLAIN = (str, int, float, bool, type(None), date, datetime, time, timedelta, PurePath, ZoneInfo)


class Fingerprints:
    """Fingerprints with a memo for the objects of one build (a term's briefings are hashed once, not per page)."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}  # id -> (the object, kept alive; its fingerprint)

    def __call__(self, value: object) -> str:
        """Hex digest of `value`: plain values, tuples, lists, sets, mappings and dataclasses, recursively."""
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, value)
        return h.hexdigest()

    def _feed(self, h: Any, value: object) -> None:
        if isinstance(value, _PLAIN):
            h.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, (tuple, list)):
            h.update(b"(")
            for item in value:
                self._feed(h, item)
            h.update(b")")
        elif isinstance(value, (set, frozenset)):
            h.update(b"{")
            for item in sorted(self(item) for item in value):
                h.update(item.encode())
            h.update(b"}")
        elif isinstance(value, Mapping):
            h.update(b"<")
            for key in sorted(value, key=repr):
                self._feed(h, key)
                self._feed(h, value[key])
            h.update(b">")
        elif hasattr(value, "fingerprint"):  # e.g. Config: its own digest of every setting
            h.update(f"{type(value).__name__}={value.fingerprint};".encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            h.update(self._object(value).encode())
        else:
            raise TypeError(
                f"cannot fingerprint a {type(value).__qualname__} in a page context; pass plain values, "
                "dataclasses or collections of them (or give the type a `fingerprint`)"
            )

    def _object(self, value: Any) -> str:
        """A dataclass: its type and every field, memoised (frozen model objects carry theirs)."""
        cached = getattr(value, "_fingerprint", None)
        if cached is not None:
            return str(cached)
        held = self._memo.get(id(value))
        if held is not None and held[0] is value:
            return held[1]
        h = hashlib.blake2b(digest_size=16)
        h.update(type(value).__qualname__.encode())
        for f in dataclasses.fields(value):
            h.update(f.name.encode() + b"=")
            self._feed(h, getattr(value, f.name))
        digest = h.hexdigest()
        if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            # Frozen model objects (a parsed briefing lives across builds) keep theirs: computed once.
            try:
                object.__setattr__(value, "_fingerprint", digest)
                return digest
            except AttributeError:  # a slotted dataclass has no room for it
                pass
        self._memo[id(value)] = (value, digest)
        return digest


def fingerprint(value: object) -> str:
    """The fingerprint of one value, without a shared memo."""
    return Fingerprints()(value)
