"""Which files the site has: every page kind in order, then the sitemap and robots.txt. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from xml.sax.saxutils import escape as xml_escape

from generator.core import urls
from generator.core.model import OutputPage, Site
from generator.pages import (
    archive,
    dossier,
    editorial,
    feeds,
    kinds,
    languages,
    news,
    redirects,
    search,
)

PageKind = Callable[[Site], Iterable[OutputPage]]


# Page kinds in the order their pages are planned.
PAGE_KINDS: tuple[PageKind, ...] = (
    kinds.home_pages,
    kinds.briefing_pages,
    editorial.withdrawn_pages,
    kinds.static_pages,
    kinds.taxonomy_pages,
    kinds.not_found_page,
    archive.timeline_pages,
    archive.digest_pages,
    archive.situation_pages,
    search.search_pages,
    editorial.corrections_pages,
    feeds.feed_pages,
    dossier.changes_feed_pages,
    languages.translation_pages,
)


def plan(site: Site, extra: Iterable[PageKind] = ()) -> list[OutputPage]:
    """Every output page of the site, plus the sitemaps and robots.txt, then the redirects of old paths (pages
    and server rules; never in the sitemap); paths are unique."""
    pages = [page for kind in (*PAGE_KINDS, *extra) for page in kind(site)]
    if site.lang is not None:  # a multilingual site: every language's pages, under its folder
        pages = languages.localize(site, pages, (*PAGE_KINDS, *extra))
    moved = redirects.redirects(site, pages)
    pages.append(sitemap(site, pages))
    pages += (news.news_sitemap(site), news.sitemap_index(site))
    pages.append(robots(site))
    pages += redirects.redirect_pages(site, moved)
    pages += redirects.server_rules(site, moved)
    return pages


def sitemap(site: Site, pages: list[OutputPage]) -> OutputPage:
    """sitemap.xml: every HTML page (but 404) with its absolute URL and last modification."""
    newest = site.briefings[0].revised or site.briefings[0].date if site.briefings else None
    rows = []
    for page in sorted(pages, key=lambda p: p.path):
        if (
            not page.path.endswith("index.html")
            or page.data is not None
            or page.context.get("noindex")
        ):
            continue
        lastmod: datetime | None = page.context.get("lastmod") or newest
        url = site.config.absolute_url(page.path[: -len("index.html")])
        row = f"  <url><loc>{xml_escape(url)}</loc>"
        if lastmod:
            row += f"<lastmod>{lastmod.isoformat(timespec='seconds')}</lastmod>"
        for alternate in page.context.get("alternates", ()):
            row += (
                f'<xhtml:link rel="alternate" hreflang="{xml_escape(alternate.hreflang)}" '
                f'href="{xml_escape(alternate.href)}"/>'
            )
        rows.append(row + "</url>")
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if site.lang is not None:
        body += ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    body += ">\n"
    body += "\n".join(rows) + "\n</urlset>\n"
    return OutputPage(path=urls.SITEMAP, template="", context={}, data=body.encode())


def robots(site: Site) -> OutputPage:
    """robots.txt allowing everything and pointing at the sitemaps."""
    text = news.robots_text(site)
    return OutputPage(path=urls.ROBOTS, template="", context={}, data=text.encode())
