"""Every output path of the site and every slug, in one place.

Paths are relative to the site root and end in '/' for pages (served as `<path>index.html`);
`Config.url` and `Config.absolute_url` add the base URL's path and origin.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike

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
SITEMAP_NEWS = "sitemap-news.xml"  # Google News: briefings of the last 48 hours
SITEMAP_INDEX = "sitemap-index.xml"  # lists sitemap.xml and sitemap-news.xml
HEADERS = "_headers"  # Netlify / Cloudflare Pages response headers
PREVIEW = "preview.png"  # a briefing's social preview image, beside its page
SITE_PREVIEW = "preview.png"  # the site's card, at the root, for every other page
LOGO = "logo.png"  # the publisher logo of structured data
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
REDIRECTS = "_redirects"  # Netlify / Cloudflare Pages rules for every redirect
NGINX_MAP = "nginx-redirects.map"  # the same as an nginx `map` include

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
        SITEMAP_NEWS,
        SITEMAP_INDEX,
        HEADERS,
        SITE_PREVIEW,
        LOGO,
        ROBOTS,
        NOT_FOUND,
        REDIRECTS,
        NGINX_MAP,
    )
)


@functools.lru_cache(
    maxsize=65536
)  # term names repeat across thousands of briefings; slugify is slow
def slug_from(text: str, *, fallback: str = "untitled", in_order: bool = False) -> str:
    """A URL slug: transliterated ('Žižek' -> 'zizek'), lowercase, hyphenated, at most 80 characters cut at a
    word; `in_order` keeps the words in order when cutting (new imports), instead of python-slugify's default
    of filling up with later short words (kept for terms and titles so that no published URL changes)."""
    # imported here: 6 ms, and a no-op build makes no slug
    from slugify import slugify

    return slugify(text, max_length=SLUG_LIMIT, word_boundary=True, save_order=in_order) or fallback


def briefing(slug: str) -> str:
    """The default pattern's folder of a briefing; feeds keep it in entry ids, so that a new permalink
    pattern does not make every entry new to feed readers. Pages use `Permalinks.briefing`."""
    return f"{BRIEFINGS}{slug}/"


def preview(slug: str) -> str:
    """A briefing's generated social preview image, beside its page."""
    return f"{briefing(slug)}{PREVIEW}"


def page(slug: str) -> str:
    return f"{slug}/"


def taxonomy(name: str) -> str:
    return f"{name}/"


def year(number: int) -> str:
    return f"{TIMELINE}{number}/"


def week(slug: str) -> str:
    return f"{DIGESTS}{slug}/"


def corrections_feed() -> str:
    return f"{CORRECTIONS}{TERM_FEED}"


def paginated(base: str, number: int) -> str:
    """Folder of page `number` of a list at `base` ('' for the home page)."""
    return base if number == 1 else f"{base}{PAGE}{number}/"


# --- Permalink patterns (site.yaml `permalinks:`) -------------------------------------------------------------

BRIEFING_PLACEHOLDERS = (":year", ":month", ":day", ":slug")
TERM_PLACEHOLDERS = (":taxonomy", ":slug")
DEFAULT_BRIEFING_PERMALINK = f"/{BRIEFINGS}:slug/"
DEFAULT_TERM_PERMALINK = "/:taxonomy/:slug/"
_PLACEHOLDER_RE = re.compile(r":[a-z]+")
_LITERAL_RE = re.compile(r"[a-z0-9._-]*")


def check_permalink(pattern: str, placeholders: tuple[str, ...]) -> str | None:
    """Why `pattern` is not a usable permalink pattern, or None: '/' at both ends, segments of lowercase
    letters, digits, '.', '_', '-' and the placeholders, ':slug' once, a first segment not reserved."""
    names = ", ".join(placeholders)
    if not pattern.startswith("/") or not pattern.endswith("/") or "//" in pattern:
        return f"must start and end with '/' and have no empty segment, like {placeholders[0]}"
    segments = pattern.strip("/").split("/")
    for segment in segments:
        for found in _PLACEHOLDER_RE.findall(segment):
            if found not in placeholders:
                return f"unknown placeholder {found}; use {names}"
        if not _LITERAL_RE.fullmatch(_PLACEHOLDER_RE.sub("", segment)) or segment in (".", ".."):
            return f"segment {segment!r} may hold only a-z, 0-9, '.', '_', '-' and {names}"
    if pattern.count(":slug") != 1:
        return "must contain :slug exactly once (it tells pages apart)"
    first = segments[0]
    own = placeholders == BRIEFING_PLACEHOLDERS and first + "/" == BRIEFINGS
    if not _PLACEHOLDER_RE.search(first) and first in RESERVED and not own:
        return f"its first folder /{first}/ is reserved for generated pages"
    if placeholders == TERM_PLACEHOLDERS and first != ":taxonomy" and _PLACEHOLDER_RE.search(first):
        return "must start with a fixed folder or :taxonomy, not :slug (a term could take a reserved name)"
    return None


def expand(pattern: str, values: Mapping[str, str]) -> str:
    """A pattern with its placeholders replaced, as an output path ('2026/11/x/')."""
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group()], pattern).lstrip("/")


@dataclass(frozen=True)
class Permalinks:
    """Where briefings and term pages live: site.yaml's patterns, defaults where it says nothing."""

    briefings: str = DEFAULT_BRIEFING_PERMALINK
    terms: Mapping[str, str] = field(default_factory=dict)  # taxonomy -> pattern

    def briefing(self, slug: str, date: datetime) -> str:
        """A briefing's folder; the date as written (its own offset, else the site's timezone)."""
        values = {":slug": slug, ":year": f"{date.year:04d}"}
        values.update({":month": f"{date.month:02d}", ":day": f"{date.day:02d}"})
        return expand(self.briefings, values)

    def term(self, taxonomy_name: str, slug: str) -> str:
        pattern = self.terms.get(taxonomy_name, DEFAULT_TERM_PERMALINK)
        return expand(pattern, {":taxonomy": taxonomy_name, ":slug": slug})

    def term_of(self, taxonomy_name: str, name: str) -> str:
        """The page of a term by its name as written in front matter ('Vladimir Putin')."""
        return self.term(taxonomy_name, slug_from(name))

    def term_feed(self, taxonomy_name: str, slug: str) -> str:
        return f"{self.term(taxonomy_name, slug)}{TERM_FEED}"

    def term_changes_feed(self, taxonomy_name: str, slug: str) -> str:
        """A term's feed of trend changes and alerts only ('countries/mali/changes.xml')."""
        return f"{self.term(taxonomy_name, slug)}{CHANGES_FEED}"

    def folder_led_by_slug(self) -> bool:
        """True when a briefing's first URL segment comes from its slug (then a slug may hit a reserved name)."""
        return self.briefings.strip("/").split("/")[0] == ":slug"


# --- Aliases: old paths of a page, from front matter ----------------------------------------------------------

_ALIAS_SEGMENT_RE = re.compile(r"[A-Za-z0-9._~-]+")


def alias_path(text: str) -> tuple[str | None, str]:
    """(output folder or file, '') for an alias written as a path from the site root ('/old/x/', 'old.html'),
    else (None, why)."""
    value = text.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith("//"):
        return (
            None,
            "is a full URL; write only its path from the site root, like /briefings/old-slug/",
        )
    if any(c in value for c in "?#\\") or any(c.isspace() for c in value):
        return (
            None,
            "may not hold '?', '#', '\\' or spaces; write a plain path like /briefings/old-slug/",
        )
    path = value.strip("/")
    if not path:
        return None, "is the home page; an alias names an old path such as /briefings/old-slug/"
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments):
        return None, "may not hold '..', '.' or empty segments"
    if not all(_ALIAS_SEGMENT_RE.fullmatch(s) for s in segments):
        return None, "may hold only letters, digits, '.', '_', '~' and '-' in each segment"
    if segments[-1] == "index.html":  # the folder's page, as hosts serve it
        return "/".join(segments[:-1]) + "/", ""
    if value.endswith("/") or "." not in segments[-1]:
        return path + "/", ""
    if not segments[-1].endswith((".html", ".htm")):
        return (
            None,
            "names a file that is not .html; an alias is a page (a folder, or a .html file)",
        )
    return path, ""


def page_path(path: str) -> str:
    """The file written for an output path: 'x/' -> 'x/index.html'; 'old.html' stays."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


def first_segment(path: str) -> str:
    return path.split("/", 1)[0]


def is_utf8_name(path: str | PathLike[str]) -> bool:
    """False for a name os.listdir could only decode with stand-ins for its bytes (such as b'caf\xe9.md')."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
