"""Every output path of the site and every slug, in one place.

Paths are relative to the site root and end in '/' for pages (served as `<path>index.html`);
`Config.url` and `Config.absolute_url` add the base URL's path and origin.
"""

from __future__ import annotations

import functools

from slugify import slugify

SLUG_LIMIT = 80  # characters, cut at a word

BRIEFINGS = "briefings/"
TIMELINE = "timeline/"
DIGESTS = "digest/"
SITUATION = "situation/"
SEARCH = "search/"
CORRECTIONS = "corrections/"
STATIC = "static/"
PAGE = "page/"  # continuation pages of lists: /page/2/, /countries/russia/page/2/
SITE_FEEDS = ("feed.xml", "rss.xml", "feed.json")
TERM_FEED = "feed.xml"
CHANGES_FEED = "changes.xml"  # a term's trend changes and alerts only
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"

# First path segments the generator writes itself: a standalone page may not take one as its slug
# (taxonomy names are refused as well, by the assembler, since they come from the config).
RESERVED = frozenset(
    p.rstrip("/")
    for p in (
        BRIEFINGS,
        TIMELINE,
        DIGESTS,
        SITUATION,
        SEARCH,
        CORRECTIONS,
        STATIC,
        PAGE,
        *SITE_FEEDS,
        SITEMAP,
        ROBOTS,
        NOT_FOUND,
    )
)


@functools.lru_cache(
    maxsize=65536
)  # term names repeat across thousands of briefings; slugify is slow
def slug_from(text: str, *, fallback: str = "untitled", in_order: bool = False) -> str:
    """A URL slug: transliterated ('Žižek' -> 'zizek'), lowercase, hyphenated, at most 80 characters cut at a
    word; `in_order` keeps the words in order when cutting (new imports), instead of python-slugify's default
    of filling up with later short words (kept for terms and titles so that no published URL changes)."""
    return slugify(text, max_length=SLUG_LIMIT, word_boundary=True, save_order=in_order) or fallback


def briefing(slug: str) -> str:
    return f"{BRIEFINGS}{slug}/"


def page(slug: str) -> str:
    return f"{slug}/"


def taxonomy(name: str) -> str:
    return f"{name}/"


def term(taxonomy_name: str, slug: str) -> str:
    return f"{taxonomy_name}/{slug}/"


def term_of(taxonomy_name: str, name: str) -> str:
    """The page of a term by its name as written in front matter ('Vladimir Putin')."""
    return term(taxonomy_name, slug_from(name))


def term_feed(taxonomy_name: str, slug: str) -> str:
    return f"{term(taxonomy_name, slug)}{TERM_FEED}"


def term_changes_feed(taxonomy_name: str, slug: str) -> str:
    return f"{term(taxonomy_name, slug)}{CHANGES_FEED}"


def year(number: int) -> str:
    return f"{TIMELINE}{number}/"


def week(slug: str) -> str:
    return f"{DIGESTS}{slug}/"


def corrections_feed() -> str:
    return f"{CORRECTIONS}{TERM_FEED}"


def paginated(base: str, number: int) -> str:
    """Folder of page `number` of a list at `base` ('' for the home page)."""
    return base if number == 1 else f"{base}{PAGE}{number}/"
