"""What an entity's dossier and the weekly digest show besides lists: who and what a term appears with, its
trend history, the years of a long chronology, and what changed in a week. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from generator.core import urls
from generator.core.model import Briefing, Mention, Site, Term, Trend
from generator.core.urls import slug_from
from generator.site.groups import ACTORS_SHOWN, Actor, Month, TrendEntry, Week, local

# The taxonomies whose terms are entities (things that act or are acted upon), in the order shown.
ENTITY_TAXONOMIES = ("countries", "people", "organisations")
# A term mentioned in at least SURGE_MIN briefings of a week, SURGE_RATIO times its usual weekly count
# (its mean over up to BASELINE_WEEKS earlier weeks since it first appeared), is mentioned "far more".
SURGE_MIN = 3
SURGE_RATIO = 3.0
BASELINE_WEEKS = 8


def is_change(trend: Trend) -> bool:
    """A trend worth an alert: the situation improved or deteriorated, or an alert was raised."""
    return trend.direction != "unchanged" or bool(trend.alert)


@dataclass(frozen=True)
class Companions:
    """Terms of one taxonomy that appear in a term's briefings, most frequent first."""

    taxonomy: str
    title: str
    actors: tuple[Actor, ...]


def companions(site: Site, taxonomy: str, term: Term) -> tuple[Companions, ...]:
    """The countries, people and organisations a term appears with most often, by taxonomy."""
    shown = [t for t in ENTITY_TAXONOMIES if t in site.taxonomies]
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], str] = {}
    for b in term.briefings:
        terms = b.terms
        for other in shown:
            for name in terms.get(other, ()):
                key = (other, slug_from(name))
                if key not in names:
                    names[key] = name
                counts[key] += 1
    counts.pop((taxonomy, term.slug), None)
    groups = []
    for other in shown:
        best = sorted(
            ((k, n) for k, n in counts.items() if k[0] == other),
            key=lambda kv: (-kv[1], names[kv[0]].casefold()),
        )
        if best:
            people = tuple(
                Actor(other, names[k], n, site.config.links.term(other, k[1]))
                for k, n in best[:ACTORS_SHOWN]
            )
            groups.append(Companions(other, site.taxonomies[other].title, people))
    return tuple(groups)


def country_trends(term: Term) -> tuple[TrendEntry, ...]:
    """A country's assessed trends, newest first."""
    return tuple(
        TrendEntry(t.country, t, b)
        for b in term.briefings
        for t in b.trends
        if slug_from(t.country) == term.slug
    )


def term_changes(taxonomy: str, term: Term) -> tuple[TrendEntry, ...]:
    """The trend changes and alerts a term's feed carries, newest first: a country's own, or for any other
    term those of its briefings."""
    own = country_trends(term) if taxonomy == "countries" else None
    if own is not None:
        return tuple(e for e in own if is_change(e.trend))
    return tuple(
        TrendEntry(t.country, t, b) for b in term.briefings for t in b.trends if is_change(t)
    )


@dataclass(frozen=True)
class ChronologyEntry:
    """A briefing in a term's chronology: the card, the term's trend in it, the sentence naming the term."""

    briefing: Briefing
    trend: Trend | None
    mention: Mention | None


@dataclass(frozen=True)
class ChronologyMonth(Month):
    """A month of a chronology page, newest first."""

    entries: tuple[ChronologyEntry, ...]


def chronology(
    tz: tzinfo, taxonomy: str, name: str, briefings: Iterable[Briefing]
) -> tuple[ChronologyMonth, ...]:
    """A page of a term's chronology (briefings newest first) by month in the site's timezone, each briefing
    with the term's trend and excerpt. A template helper: it runs only for pages that render."""
    own = taxonomy == "countries"
    groups: dict[tuple[int, int], list[ChronologyEntry]] = {}
    for b in briefings:
        d = b.date.astimezone(tz)
        trend = next((t for t in b.trends if t.country == name), None) if own else None
        entry = ChronologyEntry(b, trend, b.mention(name) if b.mentions else None)
        groups.setdefault((d.year, d.month), []).append(entry)
    return tuple(ChronologyMonth(y, m, tuple(items)) for (y, m), items in groups.items())


@dataclass(frozen=True)
class YearPage:
    """Where a year starts in a term's paginated chronology."""

    year: int
    url: str  # the page holding the year's newest briefing
    count: int


def year_pages(site: Site, term: Term, per_page: int) -> tuple[YearPage, ...]:
    """Each year of a term's briefings (newest first) with the page it starts on and its count."""
    first: dict[int, int] = {}
    counts: Counter[int] = Counter()
    for index, b in enumerate(term.briefings):
        # only a date in December or January can fall in another year in the site's timezone
        year = b.date.year if 1 < b.date.month < 12 else local(site, b.date).year
        first.setdefault(year, index // per_page + 1)
        counts[year] += 1
    return tuple(YearPage(y, urls.paginated(term.url, first[y]), counts[y]) for y in first)


@dataclass(frozen=True)
class Surge:
    """A term mentioned far more than usual in a week."""

    taxonomy: str
    name: str
    count: int
    usual: float  # mean briefings per week before
    url: str  # its term page


@dataclass(frozen=True)
class WeekChanges:
    """What changed in a week: trends that moved, entities seen for the first time, unusual attention."""

    moved: tuple[TrendEntry, ...]  # each country's latest change of the week, worst first
    new: tuple[Actor, ...]  # count: briefings of the week naming it
    surges: tuple[Surge, ...]

    def __bool__(self) -> bool:
        return bool(self.moved or self.new or self.surges)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_changes(site: Site, weeks: Sequence[Week]) -> dict[str, WeekChanges]:
    """What changed in each week, by week slug."""
    shown = [t for t in ENTITY_TAXONOMIES if t in site.taxonomies]
    per_week: defaultdict[date, Counter[tuple[str, str]]] = defaultdict(Counter)
    names: dict[tuple[str, str], str] = {}
    first_week: dict[tuple[str, str], date] = {}
    for b in reversed(site.briefings):  # oldest first
        monday = _monday(local(site, b.date).date())
        for taxonomy in shown:
            for name in b.terms.get(taxonomy, ()):
                key = (taxonomy, slug_from(name))
                names.setdefault(key, name)
                first_week.setdefault(key, monday)
                per_week[monday][key] += 1
    out = {}
    opening = min(per_week, default=None)  # the site's first week: everything is new, so nothing is
    for week in weeks:
        monday = week.monday
        counts = per_week.get(monday) or Counter()
        new = [k for k in counts if first_week[k] == monday and monday != opening]
        surges = []
        for key, count in counts.items():
            if count < SURGE_MIN or first_week[key] == monday:
                continue
            span = min(BASELINE_WEEKS, (monday - first_week[key]).days // 7)
            before = [monday - timedelta(weeks=n) for n in range(1, span + 1)]
            usual = sum(per_week[m][key] for m in before if m in per_week) / span
            if count >= SURGE_RATIO * usual:
                url = site.config.links.term(*key)
                surges.append(Surge(key[0], names[key], count, round(usual, 1), url))
        order = {t: i for i, t in enumerate(shown)}
        out[week.slug] = WeekChanges(
            moved=_moved(week.briefings),
            new=tuple(
                Actor(k[0], names[k], counts[k], site.config.links.term(*k))
                for k in sorted(new, key=lambda k: (order[k[0]], -counts[k], names[k].casefold()))
            ),
            surges=tuple(sorted(surges, key=lambda s: (-s.count / max(s.usual, 0.1), s.name))),
        )
    return out


def _moved(briefings: Iterable[Briefing]) -> tuple[TrendEntry, ...]:
    latest: dict[str, TrendEntry] = {}
    for b in briefings:  # oldest first: later assessments replace earlier ones
        for t in b.trends:
            latest[slug_from(t.country)] = TrendEntry(t.country, t, b)
    moved = [e for e in latest.values() if is_change(e.trend)]
    return tuple(sorted(moved, key=lambda e: (e.rank, e.country.casefold())))
