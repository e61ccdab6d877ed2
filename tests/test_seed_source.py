"""A seed's own source line becomes `source:`; a seed without one has none, and a file name is never one."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from generator.build.builder import BuildOptions, build
from generator.read.entities import Entities, load_registry
from generator.read.importer import import_seeds
from generator.read.seed_markdown import seed_to_markdown
from generator.read.seed_source import SeedSource, find_source
from generator.read.seeds import parse_seed

WHEN = datetime(2026, 11, 22, 9, tzinfo=UTC)


def meta_of(seed_text: str) -> dict:
    seed = parse_seed(seed_text)
    doc = seed_to_markdown(
        seed,
        source_name="000_ab.txt",
        source_hash="sha256:" + "0" * 64,
        date=WHEN,
        entities=Entities(),
        slug="x",
    )
    return yaml.safe_load(doc.split("---\n")[1])


def test_source_label_line_with_url():
    text = (
        "Iran Talks Resume\n\nDiplomats met in Vienna on Monday.\n\n"
        "Source: Voice of America, https://www.voanews.com/a/iran-talks/123.html\n"
    )
    found, seed = find_source(parse_seed(text))
    assert found == SeedSource("Voice of America", "https://www.voanews.com/a/iran-talks/123.html")
    assert all("Source" not in b.text for b in seed.blocks)
    assert meta_of(text)["source"] == {
        "name": "Voice of America",
        "url": "https://www.voanews.com/a/iran-talks/123.html",
    }


def test_wire_dateline_and_trailing_link():
    wire = (
        "Talks Stall\n\nKYIV, Ukraine (Reuters) - Ukraine said on Monday that talks had stalled.\n"
    )
    assert meta_of(wire)["source"] == {"name": "Reuters"}
    lead = "Talks Stall\n\nReuters - Ukraine said on Monday that talks had stalled.\n"
    assert meta_of(lead)["source"] == {"name": "Reuters"}
    link = "Talks Stall\n\nUkraine said that talks had stalled.\n\nhttps://example.org/story\n"
    assert meta_of(link)["source"] == {"name": "example.org", "url": "https://example.org/story"}


def test_no_source_line_means_no_source_and_never_the_file_name():
    meta = meta_of("Talks Stall\n\nUkraine said on Monday that talks had stalled.\n")
    assert "source" not in meta
    assert meta["seed"]["file"] == "000_ab.txt"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.classes.extend((dict(attrs).get("class") or "").split())

    def handle_data(self, data):
        self.text.append(data)


def test_built_page_shows_no_file_name(tmp_path: Path):
    (tmp_path / "site.yaml").write_text("title: T\n", encoding="utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_3e7346ba372a76a7.txt").write_text(
        "Talks Stall in Geneva\n\nUkraine said on Monday that talks had stalled in Geneva.\n",
        encoding="utf-8",
    )
    briefings = tmp_path / "content" / "briefings"
    briefings.mkdir(parents=True)
    import_seeds(
        sorted(seeds.glob("*.txt")), briefings, tz=ZoneInfo("UTC"), registry=load_registry(None)
    )
    # an old import record (before `seed:`) is not a source either
    (briefings / "old.md").write_text(
        "---\ntitle: Old\ndate: 2026-01-01\nsource: {name: 001_ff.txt, hash: 'sha256:00'}\n---\n\nText.\n",
        encoding="utf-8",
    )
    build(tmp_path, BuildOptions())
    for page in (tmp_path / "output" / "briefings").glob("*/index.html"):
        parsed = _Text()
        parsed.feed(page.read_text(encoding="utf-8"))
        assert "source" not in parsed.classes
        assert not any(".txt" in t for t in parsed.text)
