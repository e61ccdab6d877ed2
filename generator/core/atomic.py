"""Writing a file so that readers see the old or the new bytes, never half of them: the one implementation,
used by the output writer, the build cache and the importer."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def create(path: str | Path, data: bytes | tuple[bytes, ...]) -> os.stat_result:
    """Write a new file and return its stat (flushed first, so the mtime is the final one); `data` may
    come in parts (a large payload after its header is written without a joined copy)."""
    with open(path, "wb") as handle:
        if isinstance(data, tuple):
            handle.writelines(data)
        else:
            handle.write(data)
        handle.flush()
        return os.fstat(handle.fileno())


def write_atomic(path: Path, data: bytes | tuple[bytes, ...]) -> os.stat_result:
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
