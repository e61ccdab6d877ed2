"""Content files found in no cache: parsed together after the walk, in worker processes when many."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.errors import Problem, SiteError
from generator.read.content import read_document
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
