"""Ways into the archive besides the home page: timeline, year archives, weekly digests, the situation board,
and what a country page shows beyond its briefings (region, frequent actors, trend history). Pure."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import urls
from .content import is_content_name
from .entities import country_info
from .errors import SiteError
from .model import Briefing, Document, OutputPage, Site, Taxonomy, Term, Trend
from .outputs import html_page
from .search import search_pages
from .urls import slug_from
from .yamltext import key_lines, load_yaml

# /timeline/ lists whole months, newest first, until it holds at least this many briefings; older months
# are on the year pages it links to (a 10,000-row page helps nobody and costs every rebuild).
TIMELINE_LIMIT = 500
ACTOR_TAXONOMIES = ("people", "organisations")
ACTORS_SHOWN = 8
# Situation board order: worst first.
TREND_RANK = {"deteriorated": 0, "unchanged": 1, "improved": 2}
MONTH_NAMES = ("January February March April May June July August September October November December").split()


# --- groups of briefings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthGroup:
    """The briefings of one calendar month (site timezone), newest first."""

    year: int
    month: int
    briefings: tuple[Briefing, ...]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


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
            return f"{a.day} {MONTH_NAMES[a.month - 1]} – {b.day} {MONTH_NAMES[b.month - 1]} {b.year}"
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
    return tuple(MonthGroup(y, m, tuple(items)) for (y, m), items in sorted(groups.items(), reverse=True))


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
    return tuple(Week(y, w, tuple(reversed(items))) for (y, w), items in sorted(groups.items(), reverse=True))


# --- page kinds ----------------------------------------------------------------------------------------


def timeline_pages(site: Site) -> Iterable[OutputPage]:
    """/timeline/ (recent months in full, links to every year) and one archive page per year."""
    by_year = years(site)
    year_counts = tuple((y, len(items)) for y, items in by_year.items())
    shown: list[MonthGroup] = []
    total = 0
    for group in months(site, site.briefings):
        if total >= TIMELINE_LIMIT:
            break
        shown.append(group)
        total += len(group.briefings)
    rest = len(site.briefings) - total
    yield html_page(
        urls.TIMELINE, "timeline.html",
        title="Timeline", description=f"Every briefing of {site.config.title} by month, newest first.",
        months=tuple(shown), years=year_counts, rest=rest, kind="timeline",
    )
    year_list = list(by_year)
    for index, (year, items) in enumerate(by_year.items()):
        groups = months(site, items)
        newer = year_list[index - 1] if index > 0 else None
        older = year_list[index + 1] if index + 1 < len(year_list) else None
        yield html_page(
            urls.year(year), "year.html",
            title=f"{year}", description=f"{len(items)} briefings published in {year}, by month.",
            year=year, months=groups, briefings=items, years=year_counts, newer=newer, older=older,
            kind="year", lastmod=items[0].updated or items[0].date,
        )


def digest_pages(site: Site) -> Iterable[OutputPage]:
    """/digest/ (every week, newest first) and /digest/2026-W48/: a week's briefings with their takeaways."""
    all_weeks = weeks(site)
    yield html_page(
        urls.DIGESTS, "digests.html",
        title="Weekly digests", description=f"The week's briefings of {site.config.title} with their key takeaways, one page per week.",
        weeks=all_weeks, kind="digests",
    )
    for index, week in enumerate(all_weeks):
        newer = all_weeks[index - 1] if index > 0 else None
        older = all_weeks[index + 1] if index + 1 < len(all_weeks) else None
        yield html_page(
            week.url, "digest.html",
            title=f"Digest: {week.label}", description=f"{len(week.briefings)} briefing{'s' if len(week.briefings) != 1 else ''} of {week.span}, with key takeaways.",
            week=week, newer=newer, older=older, kind="digest",
            lastmod=max(b.updated or b.date for b in week.briefings),
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
    return tuple(sorted(latest, key=lambda e: (e.rank, -e.briefing.date.timestamp(), e.country.casefold())))


def situation_pages(site: Site) -> Iterable[OutputPage]:
    """/situation/: where things stand in every country a briefing has assessed."""
    rows = situation(site)
    countries = site.taxonomies.get("countries")
    linked = {t.slug for t in countries.terms} if countries else set()
    yield html_page(
        urls.SITUATION, "situation.html",
        title="Situation", description="The latest assessed trend in every country, worst first.",
        rows=rows, linked=linked, kind="situation",
    )


PAGE_KINDS = [timeline_pages, digest_pages, situation_pages, search_pages]


# --- country pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """A person or organisation appearing with a country, and how often."""

    taxonomy: str
    name: str
    count: int

    @property
    def url(self) -> str:
        return urls.term_of(self.taxonomy, self.name)


def country_region(name: str, override: Any = None) -> str:
    """The region of a country: the editor's `region:` if given, else its UN M49 subregion."""
    if override:
        return str(override)
    info = country_info(name)
    return info.region if info else ""


def actors(term: Term, taxonomies: Iterable[str]) -> tuple[Actor, ...]:
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
    return tuple(Actor(k[0], names[k], n) for k, n in best[:ACTORS_SHOWN])


def term_context(site: Site, taxonomy: Taxonomy, term: Term) -> dict[str, Any]:
    """What a term page shows besides its briefings: region, actors, trends, feed."""
    from .feeds import term_feed_path

    feed = term_feed_path(site, taxonomy, term)
    if taxonomy.name != "countries":
        return {"feed": feed, "region": "", "region_url": None, "actors": (), "trends": ()}
    region = country_region(term.name, term.info.extra.get("region") if term.info else None)
    region_url = None
    regions = site.taxonomies.get("regions")
    if region and regions and any(t.slug == slug_from(region) for t in regions.terms):
        region_url = urls.term_of("regions", region)
    shown = tuple(t for t in ACTOR_TAXONOMIES if t in site.taxonomies)
    people = actors(term, shown)
    trends = tuple(
        TrendEntry(t.country, t, b) for b in term.briefings for t in b.trends if slug_from(t.country) == term.slug
    )
    return {"feed": feed, "region": region, "region_url": region_url, "actors": people, "trends": trends}


# --- term descriptions in YAML -------------------------------------------------------------------------


def term_yaml_files(content_dir: Path, taxonomy: str) -> list[Path]:
    """content/<taxonomy>/*.yaml|*.yml: term descriptions as plain YAML (title, description, region...)."""
    base = content_dir / taxonomy
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file() and is_content_name(p.name))


def read_term_yaml(path: Path) -> Document:
    """A YAML term description as a Document: `description` (Markdown) becomes the body, the rest front matter."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SiteError.at(path, None, "not valid UTF-8; save the file as UTF-8") from None
    meta = load_yaml(path, text) or {}
    if not isinstance(meta, dict):
        raise SiteError.at(path, 1, "a term file must be a mapping such as `title: Russia` and `description: ...`")
    lines = key_lines(text)
    description = meta.pop("description", "") or ""
    if not isinstance(description, str):
        raise SiteError.at(path, lines.get("description", 1), "'description' must be text (Markdown)")
    return Document(path=path, meta=meta, body=description, body_line=lines.get("description", 1),
                    meta_lines=lines, digest=hashlib.sha256(data).hexdigest())
