"""What a build is made from, cheaply: the settings key, the generator's own version, and the stamp of every
input file by size and mtime, for the no-op fast path.

A build whose inputs (every content, theme and generator file, by size and mtime; the settings) are those
of the last successful build, whose output folder still holds exactly what that build wrote, and before
which no briefing has come due (a future date,
`publish:` or `expires:` passed), would write nothing: it stops after the stat calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator import __version__
from generator.build.cache import BuildCache
from generator.build.manifest import OutputCheck, marker_digest, open_folder, output_is_current

GENERATOR_DIR = Path(__file__).resolve().parent.parent
_CODE_SUFFIXES = (".py", ".yaml", ".yml", ".json", ".js")


def key_of(*parts: object) -> str:
    """A digest of settings and names (repr of each part)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\x1f")
    return h.hexdigest()


def walk_stats(top: Path) -> list[tuple[str, os.stat_result]]:
    """(path, stat) of every file under `top`, in the order of `_walk`; a file gone meanwhile is left out."""
    found: list[tuple[str, os.stat_result]] = []
    for path in _walk(top):
        with contextlib.suppress(OSError):
            found.append((path, os.stat(path)))
    return found


_code: tuple[tuple[tuple[str, int, int], ...], str] | None = None


def code_version() -> str:
    """A digest of the generator's own files (code and generator/data): a changed generator renders anew.
    Re-hashed only when a file's size or mtime changed (a long-lived `serve` sees edits to generator/data)."""
    global _code
    stamps = tuple(
        (path, st.st_size, st.st_mtime_ns)
        for path, st in walk_stats(GENERATOR_DIR)
        if path.endswith(_CODE_SUFFIXES)
    )
    if _code is None or _code[0] != stamps:
        h = hashlib.sha256(__version__.encode())
        for path, _, _ in stamps:
            with contextlib.suppress(OSError), open(path, "rb") as handle:
                h.update(os.fsencode(path[len(str(GENERATOR_DIR)) :]) + b"\0" + handle.read())
        _code = (stamps, h.hexdigest()[:16])
    return _code[1]


@dataclass(frozen=True)
class Listing:
    """The folders a survey walked (from `tops`), each with its mtime when it was listed. A folder's mtime
    changes when an entry is added to it, removed or renamed, so while every one of them keeps its
    mtime, the walk would find the same files in the same order and the next survey takes them from here
    (the walk of 100,000 briefings' folder was 80 ms of a 0.67 s no-op build). Only a listing whose
    folders were all last changed well before it was made is kept (`_RACY_NS`): a file added in the
    same tick as the listing, on a file system whose clock ticks coarsely, could leave the folder's
    mtime as listed, as git's index guards against."""

    tops: tuple[str, ...]
    folders: tuple[str, ...]
    mtimes: tuple[int, ...]  # -1: the folder did not exist


# A folder changed within this long before it was listed may change again within the same mtime tick
# (FAT's clock ticks every 2 s, ext4's with the kernel's timer)
_RACY_NS = 3_000_000_000


class Stamps:
    """Every input file a build's survey saw, with its size and mtime_ns (-1 for a file gone meanwhile)
    and the digest of its bytes: a list, an array and a bytes object, not 100,000 tuples, so that saving,
    loading and comparing them is cheap. Saved with the paths as one string, which the next build
    compares whole with its own survey's and never splits (a text edit at 20,000 files: 0.8 ms to
    unpickle the list, 1.5 ms to pickle it).

    A file's digest is taken from the last survey's while its size and mtime are as that survey saw them
    (as git's index trusts them), else from its bytes: a file rewritten with the same bytes (a checkout,
    a restore, an editor's save-all) is then no change at all, to the no-op check and to a text edit."""

    __slots__ = ("_joined", "_paths", "digests", "listing", "numbers")

    def __init__(
        self,
        paths: list[str],
        numbers: array,
        listing: Listing | None = None,
        joined: str | None = None,
        digests: bytes | None = None,
    ):
        self._paths: list[str] | None = paths
        self._joined: str | None = joined
        self.numbers = numbers  # size, mtime_ns of each path in turn
        self.listing = listing  # the folders walked, to tell the next survey it need not walk again
        # DIGEST bytes of each path's contents in turn (None: not taken, as in tests of stamps alone)
        self.digests = digests

    @property
    def paths(self) -> list[str]:
        if self._paths is None:
            self._paths = self.joined.split("\0") if self.joined else []
        return self._paths

    @property
    def joined(self) -> str:
        """The paths joined by NUL (which no path holds)."""
        if self._joined is None:
            self._joined = "\0".join(self.paths)
        return self._joined

    def __getstate__(self) -> tuple[str, array, Listing | None, bytes | None]:
        return self.joined, self.numbers, self.listing, self.digests

    def __setstate__(self, state: tuple[str, array, Listing | None, bytes | None]) -> None:
        if not (isinstance(state, tuple) and len(state) == 4 and isinstance(state[0], str)):
            raise TypeError("stamps saved by an older version")  # the cache reads it as none
        self._paths, (self._joined, self.numbers, self.listing, self.digests) = None, state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stamps):
            return NotImplemented
        return self.joined == other.joined and self.numbers == other.numbers

    __hash__ = None  # type: ignore[assignment]

    def changed(self, before: Stamps) -> list[str] | None:
        """The paths whose bytes differ from `before`'s (whose size or mtime do, where either has no
        digests); None when files were added or removed."""
        if self.joined != before.joined:
            return None
        moved = _moved(self.numbers, before.numbers)
        now, then = self.digests, before.digests
        if now is not None and then is not None:
            return [
                self.paths[i]
                for i in moved
                if now[i * DIGEST : (i + 1) * DIGEST] != then[i * DIGEST : (i + 1) * DIGEST]
            ]
        return [self.paths[i] for i in moved]


def _moved(now: array, then: array) -> list[int]:
    """The positions of the files whose size or mtime differ between two stamps of the same paths."""
    if now == then:
        return []
    found = []
    # blocks compared whole in C first: a text edit changes one stamp of 100,000 (an element-wise loop
    # over them all took 3.6 ms at 20,000 files, 0.09 ms so)
    for start in range(0, len(now), _BLOCK):
        end = start + _BLOCK
        if now[start:end] != then[start:end]:
            found += [
                i // 2
                for i in range(start, min(end, len(now)), 2)
                if now[i] != then[i] or now[i + 1] != then[i + 1]
            ]
    return found


DIGEST = 16  # bytes of SHA-256 kept of each input file


def file_sha256(path: str) -> bytes | None:
    """The SHA-256 of a file's bytes; None for a file that cannot be read (gone meanwhile) or is not a
    regular file (a FIFO would block the open and the read for ever: opened without waiting, it is left to
    the reader, which refuses it with its path)."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError:
        return None


def file_digest(path: str) -> bytes:
    """The first DIGEST bytes of `file_sha256`; zeros where it has none (the file's stamp is -1 then, or
    the reader refuses the file)."""
    return (file_sha256(path) or bytes(DIGEST))[:DIGEST]


def _digests(paths: list[str], numbers: array, joined: str, last: Stamps | None) -> bytes:
    """The digest of each file of `paths` in turn: the last survey's where the file has the size and mtime
    that survey saw, else made from its bytes (every file's when there was no last survey)."""
    if last is None or last.digests is None:
        return b"".join(map(file_digest, paths))
    if last.joined == joined:  # the same files: compared by position, blocks at once
        if numbers == last.numbers:
            return last.digests
        found = bytearray(last.digests)
        for i in _moved(numbers, last.numbers):
            found[i * DIGEST : (i + 1) * DIGEST] = file_digest(paths[i])
        return bytes(found)
    # files added or removed (a publish): by path
    before = {path: i for i, path in enumerate(last.paths)}
    then, kept = last.numbers, last.digests
    parts = []
    for k, path in enumerate(paths):
        i = before.get(path, -1)
        same = i >= 0 and then[2 * i] == numbers[2 * k] and then[2 * i + 1] == numbers[2 * k + 1]
        parts.append(kept[i * DIGEST : (i + 1) * DIGEST] if same else file_digest(path))
    return b"".join(parts)


_BLOCK = 512  # numbers (two a file) compared at once by Stamps.changed


# the Stamps of the last build's survey (with the text store's, build/text_store.py, when it saves one)
TEXT_STAMPS = "text-stamps"


def last_stamps(cache: BuildCache) -> Stamps | None:
    """The stamps the last full build left with the text store; None if none."""
    found = cache.blob(TEXT_STAMPS)
    return found if isinstance(found, Stamps) else None


def save_stamps(cache: BuildCache | None, stamps: Stamps) -> None:
    """Keep a build's stamps for the next survey, which takes the digests of unchanged files from them (the
    text store saves them itself, before its index)."""
    if cache and cache.enabled:
        with contextlib.suppress(OSError):
            cache.put_blob(TEXT_STAMPS, stamps)


def input_stamps(folders: list[Path], last: Stamps | None = None) -> Stamps:
    """The stamps of every file under `folders`, in walk order; the files themselves from `last`'s listing
    when its folders are all as it listed them (`Listing`). In this process alone: the output check's
    child has the other core meanwhile (build/manifest.py). Half of these stat calls in a child of
    their own too was no faster, measured when the check had two children (four processes on two cores):
    at 100,000 briefings the no-op took 545 ms that way, 514 ms this way (alternating runs); at 20,000 the
    two were within a few ms."""
    tops = tuple(str(top) for top in folders)
    if last is not None and _still_listed(last.listing, tops):
        paths, joined = last.paths, last.joined
        numbers = array("q", _numbers(paths))
        digests = _digests(paths, numbers, joined, last)
        return Stamps(paths, numbers, last.listing, joined, digests)
    started = time.time_ns()
    walked: list[tuple[str, int]] = []
    paths = [path for top in tops for path in _walk(top, walked)]
    listing = None
    if all(mtime < started - _RACY_NS for _, mtime in walked):
        listing = Listing(tops, tuple(f for f, _ in walked), tuple(m for _, m in walked))
    numbers = array("q", _numbers(paths))
    joined = "\0".join(paths)
    return Stamps(paths, numbers, listing, joined, _digests(paths, numbers, joined, last))


def _still_listed(listing: Listing | None, tops: tuple[str, ...]) -> bool:
    """Whether every folder of `listing` (of the same tops) has the mtime it was listed with."""
    if listing is None or listing.tops != tops:
        return False
    for folder, mtime in zip(listing.folders, listing.mtimes, strict=True):
        try:
            now = os.stat(folder).st_mtime_ns
        except OSError:
            now = -1
        if now != mtime:
            return False
    return True


def _walk(top: Path | str, walked: list[tuple[str, int]] | None = None) -> list[str]:
    """Every file under `top` in a stable order, without stat calls (the entries' types); `walked` gets each
    folder listed with its mtime, taken before its listing (-1 for a folder that is not there)."""
    found: list[str] = []
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        if walked is not None:
            try:
                walked.append((folder, os.stat(folder).st_mtime_ns))
            except OSError:
                walked.append((folder, -1))
        files: list[str] = []
        folders: list[str] = []
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    (folders if entry.is_dir(follow_symlinks=False) else files).append(entry.name)
        except OSError:
            continue
        files.sort()
        found += [f"{folder}/{name}" for name in files]
        stack += [f"{folder}/{name}" for name in sorted(folders) if name != "__pycache__"]
    return found


def _numbers(paths: Sequence[str]) -> list[int]:
    """Each path's size and mtime_ns in turn (-1, -1 for a file gone meanwhile). Each folder is opened
    once and its files are stat'ed by name from it: the kernel walks one path component a call instead
    of the eight of a project's absolute path (100,000 files: 287 -> 265 ms)."""
    found: list[int] = []
    add = found.append
    stat = os.stat
    folder: str | None = None
    fd: int | None = None
    try:
        for path in paths:
            head, _, name = path.rpartition("/")
            if head != folder:  # a walk lists a folder's files together
                if fd is not None:
                    os.close(fd)
                    fd = None  # closed: not closed again if the next open fails
                # None where it cannot be opened (gone, or a path with no "/"): each file by its path
                folder, fd = head, open_folder(head)
            try:
                st = stat(name, dir_fd=fd) if fd is not None else stat(path)
            except OSError:  # gone meanwhile: a stamp no file has
                add(-1)
                add(-1)
                continue
            add(st.st_size)
            add(st.st_mtime_ns)
    finally:
        if fd is not None:
            os.close(fd)
    return found


def inputs_stamp(settings: str, output: Path, swap: bool, stamps: Stamps) -> str:
    """A digest of the settings and of every file of `stamps` by path and contents (by size and mtime if
    it has no digests)."""
    h = hashlib.sha256(f"{settings}\0{output}\0{swap}".encode())
    # a file name that is not UTF-8 is reported by the reader, not here
    h.update(stamps.joined.encode("utf-8", "surrogateescape"))
    h.update(stamps.numbers.tobytes() if stamps.digests is None else stamps.digests)
    return h.hexdigest()


def last_inputs(cache: BuildCache | None) -> dict:
    """What the last build recorded of its inputs (`record_inputs`); empty if nothing."""
    last = cache.blob("inputs") if cache else None
    return last if isinstance(last, dict) else {}


def unchanged_since_last_build(
    cache: BuildCache | None,
    inputs: str,
    output: Path,
    now: datetime,
    check: OutputCheck | None = None,
) -> int | None:
    """The number of output files if this build, at the moment `now`, would change nothing, else None.
    `check`: the output folder's check, started (for the last build's marker) before the survey."""
    last = last_inputs(cache)
    if last.get("inputs") != inputs:
        return None
    reveal = last.get("reveal_at")
    if reveal is not None and now >= reveal:
        return None
    return check.result() if check else output_is_current(output, last.get("marker", ""))


def record_inputs(
    cache: BuildCache | None, inputs: str, reveal_at: datetime | None, output: Path
) -> None:
    """Remember this build's inputs, the next future briefing's date and the output's manifest digest."""
    if cache and cache.enabled:
        with contextlib.suppress(OSError):
            record = {"inputs": inputs, "reveal_at": reveal_at, "marker": marker_digest(output)}
            cache.put_blob("inputs", record)
