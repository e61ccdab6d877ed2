"""Data files parsed once per text: a build that finds `site.yaml`, the editor's entity corrections, the
generator's country facts or the registry's entity facts as a build before it parsed them takes the result
from `.cache/memo/`, and need not import PyYAML or parse them again.

Why: the settings are read before a build can tell it has nothing to do, and a text edit's build renders
pages that show country flags and entity facts. Measured at 2,000 briefings: a no-op 104 -> 92 ms, and
with an entities.yaml (whose checks import the entity finder) 164 -> 91 ms, a text edit 206 -> 146 ms;
the country lookup by name another 5 ms of a text edit; the entity facts of actors.yaml, with the map's
drawn shapes (render/maps.py), 28 ms of a retitle.

A result is remembered under the digest of its text (what the caller says the parse reads beyond the
generator's code), the generator's code version and PyYAML's installed files, so a change to any of them
parses again; a parse that fails is never remembered, so an error is reported on every build. Only within
`remembering()` (a build, given its project's cache): elsewhere each parse runs as it would without this
module.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from generator.core.atomic import write_atomic

T = TypeVar("T")

_FORMAT = b"briefings-memo 1\n"

# where results are remembered and the code version that made them, within `remembering()`
_place: tuple[Path, str] | None = None


@contextlib.contextmanager
def remembering(folder: Path, code: str) -> Iterator[None]:
    """Results remembered in `folder` (under `code`, the generator's code version) meanwhile."""
    global _place
    before, _place = _place, (folder, code)
    try:
        yield
    finally:
        _place = before


def remembered(
    name: str, text: str, parse: Callable[[], T], still: Callable[[], bool] = lambda: True
) -> T:
    """`parse()`, which reads `text` and nothing else the code version does not cover, or its result for
    the same text and code from the memo folder (`name` says which file it is). `still`: whether the file
    still holds `text` after a parse that read it again (else its result is not remembered)."""
    if _place is None:
        return parse()
    folder, code = _place
    key = hashlib.sha256(f"{code}\0{_yaml_stamp()}\0{text}".encode()).hexdigest().encode()
    head = _FORMAT + key + b"\n"
    path = folder / f"{name}.pickle"
    with contextlib.suppress(OSError, ValueError, pickle.UnpicklingError, EOFError, TypeError):
        data = path.read_bytes()
        if data.startswith(head):
            return pickle.loads(data[len(head) :])
    found = parse()
    if not still():
        return found  # saved meanwhile: the parse may be of another text than the key's
    # not remembered where the folder cannot be written (a read-only checkout): parsed each time
    with contextlib.suppress(OSError, pickle.PicklingError):
        write_atomic(path, head + pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
    return found


def file_stamp(path: str | Path) -> str:
    """A file by path, size and mtime, for a text that names a file a parse reads beside its own."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}\0missing"
    return f"{path}\0{st.st_size}\0{st.st_mtime_ns}"


def _yaml_stamp() -> str:
    """PyYAML's installed package, without importing it: an upgrade parses anew."""
    spec = importlib.util.find_spec("yaml")
    return file_stamp(spec.origin) if spec is not None and spec.origin else ""
