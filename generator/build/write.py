"""The only code that writes into the output folder: atomic, skips unchanged bytes, prunes stale files."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.build.manifest import (
    MARKER,
    in_current_format,
    journal_path,
    read_manifest,
    save_manifest,
)
from generator.build.options import WriteStats
from generator.core.atomic import create, write_atomic
from generator.core.errors import SiteError
from generator.core.halves import in_halves
from generator.core.model import Digested, Kept

KEEP = {MARKER, ".gitkeep"}
TEMP_PREFIX = ".briefings-new."  # a file's new bytes, waiting for the journal's commit


Content = bytes | Kept | Digested  # what a file of the site may be handed to the writer as


@dataclass(frozen=True, slots=True)
class Placed(Kept):
    """A page already written at its path in `folder` by `place`, as it arrived from its render worker: the
    folder a first build then puts in place as the output, so the writer has only to record it there."""

    folder: str
    size: int
    mtime_ns: int


def place(folder: str, rel: str, data: bytes | Callable[[int], object], digest: str) -> Placed:
    """Write a page of a first build where it goes in `folder`, a folder no reader sees yet, as soon as it
    is rendered: the files are then made while the render workers go on, not one after another once all
    are rendered (on a disk that has just had a site deleted from it, seconds of kernel time that left
    the second core idle). Only this process writes them: two writers creating files at once spent more
    time waiting on the file system's locks than they saved. `data`: the bytes, or a function writing
    them to a file descriptor."""
    rel = safe_relative(rel)  # the caller's string itself when it is plain (held once for the site)
    target = f"{folder}/{rel}"
    try:
        try:
            st = _new_file(target, data)
        except FileNotFoundError:
            # the first file of its folder: made now (no set of the folders made is kept meanwhile)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            st = _new_file(target, data)
    except OSError as exc:  # a full disk: said as the writer says it
        raise cannot_write(exc, target) from None
    size = st.st_size
    # strings the site holds already, not a path made per page: 240,000 of them at 100,000 briefings
    load = functools.partial(_read_placed, folder, rel, size)
    return Placed(digest, load, folder, size, st.st_mtime_ns)


def _new_file(path: str, data: bytes | Callable[[int], object]) -> os.stat_result:
    """Write a file through its descriptor: no buffered file object (and its 8 KB buffer) made and freed
    in this process per page while the build's data grows around them."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        if callable(data):
            data(fd)
        else:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        return os.fstat(fd)
    finally:
        os.close(fd)


def _read_placed(folder: str, rel: str, size: int) -> bytes:
    with open(f"{folder}/{rel}", "rb") as handle:
        data = handle.read()
    if len(data) != size:
        raise OSError(f"{folder}/{rel}: placed page changed during the build")
    return data


def check_output_dir(output: Path) -> None:
    """Refuse to replace a folder that is neither empty nor a previous build (so `--output ~` is safe)."""
    if not output.exists():
        return
    if not output.is_dir():
        raise SiteError.at(
            output, None, "output path exists and is not a folder; choose another --output"
        )
    if (output / MARKER).is_file():
        return
    if any(child.name not in KEEP for child in output.iterdir()):
        raise SiteError.at(
            output,
            None,
            "refusing to write here: the folder is not empty and was not made by `briefings build` "
            f"(no {MARKER} file). "
            "Choose an empty or new folder with --output, or empty this one yourself.",
        )


_PLAIN_PATH = re.compile(
    r"[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*(?:/[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)*"
)


def safe_relative(path: str) -> str:
    """Validate an output path: relative, normalised, inside the output folder."""
    if _PLAIN_PATH.fullmatch(path):  # the common case, checked without building a path object
        return path
    pure = PurePosixPath(path)
    if (
        pure.is_absolute()
        or not pure.parts
        or any(part in ("..", ".", "") for part in pure.parts)
        or "\\" in path
        or "\x00" in path
    ):
        raise SiteError.at(
            path,
            None,
            "output path would fall outside the output folder; fix the slug or url that produced it",
        )
    return pure.as_posix()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _as_recorded(folder: str, manifest: dict[str, list], names: Sequence[str]) -> list[bool]:
    """For each file of `names`, whether it is still as the manifest records it (size and mtime)."""
    same = []
    for rel in names:
        entry = manifest[rel]
        try:
            st = os.stat(f"{folder}/{rel}")  # no Path objects: this runs for every file of the site
        except OSError:
            same.append(False)
            continue
        same.append(st.st_size == entry[1] and st.st_mtime_ns == entry[2])
    return same


def _write_private(target: str, data: bytes, made: set[str]) -> os.stat_result:
    """Write into a folder no reader sees yet (staging, or a new output folder): no temp file needed.
    A hard link to the live site's copy is unlinked first, never written through."""
    parent = os.path.dirname(target)
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    return create(target, data)


def _stale_files(folder: Path, files: dict[str, Content]) -> list[str]:
    """Files on disk that the site no longer has (os.walk: several times faster than Path.rglob)."""
    stale = []
    for dirpath, _, filenames in os.walk(folder):
        rel_dir = os.path.relpath(dirpath, folder)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if rel not in files and rel not in KEEP:
                stale.append(rel)
    return stale


def _remove_empty_parents(folder: Path, rel: str) -> None:
    """Remove the folders a deleted file leaves empty, up to (not including) the output folder."""
    parent = (folder / rel).parent
    while parent != folder:
        try:
            parent.rmdir()
        except OSError:  # not empty (or already gone): stop
            return
        parent = parent.parent


@dataclass
class _Plan:
    """What a write must do: files whose bytes differ from the output's, files to delete."""

    todo: list[str]
    stale: list[str]
    manifest: dict[str, list]  # entries of the files that are already current
    digests: dict[str, str]
    previous: dict[str, list]  # the manifest the output folder had


def _plan(folder: Path, files: dict[str, Content], manifest: dict[str, list]) -> _Plan:
    """Compare with the output folder. Stale files come from the manifest, or from a walk of the folder when
    there is none (the walk also finds files we never wrote; it costs ~0.4 s at 15,000 files)."""
    todo, current, digests = [], {}, {}
    exists = folder.exists()
    recorded = []  # files the manifest says hold these bytes: current if their size and mtime agree
    for rel, data in files.items():
        digest = data.digest if isinstance(data, (Kept, Digested)) else _digest(data)
        digests[rel] = digest
        entry = manifest.get(rel)
        if exists and entry and entry[0] == digest:
            recorded.append(rel)
        else:
            todo.append(rel)
    # the stat calls (240,000 at 100,000 briefings) on two cores for large sites
    check = functools.partial(_as_recorded, str(folder), manifest)
    for rel, same in zip(recorded, in_halves(check, recorded), strict=True):
        if same:
            current[rel] = manifest[rel]
        else:
            todo.append(rel)
    if not exists:
        stale = []
    elif not manifest:
        stale = _stale_files(folder, files)
    else:
        stale = [rel for rel in manifest if rel not in files and os.path.lexists(folder / rel)]
    return _Plan(sorted(todo), sorted(stale), current, digests, manifest)


def _apply(
    folder: Path,
    files: dict[str, Content],
    plan: _Plan,
    *,
    private: bool = False,
    home: Path | None = None,
) -> WriteStats:
    """Write the plan's files, delete its stale ones, record the manifest. In a `private` folder (staging, a
    new output folder) files are written directly; in the live output folder through the journal, so the
    change is made whole or not at all, whatever kills the build."""
    manifest = dict(plan.manifest)
    made: set[str] = set()
    root = str(folder)
    journal = Journal(folder) if plan.todo or plan.stale else None
    if journal and not private:
        order = sorted(plan.todo, key=lambda rel: (rel.endswith(".html"), rel in plan.previous))
        journal.begin({rel: _temp_name(rel) for rel in order}, plan.stale)
    try:
        for rel in plan.todo:
            data = files[rel]
            digest = plan.digests[rel]
            if private and isinstance(data, Placed) and data.folder == root:
                manifest[rel] = [digest, data.size, data.mtime_ns]
                continue
            if isinstance(data, Kept):
                data = data.load()
                digest = _digest(data)
            elif isinstance(data, Digested):
                data = data.data
            name = rel if private or journal is None else _temp_name(rel)
            st = _write_private(f"{root}/{name}", data, made)
            manifest[rel] = [digest, st.st_size, st.st_mtime_ns]
    except BaseException:
        if journal and not private:
            journal.roll_back()
        raise
    if journal and not private:
        journal.commit()
        journal.finish()
    else:
        for rel in plan.stale:
            _remove(folder, rel)
    if (
        plan.todo
        or plan.stale
        or manifest != plan.previous
        or not (folder / MARKER).exists()
        or not in_current_format(home or folder)
    ):
        _write_marker(folder, manifest, home)
    unchanged = len(files) - len(plan.todo)
    return WriteStats(
        len(plan.todo), unchanged, len(plan.stale), frozenset(plan.todo) | frozenset(plan.stale)
    )


def _temp_name(rel: str) -> str:
    """Where a file's new bytes wait for the journal's commit: beside it, hidden, named for us alone."""
    head, _, name = rel.rpartition("/")
    return f"{head}/{TEMP_PREFIX}{name}" if head else f"{TEMP_PREFIX}{name}"


def _remove(folder: Path, rel: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (folder / rel).unlink()
    _remove_empty_parents(folder, rel)


class Journal:
    """A write into the live output folder, made whole or not at all.

    `begin` records (atomically, beside the output folder) which files will be replaced and removed and the
    temporary names their new bytes are written to; `commit` marks every new file as written; `finish`
    renames them into place, removes the stale ones and deletes the journal. A build killed before the commit
    leaves the site as it was (the next write deletes the temporaries); killed after it, the next write
    finishes the renames first. Either way no reader is left with a mix once the next build has run, and no
    temporary file of ours survives to be published.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = journal_path(folder)
        self.temps: dict[str, str] = {}
        self.stale: list[str] = []

    def begin(self, temps: dict[str, str], stale: list[str]) -> None:
        self.temps, self.stale = temps, stale
        self._save("prepare")

    def commit(self) -> None:
        self._save("commit")

    def _save(self, state: str) -> None:
        data = {"state": state, "temps": self.temps, "stale": self.stale}
        write_atomic(self.path, json.dumps(data, separators=(",", ":")).encode())

    def finish(self) -> None:
        for rel, temp in self.temps.items():
            with contextlib.suppress(FileNotFoundError):  # renamed already by an earlier finish
                os.replace(self.folder / temp, self.folder / rel)
        for rel in self.stale:
            _remove(self.folder, rel)
        self.path.unlink(missing_ok=True)

    def roll_back(self) -> None:
        for temp in self.temps.values():
            with contextlib.suppress(OSError):
                (self.folder / temp).unlink()
        self.path.unlink(missing_ok=True)


def recover(folder: Path) -> None:
    """Complete or undo the write an interrupted build left in `folder`, and sweep our leftovers beside it
    (a staging folder of an interrupted large write or first build)."""
    for leftover in (
        folder.with_name(f".{folder.name}.new"),
        folder.with_name(f".{folder.name}.old"),
    ):
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)
    path = journal_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (
        OSError,
        ValueError,
    ):  # a journal cut short was never committed: nothing was renamed yet
        data = {"state": "prepare", "temps": {}, "stale": []}
        if folder.exists():  # its temporaries are unknown: sweep every one of our naming
            for dirpath, _, names in os.walk(folder):
                for name in names:
                    if name.startswith(TEMP_PREFIX):
                        os.unlink(os.path.join(dirpath, name))
    journal = Journal(folder)
    journal.temps = dict(data.get("temps") or {})
    journal.stale = list(data.get("stale") or [])
    if data.get("state") == "commit":
        journal.finish()
    else:
        journal.roll_back()


MARKER_BYTES = b'{"generator":"briefings"}\n'


def _write_marker(folder: Path, manifest: dict[str, list], home: Path | None = None) -> None:
    """Mark `folder` as ours and record its manifest beside `home` (the output folder it is or becomes)."""
    save_manifest(home or folder, manifest)
    marker = folder / MARKER
    try:
        current = marker.read_bytes()
    except OSError:
        current = b""
    if current != MARKER_BYTES:
        write_atomic(marker, MARKER_BYTES)


# A change of more files than this that rewrites most of the site (a theme or setting changed) is written
# to a hard-linked copy of the output and swapped in with one rename, so a reader never sees a site half
# old, half new (e.g. pages naming a stylesheet not yet written). Others (an edited or a new briefing and
# the lists that show it) are written in place through the journal, each file atomically, pages last: the
# copy costs a link, a folder and their removal per file of the site (~180 us), the journal a write and a
# rename per changed file, so publishing a briefing at 2,000 briefings (530 files of 7,100) spent 1.3 s of
# its 4 s copying and removing the tree.
SWAP_THRESHOLD = 200


def _rewrites_most(changed: int, files: int) -> bool:
    """Whether a change of `changed` files of a site of `files` is one of most of it: written to a copy
    swapped in whole (CLI builds), and the folder swept of files we never wrote."""
    return changed > SWAP_THRESHOLD and 2 * changed > files


def write_files(
    output: Path, files: dict[str, bytes], remove: Iterable[str] = ()
) -> tuple[WriteStats, dict[str, list]]:
    """Replace a few files of an existing site in place and remove others, through the journal, leaving the
    manifest to the next write_site, which gets the returned entries as `recent` (serve's fast render and
    settle: no 1.5 MB manifest rewrite; a removed file is gone from disk, which that write_site sees)."""
    check_output_dir(output)
    recover(output)
    files = {safe_relative(rel): data for rel, data in files.items()}
    gone = [safe_relative(rel) for rel in remove]
    created = sum(not os.path.lexists(f"{output}/{rel}") for rel in files)
    journal = Journal(output)
    journal.begin({rel: _temp_name(rel) for rel in files}, gone)
    entries: dict[str, list] = {}
    made: set[str] = set()
    try:
        for rel, data in files.items():
            st = _write_private(f"{output}/{_temp_name(rel)}", data, made)
            entries[rel] = [_digest(data), st.st_size, st.st_mtime_ns]
    except BaseException:
        journal.roll_back()
        raise
    journal.commit()
    journal.finish()
    changed = frozenset(entries) | frozenset(gone)
    return WriteStats(len(entries), 0, len(gone), changed, created), entries


def write_site(
    output: Path,
    files: dict[str, Content],
    *,
    swap: bool = True,
    recent: dict[str, list] | None = None,
    ready: Path | None = None,
) -> WriteStats:
    """Make `output` hold exactly `files`, touching only files whose bytes change.

    With swap (CLI builds) a large change is assembled in a sibling folder of hard links and swapped in
    with one rename, so a reader or a crash never sees a half-written site; unchanged files keep their
    inode and mtime. Small changes, and every change without swap (serve), replace files one by one, each atomically.
    `ready`: a private folder on the output's file system holding the files of `files` that are `Placed`
    in it; a first build completes it and renames it into place (elsewhere they are read back from it).
    """
    files = {safe_relative(rel): data for rel, data in files.items()}
    check_output_dir(output)
    output = output.resolve()
    try:
        return _write_site(output, files, swap, recent, ready)
    except OSError as exc:  # a full disk, a read-only folder: the site is left as it was
        raise cannot_write(exc, output) from None


def cannot_write(exc: OSError, where: Path | str) -> SiteError:
    return SiteError.at(
        exc.filename or where,
        None,
        f"cannot write the site: {exc.strerror or exc}; the previous output is left as it was "
        "(free some space or choose a writable --output)",
    )


def _write_site(
    output: Path,
    files: dict[str, Content],
    swap: bool,
    recent: dict[str, list] | None,
    ready: Path | None,
) -> WriteStats:
    recover(output)
    on_disk = read_manifest(output) if output.exists() else {}
    # Files written since the manifest was (write_files) are current if they still are as written then.
    manifest = {**on_disk, **recent} if recent else on_disk
    plan = _plan(output, files, manifest)
    most = _rewrites_most(len(plan.todo) + len(plan.stale), len(files))
    if manifest and most:
        # a rewrite of most of the site also sweeps out files we never wrote
        plan.stale = sorted(_stale_files(output, files))
    plan.previous = on_disk
    # a first build: written where no reader looks yet, then put in place in one step
    if not output.exists():
        if swap and ready is not None and ready.is_dir():
            stats = _apply(ready, files, plan, private=True, home=output)
            os.rename(ready, output)  # on failure the spool that holds `ready` is removed, as it is
            return stats
        if not swap:
            output.mkdir(parents=True)
            _write_marker(output, {})  # ours from the start: an interrupted first write is resumed
            return _apply(output, files, plan, private=True)
        staging = output.with_name(f".{output.name}.new")
        staging.mkdir(parents=True)
        try:
            stats = _apply(staging, files, plan, private=True, home=output)
            os.rename(staging, output)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return stats
    if not (swap and most):
        return _apply(output, files, plan)
    staging = output.with_name(f".{output.name}.new")
    old = output.with_name(f".{output.name}.old")
    try:
        shutil.copytree(output, staging, copy_function=os.link, symlinks=True)
        stats = _apply(staging, files, plan, private=True, home=output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not _exchange(staging, output):
        os.rename(output, old)
        os.rename(staging, output)
        staging = old
    shutil.rmtree(staging, ignore_errors=True)
    return stats


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes  # here: 2 ms of every text edit's start-up, for a swap build's last step

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0
