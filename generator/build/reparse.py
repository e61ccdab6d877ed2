"""Briefing files parsed again as a build parses them: the read side of an edit to briefings' text alone.

Serve's settle calls `reparse` with the Markdown converter it keeps (build/settle.py). A CLI build after
text edits calls `reparse_all` in a forked child (build/text_edits.py): it imports Python-Markdown and
compiles its patterns, ~45 ms of a 0.2 s build at 2,000 briefings, while the parent imports the renderer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from generator.core.config import Config
from generator.core.errors import SiteError
from generator.core.model import BriefingFile
from generator.read.content import (
    RenderMarkdown,
    load_briefing,
    read_content_bytes,
    read_document,
)
from generator.read.markup import Markup

Reparsed = tuple[tuple[int, int], BriefingFile]  # ((mtime_ns, size) before the read, the briefing)


def reparse(path: Path, config: Config, render: RenderMarkdown) -> Reparsed | None:
    """A briefing file parsed again as a build would, with its (mtime_ns, size) before the read; None when
    it cannot be read or has an error (the full build reports it)."""
    try:
        st = os.stat(path)
        data = read_content_bytes(path)
        new = load_briefing(read_document(path, data), config, render)
    except (OSError, SiteError):
        return None
    return (st.st_mtime_ns, st.st_size), new


def reparse_all(config: Config, paths: Sequence[str]) -> list[Reparsed | None]:
    """`reparse` of each path in order with the site's Markdown, up to the first that fails (the full
    build follows it, so the rest need no parse)."""
    render = Markup.for_config(config).render
    found: list[Reparsed | None] = []
    for path in paths:
        found.append(again := reparse(Path(path), config, render))
        if again is None:
            break
    return found
