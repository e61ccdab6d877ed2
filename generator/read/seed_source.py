"""Where a seed says it comes from: its own source line, never its file name. Pure.

Recognised, in this order: a paragraph that is a source label ("Source: Reuters", "Source: Reuters,
https://...", "Via: ..."), a last paragraph that is a bare link, and a wire-service dateline opening the
first paragraph ("LONDON (Reuters) -", "Reuters -"). The label line and the trailing link are taken out of
the body; a dateline stays in the text it opens. A seed with none of these has no source.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from generator.read.seeds import Seed

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_LABEL = re.compile(
    r"^(?:sources?|via|originally published (?:by|in|at|on)|published by|publisher|read more at)\s*[:—–-]\s*"
    r"(?P<rest>\S.*)$",
    re.I,
)
_AGENCIES = "Reuters|AP|AFP|Associated Press|Agence France-Presse|Bloomberg|Xinhua|TASS|Interfax|Kyodo|Yonhap"
_WIRE = re.compile(
    r"^(?:[A-Z][A-Za-z .,'’-]{0,40}\s)?\((?P<paren>" + _AGENCIES + r")\)\s*[-–—]"
    r"|^(?P<lead>" + _AGENCIES + r")\s+[-–—]\s"
)


@dataclasses.dataclass(frozen=True)
class SeedSource:
    """A publisher's name and/or the URL of the original."""

    name: str = ""
    url: str = ""

    def front_matter(self) -> dict[str, str]:
        """The `source:` mapping of a briefing's front matter."""
        return {k: v for k, v in (("name", self.name), ("url", self.url)) if v}


def _from_label(rest: str) -> SeedSource:
    link = _URL.search(rest)
    url = link.group(0) if link else ""
    name = (rest[: link.start()] + rest[link.end() :] if link else rest).strip(" ,;:|–—-()<>")
    return SeedSource(name or _host(url), url)


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def find_source(seed: Seed) -> tuple[SeedSource | None, Seed]:
    """(the seed's source or None, the seed without its source line)."""
    blocks = list(seed.blocks)
    for i, block in enumerate(blocks):
        m = _LABEL.match(block.text) if block.kind == "paragraph" else None
        if m and len(block.text) <= 300:
            del blocks[i]
            return _from_label(m.group("rest")), dataclasses.replace(seed, blocks=tuple(blocks))
    last = blocks[-1] if blocks else None
    if last and last.kind == "paragraph" and _URL.fullmatch(last.text.strip("<> ")):
        url = last.text.strip("<> ")
        return SeedSource(_host(url), url), dataclasses.replace(seed, blocks=tuple(blocks[:-1]))
    first = next((b for b in blocks if b.kind == "paragraph"), None)
    wire = _WIRE.match(first.text) if first else None
    if wire:
        return SeedSource(wire.group("paren") or wire.group("lead")), seed
    return None, seed
