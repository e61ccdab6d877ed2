"""A build's reading of the content files: each one from memory (serve), from .cache/ (trusted by its
mtime and size, or found by its bytes' digest), or parsed; the files found in no cache are parsed together
after the walk, in worker processes when many."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.build.cache import BuildCache
from generator.build.images import inputs_current
from generator.build.state import Cached
from generator.core.errors import Problem, SiteError
from generator.core.model import BriefingFile, Document
from generator.read.content import read_content_bytes, read_document
from generator.read.markup import Markup


@dataclass
class Pending:
    """A content file found in no cache, waiting to be parsed."""

    path: Path
    stamp: tuple[int, int]
    parse: Any
    read: Any
    data: bytes | None  # None: read by the parser
    item: Any = None


def parse_pending(markup: Markup, job: Pending) -> tuple[Any, list[Problem]]:
    """Parse one file (in a worker process when many): (item, []) or (None, problems)."""
    try:
        doc = read_document(job.path, job.data) if job.read is read_document else job.read(job.path)
        return job.parse(doc, markup), []
    except SiteError as exc:
        return None, exc.problems
    except OSError as exc:
        return None, [Problem(job.path, None, f"cannot read: {exc.strerror}")]


def resolve_pending(item: Any) -> Any:
    """A parsed item, or the item a Pending job parsed."""
    return item.item if isinstance(item, Pending) else item


@dataclass
class ContentReads:
    """One build's walk of the content files: `load` gives each file's parsed item, or a `Pending` job for
    the files no cache holds; what the walk met (files seen, problems) is kept for the caller."""

    documents: dict[Path, Cached]  # the builder's parsed files by path, updated here
    cache: BuildCache | None
    verify: bool  # --verify: every file is read and hashed
    content_root: Path
    previous_words: dict[str, bytes]  # slug -> search words of a briefing parsed again
    seen: set[Path] = field(default_factory=set)
    pending: list[Pending] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def load(
        self,
        path: Path,
        parse: Callable[[Document, Markup], Any],
        read: Callable[..., Document] = read_document,
    ) -> Any:
        self.seen.add(path)
        cache = self.cache
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                if not path.resolve().is_relative_to(self.content_root):
                    raise SiteError.at(
                        path, None, "symlink points outside content/; copy the file in instead"
                    )
                st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size)
            cached = self.documents.get(path)
            trust = not self.verify
            if cached and cached.stamp == stamp and trust and inputs_current(cached.item):
                return cached.item
            item = cache.document_at(path, stamp) if cache and trust else None
            if item is not None and inputs_current(item):
                self.documents[path] = Cached(stamp, item)
                return item
            entry = cache.documents.get(str(path)) if cache else None
            before = cached.item if cached else (entry[1] if entry else None)
            # never parsed: the worker reads it too (a cold build reads in parallel)
            if before is None:
                self.pending.append(Pending(path, stamp, parse, read, None))
                return self.pending[-1]
            # its search words, so the index patches instead of rebuilding
            if isinstance(before, BriefingFile):
                self.previous_words[before.briefing.slug] = before.body.packed_words
            data = read_content_bytes(path)
            item = cache.document(path, hashlib.sha256(data).hexdigest()) if cache else None
            if item is None or not inputs_current(item):
                self.pending.append(Pending(path, stamp, parse, read, data))
                return self.pending[-1]
            self.documents[path] = Cached(stamp, item)
            return item
        except SiteError as exc:
            self.documents.pop(path, None)
            self.problems.extend(exc.problems)
        except OSError as exc:
            self.problems.append(Problem(path, None, f"cannot read: {exc.strerror}"))
        return None
