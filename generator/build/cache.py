"""The persistent build cache in `.cache/` next to site.yaml: parsed content files and what each page rendered to.

Files, each written atomically with a header (format, generator settings) and a CRC-32 of its payload
(it guards against truncation and bit rot, not attacks; SHA-256 of 100 MB of cache cost 0.2 s a build):
- `documents-NN.pickle` (256 shards by path, so an edit rewrites 1/256 of them, and a CLI build after a
  text edit reads one): content path ->
  (digest of the file's bytes, parsed Briefing/Page/TermInfo, (mtime_ns, size) when read) - a file whose
  size and mtime are unchanged is not even read again (as git's index and make trust them);
- `pages.pickle`: output path -> PageRecord (key, trace of the inputs its rendering read, digest of its bytes,
  the bodies its context held);
- blobs: the search index, the related-briefings memo, the inputs of the last build.

Rendered bytes are not duplicated here: the output folder holds them, and the writer's manifest proves
(digest, size, mtime) that a file is still what we wrote. A page whose key is unchanged is handed to the
writer as `Kept(digest, load)`; only if the output file is not current is it rendered after all.
Anything unreadable, truncated, from another version or with other settings is ignored and rebuilt.
"""

from __future__ import annotations

import functools
import pickle
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from generator.core.atomic import write_atomic
from generator.core.trace import Trace

CACHE_DIR = ".cache"
FORMAT = b"briefings-cache 7"
SHARDS = 256


@dataclass(frozen=True)
class PageRecord:
    """How a page was last rendered: its key, what its rendering read (with digests), the digest of its bytes
    and the digests of the briefing bodies its context held."""

    key: str
    trace: Trace
    digest: str
    bodies: tuple[str, ...]


def cache_dir(root: Path) -> Path:
    """Where the cache of the project at `root` lives."""
    return root / CACHE_DIR


def templates_dir(root: Path, env_key: str) -> Path:
    """Where the compiled templates of the Jinja environment with key `env_key` are kept, with the map
    data's projection (render/maps.py)."""
    return cache_dir(root) / "templates" / env_key[:24]


def _header(kind: str, settings: str) -> bytes:
    return FORMAT + b" " + kind.encode() + b" " + settings.encode()


def _checksum(crc: int, size: int) -> bytes:
    # fixed width: written before the payload it sums, then filled in
    return b"%08x %020d" % (crc, size)


class _Summed:
    """A file to write to that keeps the CRC-32 and length of what passed through it."""

    def __init__(self, handle: BinaryIO):
        self.handle, self.crc, self.size = handle, 0, 0

    def write(self, data: bytes) -> int:
        self.crc = _crc32(data, self.crc)
        self.size += len(data)
        return self.handle.write(data)


def save(path: Path, kind: str, settings: str, value: Any) -> None:
    """Write `value` atomically: header line, checksum line, pickle payload. The payload is pickled
    straight into the file (the page records at 100,000 briefings are a 76 MB pickle, which the cold
    build's peak memory held whole besides them)."""

    def write(handle: BinaryIO) -> None:
        handle.write(_header(kind, settings) + b"\n")
        at = handle.tell()
        handle.write(_checksum(0, 0) + b"\n")
        summed = _Summed(handle)
        pickle.dump(value, summed, protocol=pickle.HIGHEST_PROTOCOL)
        handle.seek(at)
        handle.write(_checksum(summed.crc, summed.size))

    write_atomic(path, write)


def load(path: Path, kind: str, settings: str) -> Any | None:
    """The value saved under this kind and settings, or None if missing, stale or corrupt (never half-trusted)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # slices of one buffer, not copies of the payload
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1)
    if first < 0 or second < 0:
        return None
    header, checksum, payload = (
        data[:first],
        data[first + 1 : second],
        memoryview(data)[second + 1 :],
    )
    if header != _header(kind, settings) or _checksum(_crc32(payload), len(payload)) != checksum:
        return None
    try:
        return pickle.loads(payload)
    # a payload that passed the checksum but not unpickling (e.g. a renamed class)
    except Exception:
        return None


def _crc32(data: bytes | memoryview, value: int = 0) -> int:
    """The CRC-32 of `data` continuing `value`. ISA-L's (python-isal, a dependency) runs at three times
    zlib's speed (12 against 4 GB/s here: a retitle at 100,000 briefings checks 205 MB of the text store's
    shards) but takes 1 ms to import, what zlib takes for 4 MB: a process sums its first 4 MB with zlib's
    (a small site's no-op build, which checks a few small files, never imports it), and a piece larger
    than what is left of them with ISA-L's (the 76 MB of page records at 100,000 briefings: 19 ms by
    zlib, 5 ms by ISA-L). Both give the same sums."""
    if len(data) <= _ZLIB_FIRST[0]:
        _ZLIB_FIRST[0] -= len(data)
        return zlib.crc32(data, value)
    return _fast_crc32()(data, value)


_ZLIB_FIRST = [4 << 20]  # bytes this process still sums with zlib


@functools.cache
def _fast_crc32() -> Callable[[bytes | memoryview, int], int]:
    try:
        from isal.isal_zlib import crc32
    except ImportError:  # pragma: no cover - where its wheel cannot install
        return zlib.crc32
    return crc32


def _shard(path: str) -> int:
    return zlib.crc32(path.encode()) % SHARDS


class BuildCache:
    """The cache files of one project, for one generator version and config (`settings`)."""

    def __init__(self, root: Path, settings: str, *, enabled: bool = True):
        self.folder = cache_dir(root)
        self.settings = settings
        self.enabled = enabled
        self._shards: list[dict[str, tuple]] | None = (
            None if enabled else [{} for _ in range(SHARDS)]
        )
        self._documents: dict[str, tuple] | None = None if enabled else {}
        self._pages: dict[str, PageRecord] | None = None if enabled else {}
        # documents shards as read (by documents_of, update_documents or the full load), by number
        self._read_shards: dict[int, dict[str, tuple]] = {}

    # Loaded when first used: a build that finds nothing changed never unpickles 10,000 parsed briefings.
    @property
    def documents(self) -> dict[str, tuple]:
        if self._documents is None:
            self._shards = [self._documents_shard(n) for n in range(SHARDS)]
            self._documents = {
                path: entry for shard in self._shards for path, entry in shard.items()
            }
        return self._documents

    @property
    def pages(self) -> dict[str, PageRecord]:
        if self._pages is None:
            self._pages = self._load("pages") or {}
        return self._pages

    def _load(self, kind: str) -> dict | None:
        value = load(self.folder / f"{kind}.pickle", kind, self.settings)
        return value if isinstance(value, dict) else None

    def document(self, path: Path, digest: str) -> Any | None:
        """The parsed item of a content file whose bytes have this digest, if cached."""
        entry = self.documents.get(str(path))
        return entry[1] if entry and entry[0] == digest else None

    def document_at(self, path: Path, stamp: tuple[int, int]) -> Any | None:
        """The parsed item of a content file whose (mtime_ns, size) are those it had when parsed, if cached."""
        entry = self.documents.get(str(path))
        return entry[1] if entry and len(entry) > 2 and entry[2] == stamp else None

    def documents_of(self, paths: list[str]) -> dict[str, tuple]:
        """The entries of these paths only, reading just their shards."""
        if self._documents is not None:
            return {p: self._documents[p] for p in paths if p in self._documents}
        found: dict[str, tuple] = {}
        for n in sorted({_shard(p) for p in paths}):
            shard = self._documents_shard(n)
            found.update((p, shard[p]) for p in paths if _shard(p) == n and p in shard)
        return found

    def update_documents(self, entries: dict[str, tuple]) -> None:
        """Replace the entries of these paths, rewriting just their shards (before any full load)."""
        if not self.enabled or self._documents is not None:
            raise ValueError("update_documents is for a cache whose documents were not loaded")
        for n in sorted({_shard(p) for p in entries}):
            shard = self._documents_shard(n)
            shard.update((p, e) for p, e in entries.items() if _shard(p) == n)
            self._save_documents_shard(n, shard)

    def _documents_shard(self, n: int) -> dict[str, tuple]:
        """Shard `n` of the documents, read once."""
        if n not in self._read_shards:
            self._read_shards[n] = self._load(f"documents-{n:02d}") or {}
        return self._read_shards[n]

    def _save_documents_shard(self, n: int, shard: dict[str, tuple]) -> None:
        save(self.folder / f"documents-{n:02d}.pickle", f"documents-{n:02d}", self.settings, shard)

    def blob(self, name: str) -> Any | None:
        """Any other value saved under `name` (e.g. the search index), or None."""
        return load(self.folder / f"{name}.pickle", name, self.settings) if self.enabled else None

    def put_blob(self, name: str, value: Any) -> None:
        """Save a value under `name`, for the next build."""
        if self.enabled:
            save(self.folder / f"{name}.pickle", name, self.settings, value)

    def save(self, documents: dict[str, tuple], pages: dict[str, PageRecord]) -> None:
        """Replace the files whose content changed: path -> (digest, item, stamp) documents, path -> record pages."""
        if not self.enabled:
            return
        self.documents  # noqa: B018 - the shards as loaded, to compare with
        assert self._shards is not None
        shards: list[dict[str, tuple]] = [{} for _ in range(SHARDS)]
        for path, entry in documents.items():
            shards[_shard(path)][path] = entry
        for n, shard in enumerate(shards):
            if shard != self._shards[n]:
                self._save_documents_shard(n, shard)
                self._shards[n] = self._read_shards[n] = shard
        self._documents = documents
        if pages != self.pages:
            save(self.folder / "pages.pickle", "pages", self.settings, pages)
            self._pages = pages
