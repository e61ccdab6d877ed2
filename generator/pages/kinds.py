"""The main page kinds: home, briefings, standalone pages, taxonomy indexes, term pages, the 404 page. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.core import urls
from generator.core.model import Briefing, OutputPage, Shown, Site, Taxonomy, Term
from generator.core.urls import slug_from
from generator.pages.dossier import chronology_start, dossier_context
from generator.pages.feeds import term_feed_path
from generator.pages.page import html_page, pagination
from generator.site.assemble import paginate
from generator.site.groups import ACTOR_TAXONOMIES, TrendEntry, actors, country_region


def home_pages(site: Site) -> Iterable[OutputPage]:
    """The home page and its continuation pages /page/2/ ..., newest briefings first."""
    chunks = paginate(site.briefings, site.config.paginate)
    for number, chunk in enumerate(chunks, start=1):
        folder = urls.paginated("", number)
        title = site.config.title if number == 1 else f"{site.config.title} – page {number}"
        yield html_page(
            folder,
            "home.html",
            title=title,
            description=site.config.description,
            briefings=chunk,
            pagination=pagination("", number, len(chunks)),
            kind="home",
            total=len(site.briefings),
        )


def briefing_pages(site: Site) -> Iterable[OutputPage]:
    """One page per briefing, with its neighbours."""
    for briefing in site.briefings:
        yield briefing_page(site, briefing)


def briefing_page(site: Site, briefing: Briefing) -> OutputPage:
    """A briefing's page: the briefing and what it links to (older, newer, related) from `site.neighbours`."""
    around = site.neighbours[briefing.slug]
    return html_page(
        briefing.url,
        "briefing.html",
        title=Shown(briefing, ("title",)),
        description=Shown(briefing, ("summary", "title")),
        briefing=briefing,
        body=site.bodies[briefing.slug],
        neighbours=around,
        kind="briefing",
        lastmod=briefing.revised or briefing.date,
    )


def static_pages(site: Site) -> Iterable[OutputPage]:
    """Standalone pages such as /about/."""
    for page in site.pages:
        yield html_page(
            page.url,
            str(page.extra.get("template") or "page.html"),
            title=page.title,
            description=page.description or site.config.description,
            page=page,
            kind="page",
        )


def taxonomy_pages(site: Site) -> Iterable[OutputPage]:
    """An index per taxonomy (/countries/) and paginated term pages (/countries/russia/)."""
    for taxonomy in site.taxonomies.values():
        yield taxonomy_index(site, taxonomy)
        for term in taxonomy.terms:
            yield from term_pages(site, taxonomy, term)


def taxonomy_index(site: Site, taxonomy: Taxonomy) -> OutputPage:
    return html_page(
        taxonomy.url,
        "taxonomy.html",
        title=taxonomy.title,
        description=f"{taxonomy.title} covered in {site.config.title}: {len(taxonomy.terms)} in all.",
        taxonomy=taxonomy,
        kind="taxonomy",
    )


def term_pages(site: Site, taxonomy: Taxonomy, term: Term) -> Iterable[OutputPage]:
    chunks = paginate(term.briefings, site.config.paginate)
    extra = term_context(site, taxonomy, term)
    for number, chunk in enumerate(chunks, start=1):
        folder = urls.paginated(term.url, number)
        title = term.name if number == 1 else f"{term.name} – page {number}"
        count = len(term.briefings)
        yield html_page(
            folder,
            "term.html",
            title=title,
            description=f"{count} briefing{'s' if count != 1 else ''} on {term.name} ({taxonomy.title.lower()}).",
            taxonomy=taxonomy,
            term=term,
            briefings=chunk,
            pagination=pagination(term.url, number, len(chunks)),
            kind="term",
            lastmod=term.briefings[0].revised or term.briefings[0].date,
            continued=chronology_start(site, term, number),
            **extra,
        )


def term_context(site: Site, taxonomy: Taxonomy, term: Term) -> dict[str, Any]:
    """What a term page shows besides its briefings: region, actors, trends, feed."""

    feed = term_feed_path(site, taxonomy, term)
    if taxonomy.name != "countries":
        return {
            "feed": feed,
            "region": "",
            "region_url": None,
            "actors": (),
            "trends": (),
            **dossier_context(site, taxonomy, term, ()),
        }
    region = country_region(term.name, term.info.extra.get("region") if term.info else None)
    region_url = None
    regions = site.taxonomies.get("regions")
    if region and regions and any(t.slug == slug_from(region) for t in regions.terms):
        region_url = site.config.links.term_of("regions", region)
    shown = tuple(t for t in ACTOR_TAXONOMIES if t in site.taxonomies)
    people = actors(term, shown, site.config.links)
    trends = tuple(
        TrendEntry(t.country, t, b)
        for b in term.briefings
        for t in b.trends
        if slug_from(t.country) == term.slug
    )
    return {
        "feed": feed,
        "region": region,
        "region_url": region_url,
        "actors": people,
        "trends": trends,
        **dossier_context(site, taxonomy, term, trends),
    }


def not_found_page(site: Site) -> Iterable[OutputPage]:
    """404.html at the root, for hosts that serve it for missing paths (its links are root-relative, so it
    works at any depth)."""
    yield OutputPage(
        path=urls.NOT_FOUND,
        template="404.html",
        context={
            "title": "Page not found",
            "description": "This page does not exist.",
            "canonical": urls.NOT_FOUND,
            "kind": "404",
            "latest": site.briefings[:5],
        },
    )
