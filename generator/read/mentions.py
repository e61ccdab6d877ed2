"""The sentence of a briefing that names each of its terms, cut to a short excerpt, found at parse time.

A term page's chronology shows each briefing's takeaways, and where they don't name the term, the sentence
that does. Finding it needs the body; keeping the excerpt on the `Briefing` card means term pages never
hold bodies, so editing a briefing's text renders the term pages again only when an excerpt changed.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping

from generator.core.model import Mention

EXCERPT = 220  # characters at most, ellipses aside
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|div|td|th|dd|dt)>|<br ?/?>")
_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_NOTE = re.compile(r"\[\d+\]")  # citation numbers: noise in an excerpt


def names_of(taxonomy: str, name: str) -> tuple[str, ...]:
    """The spellings that count as naming a term: the name, and for people their surname."""
    spellings = [name]
    words = name.split()
    if taxonomy == "people" and len(words) > 1 and len(words[-1]) > 2:
        spellings.append(words[-1])
    return tuple(spellings)


@functools.lru_cache(maxsize=8192)  # term names repeat across thousands of briefings
def _pattern(taxonomy: str, name: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(s) for s in names_of(taxonomy, name))
    flags = re.I if taxonomy == "topics" else 0
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


def blocks(body_html: str) -> str:
    """The body's text, one line per paragraph, list item or heading (one pass of each regex over the whole
    body: this runs for every briefing)."""
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", body_html)))
    if "[" in text:
        text = _NOTE.sub("", text)
    return "\n".join(" ".join(words) for line in text.split("\n") if (words := line.split()))


def sentence_at(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The sentence of `text` (lines of paragraphs) holding [start, end), and the span's place in it."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    line = text[first : last if last >= 0 else len(text)]
    offset = 0
    for piece in _SENTENCE_END.split(line):
        at = line.find(piece, offset)
        if at <= start - first < at + len(piece):
            return piece, start - first - at, end - first - at
        offset = at + len(piece)
    return line, start - first, end - first


def excerpt(sentence: str, start: int, end: int, term: str) -> Mention:
    """`sentence` cut to about EXCERPT characters around [start, end), at word boundaries."""
    before, match, after = sentence[:start], sentence[start:end], sentence[end:]
    room = max(EXCERPT - len(match), 40)
    if len(before) + len(after) > room:
        keep_before = min(len(before), room // 3)
        keep_after = room - keep_before
        if len(after) < keep_after:
            keep_before = room - len(after)
        if len(before) > keep_before:
            cut = before[len(before) - keep_before :]
            cut = cut[cut.find(" ") + 1 :] if " " in cut else cut
            before = "…" + cut
        if len(after) > keep_after:
            cut = after[:keep_after]
            cut = cut[: cut.rfind(" ")] if " " in cut else cut
            after = cut.rstrip(",;:") + "…"
    return Mention(term=term, before=before, match=match, after=after)


def _may_hold(text: str, spellings: tuple[str, ...], taxonomy: str) -> bool:
    """A quick test before the regex: does any spelling occur at all (str.find is far cheaper)?"""
    if taxonomy == "topics":
        text, spellings = text.lower(), tuple(s.lower() for s in spellings)
    return any(s in text for s in spellings)


def find_mentions(
    terms: Mapping[str, Iterable[str]],
    takeaways: Iterable[str],
    summary: str,
    body_html: str,
) -> tuple[Mention, ...]:
    """For each term the takeaways don't name, the first sentence of the summary or body that does."""
    said = "\n".join(takeaways)
    text: str | None = None
    found: list[Mention] = []
    for taxonomy, names in terms.items():
        for name in names:
            spellings = names_of(taxonomy, name)
            pattern = _pattern(taxonomy, name)
            if _may_hold(said, spellings, taxonomy) and pattern.search(said):
                continue
            if text is None:
                text = " ".join(summary.split()) + "\n" + blocks(body_html)
            hit = pattern.search(text) if _may_hold(text, spellings, taxonomy) else None
            if hit:
                sentence, start, end = sentence_at(text, hit.start(), hit.end())
                found.append(excerpt(sentence, start, end, name))
    return tuple(found)
