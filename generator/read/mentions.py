"""The sentence of a briefing that names each of its terms, cut to a short excerpt, found at parse time.

A term page's chronology shows each briefing's takeaways, and where they don't name the term, the sentence
that does. Finding it needs the body; keeping the excerpt on the `Briefing` card means term pages never
hold bodies, so editing a briefing's text renders the term pages again only when an excerpt changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from generator.core.model import Mention
from generator.read.words import plain_text

EXCERPT = 220  # characters at most, ellipses aside
# paragraphs and list items of the rendered body, one block each
_BLOCK = re.compile(r"<(p|li|blockquote|h[2-6])\b[^>]*>(.*?)</\1>", re.S | re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_SPACE = re.compile(r"\s+")
_NOTE = re.compile(r"\[\d+\]")  # citation numbers: noise in an excerpt


def names_of(taxonomy: str, name: str) -> tuple[str, ...]:
    """The spellings that count as naming a term: the name, and for people their surname."""
    spellings = [name]
    words = name.split()
    if taxonomy == "people" and len(words) > 1 and len(words[-1]) > 2:
        spellings.append(words[-1])
    return tuple(spellings)


def _pattern(taxonomy: str, name: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(s) for s in names_of(taxonomy, name))
    flags = re.I if taxonomy == "topics" else 0
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


def sentences(body_html: str) -> list[str]:
    """The body's sentences as plain text, in order."""
    out: list[str] = []
    for match in _BLOCK.finditer(body_html):
        text = _SPACE.sub(" ", _NOTE.sub("", plain_text(match.group(2)))).strip()
        if text:
            out.extend(s.strip() for s in _SENTENCE_END.split(text) if s.strip())
    return out


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


def find_mentions(
    terms: Mapping[str, Iterable[str]],
    takeaways: Iterable[str],
    summary: str,
    body_html: str,
) -> tuple[Mention, ...]:
    """For each term the takeaways don't name, the first sentence of the summary or body that does."""
    said = "\n".join(takeaways)
    text: list[str] | None = None
    found: list[Mention] = []
    for taxonomy, names in terms.items():
        for name in names:
            pattern = _pattern(taxonomy, name)
            if pattern.search(said):
                continue
            if text is None:
                text = [
                    *(s for s in _SENTENCE_END.split(summary) if s.strip()),
                    *sentences(body_html),
                ]
            for sentence in text:
                hit = pattern.search(sentence)
                if hit:
                    found.append(excerpt(sentence, hit.start(), hit.end(), name))
                    break
    return tuple(found)
