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

# A run of letters and digits, whole, of at most MAX_TERM characters (longer runs are hashes or garbage: skipped).
_TOKEN_RE = re.compile(rf"(?<![^\W_])[^\W_]{{1,{MAX_TERM}}}(?![^\W_])")
_TAG_RE = re.compile(r"<[^>]*>")


def tokens(text: str) -> list[str]:
    """Search terms of a text: accents removed, lower case, runs of letters and digits (as static/search.js does)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_STRIP_MARKS)
    return _TOKEN_RE.findall(text.lower())


class _MarkStripper(dict[int, int | None]):
    """str.translate table deleting combining marks (Unicode category M), filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)).startswith("M") else code
        self[code] = value
        return value


_STRIP_MARKS = _MarkStripper()


# proclitics of Arabic written words: the article, and 'and'/'with'/'for' fused to it
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")


def arabic_stem(term: str) -> str:
    """An Arabic word without its article (and a conjunction or preposition fused to it), so a search for
    the bare word finds it; any other word as it is."""
    if not term or not "\u0600" <= term[0] <= "\u06ff":
        return term
    for prefix in _ARABIC_PREFIXES:
        if term.startswith(prefix) and len(term) - len(prefix) >= 3:
            return term[len(prefix) :]
    return term


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment (rendered Markdown), tags dropped, entities decoded."""
    return html.unescape(_TAG_RE.sub(" ", fragment))


def index_terms(
    title: str,
    summary: str,
    takeaways: Iterable[str],
    terms: Mapping[str, Iterable[str]],
    body_html: str,
) -> str:
    """A briefing's weighted word counts, 'term:tf term:tf ...' sorted by term (compact: kept on every Briefing)."""
    counts = Counter(tokens(title))
    for term in counts:
        counts[term] *= TITLE_WEIGHT
    rest = [
        summary,
        *takeaways,
        *(name for names in terms.values() for name in names),
        plain_text(body_html),
    ]
    counts.update(tokens("\n".join(rest)))
    for term, tf in list(
        counts.items()
    ):  # Arabic: found without its article too ('فاشر', 'الفاشر')
        if (bare := arabic_stem(term)) != term:
            counts[bare] += tf
    return " ".join(
        [f"{term}:{tf if tf < MAX_TF else MAX_TF}" for term, tf in sorted(counts.items())]
    )
