"""What a build is asked to do (`BuildOptions`) and what it did (`BuildReport`, `WriteStats`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from generator.build.progress import Progress


@dataclass(frozen=True)
class WriteStats:
    """What the writer did to the output folder."""

    written: int
    unchanged: int
    removed: int
    # output paths written or removed (serve tells open tabs)
    changed_paths: frozenset[str] = frozenset()
    created: int = 0  # of those written, files that were not there before (`write_files`)


@dataclass(frozen=True)
class BuildOptions:
    """Command-line choices that change what is built."""

    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    output: Path | None = None
    swap: bool = True  # replace the output folder atomically (CLI); serve writes in place
    run_import: bool = True  # import seeds newer than their briefings first
    cache: bool = True  # read and write the persistent cache in .cache/ (--no-cache: neither)
    jobs: int = 0  # worker processes for cold builds; 0 = one per core, 1 = serial
    progress: Progress | None = None  # stage and pages done, for long builds in a terminal
    as_of: datetime | None = None  # build the site as it is at this moment (default: now)
    # add the URLs this build publishes to published-urls.txt (serve, a preview, does not)
    record_urls: bool = True
    # hash every content file instead of trusting an unchanged size and mtime (--verify)
    verify: bool = False
    # rendered pages wait on disk, not in memory, until written (build/spool.py): a one-shot build
    spool: bool = False

    def output_of(self, root: Path) -> Path:
        """The output folder of a build of the project at `root`: --output, or its output/."""
        return (self.output or root / "output").resolve()

    def moment(self, tz: tzinfo) -> datetime:
        """The moment the site is built for: --as-of, or the clock."""
        return self.as_of or datetime.now(tz)

    @property
    def records_urls(self) -> bool:
        """Whether the build adds to the URL record: not a preview at another moment (--as-of)."""
        return self.record_urls and self.as_of is None


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the one-line summary and for tests."""

    output: Path
    pages: int  # files in the site
    rendered: int  # pages rendered this time (the rest were unchanged inputs)
    stats: WriteStats
    seconds: float
    imported: tuple[Any, ...] = ()
    base_path: str = "/"  # where the site expects to be served, for the "view it" hint
    images_derived: int = 0  # image files encoded this time (the rest came from .cache/images/)
    warnings: tuple[str, ...] = ()  # `path:line: message` of what is published but should be fixed
    # how: "" (a full build), "unchanged" (nothing to do), "text edits" (build/text_edits.py)
    shortcut: str = ""

    def summary(self) -> str:
        return (
            f"built {self.pages} files in {self.seconds:.2f} s "
            f"({self.rendered} rendered, {self.stats.written} written, {self.stats.unchanged} unchanged, "
            f"{self.stats.removed} removed{', text edits only' if self.shortcut == 'text edits' else ''})"
            f" -> {self.output}"
        )
