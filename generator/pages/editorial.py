"""Pages of editorial record: the corrections log with its feed, and the notices of withdrawn briefings. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core import urls
from generator.core.model import Briefing, Correction, OutputPage, Shown, Site
from generator.pages.feeds import corrections_atom
from generator.pages.page import feed_page, html_page, pagination
from generator.site.assemble import paginate

CORRECTIONS_FEED_ENTRIES = 50


def corrections(site: Site) -> tuple[tuple[Briefing, Correction], ...]:
    """Every correction of every shown briefing, newest first."""
    rows = [(b, fix) for b in site.briefings for fix in b.corrections]
    return tuple(sorted(rows, key=lambda r: (r[1].date, r[0].slug), reverse=True))


def corrections_pages(site: Site) -> Iterable[OutputPage]:
    """/corrections/ (paginated): the site's corrections log, and its Atom feed."""
    rows = corrections(site)
    chunks = paginate(rows, site.config.paginate)
    feed = urls.corrections_feed()
    for number, chunk in enumerate(chunks, start=1):
        folder = urls.paginated(urls.CORRECTIONS, number)
        title = "Corrections" if number == 1 else f"Corrections – page {number}"
        yield html_page(
            folder,
            "corrections.html",
            title=title,
            description=(
                f"Every correction, clarification and update to {site.config.title}'s briefings "
                f"after publication: {len(rows)} in all."
            ),
            rows=chunk,
            total=len(rows),
            feed=feed,
            pagination=pagination(urls.CORRECTIONS, number, len(chunks)),
            kind="corrections",
            lastmod=rows[0][1].date if rows else None,
        )
    feed_title = f"Corrections · {site.config.title}"
    latest = rows[:CORRECTIONS_FEED_ENTRIES]
    yield feed_page(site, corrections_atom, feed, feed_title, urls.CORRECTIONS, rows=latest)


def withdrawn_pages(site: Site) -> Iterable[OutputPage]:
    """A short notice at the URL of each briefing past its `expires:` (no text, kept out of the sitemap)."""
    for briefing in site.withdrawn:
        yield html_page(
            briefing.url,
            "withdrawn.html",
            title=Shown(briefing, ("title",), prefix="Withdrawn: "),
            description=briefing.withdrawn_note or "This briefing has been withdrawn.",
            briefing=briefing,
            kind="withdrawn",
            noindex=True,
        )
