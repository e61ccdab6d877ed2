"""What a Builder keeps between builds: parsed files by their stamps, and the last successful build's site,
environment, keys and pages (for `quick` and `settle`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from generator.build.keys import PageKeys
from generator.core.model import Briefing, BriefingFile, OutputPage, Page, Site, TermInfo
from generator.read.markup import Markup


@dataclass
class Cached:
    """A content file as parsed, with the (mtime_ns, size) it had then."""

    stamp: tuple[int, int]
    item: BriefingFile | Page | TermInfo


@dataclass(frozen=True)
class LastBuild:
    """What `Builder.quick` and `settle.settle_bodies` need of the last successful build."""

    site: Site
    env: Any
    keys: PageKeys
    markup: Markup
    pages: Mapping[str, OutputPage]  # the keyed pages as planned, by path
    files: int = 0  # in the output folder once it was written (what a build reports)

    @cached_property
    def by_slug(self) -> dict[str, Briefing]:
        """The site's visible briefings by slug."""
        return {b.slug: b for b in self.site.briefings}
