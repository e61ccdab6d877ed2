"""Which of a site's languages a seed is written in, from its script and its commonest short words: enough to
tell English, French, Ukrainian, Russian and Arabic apart without a model (`briefings import`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

ENGLISH = "en"
# languages whose entities the NER model (read/ner.py, an English pipeline) can find
NER_LANGUAGES = (ENGLISH,)
_WORD_RE = re.compile(r"[^\W\d_]+")
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "was", "by"},
    "fr": {"le", "la", "les", "et", "des", "du", "un", "une", "est", "dans", "pour", "sur", "que"},
    "de": {"der", "die", "das", "und", "ist", "nicht", "mit", "ein", "eine", "auf", "für", "den"},
    "es": {"el", "la", "los", "las", "y", "del", "que", "en", "por", "con", "una", "para"},
    "uk": {"і", "та", "що", "на", "не", "до", "від", "це", "як", "його", "її", "є"},
    "ru": {"и", "что", "на", "не", "в", "по", "от", "это", "как", "его", "её", "с"},
}
_SCRIPT_LANGUAGES = {"arabic": ("ar", "fa", "ur"), "hebrew": ("he", "yi")}


def detect(text: str, codes: Sequence[str]) -> str:
    """The code in `codes` (a site's languages, the default first) the text is most likely written in; the
    default when nothing tells."""
    words = [w.lower() for w in _WORD_RE.findall(text[:20000])]
    if not words or not codes:
        return codes[0] if codes else ENGLISH
    arabic = sum(1 for w in words if "\u0600" <= w[0] <= "\u06ff")
    hebrew = sum(1 for w in words if "\u0590" <= w[0] <= "\u05ff")
    for script, count in (("arabic", arabic), ("hebrew", hebrew)):
        if count > len(words) / 2:
            return next(
                (c for c in codes if c.split("-")[0] in _SCRIPT_LANGUAGES[script]), codes[0]
            )
    cyrillic = sum(1 for w in words if "\u0400" <= w[0] <= "\u04ff")
    scores: Counter[str] = Counter()
    for code in codes:
        base = code.split("-")[0]
        common = _STOPWORDS.get(base, set())
        scores[code] = sum(1 for w in words if w in common)
        if base == "uk":  # letters Russian does not have
            scores[code] += 3 * sum(w.count("ї") + w.count("є") + w.count("ґ") for w in words)
        if base == "ru":
            scores[code] += 3 * sum(w.count("ы") + w.count("э") + w.count("ъ") for w in words)
        if (cyrillic > len(words) / 2) != (base in ("uk", "ru", "bg", "sr", "be", "mk")):
            scores[code] = -1
    best, score = max(scores.items(), key=lambda kv: (kv[1], -list(codes).index(kv[0])))
    return best if score > 0 else codes[0]
