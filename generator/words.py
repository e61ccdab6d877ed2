"""Search terms of a briefing: the one tokenizer shared by the parse stage, the index and static/search.js."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

PREFIX = 3  # code points of a term that name its index shard
MAX_TERM = 40  # longer "words" are hashes, URLs or garbage: not indexed
MAX_TF = 99
TITLE_WEIGHT = 3

_TOKEN_RE = re.compile(r"[^\W_]+")
_TAG_RE = re.compile(r"<[^>]*>")


def tokens(text: str) -> list[str]:
    """Search terms of a text: accents removed, lower case, runs of letters and digits (as static/search.js does)."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M"))
    return [t for t in _TOKEN_RE.findall(text.lower()) if len(t) <= MAX_TERM]


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment (rendered Markdown), tags dropped, entities decoded."""
    return html.unescape(_TAG_RE.sub(" ", fragment))


def index_terms(title: str, summary: str, takeaways: Iterable[str], terms: Mapping[str, Iterable[str]], body_html: str) -> str:
    """A briefing's weighted word counts, 'term:tf term:tf ...' sorted by term (compact: kept on every Briefing)."""
    counts = Counter(tokens(title))
    for term in counts:
        counts[term] *= TITLE_WEIGHT
    counts.update(tokens(summary))
    for line in takeaways:
        counts.update(tokens(line))
    for names in terms.values():
        for name in names:
            counts.update(tokens(name))
    counts.update(tokens(plain_text(body_html)))
    return " ".join(f"{term}:{min(tf, MAX_TF)}" for term, tf in sorted(counts.items()))
