"""Countries, people, organisations and topics named in a text, by canonical name; country facts and slugs.

Data: `generator/data/countries.yaml` (what readers call each ISO 3166 country: demonyms, capitals,
metonyms such as "the Kremlin", UN M49 regions) and `generator/data/actors.yaml` (people, organisations,
topics). Pure functions apart from `load_registry`, which reads those files and the editor's file.

The editor's file (`content/_data/entities.yaml`, passed to `load_registry`) has the shape of actors.yaml;
every key is optional and entries are merged by `name` (aliases added, role/country replaced):

    people:
      - name: Kaja Kallas                 # canonical name, as the site shows it
        aliases: [Kallas, High Representative Kallas]   # a bare surname here may match alone
        role: EU High Representative      # optional
        country: Estonia                  # optional
    organisations:
      - name: Atrocity Crimes Advisory Group
        aliases: [ACA]                    # matched case-sensitively
    topics:
      - name: Cyber
        keywords: [cyber*, ransomware]    # `word*` matches any ending; ALL-CAPS keywords are case-sensitive
    countries:
      - name: Russia                      # a canonical country name (see country_info)
        aliases: [Rossiya]
        names: {uk: Росія, fr: Russie}    # shown on that language's pages, matched like aliases
    ignore: [Western Mediation]           # phrases never taken for an entity

Matching is case-sensitive on word boundaries, the longest name wins ("Papua New Guinea" over "Guinea",
"Russian Federation" over "Russian"), and precision is preferred to recall: a bare surname counts only if
the registry lists it or the full name appeared earlier; unknown people are taken only from a title
("President Jane Doe", "Foreign Minister ...") followed by at least two capitalised names.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.errors import Problem, SiteError
from generator.read import countries
from generator.read.canonical import (
    abbreviations,
    looks_like_person,
    merge_people,
    organisations_of,
    people_of,
)
from generator.read.countries import (
    DATA_DIR,
    countries_by_code,
    country_data,
    country_info,
    country_names,
)
from generator.read.entities_file import read_entities_yaml, yaml_entries, yaml_strings
from generator.read.ner import Mention

# Titles that may stand before a name: they do not make a preceding capitalised word a first name.
_TITLES = (
    "President|Vice President|Prime Minister|Deputy Prime Minister|Premier|Chancellor|Foreign Minister|"
    "Defence Minister|Defense Minister|Interior Minister|Finance Minister|Minister|Secretary of State|"
    "Deputy Secretary of State|Secretary of Defense|Defense Secretary|Defence Secretary|Foreign Secretary|"
    "Home Secretary|Secretary-General|Secretary General|Secretary|Under Secretary|Assistant Secretary|"
    "Ambassador|Envoy|Special Envoy|Special Representative|King|Queen|Crown Prince|Prince|Princess|Emir|Sultan|"
    "Sheikh|Ayatollah|Pope|General|Gen\\.|Lt\\. Gen\\.|Admiral|Adm\\.|Colonel|Col\\.|Senator|Sen\\.|"
    "Representative|Rep\\.|Governor|Gov\\.|Mayor|Speaker|Chairman|Chairwoman|Chair|Director|Director General|"
    "Director-General|Commissioner|High Representative|Spokesperson|Spokesman|Spokeswoman|Dr\\.|Mr\\.|Mrs\\.|Ms\\.|"
    "Leader|Opposition Leader|Commander|Chief|Judge|Justice|Prosecutor|Attorney General|Lord|Lady|Sir|Dame"
)
_TITLE_WORDS = frozenset(
    w.rstrip(".").casefold() for t in _TITLES.replace("\\", "").split("|") for w in t.split()
)
_UNKNOWN_PERSON = re.compile(
    r"\b(?:"
    + _TITLES
    + r")[ \t]+"
    r"(?P<name>(?:{w}|[A-Z]\.)(?:[ \t]+(?:{w}|[A-Z]\.|al-[A-Z][a-z]+|bin|ibn|de|da|van|von|der|di|le|la))*"
    r"[ \t]+(?:{w}|al-[A-Z][a-z]+))(?![\w'’-])".format(w=r"[A-Z][a-zà-ÿ]+(?:[-'’][A-Z][a-zà-ÿ]+)*")
)
_NOT_NAME_WORDS = frozenset(
    (
        "monday tuesday wednesday thursday friday saturday sunday january february march april may "
        "june july august september october november december key takeaways takeaway bottom line "
        "western eastern northern southern mediation the a an and of for in on at to with by from "
        "said says told after before during office department ministry administration government "
        "council committee commission agency house court union nations states republic federation "
        "kingdom forces army navy party group coalition alliance summit talks meeting statement "
        "press today yesterday tomorrow week weekend also however meanwhile analysts officials "
        "leaders neighbouring neighboring both while when if as but like unlike including across "
        "inside outside"
    ).split()
)


@dataclass(frozen=True)
class Entities:
    """What a text is about, each tuple sorted by salience, then name."""

    countries: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    country: str = ""


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]


def forget_data() -> None:
    """Drop every table this module and `countries` built from generator/data, so a long-lived process
    (`serve`) sees an edit to countries.yaml or actors.yaml: every memoised function is cleared."""
    countries.forget_data()
    for value in list(globals().values()):
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            clear()


# --- the registry --------------------------------------------------------------------------------------


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of `words`, prefix-factored so matching is fast; longer matches preferred."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


class Registry:
    """Everything findable: names -> (kind, canonical), compiled once."""

    def __init__(
        self,
        people: list[Person],
        organisations: dict[str, tuple[str, ...]],
        topics: list[Topic],
        country_aliases: dict[str, str],
        ignore: set[str],
    ):
        self.people = {p.name: p for p in people}
        self.organisations = organisations
        self.topics = topics
        data = country_data()
        self.ambiguous = set(data.get("ambiguous", ()))
        self.names: dict[str, tuple[str, str]] = {}
        # single-word person aliases: checked for a preceding first name
        self.surnames: set[str] = set()
        for alias, alpha2 in country_aliases.items():
            self.names[alias] = ("country", countries_by_code()[alpha2].name)
        for phrase in data.get("not_countries", ()):
            self.names[str(phrase)] = ("none", "")
        for org, aliases in organisations.items():
            for alias in (org, *aliases):
                self.names[alias] = ("organisation", org)
        for person in people:
            for alias in (person.name, *person.aliases):
                self.names[alias] = ("person", person.name)
                if " " not in alias:
                    self.surnames.add(alias)
        for phrase in ignore:
            self.names[phrase] = ("none", "")
        self.pattern = re.compile(
            r"(?<![\w.\-’'])(" + _trie_pattern(sorted(self.names)) + r")(?![\w\-]|\.\w)"
        )
        # Topic keywords: single words are looked up per distinct word of a text (cached); phrases by regex,
        # tried only when their first word occurs.
        # (stem, is_prefix, case_sensitive, topic)
        self._word_keys: list[tuple[str, bool, bool, str]] = []
        self._phrases: list[tuple[str, re.Pattern[str], str]] = []
        for topic in topics:
            for kw in topic.keywords:
                stem, prefix = kw.rstrip("*"), kw.endswith("*")
                sensitive = stem.isupper() or any(c.isdigit() for c in stem)
                if re.fullmatch(r"[\w'’-]+", stem):
                    self._word_keys.append(
                        (stem if sensitive else stem.lower(), prefix, sensitive, topic.name)
                    )
                else:
                    body = re.escape(stem).replace(r"\ ", r"\s+") + (r"\w*" if prefix else "")
                    flags = 0 if sensitive else re.I
                    first = re.split(r"[\s-]", stem)[0].lower()
                    self._phrases.append(
                        (first, re.compile(r"(?<!\w)" + body + r"(?!\w)", flags), topic.name)
                    )
        self._topics_of_word: dict[str, tuple[str, ...]] = {}
        self._keys_by_start: dict[str, list[tuple[str, bool, bool, str]]] = {}
        # bucketed by the first three letters, so a word meets only a few keys
        for key in self._word_keys:
            self._keys_by_start.setdefault(key[0][:3].lower(), []).append(key)

    def _word_topics(self, word: str) -> tuple[str, ...]:
        found = self._topics_of_word.get(word)
        if found is None:
            lower = word.lower()
            candidates = self._keys_by_start.get(lower[:3], [])
            if len(lower) >= 3:
                candidates = (
                    candidates
                    + self._keys_by_start.get(lower[:2], [])
                    + self._keys_by_start.get(lower[:1], [])
                )
            found = tuple(
                dict.fromkeys(
                    topic
                    for stem, prefix, sensitive, topic in candidates
                    if (word if sensitive else lower).startswith(stem)
                    and (prefix or len(word) == len(stem))
                )
            )
            if len(self._topics_of_word) < 200_000:
                self._topics_of_word[word] = found
        return found

    def topic_hits(self, text: str) -> Counter[str]:
        """How many keyword hits each topic has in a text."""
        hits: Counter[str] = Counter()
        counts = Counter(re.findall(r"[\w'’-]+", text))
        for word, n in counts.items():
            for topic in self._word_topics(word):
                hits[topic] += n
        present = {w.lower() for w in counts}
        for first, pattern, topic in self._phrases:
            if first in present:
                hits[topic] += len(pattern.findall(text))
        return hits


@functools.lru_cache(maxsize=8)
def _load_registry(extra_path: Path | None, stamp: float) -> Registry:
    sources = [DATA_DIR / "actors.yaml"] + ([extra_path] if extra_path else [])
    people: dict[str, Person] = {}
    orgs: dict[str, tuple[str, ...]] = {}
    topics: dict[str, tuple[str, ...]] = {}
    ignore: set[str] = set()
    country_aliases = dict(country_names())
    for path in sources:
        data = read_entities_yaml(path)
        for e in yaml_entries(data, "people", path):
            old = people.get(e["name"], Person(e["name"]))
            aliases = tuple(
                dict.fromkeys(
                    old.aliases
                    + yaml_strings(e.get("aliases"), path, f"aliases of {e['name']}")
                    + localized_names(e, path)
                )
            )
            people[e["name"]] = Person(
                e["name"],
                aliases,
                str(e.get("role") or old.role),
                str(e.get("country") or old.country),
            )
        for e in yaml_entries(data, "organisations", path):
            orgs[e["name"]] = tuple(
                dict.fromkeys(
                    orgs.get(e["name"], ())
                    + yaml_strings(e.get("aliases"), path, f"aliases of {e['name']}")
                    + localized_names(e, path)
                )
            )
        for e in yaml_entries(data, "topics", path):
            topics[e["name"]] = tuple(
                dict.fromkeys(
                    topics.get(e["name"], ())
                    + yaml_strings(e.get("keywords"), path, f"keywords of {e['name']}")
                )
            )
        for e in yaml_entries(data, "countries", path):
            info = country_info(e["name"])
            if info is None:
                raise SiteError(
                    Problem(
                        path,
                        None,
                        f"unknown country {e['name']!r}; use a name like Russia or an ISO code like RU",
                    )
                )
            aliases = yaml_strings(e.get("aliases"), path, f"aliases of {e['name']}")
            for alias in aliases + localized_names(e, path):
                country_aliases[alias] = info.alpha2
        ignore.update(yaml_strings(data.get("ignore"), path, "ignore"))
    return Registry(
        list(people.values()),
        orgs,
        [Topic(n, k) for n, k in topics.items()],
        country_aliases,
        ignore,
    )


def localized_names(entry: dict[str, Any], path: Path) -> tuple[str, ...]:
    """An entry's names in other languages (`names: {uk: Володимир Зеленський}`): shown on that language's
    pages (read/facts.py) and matched in seeds like aliases, so every language's briefings share the entry's
    canonical name."""
    names = entry.get("names") or {}
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        message = (
            f"names of {entry['name']} must map language codes to names, such as {{fr: Russie}}"
        )
        raise SiteError(Problem(path, None, message))
    return tuple(v.strip() for v in names.values() if v.strip())


def load_registry(extra_path: Path | None = None) -> Registry:
    """The built-in registry merged with an editor's entities.yaml (if given and present); SiteError if
    it is malformed."""
    if extra_path is not None and not extra_path.is_file():
        extra_path = None
    stamp = extra_path.stat().st_mtime_ns if extra_path else 0
    return _load_registry(extra_path, stamp)


# --- finding -------------------------------------------------------------------------------------------


def _word_before(text: str, start: int) -> str:
    m = re.search(r"([\w.'’-]+)[ \t]+$", text[max(0, start - 40) : start])
    return m.group(1) if m else ""


def _word_after(text: str, end: int) -> str:
    m = re.match(r"[ \t]+([\w.'’-]+)", text[end : end + 40])
    return m.group(1) if m else ""


def _capitalised_name_word(word: str) -> bool:
    return (
        bool(word)
        and word[0].isupper()
        and word.rstrip(".").casefold() not in _TITLE_WORDS
        and word.casefold() not in _NOT_NAME_WORDS
    )


def entity_text(text: str, headline: str) -> str:
    """The one string entities are found in (and the NER model reads): headline, newline, text."""
    return headline + "\n" + text


def find_entities(
    text: str, headline: str, registry: Registry, mentions: Sequence[Mention] | None = None
) -> Entities:
    """Countries, people, organisations and topics in a headline and text, most salient first.

    `mentions` are the NER model's findings in `entity_text(text, headline)` (read/ner.py); without them
    only the registry and the title heuristics below find people and organisations."""
    full = entity_text(text, headline)
    persons = [(m.start, m.end) for m in mentions or () if m.label == "PERSON"]
    # "UN" inside "UN Office on Drugs and Crime (UNODC)" is not the United Nations
    defined = [(s, e) for _, s, e in abbreviations(full).values()] if mentions else []
    head_end = len(headline)
    scores: dict[str, Counter[str]] = {
        "country": Counter(),
        "person": Counter(),
        "organisation": Counter(),
    }
    taken: list[tuple[int, int]] = []

    def add(kind: str, name: str, start: int) -> None:
        scores[kind][name] += 3 if start < head_end else 1

    for m in registry.pattern.finditer(full):
        alias = m.group(1)
        kind, name = registry.names[alias]
        taken.append(m.span())
        if kind == "none":
            continue
        before, after = _word_before(full, m.start()), _word_after(full, m.end())
        if (
            kind == "country"
            and alias in registry.ambiguous
            and (_capitalised_name_word(before) or _capitalised_name_word(after))
        ):
            continue  # "Michael Jordan", "Chad Wolf"
        if kind == "country" and any(s <= m.start() and m.end() <= e for s, e in persons):
            continue  # the model read it as part of a person's name
        if kind == "organisation" and any(
            s <= m.start() and m.end() <= e and (s, e) != m.span() for s, e in defined
        ):
            continue
        if (
            kind == "person"
            and alias in registry.surnames
            and _capitalised_name_word(before)
            and not before.endswith(".")
            and registry.names.get(before, ("",))[0] != "country"
        ):
            continue  # "Hunter Biden" is not Joe Biden
        add(kind, name, m.start())

    # Unknown people behind a title; their surname alone counts after the full name appeared.
    for m in _UNKNOWN_PERSON.finditer(full):
        name = m.group("name")
        start, end = m.span("name")
        if any(s < end and start < e for s, e in taken):
            continue
        words = name.split()
        if len(words) < 2 or any(
            w.casefold().rstrip(".") in _NOT_NAME_WORDS | _TITLE_WORDS for w in words
        ):
            continue
        if any(w in registry.names for w in words) or name in registry.names:
            continue
        taken.append((start, end))
        add("person", name, start)
        surname = words[-1]
        for later in re.finditer(r"(?<![\w-])" + re.escape(surname) + r"(?![\w-])", full[end:]):
            s = end + later.start()
            if not any(a <= s < b for a, b in taken):
                add("person", name, s)

    if mentions:
        scores["person"].update(people_of(full, mentions, registry.names, head_end))
        scores["organisation"].update(organisations_of(full, mentions, registry.names, head_end))
        for (
            place
        ) in mentions:  # a second opinion on places: what the model calls a place and ISO knows
            info = country_info(place.text.removeprefix("the ")) if place.label == "GPE" else None
            if info and info.name not in scores["country"] and place.text not in registry.ambiguous:
                add("country", info.name, place.start)

    words = max(1, len(full.split()))
    need = max(2, math.ceil(words / 500))  # two hits in a short piece, more in a long one
    topic_hits = registry.topic_hits(full)
    topics = [t for t, n in topic_hits.items() if n >= need]

    def ranked(counter: Counter[str]) -> tuple[str, ...]:
        return tuple(sorted(counter, key=lambda n: (-counter[n], n.casefold())))

    merged = merge_people(scores["person"], registry.names)
    people = Counter({n: c for n, c in merged.items() if looks_like_person(n)})
    organisations = Counter(
        {
            n: c
            for n, c in scores["organisation"].items()
            if n in registry.organisations or not country_info(n)
        }
    )
    return Entities(
        countries=ranked(scores["country"]),
        people=ranked(people),
        organisations=ranked(organisations),
        topics=tuple(sorted(topics, key=lambda t: (-topic_hits[t], t)))[:4],
    )
