"""Writing a file so that readers see the old or the new bytes, never half of them: the one implementation,
used by the output writer, the build cache and the importer."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def create(path: str | Path, data: bytes | Callable[[BinaryIO], object]) -> os.stat_result:
    """Write a new file and return its stat (flushed first, so the mtime is the final one); `data` may be a
    function writing to the open file (a large pickle streamed, never whole in memory)."""
    with open(path, "wb") as handle:
        if callable(data):
            data(handle)
        else:
            handle.write(data)
        handle.flush()
        return os.fstat(handle.fileno())


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], object]) -> os.stat_result:
    """Replace `path` via a temporary file in the same folder and a rename (hard links to the old file are
    broken, not written through); the temporary file is removed if anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        st = create(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return st
