"""What the writer knows of an output folder, kept beside it: the manifest of every file it wrote (path,
digest, size, mtime), the delta a text-edit build adds to it, and the check that the folder still holds
all of it (the no-op build's question)."""

from __future__ import annotations

import hashlib
import json
import marshal
import mmap
import os
import struct
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from io import FileIO
from pathlib import Path

from generator.core.atomic import write_atomic
from generator.core.halves import Forked

MARKER = (
    ".briefings-build"  # proves a folder is ours to replace (the manifest lives beside the folder)
)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def journal_path(folder: Path) -> Path:
    return folder.with_name(f".{folder.name}.journal")


def manifest_path(folder: Path) -> Path:
    """The manifest of what we wrote into `folder` (every path with its digest, size and mtime) lives beside
    it, not in it: it is not part of the site, and would be published and served with it."""
    return folder.with_name(f".{folder.name}.manifest")


def _json_manifest_path(folder: Path) -> Path:
    """Where versions before the compact manifest kept it (read once, then replaced)."""
    return folder.with_name(f".{folder.name}.manifest.json")


def delta_path(folder: Path) -> Path:
    """Files written into `folder` since its manifest was (a CLI build after a text edit): entries to add,
    None for files removed. The next full write folds them into the manifest and removes this file."""
    return folder.with_name(f".{folder.name}.manifest-delta.json")


def beside(folder: Path) -> list[Path]:
    """Our files beside an output folder (`briefings clean` removes them with it)."""
    return [
        manifest_path(folder),
        _json_manifest_path(folder),
        delta_path(folder),
        journal_path(folder),
    ]


# The manifest is read by every build, the no-op one included: at 240,000 files, JSON (a list per file)
# took 0.45 s to parse. Format 3 holds the names (UTF-8, joined by NUL) and the array of sizes and mtimes
# first, behind their lengths, and the digests last: the no-op check reads only the first two (format 2,
# one marshalled tuple, made each of its children decode 25 MB, digests too: 40-90 ms apiece at 100,000
# briefings).
MANIFEST_FORMAT = b"briefings-manifest 3\n"
_FORMAT_2 = b"briefings-manifest 2\n"  # read, never written
_LENGTHS = struct.Struct("<QQ")  # bytes of the names, bytes of the numbers


@dataclass(frozen=True)
class _Compact:
    names: list[str]  # sorted
    digests: str  # each name's SHA-256 (hex), joined by NUL
    numbers: array  # size, mtime_ns of each name in turn

    def entries(self) -> dict[str, list]:
        """The writer's entries: name -> [digest, size, mtime_ns]."""
        digests = self.digests.split("\0") if self.names else []
        numbers = self.numbers
        return {
            name: [digests[i], numbers[2 * i], numbers[2 * i + 1]]
            for i, name in enumerate(self.names)
        }


def _encode(files: dict[str, list]) -> bytes:
    names = sorted(files)
    numbers = array("q")
    for name in names:
        numbers.extend(files[name][1:3])
    joined = "\0".join(names).encode("utf-8", "surrogateescape")
    digests = "\0".join(files[name][0] for name in names).encode("ascii")
    raw = numbers.tobytes()
    return MANIFEST_FORMAT + _LENGTHS.pack(len(joined), len(raw)) + joined + raw + digests


def _decode(data: bytes) -> _Compact:
    """A manifest's entries; an unreadable one has none (nothing is then known to be current)."""
    try:
        if data.startswith(MANIFEST_FORMAT):
            joined, numbers, end = _sections(data, len(data))
            names = joined.decode("utf-8", "surrogateescape").split("\0") if joined else []
            digests = data[end:].decode("ascii")
            # each digest is SHA-256 in hex, 64 characters, and NUL between them
            if len(numbers) == 2 * len(names) and len(digests) == max(65 * len(names) - 1, 0):
                return _Compact(names, digests, numbers)
        elif data.startswith(_FORMAT_2):
            joined, digests, raw = marshal.loads(data[len(_FORMAT_2) :])
            numbers = array("q")
            numbers.frombytes(raw)
            names = joined.split("\0") if joined else []
            if len(numbers) == 2 * len(names):
                return _Compact(names, digests, numbers)
        elif data:  # the JSON manifest of earlier versions
            files = json.loads(data).get("files", {})
            if isinstance(files, dict):
                return _decode(_encode(files))
    except (ValueError, TypeError, EOFError, AttributeError, struct.error):
        pass
    return _Compact([], "", array("q"))


def _sections(head: bytes, size: int) -> tuple[bytes, array, int]:
    """The names (joined) and the numbers of a format-3 manifest of `size` bytes whose start is `head`,
    and where its digests begin; ValueError if `head` is too short or the lengths do not fit."""
    start = len(MANIFEST_FORMAT) + _LENGTHS.size
    names_size, numbers_size = _LENGTHS.unpack_from(head, len(MANIFEST_FORMAT))
    end = start + names_size + numbers_size
    if end > min(size, len(head)) or numbers_size % 16:
        raise ValueError("truncated manifest")
    numbers = array("q")
    numbers.frombytes(head[start + names_size : end])
    return head[start : start + names_size], numbers, end


def in_current_format(folder: Path) -> bool:
    """Whether the manifest of `folder` is in this version's format (the writer rewrites it if not, so a
    no-op check after an upgrade reads no more than it needs)."""
    try:
        with open(manifest_path(folder), "rb") as handle:
            return handle.read(len(MANIFEST_FORMAT)) == MANIFEST_FORMAT
    except OSError:
        return False


@dataclass(frozen=True)
class _Listing:
    """A manifest's names and numbers as the output check reads them: `data` holds the names (UTF-8, NUL
    between them) up to `names_end` (and after it, for a format-3 manifest, the numbers' bytes, which
    `numbers` views: one buffer, read in one call; at 240,000 files the copies and the page faults of
    fresh memory that separate ones cost were two thirds of the time to read it)."""

    data: bytes
    names_end: int
    numbers: memoryview | array  # size, mtime_ns of each name in turn

    @property
    def count(self) -> int:
        return len(self.numbers) // 2

    def names(self) -> list[bytes]:
        return self.data[: self.names_end].split(b"\0") if self.count else []

    def holds(self, name: bytes) -> bool:
        """Whether `name` is one of the names, found by bisection (the manifest's names are sorted, as
        strings): the few a text edit's delta holds, where a set of all 240,000 names took ~50 ms."""
        wanted = name.decode("utf-8", "surrogateescape")
        data, low, high = self.data, 0, self.names_end  # the names in data[low:high], whole
        while low < high:
            start = max(data.rfind(b"\0", low, (low + high) // 2) + 1, low)
            end = data.find(b"\0", start, high)
            end = high if end < 0 else end
            probe = data[start:end].decode("utf-8", "surrogateescape")
            if probe == wanted:
                return True
            if probe < wanted:
                low = end + 1
            else:
                high = start - 1
        return False

    def names_from(self, start: int) -> tuple[list[bytes], int]:
        """The names of about `_WINDOW` bytes from byte `start` (where a name begins), and where the next
        one begins: a check splits the names a window at a time, so that 240,000 of them never exist
        at once (their memory, fresh pages, cost more than splitting them)."""
        end = min(start + _WINDOW, self.names_end)
        cut = self.names_end
        if end < self.names_end:
            cut = self.data.rfind(b"\0", start, end)
            if cut < 0:  # one name longer than the window
                cut = self.data.find(b"\0", end, self.names_end)
                cut = self.names_end if cut < 0 else cut
        return self.data[start:cut].split(b"\0"), cut + 1

    def names_before(self, end: int) -> tuple[list[bytes], int]:
        """The names of about `_WINDOW` bytes up to byte `end` (where a name ends), and where the first of
        them begins."""
        start = 0
        if end - _WINDOW > 0:
            cut = self.data.find(b"\0", end - _WINDOW, end)
            if cut < 0:  # one name longer than the window
                cut = self.data.rfind(b"\0", 0, end - _WINDOW)
            start = cut + 1
        return self.data[start:end].split(b"\0"), start


_WINDOW = 8192  # bytes of names the check splits at a time: about 180 output paths


def _listing(folder: Path) -> _Listing | None:
    """The names and the sizes and mtimes of the manifest of `folder`, reading no digests from a format-3
    manifest; None if it is unreadable."""
    try:
        with open(manifest_path(folder), "rb", buffering=0) as handle:
            head = handle.read(len(MANIFEST_FORMAT) + _LENGTHS.size)
            if (
                head.startswith(MANIFEST_FORMAT)
                and len(head) == len(MANIFEST_FORMAT) + _LENGTHS.size
            ):
                names_size, numbers_size = _LENGTHS.unpack_from(head, len(MANIFEST_FORMAT))
                body = _read_exactly(handle, names_size + numbers_size)
                if numbers_size % 16 or len(body) != names_size + numbers_size:
                    return None
                listing = _Listing(body, names_size, memoryview(body)[names_size:].cast("q"))
                # as many names as pairs of numbers: n - 1 NULs between n names, and no name without
                # numbers (a name and no numbers has no NUL either)
                if body.count(b"\0", 0, names_size) != max(listing.count - 1, 0) or (
                    listing.count == 0 and names_size
                ):
                    return None
                return listing
    except FileNotFoundError:
        pass
    except (OSError, ValueError, struct.error):
        return None
    compact = _decode(_manifest_bytes(folder))  # an earlier format, or no manifest but the marker
    joined = "\0".join(compact.names).encode("utf-8", "surrogateescape")
    return _Listing(joined, len(joined), compact.numbers)


def _read_exactly(handle: FileIO, size: int) -> bytes:
    """Up to `size` bytes of an unbuffered file, fewer only at its end: one buffer, no copies."""
    data = handle.read(size) or b""
    while 0 < len(data) < size:  # a raw read may return less than asked
        more = handle.read(size - len(data))
        if not more:
            break
        data += more
    return data


def _manifest_bytes(folder: Path) -> bytes:
    for path in (manifest_path(folder), _json_manifest_path(folder), folder / MARKER):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError:
            return b""
    return b""


def _delta_bytes(folder: Path) -> bytes:
    try:
        return delta_path(folder).read_bytes()
    except OSError:
        return b""


def _delta(data: bytes) -> dict[str, list | None]:
    try:
        delta = json.loads(data or b"{}")
    except ValueError:
        return {}
    return delta if isinstance(delta, dict) else {}


def read_manifest(folder: Path) -> dict[str, list]:
    files = _decode(_manifest_bytes(folder)).entries()
    for rel, entry in _delta(_delta_bytes(folder)).items():
        if entry is None:
            files.pop(rel, None)
        else:
            files[rel] = entry
    return files


def marker_digest(output: Path) -> str:
    """Which write left the output folder's manifest and delta as they are: the manifest file's stamp
    (written whole, by rename: reading and hashing the 28 MB manifest of 240,000 files cost ~0.05 s) and
    the delta's digest. Its size and mtime, not its inode: a CI job restores the last run's output and
    manifest from an archive (new inodes, the same mtimes), and two manifests written by two builds in one
    tick of the file system's clock with the same size do not happen."""
    for path in (manifest_path(output), _json_manifest_path(output), output / MARKER):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            continue
        except OSError:
            return ""
        delta = _delta_bytes(output)
        stamp = f"{path.name}:{st.st_size}:{st.st_mtime_ns}"
        return f"{stamp}:{_digest(delta)}" if delta else stamp
    return ""


def note_written(output: Path, entries: dict[str, list], removed: Iterable[str] = ()) -> None:
    """Add what `write_files` wrote and removed to the manifest's delta (so the next build knows the files
    as ours and current without rewriting a manifest of every file)."""
    try:
        delta = json.loads(_delta_bytes(output) or b"{}")
    except ValueError:
        delta = None
    if not isinstance(delta, dict):  # unreadable: the next build finds those files not current
        delta = {}
    delta.update(dict.fromkeys(removed))
    delta.update(entries)
    write_atomic(delta_path(output), json.dumps(delta, separators=(",", ":")).encode())


def output_is_current(output: Path, marker: str) -> int | None:
    """The number of files if the output folder still holds what the build with this manifest wrote
    (by size and mtime; the stat calls on two cores for large sites)."""
    with OutputCheck(output, marker) as check:
        return check.result()


# Below this size (about 17,000 files) a manifest's stat calls take less time than forking for them.
_FORK_FROM = 2_000_000
_YIELDING = 10  # nice value added to a check run beside a text edit: its result is wanted last


class OutputCheck:
    """`output_is_current`, started now: for a large site a forked child stats the files from the first
    while the caller goes on (the survey of the inputs, a text edit's parse and render); `result()`
    checks from the last until the two meet, then takes the child's answer. A caller with nothing else to
    do (the no-op build, once its survey is done) so does half of what is left, and a caller with work of
    its own (a text edit's) leaves the other core to it rather than to a second child. Use it in a `with`
    block, which stops a child not waited for."""

    def __init__(self, output: Path, marker: str) -> None:
        self._output = output
        self._work: Forked[int | None] | None = None
        # shared with the child: the index it checks next, the least index the caller has taken (the
        # child stops there), the child's count of names (-1 before it knows), and whether it found a
        # file changed; native integers, each written by one side
        self._meeting = memoryview(mmap.mmap(-1, 32)).cast("q")
        self._meeting[:] = array("q", [0, 1 << 62, -1, 0])
        if not marker or marker_digest(output) != marker or journal_path(output).exists():
            return
        try:
            size = os.stat(manifest_path(output)).st_size
        except OSError:
            size = 0
        self._work = Forked(self._forward, 1, least=1 if size >= _FORK_FROM else 2)

    def start(self) -> None:
        """For a caller with work of its own (a text edit's parse and render): check in a forked child
        from now on, if the check was left to `result()` (a small site's, whose no-op check has nothing to
        overlap it with), and behind that work either way. A large site's child, forked before the survey
        told a no-op from a text edit, is put behind it from now on: at 20,000 briefings its stat calls
        shared the cores with the edit's imports and parse, which its result must wait for anyway
        (one text edit 247 -> 238 ms, 16 alternating rounds)."""
        if self._work is not None and not self._work.forked:
            self._work = Forked(self._yielding_forward, 1, least=1, in_caller=self._forward)
        elif self._work is not None:
            self._work.nice(_YIELDING)

    def _yielding_forward(self, part: int, parts: int) -> int | None:
        # behind the caller's other work on a busy core: its result is wanted last (before writing)
        os.nice(_YIELDING)
        return self._forward(part, parts)

    def result(self) -> int | None:
        if self._work is None:
            return None
        if self._work.forked and not self._backward():
            return None
        return self._work.result()[0]

    def __enter__(self) -> OutputCheck:
        return self

    def __exit__(self, *_: object) -> None:
        if self._work is not None:
            self._work.stop()

    def _forward(self, _part: int = 0, _parts: int = 1) -> int | None:
        """None if a file from the first of the manifest up to where the caller has taken over, or one the
        delta wrote, is not as recorded; else the number of files in the folder, counting the delta's."""
        count = self._forward_scan()
        if count is None:
            self._meeting[3] = 1  # the caller need check no more
        return count

    def _forward_scan(self) -> int | None:
        meeting = self._meeting
        loaded = _listing_and_delta(self._output)
        if loaded is None:
            return None
        listing, written = loaded
        meeting[2] = count = listing.count
        numbers = listing.numbers
        folder = open_folder(self._output)
        if folder is None:
            return None
        stat = os.stat
        try:
            i = start = 0  # the next name, and the byte it begins at
            while i < count:
                limit = meeting[1]  # the least index the caller has taken
                if i >= limit:
                    break  # the caller checks the rest
                names, start = listing.names_from(start)
                stop = min(i + len(names), limit)
                # `_as_recorded` inlined: its call was ~5 % of a file's check (2.85 -> 2.70 us)
                for k in range(i, stop):
                    name = names[k - i]
                    if written and name in written:
                        continue  # written since: checked below
                    st = stat(name, dir_fd=folder)
                    if st.st_mtime_ns != numbers[2 * k + 1] or st.st_size != numbers[2 * k]:
                        return None
                # a window's progress at a time: each write to the shared page moves it between cores
                meeting[0] = i = stop
            for rel, entry in written.items():
                here = listing.holds(rel)
                if entry is None:
                    count -= here
                    continue
                count += not here
                if not _as_recorded(rel, folder, entry[1], entry[2]):
                    return None
        except OSError:
            return None
        finally:
            os.close(folder)
        return count

    def _backward(self) -> bool:
        """Whether the files from the last of the manifest down to where the child has got are as recorded
        (the delta's are the child's to check); nothing to do if the child is done."""
        meeting = self._meeting
        if meeting[3] or 0 <= meeting[2] <= meeting[0]:
            return not meeting[3]
        loaded = _listing_and_delta(self._output)
        if loaded is None:
            return False
        listing, written = loaded
        numbers = listing.numbers
        folder = open_folder(self._output)
        if folder is None:
            return False
        stat = os.stat
        try:
            end, e = listing.names_end, listing.count  # the names before index e end at byte `end`
            while e > 0:
                names, start = listing.names_before(end)
                low = e - len(names)
                # taken before the child's progress is read: whatever the timing, one of the two checks
                # each file
                meeting[1] = low
                if meeting[3]:
                    return False
                done = meeting[0]
                for k in range(max(low, done), e):  # `_as_recorded` inlined, as in `_forward_scan`
                    name = names[k - low]
                    if written and name in written:
                        continue  # the child checks the delta's files
                    st = stat(name, dir_fd=folder)
                    if st.st_mtime_ns != numbers[2 * k + 1] or st.st_size != numbers[2 * k]:
                        meeting[1] = 0  # the child may stop
                        return False
                if done >= low:
                    break
                e, end = low, start - 1
        except OSError:
            return False
        finally:
            os.close(folder)
        return True


def _listing_and_delta(output: Path) -> tuple[_Listing, dict[bytes, list | None]] | None:
    """The manifest's listing, and the delta's entries by name encoded as the manifest's are; None if the
    manifest is unreadable."""
    listing = _listing(output)
    if listing is None:
        return None
    delta = _delta(_delta_bytes(output))
    return listing, {rel.encode("utf-8", "surrogateescape"): e for rel, e in delta.items()}


def open_folder(folder: Path | str) -> int | None:
    """A descriptor of `folder` to stat its files by name from (`os.stat(name, dir_fd=...)`): the kernel
    then walks the name's components, not the folder's too (10 % fewer microseconds a file); None if it
    cannot be opened (gone, not a folder)."""
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None


def _as_recorded(name: bytes, folder: int, size: int, mtime_ns: int) -> bool:
    """Whether the file `name` in `folder` has the size and mtime recorded for it."""
    st = os.stat(name, dir_fd=folder)
    return st.st_size == size and st.st_mtime_ns == mtime_ns


def save_manifest(folder: Path, files: dict[str, list]) -> None:
    """Record `files` as the manifest of the output folder `folder`; the delta is folded in."""
    write_atomic(manifest_path(folder), _encode(files))
    delta_path(folder).unlink(missing_ok=True)
    _json_manifest_path(folder).unlink(missing_ok=True)  # an earlier version's, replaced
