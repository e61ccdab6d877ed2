"""Which seeds are due for import, told without the importer: each briefing's link to the seed it was made
from (`seed:` in its front matter), read incrementally, and each seed's hash. `briefings build` asks this
before every full build; the importer itself (the NER model, the seed parser: ~25 ms of imports) is loaded
only when a seed is due.
"""

from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.read.content import is_content_name, seed_link

try:  # libyaml is much faster for reading thousands of front matters
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SEED_SUFFIX = ".txt"
MAX_SEED_BYTES = 2_000_000  # a larger seed is refused by the importer (read/importer.py says why)


def sha256_hex(data: bytes) -> str:
    """`sha256:<hex>`: how a briefing's front matter records the hash of its seed (`seed.hash`) and of
    its text as imported (`body_hash`)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LinkedBriefing:
    """A briefing the importer made from a seed: where it is, its slug, the seed's hash when imported and
    its `date` as written."""

    path: Path
    slug: str
    source_hash: str
    date: Any


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a briefing file as a dict ({} if it has none or it is broken)."""
    if not text.startswith("---"):
        return {}
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[3:], re.M)
    if not end:
        return {}
    try:
        meta = yaml.load(text[3 : 3 + end.start()], Loader=_Loader)
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def briefing_files(briefings_dir: Path) -> list[tuple[Path, tuple[int, int]]]:
    """The briefing files under `briefings_dir` (*.md, not hidden), sorted, each with its (mtime_ns,
    size): regular files only (a FIFO would block the read below; the build reports it)."""
    if not briefings_dir.is_dir():
        return []
    found = []
    for path in briefings_dir.rglob("*.md"):
        if not is_content_name(path.name):
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((path, (st.st_mtime_ns, st.st_size)))
    return sorted(found)


@dataclass(frozen=True)
class BriefingRead:
    """What the importer takes from one briefing file's front matter, with the file's (mtime_ns, size)
    when read: kept across builds (`briefing_index`'s `memo`), as matching seeds to briefings reads every
    briefing's front matter (0.1 ms a file: 0.43 s of a full build at 4,000 briefings with seeds)."""

    stamp: tuple[int, int] | None
    slug: str
    link: tuple[str, str] | None  # `seed_link`: (seed file name, its hash when imported)
    date: Any
    unreadable: str | None  # the file's text when its front matter cannot be read


def read_briefing(path: Path, stamp: tuple[int, int] | None) -> BriefingRead:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    meta = front_matter(text)
    broken = not meta and text.startswith("---")
    return BriefingRead(
        stamp,
        str(meta.get("slug") or path.stem),
        seed_link(meta),
        meta.get("date"),
        text if broken else None,
    )


def briefing_index(
    briefings_dir: Path, memo: dict[str, BriefingRead] | None = None
) -> tuple[dict[str, LinkedBriefing], set[str], dict[Path, str]]:
    """Briefings by their seed's file name, every slug in use, and the text of each briefing whose front
    matter cannot be read (it may be any seed's: see the importer's `_unreadable_match`). `memo`: what earlier calls
    read, by path; a file whose size and mtime are unchanged is not read again (the memo is brought up to
    date in place)."""
    by_seed: dict[str, LinkedBriefing] = {}
    slugs: set[str] = set()
    unreadable: dict[Path, str] = {}
    files = briefing_files(briefings_dir)
    for path, stamp in files:
        if memo is not None:
            kept = memo.get(str(path))
            read = kept if kept is not None and kept.stamp == stamp else None
            if read is None:
                read = memo[str(path)] = read_briefing(path, stamp)
        else:
            read = read_briefing(path, None)
        slugs.update({read.slug, path.stem})
        if read.link:
            by_seed.setdefault(
                read.link[0], LinkedBriefing(path, read.slug, read.link[1], read.date)
            )
        elif read.unreadable is not None:
            unreadable[path] = read.unreadable
    if memo is not None:
        for gone in memo.keys() - {str(p) for p, _ in files}:
            del memo[gone]
    return by_seed, slugs, unreadable


def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed files in a folder (*.txt, not hidden), sorted."""
    if not seeds_dir.is_dir():
        return []
    return sorted(
        p for p in seeds_dir.glob(f"*{SEED_SUFFIX}") if is_content_name(p.name) and p.is_file()
    )


def seeds_to_import(
    seeds_dir: Path, briefings_dir: Path, memo: dict[str, BriefingRead] | None = None
) -> list[Path]:
    """Seeds with no briefing yet, or changed since their briefing was made from them: what the importer
    should be given. `memo`: as `briefing_index` takes it."""
    seeds = seed_files(seeds_dir)
    if not seeds:
        return []
    by_seed, _, _ = briefing_index(briefings_dir, memo)
    stale = []
    for seed in seeds:
        existing = by_seed.get(seed.name)
        try:
            if existing is None:
                stale.append(seed)
                continue
            st = seed.stat()
            # newer than its briefing and not the text it was made from (`import_seeds` would find it
            # "unchanged": a seed touched or checked out after its briefing would be due on every build)
            if st.st_mtime_ns > existing.path.stat().st_mtime_ns and (
                st.st_size > MAX_SEED_BYTES or sha256_hex(seed.read_bytes()) != existing.source_hash
            ):
                stale.append(seed)
        except OSError:
            stale.append(seed)
    return stale
