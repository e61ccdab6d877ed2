"""Which files the site has: each page kind turns the `Site` into `OutputPage`s (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from . import urls
from .assemble import paginate
from .model import Briefing, OutputPage, Site, Taxonomy, Term

PageKind = Callable[[Site], Iterable[OutputPage]]


def html_page(folder: str, template: str, **context: Any) -> OutputPage:
    """A page at `folder/index.html` ('' for the site root); its key is the fingerprint of `context`."""
    context.setdefault("canonical", folder)
    return OutputPage(path=f"{folder}index.html", template=template, context=context)


def _pagination(base: str, number: int, total: int) -> dict[str, Any]:
    return {
        "number": number,
        "total": total,
        "previous": urls.paginated(base, number - 1) if number > 1 else None,
        "next": urls.paginated(base, number + 1) if number < total else None,
    }


def home_pages(site: Site) -> Iterable[OutputPage]:
    """The home page and its continuation pages /page/2/ ..., newest briefings first."""
    chunks = paginate(site.briefings, site.config.paginate)
    for number, chunk in enumerate(chunks, start=1):
        folder = urls.paginated("", number)
        title = site.config.title if number == 1 else f"{site.config.title} – page {number}"
        yield html_page(
            folder, "home.html",
            title=title, description=site.config.description, briefings=chunk,
            pagination=_pagination("", number, len(chunks)), kind="home", total=len(site.briefings),
        )


def briefing_pages(site: Site) -> Iterable[OutputPage]:
    """One page per briefing, with its neighbours."""
    for briefing in site.briefings:
        yield briefing_page(site, briefing)


def briefing_page(site: Site, briefing: Briefing) -> OutputPage:
    """A briefing's page: the briefing and what it links to (older, newer, related) from `site.neighbours`."""
    around = site.neighbours[briefing.slug]
    return html_page(
        briefing.url, "briefing.html",
        title=briefing.title, description=briefing.summary or briefing.title,
        briefing=briefing, body=site.bodies[briefing.slug], neighbours=around, kind="briefing", lastmod=briefing.updated or briefing.date,
    )


def static_pages(site: Site) -> Iterable[OutputPage]:
    """Standalone pages such as /about/."""
    for page in site.pages:
        yield html_page(
            page.url, str(page.extra.get("template") or "page.html"),
            title=page.title, description=page.description or site.config.description, page=page, kind="page",
        )


def taxonomy_pages(site: Site) -> Iterable[OutputPage]:
    """An index per taxonomy (/countries/) and paginated term pages (/countries/russia/)."""
    for taxonomy in site.taxonomies.values():
        yield taxonomy_index(site, taxonomy)
        for term in taxonomy.terms:
            yield from term_pages(site, taxonomy, term)


def taxonomy_index(site: Site, taxonomy: Taxonomy) -> OutputPage:
    return html_page(
        taxonomy.url, "taxonomy.html",
        title=taxonomy.title, description=f"{taxonomy.title} covered in {site.config.title}: {len(taxonomy.terms)} in all.",
        taxonomy=taxonomy, kind="taxonomy",
    )


def term_pages(site: Site, taxonomy: Taxonomy, term: Term) -> Iterable[OutputPage]:
    from .discover import (
        term_context,  # region, actors, trends, feed (imported late: discover builds on this module)
    )

    chunks = paginate(term.briefings, site.config.paginate)
    extra = term_context(site, taxonomy, term)
    for number, chunk in enumerate(chunks, start=1):
        folder = urls.paginated(term.url, number)
        title = term.name if number == 1 else f"{term.name} – page {number}"
        count = len(term.briefings)
        yield html_page(
            folder, "term.html",
            title=title, description=f"{count} briefing{'s' if count != 1 else ''} on {term.name} ({taxonomy.title.lower()}).",
            taxonomy=taxonomy, term=term, briefings=chunk, pagination=_pagination(term.url, number, len(chunks)),
            kind="term", lastmod=term.briefings[0].updated or term.briefings[0].date, **extra,
        )


def not_found_page(site: Site) -> Iterable[OutputPage]:
    """404.html at the root, for hosts that serve it for missing paths (its links are root-relative, so it works at any depth)."""
    yield OutputPage(
        path=urls.NOT_FOUND, template="404.html",
        context={"title": "Page not found", "description": "This page does not exist.", "canonical": urls.NOT_FOUND, "kind": "404",
                 "latest": site.briefings[:5]},
    )


def discovery_pages(site: Site) -> Iterable[OutputPage]:
    """Timeline, year archives, digests, situation board (discover.py) and feeds (feeds.py)."""
    from . import discover, feeds  # imported late: both build on this module

    for kind in (*discover.PAGE_KINDS, *feeds.PAGE_KINDS):
        yield from kind(site)


# Page kinds in order; later issues add theirs here.
PAGE_KINDS: list[PageKind] = [home_pages, briefing_pages, static_pages, taxonomy_pages, not_found_page, discovery_pages]


def plan(site: Site, kinds: Iterable[PageKind] = ()) -> list[OutputPage]:
    """Every output page of the site, plus sitemap.xml and robots.txt; paths are unique."""
    pages = [page for kind in (*PAGE_KINDS, *kinds) for page in kind(site)]
    pages.append(sitemap(site, pages))
    pages.append(robots(site))
    return pages


def sitemap(site: Site, pages: list[OutputPage]) -> OutputPage:
    """sitemap.xml: every HTML page (but 404) with its absolute URL and last modification."""
    newest = site.briefings[0].updated or site.briefings[0].date if site.briefings else None
    rows = []
    for page in sorted(pages, key=lambda p: p.path):
        if not page.path.endswith("index.html") or page.data is not None:
            continue
        lastmod: datetime | None = page.context.get("lastmod") or newest
        url = site.config.absolute_url(page.path[: -len("index.html")])
        row = f"  <url><loc>{xml_escape(url)}</loc>"
        if lastmod:
            row += f"<lastmod>{lastmod.isoformat(timespec='seconds')}</lastmod>"
        rows.append(row + "</url>")
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    body += "\n".join(rows) + "\n</urlset>\n"
    return OutputPage(path=urls.SITEMAP, template="", context={}, data=body.encode())


def robots(site: Site) -> OutputPage:
    """robots.txt allowing everything and pointing at the sitemap."""
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site.config.absolute_url(urls.SITEMAP)}\n"
    return OutputPage(path=urls.ROBOTS, template="", context={}, data=text.encode())
