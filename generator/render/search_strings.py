"""The strings static/search.js shows, in the page's language: search.html of a multilingual site hands them
to the script in a JSON data block (`<script type="application/json" id="search-strings">`), and search.js
keeps these English texts as its defaults (a site in one language, or an older theme, has no block).

Plurals are given per CLDR category (one, few, many, other...), the categories `Intl.PluralRules` picks
from: each category takes the catalog's form for a number of that category."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError

# key in search.js -> msgid (the text search.js shows when the page gives none)
SINGULAR = {
    "label": "Search briefings",
    "button": "Search",
    "hint": "Every word must match; the start of a word is enough (“sanct” finds sanctions).",
    "filters": "Filter results",
    "clear": "Clear filters",
    "selected": "%(count)s selected",
    "more": "Show more",
    "moreCount": "Show %(count)s more",
    "all": "Show all %(count)s",
    "fewer": "Show fewer",
    "showing": "showing %(count)s",
    "noFacets": "Nothing to filter by in these results.",
    "unavailable": "Search is unavailable: %(reason)s. Check your connection and try again.",
    "reasonNetwork": "the network is unreachable",
    "reasonServer": "the server answered %(status)s for %(url)s",
    "reasonDamaged": "a file of the index is damaged (%(url)s)",
    "reasonFormat": "this site's search index has a format this page cannot read",
    "reasonOther": "something went wrong",
    "empty": "There are no briefings to search yet.",
    "none": "No briefings.",
    "noneQuery": "No briefings for “%(query)s”.",
    "noneFiltered": "No briefings, filtered by %(names)s.",
    "noneQueryFiltered": "No briefings for “%(query)s”, filtered by %(names)s.",
    "adviceFiltered": "Try clearing the filters, fewer words, or the start of a word.",
    "advice": "Check the spelling, try fewer words, or the start of a word.",
}
PLURAL = {
    "prompt": (
        "Type a word to search %(count)s briefing, or pick a country or topic.",
        "Type a word to search %(count)s briefings, or pick a country or topic.",
    ),
    "found": ("%(count)s briefing", "%(count)s briefings"),
    "foundQuery": ("%(count)s briefing for “%(query)s”", "%(count)s briefings for “%(query)s”"),
    "foundFiltered": (
        "%(count)s briefing filtered by %(names)s",
        "%(count)s briefings filtered by %(names)s",
    ),
    "foundQueryFiltered": (
        "%(count)s briefing for “%(query)s”, filtered by %(names)s",
        "%(count)s briefings for “%(query)s”, filtered by %(names)s",
    ),
}
CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def category_samples(babel_code: str) -> dict[str, int]:
    """A whole number of each CLDR plural category of the language (none for a category of fractions only)."""
    try:
        rule = Locale.parse(babel_code).plural_form
    except (ValueError, UnknownLocaleError):
        return {"one": 1, "other": 2}
    samples: dict[str, int] = {}
    for n in range(0, 1_000_001):
        samples.setdefault(rule(n), n)
        if len(samples) == len(rule.tags) + 1 or n == 200:
            break
    if "many" in rule.tags and "many" not in samples:  # French: a million
        samples["many"] = 1_000_000
    return samples


def search_strings(
    messages: Any, babel_code: str, code: str, taxonomies: dict[str, str]
) -> dict[str, Any]:
    """The data block of search.html: {lang, strings, plurals, taxonomies}. `messages`: the language's
    render.locale.Messages (None: English); `taxonomies`: {name: its label in the language}."""
    singular = messages.singular if messages else {}
    strings = {key: singular.get(msgid, msgid) for key, msgid in SINGULAR.items()}
    plurals: dict[str, dict[str, str]] = {}
    samples = category_samples(babel_code)
    for key, (one, many) in PLURAL.items():
        forms = messages.plural.get(one) if messages else None
        if not forms:
            plurals[key] = {"one": one, "other": many}
            continue
        chosen = {
            category: forms[min(messages.form(n), len(forms) - 1)]
            for category, n in samples.items()
        }
        chosen.setdefault("other", forms[-1])
        plurals[key] = {c: chosen[c] for c in CATEGORIES if c in chosen}
    return {"lang": code, "strings": strings, "plurals": plurals, "taxonomies": taxonomies}
