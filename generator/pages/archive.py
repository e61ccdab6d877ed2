"""Ways into the archive besides the home page: the timeline, year archives, weekly digests and the situation
board. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core import urls
from generator.core.model import OutputPage, Site
from generator.pages.page import html_page
from generator.site.dossier import week_changes
from generator.site.groups import MonthGroup, months, situation, weeks, years

# /timeline/ lists whole months, newest first, until it holds at least this many briefings; older months
# are on the year pages it links to (a 10,000-row page helps nobody and costs every rebuild).
TIMELINE_LIMIT = 500


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
        urls.TIMELINE,
        "timeline.html",
        title="Timeline",
        description=f"Every briefing of {site.config.title} by month, newest first.",
        months=tuple(shown),
        years=year_counts,
        rest=rest,
        kind="timeline",
    )
    year_list = list(by_year)
    for index, (year, items) in enumerate(by_year.items()):
        groups = months(site, items)
        newer = year_list[index - 1] if index > 0 else None
        older = year_list[index + 1] if index + 1 < len(year_list) else None
        yield html_page(
            urls.year(year),
            "year.html",
            title=f"{year}",
            description=f"{len(items)} briefings published in {year}, by month.",
            year=year,
            months=groups,
            briefings=items,
            years=year_counts,
            newer=newer,
            older=older,
            kind="year",
            lastmod=items[0].revised or items[0].date,
        )


def digest_pages(site: Site) -> Iterable[OutputPage]:
    """/digest/ (every week, newest first) and /digest/2026-W48/: a week's briefings with their takeaways."""
    all_weeks = weeks(site)
    changes = week_changes(site, all_weeks)
    yield html_page(
        urls.DIGESTS,
        "digests.html",
        title="Weekly digests",
        description=f"The week's briefings of {site.config.title} with their key takeaways, one page per week.",
        weeks=all_weeks,
        kind="digests",
    )
    for index, week in enumerate(all_weeks):
        newer = all_weeks[index - 1] if index > 0 else None
        older = all_weeks[index + 1] if index + 1 < len(all_weeks) else None
        yield html_page(
            week.url,
            "digest.html",
            title=f"Digest: {week.label}",
            description=f"{len(week.briefings)} briefing{'s' if len(week.briefings) != 1 else ''} "
            f"of {week.span}, with key takeaways.",
            week=week,
            changes=changes[week.slug],
            newer=newer,
            older=older,
            kind="digest",
            lastmod=max(b.revised or b.date for b in week.briefings),
        )


def situation_pages(site: Site) -> Iterable[OutputPage]:
    """/situation/: where things stand in every country a briefing has assessed."""
    rows = situation(site)
    countries = site.taxonomies.get("countries")
    linked = {t.slug for t in countries.terms} if countries else set()
    yield html_page(
        urls.SITUATION,
        "situation.html",
        title="Situation",
        description="The latest assessed trend in every country, worst first.",
        rows=rows,
        linked=linked,
        kind="situation",
    )
