"""A parsed seed written as a briefing file: YAML front matter, then Markdown that shows the text exactly.

Body hash: `body_hash` in the front matter is `sha256:` + the hex SHA-256 of the file's UTF-8 bytes with
the `body_hash:` line itself removed. A file whose bytes still hash to it is untouched since the import
and may be regenerated; any edit (body or front matter) makes it the editor's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

import yaml

from generator.core.urls import slug_from
from generator.read.seed_index import sha256_hex
from generator.read.seed_source import find_source
from generator.read.seeds import Seed, summarize

if TYPE_CHECKING:
    from generator.read.entities import Entities

WORDS_PER_MINUTE = 220
BODY_HASH_KEY = "body_hash"

_ENTITY_LIKE = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]#|])")


def escape_markdown(text: str) -> str:
    """Text that Python-Markdown (extra, toc, sane_lists, smarty) shows exactly as written, never as markup or HTML.

    Straight quotes, `--` and `...` are left for smarty to typeset, as in hand-written content.
    """
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    # Constructs recognised only at the start of a line: quotes, lists, rules, definitions, fences.
    if text.startswith(">") or text.startswith(("-", "+")):
        text = "\\" + text
    elif re.match(r"\d+\.(?:\s|$)", text):
        text = re.sub(r"^(\d+)\.", r"\1\\.", text)
    elif text.startswith(":"):
        text = "&#58;" + text[1:]
    elif text.startswith("~~~"):
        text = "&#126;" + text[1:]
    elif text.startswith("="):
        text = "&#61;" + text[1:]
    return text


def markdown_body(seed: Seed) -> str:
    """The seed's blocks as Markdown: paragraphs, `## ` headings and `- ` lists, every text escaped."""
    parts: list[str] = []
    for block in seed.blocks:
        if block.kind == "heading":
            parts.append("## " + escape_markdown(block.text))
        elif block.kind == "bullets":
            parts.append("\n".join("- " + escape_markdown(item) for item in block.items))
        elif block.kind == "numbered":
            parts.append(
                "\n".join(f"{n}. " + escape_markdown(item) for n, item in enumerate(block.items, 1))
            )
        else:
            parts.append(escape_markdown(block.text))
    return "\n\n".join(parts) + "\n"


def slugify_title(title: str) -> str:
    """A URL slug: transliterated, lowercase, hyphenated, at most 80 characters cut at a word; never empty."""
    return slug_from(title, fallback="briefing", in_order=True)


def reading_minutes(text: str) -> int:
    """Minutes to read at 220 words a minute, at least 1."""
    return max(1, round(len(text.split()) / WORDS_PER_MINUTE))


def _without_body_hash(text: str) -> str:
    return re.sub(rf"(?m)^{BODY_HASH_KEY}:.*\n", "", text, count=1)


def body_hash_of(text: str) -> str:
    """The body hash of a briefing file's text: its SHA-256 without the `body_hash:` line."""
    return sha256_hex(_without_body_hash(text).encode("utf-8"))


def stored_body_hash(text: str) -> str:
    """The `body_hash` a briefing file says it had when imported ('' if none)."""
    m = re.search(rf"(?m)^{BODY_HASH_KEY}:\s*['\"]?(sha256:[0-9a-f]{{64}})['\"]?\s*$", text)
    return m.group(1) if m else ""


def is_untouched(text: str) -> bool:
    """True if a briefing file is exactly as the importer wrote it (its body hash still matches)."""
    stored = stored_body_hash(text)
    return bool(stored) and stored == body_hash_of(text)


try:  # libyaml writes the same YAML several times faster
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


def _dump(meta: dict[str, object]) -> str:
    return yaml.dump(
        meta,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )


def seed_to_markdown(
    seed: Seed,
    *,
    source_name: str,
    source_hash: str,
    date: datetime,
    entities: Entities,
    slug: str,
) -> str:
    """The whole briefing file for a seed: YAML front matter (see module docstring for body_hash), then Markdown.

    `source` is what the seed says it comes from (absent if it says nothing); `seed` records the seed
    file and its hash, for the importer only: a file name is never shown to readers."""
    if date.tzinfo is None:
        raise ValueError("seed_to_markdown needs a timezone-aware date")
    source, seed = find_source(seed)
    body = markdown_body(seed)
    first = next((b.text for b in seed.blocks if b.kind == "paragraph"), "")
    summary = summarize(first) if first else (seed.takeaways[0] if seed.takeaways else "")
    meta: dict[str, object] = {
        "title": seed.headline,
        "slug": slug,
        "date": date.isoformat(),
        "summary": summary,
        "takeaways": list(seed.takeaways),
        "countries": list(entities.countries),
        "people": list(entities.people),
        "organisations": list(entities.organisations),
        "topics": list(entities.topics),
    }
    if source:
        meta["source"] = source.front_matter()
    meta["seed"] = {"file": source_name, "hash": source_hash}
    if seed.byline:
        meta["byline"] = seed.byline
    meta["reading_time"] = reading_minutes(body + " " + " ".join(seed.takeaways))
    head = "---\n" + _dump(meta)
    text = f"{head}---\n\n{body}"
    digest = body_hash_of(text)
    return f"{head}{BODY_HASH_KEY}: {digest}\n---\n\n{body}"
