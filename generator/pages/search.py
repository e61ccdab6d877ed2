"""The /search/ page; the index it queries is made by build/search_index."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.model import OutputPage, Site
from generator.pages.page import html_page


def search_pages(site: Site) -> Iterable[OutputPage]:
    """/search/: the form, filters and results, driven by static/search.js (the CSP allows no inline script)."""
    yield html_page(
        "search/",
        "search.html",
        title="Search",
        description=f"Search every briefing of {site.config.title}.",
        kind="search",
    )
