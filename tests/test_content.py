"""Parsing content files (read/content.py): what a parsed briefing keeps alive."""

from __future__ import annotations

import gc

from generator.core.config import load_config
from generator.core.model import BriefingFile, Document
from generator.read.content import load_briefing, read_document
from generator.read.markup import Markup
from tests.conftest import briefing_md


def test_parsing_keeps_no_document_alive(make_site):
    """A build holds every parsed briefing (1,000,000 at most sizes we measure): the file's text and front
    matter (`Document`) must go once it is parsed, or a worker parsing half a million files holds them all
    (a cache keyed by the parse's checker once kept 65,536 of them, ~450 MB, per process)."""
    project = make_site(
        {
            f"content/briefings/b{i:02d}.md": briefing_md(
                f"Briefing {i}", body=f"Paragraph {i} about Chad. " * 40, countries=["Chad"]
            )
            for i in range(40)
        }
    )
    config = load_config(project.root)
    markup = Markup.for_config(config)
    parsed = [
        load_briefing(read_document(path), config, markup.render)
        for path in sorted((project.root / "content/briefings").glob("*.md"))
    ]
    assert all(isinstance(p, BriefingFile) for p in parsed)
    gc.collect()
    assert sum(type(o) is Document for o in gc.get_objects()) == 0
