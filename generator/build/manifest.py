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


def has_manifest(folder: Path) -> bool:
    return (
        manifest_path(folder).is_file()
        or _json_manifest_path(folder).is_file()
        or (folder / MARKER).is_file()
    )


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


def _listing(folder: Path) -> tuple[bytes, array] | None:
    """The names (UTF-8, joined by NUL) and the sizes and mtimes of the manifest of `folder`, reading no
    digests from a format-3 manifest; None if it is unreadable."""
    try:
        with open(manifest_path(folder), "rb") as handle:
            head = handle.read(len(MANIFEST_FORMAT) + _LENGTHS.size)
            if (
                head.startswith(MANIFEST_FORMAT)
                and len(head) == len(MANIFEST_FORMAT) + _LENGTHS.size
            ):
                names_size, numbers_size = _LENGTHS.unpack_from(head, len(MANIFEST_FORMAT))
                head += handle.read(names_size + numbers_size)
                joined, numbers, _ = _sections(head, os.fstat(handle.fileno()).st_size)
                if joined.count(b"\0") != max(len(numbers) // 2 - 1, 0):
                    return None
                return joined, numbers
    except FileNotFoundError:
        pass
    except (OSError, ValueError, struct.error):
        return None
    compact = _decode(_manifest_bytes(folder))  # an earlier format, or no manifest but the marker
    return "\0".join(compact.names).encode("utf-8", "surrogateescape"), compact.numbers


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
    (written whole, by rename: a new inode each time; reading and hashing the 28 MB manifest of 240,000
    files cost ~0.05 s) and the delta's digest."""
    for path in (manifest_path(output), _json_manifest_path(output), output / MARKER):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            continue
        except OSError:
            return ""
        delta = _delta_bytes(output)
        stamp = f"{path.name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
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
        """Check in a forked child from now on, if the check was left to `result()` (a small site's, whose
        no-op check has nothing to overlap it with): for a caller that has (a text edit's render)."""
        if self._work is not None and not self._work.forked:
            self._work = Forked(self._yielding_forward, 1, least=1, in_caller=self._forward)

    def _yielding_forward(self, part: int, parts: int) -> int | None:
        # behind the caller's other work on a busy core: its result is wanted last (before writing)
        os.nice(10)
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
        loaded = _names_and_delta(self._output)
        if loaded is None:
            return None
        names, numbers, written = loaded
        meeting[2] = count = len(names)
        folder = _open_folder(self._output)
        if folder is None:
            return None
        try:
            for i, name in enumerate(names):
                if i >= meeting[1]:
                    break  # the caller checks the rest
                if written and name in written:
                    pass  # written since: checked below
                elif not _as_recorded(name, folder, numbers[2 * i], numbers[2 * i + 1]):
                    return None
                meeting[0] = i + 1
            known = set(names) if written else set()
            for rel, entry in written.items():
                here = rel in known
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
        loaded = _names_and_delta(self._output)
        if loaded is None:
            return False
        names, numbers, written = loaded
        folder = _open_folder(self._output)
        if folder is None:
            return False
        try:
            for i in range(len(names) - 1, -1, -1):
                # taken before the child's progress is read: whatever the timing, one of the two checks it
                meeting[1] = i
                if i < meeting[0] or meeting[3]:
                    break
                name = names[i]
                if written and name in written:
                    continue  # the child checks the delta's files
                if not _as_recorded(name, folder, numbers[2 * i], numbers[2 * i + 1]):
                    meeting[1] = 0  # the child may stop
                    return False
        except OSError:
            return False
        finally:
            os.close(folder)
        return True


def _names_and_delta(output: Path) -> tuple[list[bytes], array, dict[bytes, list | None]] | None:
    """The manifest's names, its sizes and mtimes, and the delta's entries by name encoded as the
    manifest's are; None if the manifest is unreadable (or its names do not match its numbers)."""
    listing = _listing(output)
    if listing is None:
        return None
    joined, numbers = listing
    names = joined.split(b"\0") if joined else []
    if len(names) != len(numbers) // 2:
        return None
    delta = _delta(_delta_bytes(output))
    return names, numbers, {rel.encode("utf-8", "surrogateescape"): e for rel, e in delta.items()}


def _open_folder(output: Path) -> int | None:
    # names are resolved from the folder's descriptor: the kernel walks three path components a call, not
    # seven (10 % fewer microseconds a file)
    try:
        return os.open(output, os.O_RDONLY | os.O_DIRECTORY)
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
