"""The methods `dataclasses` writes for each class, compiled once and kept between processes, as Python
keeps modules' bytecode.

`@dataclass` writes the source of each class's `__init__`, `__eq__`, `__repr__`, `__hash__`... and compiles
it with `exec`: about 0.4 ms a class. A text-edit build creates 77 dataclasses before it renders a page:
importing what it needs took 92 ms, 68 ms with the code kept (of a 0.17 s edit at 2,000 briefings).
`install` gives the `dataclasses` module an `exec` of its own (a name in its globals, which Python looks
up before the built-in) that takes the compiled code of each source text from a file beside this
module's bytecode, compiling only texts it has not seen; `save` writes the file again when something new
was compiled. The code is what `exec` would have compiled from the same text (same file name, no
inherited `__future__` flags), so classes behave the same. The file is written only where the bytecode
folder exists (`pip install` makes it; PYTHONDONTWRITEBYTECODE in an editable checkout leaves none);
where it cannot be read or written, texts are compiled as before.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from generator.core.atomic import write_atomic

MOST = 4_000  # texts kept; past this (old versions of edited classes) only those this process used

_known: dict[str, CodeType] = {}  # source text -> its code, as read from the file
_used: set[str] = set()
_new = False
_path: Path | None = None
_owner = 0  # the process that installed: forked children never write


def default_path() -> Path | None:
    """Beside this module's bytecode (`__pycache__/`, or under PYTHONPYCACHEPREFIX); None if Python keeps
    no bytecode cache."""
    if sys.implementation.cache_tag is None:
        return None
    return Path(importlib.util.cache_from_source(__file__)).with_suffix(".marshal")


def install(path: Path | None = None) -> None:
    """From now on, the classes `@dataclass` makes take their methods' code from the file at `path`
    (default: `default_path()`)."""
    global _path, _owner
    _path = path if path is not None else default_path()
    _owner = os.getpid()
    _known.clear()
    if _path is not None:
        with contextlib.suppress(Exception):  # missing, or written by another Python: compiled anew
            magic, loaded = marshal.loads(_path.read_bytes())
            # the bytecode's version, as a .pyc file is checked: code of another Python is not run
            if magic == importlib.util.MAGIC_NUMBER and isinstance(loaded, dict):
                _known.update(
                    (k, v)
                    for k, v in loaded.items()
                    if isinstance(k, str) and isinstance(v, CodeType)
                )
    if getattr(dataclasses, "exec", None) is not _exec:
        dataclasses.exec = _exec  # type: ignore[attr-defined]
        atexit.register(save)  # the command line saves before its fast exit (__main__.run)


def _exec(source: Any, names: Any = None, local_names: Any = None, /) -> None:
    global _new
    if not isinstance(source, str):
        builtins.exec(source, names, local_names)
        return
    code = _known.get(source)
    if code is None:
        # as exec(source) from the dataclasses module compiles it: that module has no __future__ imports
        code = _known[source] = compile(source, "<string>", "exec", dont_inherit=True)
        _new = True
    _used.add(source)
    builtins.exec(code, names, local_names)


def save() -> None:
    """Write the file again if this process compiled a text it did not hold (atomically; never raises)."""
    global _new
    if not _new or _path is None or os.getpid() != _owner:
        return
    if not _path.parent.is_dir():  # no bytecode kept here (PYTHONDONTWRITEBYTECODE): nor this
        return
    kept = _known if len(_known) <= MOST else {k: _known[k] for k in _used}
    with contextlib.suppress(Exception):
        write_atomic(_path, marshal.dumps((importlib.util.MAGIC_NUMBER, kept)))
        _new = False
