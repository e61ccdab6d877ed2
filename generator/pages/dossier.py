"""Entity dossiers: what a term page shows besides its chronology (trend chart, companions, years), and the
feeds of trend changes and alerts per country and topic. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from generator.core import urls
from generator.core.config import Config
from generator.core.model import OutputPage, Site, Taxonomy, Term
from generator.pages.feeds import FEED_TAXONOMIES, AtomFeed, entry_id
from generator.pages.page import feed_page
from generator.site.dossier import companions, term_changes, year_pages
from generator.site.groups import TrendEntry

# Lanes of the trend chart, top to bottom: the y of each direction.
TREND_LANES = {"improved": 0, "unchanged": 1, "deteriorated": 2}
CHART_WIDTH, LANE, PAD_X, PAD_TOP = 640, 28, 108, 14


@dataclass(frozen=True)
class ChartPoint:
    """One assessment on the trend chart."""

    x: float
    y: float
    entry: TrendEntry


@dataclass(frozen=True)
class TrendChart:
    """An inline SVG of a country's assessed trend over time: one lane per direction, oldest on the left."""

    width: int
    height: int
    points: tuple[ChartPoint, ...]  # oldest first
    line: str  # polyline points
    lanes: tuple[tuple[str, float], ...]  # (direction, y)
    ticks: tuple[tuple[float, str], ...]  # (x, label) for years or the first and last date


def trend_chart(entries: Sequence[TrendEntry]) -> TrendChart | None:
    """The chart of a country's trends (given newest first), or None without any."""
    if not entries:
        return None
    oldest = entries[-1].briefing.date.timestamp()
    span = entries[0].briefing.date.timestamp() - oldest
    inner = CHART_WIDTH - PAD_X - 16
    lanes = tuple((d, PAD_TOP + i * LANE) for d, i in TREND_LANES.items())
    y_of = dict(lanes)

    def x_of(when: datetime) -> float:
        share = (when.timestamp() - oldest) / span if span else 0.5
        return round(PAD_X + share * inner, 1)

    points = tuple(
        ChartPoint(x_of(e.briefing.date), y_of.get(e.trend.direction, y_of["unchanged"]), e)
        for e in reversed(entries)
    )
    first, last = entries[-1].briefing.date, entries[0].briefing.date
    if last.year - first.year >= 2:
        ticks = tuple(
            (x_of(datetime(y, 1, 1, tzinfo=first.tzinfo)), str(y))
            for y in range(first.year + 1, last.year + 1)
        )
    else:
        ticks = ((x_of(first), f"{first:%b %Y}"),)
        if last != first and f"{last:%b %Y}" != ticks[0][1]:
            ticks += ((x_of(last), f"{last:%b %Y}"),)
    return TrendChart(
        width=CHART_WIDTH,
        height=PAD_TOP + 2 * LANE + 30,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        lanes=lanes,
        ticks=ticks,
    )


def dossier_context(
    site: Site, taxonomy: Taxonomy, term: Term, trends: Sequence[TrendEntry]
) -> dict[str, Any]:
    """A term page's dossier: companions, the trend chart, where each year starts, the changes feed."""
    return {
        "companions": companions(site, taxonomy.name, term),
        "trend_chart": trend_chart(trends),
        "year_pages": year_pages(site, term, site.config.paginate),
        "changes_feed": changes_feed_path(site, taxonomy, term),
    }


def changes_feed_path(site: Site, taxonomy: Taxonomy, term: Term) -> str | None:
    """Output path of a term's feed of trend changes and alerts, or None if its taxonomy has none."""
    if taxonomy.name not in FEED_TAXONOMIES:
        return None
    return site.config.links.term_changes_feed(taxonomy.name, term.slug)


def chronology_start(site: Site, term: Term, number: int) -> bool:
    """True when page `number` of a term's chronology begins in the month page `number - 1` ended in."""
    if number == 1:
        return False
    per = site.config.paginate
    newer, older = term.briefings[(number - 1) * per - 1], term.briefings[(number - 1) * per]
    a, b = newer.date.astimezone(site.config.tz), older.date.astimezone(site.config.tz)
    return (a.year, a.month) == (b.year, b.month)


def change_title(entry: TrendEntry) -> str:
    """'Mali: deteriorated, conflict risk'."""
    alert = f", {entry.trend.alert.replace('-', ' ')}" if entry.trend.alert else ""
    return f"{entry.country}: {entry.trend.direction}{alert}"


def changes_atom(
    config: Config, title: str, link: str, feed_path: str, rows: Iterable[TrendEntry]
) -> bytes:
    """An Atom feed of trend changes and alerts (newest first), one entry per country per briefing."""
    feed = AtomFeed(
        title=title,
        link=config.absolute_url(link),
        description=f"Trend changes and alerts. {config.description}",
        language=config.language,
        author_name=config.author or config.publisher or config.title,
        feed_url=config.absolute_url(feed_path),
        feed_guid=config.absolute_url(feed_path),
    )
    for e in rows:
        b = e.briefing
        summary = f"{change_title(e)} — {b.title}"
        feed.add_item(
            title=change_title(e),
            link=config.absolute_url(b.url),
            unique_id=f"{entry_id(config, b)}#trend-{urls.slug_from(e.country)}",
            unique_id_is_permalink=False,
            description=escape(summary),
            content=f"<p>{escape(summary)}</p>"
            + (f"<p>{escape(b.summary)}</p>" if b.summary else ""),
            pubdate=b.date,
            updateddate=b.date,
            categories=[e.country],
        )
    return feed.writeString("utf-8").encode("utf-8")


def changes_feed_pages(site: Site) -> Iterable[OutputPage]:
    """/countries/mali/changes.xml and /topics/x/changes.xml: only trend changes and alerts."""
    for name in FEED_TAXONOMIES:
        taxonomy = site.taxonomies.get(name)
        for term in taxonomy.terms if taxonomy else ():
            path = site.config.links.term_changes_feed(name, term.slug)
            title = f"{term.name}: trend changes · {site.config.title}"
            rows = term_changes(name, term)[: site.config.feed_entries]
            yield feed_page(site, changes_atom, path, title, term.url, rows=rows)
