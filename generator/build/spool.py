"""Rendered bytes held on disk until the writer takes them, so a build's memory does not grow with its pages.

A cold build of 100,000 briefings renders ~4 GB of pages and preview images; held in memory until the
writer ran, they were most of the build's peak. With a spool, each render worker appends its pages'
bytes to a file of its own in a folder beside the output (`.output.spool/`) and hands back only
`Kept(digest, load)`; the writer loads each page as it writes it. The folder is removed when the build
ends, and a build killed before that leaves one the next build's spool sweeps away.

A first build (no output folder yet) has nothing to compare its pages with: as each page arrives from its
render worker, the build writes it to its path in the spool's `site/` folder (`put`, `write.place`), which
the writer completes and renames into place as the output; the files are made while the workers render.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from generator.build.write import place
from generator.core.errors import SiteError
from generator.core.model import Digested, Kept

# (pid, folder) -> (file descriptor this process appends to, its path)
_writers: dict[tuple[int, str], tuple[int, str]] = {}
_readers: dict[str, int] = {}  # spool file -> a descriptor to read it


# The pages up to which a first build writes them as they arrive. Each such page keeps ~400 bytes more in the
# build's process until the build ends (a `Placed` and its loader where the spool's `Kept` was: +9 MiB at
# 10,000 briefings, 24,000 pages), which the largest sites' peak cannot spare (at 100,000 briefings,
# 240,000 pages, the peak went from 2,025 to 2,091 MiB, past the 2 GiB that build keeps to); their writer
# writes after rendering, as every build's did before.
PLACED_PAGES = 60_000


def spool_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.spool")


class Spool:
    """The spool of one build: `hold` in the render workers, `Kept.load` in the writer."""

    def __init__(self, output: Path, *, first: bool = False):
        self.folder = spool_path(output)
        # a first build's pages, at their paths: the output to be
        self.site = self.folder / "site" if first else None
        # a page could not be written there (a full disk): the build fails with that one error
        self._failed = False

    def __enter__(self) -> Spool:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for key in [key for key in _writers if key[1] == str(self.folder)]:
            os.close(_writers.pop(key)[0])
        for path in [path for path in _readers if path.startswith(f"{self.folder}/")]:
            os.close(_readers.pop(path))
        shutil.rmtree(self.folder, ignore_errors=True)

    def arrivals(self, pages: int) -> Callable[[str, Digested | Kept], Digested | Kept] | None:
        """What to do with each of `pages` rendered pages as it arrives: `put`, for a first build of at most
        PLACED_PAGES pages; None otherwise (the writer writes them all once rendered)."""
        return self.put if self.site is not None and pages <= PLACED_PAGES else None

    def put(self, path: str, content: Digested | Kept) -> Digested | Kept:
        """For a first build, a rendered page written at output path `path` in `site`, where it goes (in the
        build's process, as the page arrives from its render worker); otherwise the page as it is."""
        if self.site is None or self._failed:  # after a failure, one error, not one per page
            return content
        load = content.load if isinstance(content, Kept) else None
        data: bytes | Callable[[int], object]
        if isinstance(load, functools.partial) and load.func is _read:
            data = functools.partial(_copy, *load.args)  # held by `hold`: copied file to file
        else:
            data = content.data if isinstance(content, Digested) else content.load()
        try:
            return place(str(self.site), path, data, content.digest)
        except SiteError:
            self._failed = True
            raise

    def hold(self, content: Digested) -> Kept:
        """Append `content` to this process's spool file; its bytes come back by `load()`."""
        key = (os.getpid(), str(self.folder))
        held = _writers.get(key)
        if held is None:
            path = f"{self.folder}/{key[0]}.bin"  # one string for all of this file's pages
            held = _writers[key] = (
                os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
                path,
            )
        fd, path = held
        offset = os.lseek(fd, 0, os.SEEK_END)
        view = memoryview(content.data)
        while view:  # unbuffered: a worker process ends without flushing Python's buffers
            view = view[os.write(fd, view) :]
        return Kept(content.digest, functools.partial(_read, path, offset, len(content.data)))


def _read(path: str, offset: int, length: int) -> bytes:
    data = os.pread(_reader(path), length, offset)
    if len(data) != length:
        raise OSError(f"{path}: spooled page cut short")
    return data


def _reader(path: str) -> int:
    fd = _readers.get(path)
    if fd is None:
        fd = _readers[path] = os.open(path, os.O_RDONLY)
    return fd


def _copy(path: str, offset: int, length: int, target: int) -> None:
    """Copy a spooled page into the file open at descriptor `target`, in the kernel (copy_file_range),
    without a bytes object of the page made and freed in this process."""
    source, done = _reader(path), 0
    try:
        while done < length:
            copied = os.copy_file_range(source, target, length - done, offset + done)
            if copied == 0:
                raise OSError(f"{path}: spooled page cut short")
            done += copied
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise
        view = memoryview(_read(path, offset + done, length - done))  # a file system without it
        while view:
            view = view[os.write(target, view) :]
