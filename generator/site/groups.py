"""Groupings of a site's briefings that several page kinds show: months, years, ISO weeks, trend history, the
situation board's rows, a country's frequent actors and region. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from generator.core import urls
from generator.core.model import Briefing, Site, Term, Trend
from generator.core.urls import slug_from
from generator.read.countries import country_info

ACTOR_TAXONOMIES = ("people", "organisations")


ACTORS_SHOWN = 8


# Situation board order: worst first.
TREND_RANK = {"deteriorated": 0, "unchanged": 1, "improved": 2}


MONTH_NAMES = (
    "January February March April May June July August September October November December".split()
)


@dataclass(frozen=True)
class Month:
    """A calendar month: its anchor key ('2026-11') and its label ('November 2026')."""

    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


@dataclass(frozen=True)
class MonthGroup(Month):
    """The briefings of one calendar month (site timezone), newest first."""

    briefings: tuple[Briefing, ...]


@dataclass(frozen=True)
class Week:
    """An ISO week and its briefings in date order (the order a reader goes through them)."""

    year: int
    week: int
    briefings: tuple[Briefing, ...]

    @property
    def slug(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def url(self) -> str:
        return urls.week(self.slug)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"Week {self.week}, {self.year}"

    @property
    def span(self) -> str:
        """'23–29 November 2026' or '30 November – 6 December 2026'."""
        a, b = self.monday, self.sunday
        if a.month == b.month:
            return f"{a.day}–{b.day} {MONTH_NAMES[b.month - 1]} {b.year}"
        if a.year == b.year:
            return (
                f"{a.day} {MONTH_NAMES[a.month - 1]} – {b.day} {MONTH_NAMES[b.month - 1]} {b.year}"
            )
        return f"{a.day} {MONTH_NAMES[a.month - 1]} {a.year} – {b.day} {MONTH_NAMES[b.month - 1]} {b.year}"


def local(site: Site, when: datetime) -> datetime:
    """A briefing date in the site's timezone: months and weeks are the editor's, not UTC's."""
    return when.astimezone(site.config.tz)


def months(site: Site, briefings: Iterable[Briefing]) -> tuple[MonthGroup, ...]:
    """Briefings (newest first) grouped by calendar month, newest month first."""
    groups: dict[tuple[int, int], list[Briefing]] = defaultdict(list)
    for b in briefings:
        d = local(site, b.date)
        groups[(d.year, d.month)].append(b)
    return tuple(
        MonthGroup(y, m, tuple(items)) for (y, m), items in sorted(groups.items(), reverse=True)
    )


def years(site: Site) -> dict[int, tuple[Briefing, ...]]:
    """Briefings per year, newest year first."""
    groups: dict[int, list[Briefing]] = defaultdict(list)
    for b in site.briefings:
        groups[local(site, b.date).year].append(b)
    return {y: tuple(groups[y]) for y in sorted(groups, reverse=True)}


def weeks(site: Site) -> tuple[Week, ...]:
    """ISO weeks with briefings, newest first; each week's briefings oldest first."""
    groups: dict[tuple[int, int], list[Briefing]] = defaultdict(list)
    for b in site.briefings:
        iso = local(site, b.date).isocalendar()
        groups[(iso.year, iso.week)].append(b)
    return tuple(
        Week(y, w, tuple(reversed(items))) for (y, w), items in sorted(groups.items(), reverse=True)
    )


@dataclass(frozen=True)
class TrendEntry:
    """One recorded trend of a country: what moved, when and in which briefing."""

    country: str
    trend: Trend
    briefing: Briefing

    @property
    def rank(self) -> tuple[int, int]:
        return (TREND_RANK.get(self.trend.direction, 1), 0 if self.trend.alert else 1)


def trend_history(site: Site) -> dict[str, tuple[TrendEntry, ...]]:
    """Every country's recorded trends, newest first, by country slug."""
    history: dict[str, list[TrendEntry]] = defaultdict(list)
    for b in site.briefings:  # newest first
        for t in b.trends:
            history[slug_from(t.country)].append(TrendEntry(t.country, t, b))
    return {slug: tuple(items) for slug, items in history.items()}


def situation(site: Site) -> tuple[TrendEntry, ...]:
    """Each country's latest trend, worst first (deteriorated, with an alert first), then newest, then by name."""
    latest = [items[0] for items in trend_history(site).values()]
    return tuple(
        sorted(latest, key=lambda e: (e.rank, -e.briefing.date.timestamp(), e.country.casefold()))
    )


@dataclass(frozen=True)
class Actor:
    """A person or organisation appearing with a country, and how often."""

    taxonomy: str
    name: str
    count: int
    url: str  # its term page


def country_region(name: str, override: Any = None) -> str:
    """The region of a country: the editor's `region:` if given, else its UN M49 subregion."""
    if override:
        return str(override)
    info = country_info(name)
    return info.region if info else ""


def actors(term: Term, taxonomies: Iterable[str], links: urls.Permalinks) -> tuple[Actor, ...]:
    """The people and organisations that appear most often in a country's briefings."""
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], str] = {}
    for b in term.briefings:
        for taxonomy in taxonomies:
            for name in b.terms.get(taxonomy, ()):
                key = (taxonomy, slug_from(name))
                names.setdefault(key, name)
                counts[key] += 1
    best = sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].casefold()))
    return tuple(Actor(k[0], names[k], n, links.term(k[0], k[1])) for k, n in best[:ACTORS_SHOWN])
