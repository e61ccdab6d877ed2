"""Feeds: site-wide Atom, RSS 2.0 and JSON Feed 1.1, and an Atom feed per country and per topic. Pure.

Atom and RSS are written by `feedgenerator` (Django's feed writer, as Pelican uses it): escaping, date
formats and element order are its problem. JSON Feed is a plain `json.dumps` of the 1.1 structure.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedgenerator

from generator.core import urls
from generator.core.config import Config
from generator.core.images import MIME
from generator.core.model import Body, Briefing, OutputPage, Site, Taxonomy, Term
from generator.core.sanitize import sanitize
from generator.pages.page import feed_page

# Taxonomies whose terms get their own feed (/countries/russia/feed.xml); others would be noise.
FEED_TAXONOMIES = ("countries", "topics")
# path, MIME type, label
SITE_FEEDS = tuple(
    zip(
        urls.SITE_FEEDS,
        ("application/atom+xml", "application/rss+xml", "application/feed+json"),
        ("Atom", "RSS", "JSON Feed"),
        strict=True,
    )
)
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # an empty feed still needs a fixed <updated>


Entry = tuple[Briefing, Body | None]  # a briefing and, in full-content feeds, its body


def entry_id(config: Config, briefing: Briefing) -> str:
    """A stable tag: URI (RFC 4151): host, first publication date and slug; edits to the text never change it."""
    host = urlsplit(config.base_url).hostname or "localhost"
    # the default pattern's path, not briefing.url: a new permalink pattern keeps every entry's id
    return f"tag:{host},{briefing.date:%Y-%m-%d}:{config.base_path}{urls.briefing(briefing.slug)}"


def absolutize(html: str, page_url: str) -> str:
    """Content HTML with every href/src made absolute against the briefing's URL (feed readers have no base)."""

    def rewrite(tag: str, attribute: str, value: str) -> str:
        if attribute == "srcset":  # '<url> 480w, <url> 800w'
            return ", ".join(
                " ".join([urljoin(page_url, c.split()[0]), *c.split()[1:]])
                for c in value.split(",")
                if c.strip()
            )
        return urljoin(page_url, value) if attribute in ("href", "src") else value

    return sanitize(html, attribute_filter=rewrite)


def _content(config: Config, briefing: Briefing, body: Body | None) -> str:
    """What an entry carries as HTML: the summary and takeaways, plus the body in full-content feeds."""
    url = config.absolute_url(briefing.url)
    parts = []
    if briefing.summary:
        parts.append(f"<p><strong>{escape(briefing.summary)}</strong></p>")
    if briefing.takeaways:
        parts.append(
            "<ul>" + "".join(f"<li>{escape(t)}</li>" for t in briefing.takeaways) + "</ul>"
        )
    if body is not None:
        parts.append(absolutize(body.html, url))
    for fix in reversed(briefing.corrections):  # newest first, as the page's box lists them
        parts.append(
            f"<p><em>{fix.kind.capitalize()}, {fix.date:%Y-%m-%d}:</em> {escape(fix.note)}</p>"
        )
    return "\n".join(parts)


def lead_image(config: Config, briefing: Briefing) -> tuple[str, str] | None:
    """(absolute URL, MIME type) of a briefing's lead image (front matter `image:`), if it has one."""
    pic = briefing.image
    if pic is None:
        return None
    if pic.remote:
        return pic.url, mimetypes.guess_type(urlsplit(pic.url).path)[0] or "image/jpeg"
    return config.absolute_url(pic.url), MIME.get(
        pic.formats[-1] if pic.formats else pic.format, ""
    )


def _categories(briefing: Briefing) -> list[str]:
    return [
        name for taxonomy in ("countries", "topics") for name in briefing.terms.get(taxonomy, ())
    ]


class _Dated:
    """Feed-level <updated>/<lastBuildDate>: the newest entry, a fixed date when empty; never the clock."""

    def latest_post_date(self) -> datetime:  # overrides feedgenerator's datetime.now() fallback
        dates = [item["updateddate"] or item["pubdate"] for item in self.items]  # type: ignore[attr-defined]
        return max(dates) if dates else EMPTY_FEED_DATE


class AtomFeed(_Dated, feedgenerator.Atom1Feed):
    pass


class RssFeed(_Dated, feedgenerator.Rss201rev2Feed):
    pass


def _syndication(
    feed_cls: type, config: Config, title: str, link: str, feed_path: str, entries: Iterable[Entry]
) -> bytes:
    author = config.author or config.publisher or config.title
    feed = feed_cls(
        title=title,
        link=config.absolute_url(link),
        description=config.description,
        language=config.language,
        author_name=author,
        feed_url=config.absolute_url(feed_path),
        feed_guid=config.absolute_url(link),
    )
    for b, body in entries:
        content = _content(config, b, body)
        feed.add_item(
            title=b.title,
            link=config.absolute_url(b.url),
            unique_id=entry_id(config, b),
            unique_id_is_permalink=False,
            # Atom: <summary> plus <content>; RSS has one <description>, which then carries the content.
            # feedgenerator marks Atom's summary type="html": the plain-text summary is escaped to be that.
            description=escape(b.summary or b.title) if feed_cls is AtomFeed else content,
            content=content if feed_cls is AtomFeed else None,
            pubdate=b.date,
            updateddate=b.revised or b.date,
            categories=_categories(b),
            # the lead image; its size in bytes is not known before it is encoded, so 0 (allowed)
            enclosures=[feedgenerator.Enclosure(url, "0", mime)]
            if (image := lead_image(config, b)) and (url := image[0]) and (mime := image[1])
            else None,
        )
    return feed.writeString("utf-8").encode("utf-8")


def atom(config: Config, title: str, link: str, feed_path: str, entries: Iterable[Entry]) -> bytes:
    """An Atom 1.0 feed of `entries` (newest first)."""
    return _syndication(AtomFeed, config, title, link, feed_path, entries)


def rss(config: Config, title: str, link: str, feed_path: str, entries: Iterable[Entry]) -> bytes:
    """An RSS 2.0 feed of `entries` (newest first)."""
    return _syndication(RssFeed, config, title, link, feed_path, entries)


def json_feed(
    config: Config, title: str, link: str, feed_path: str, entries: Iterable[Entry]
) -> bytes:
    """A JSON Feed 1.1 of `entries` (newest first)."""
    author = config.author or config.publisher or config.title
    items: list[dict[str, Any]] = []
    for b, body in entries:
        item: dict[str, Any] = {
            "id": entry_id(config, b),
            "url": config.absolute_url(b.url),
            "title": b.title,
            "content_html": _content(config, b, body),
            "date_published": b.date.isoformat(),
            "date_modified": (b.revised or b.date).isoformat(),
        }
        if b.summary:
            item["summary"] = b.summary
        if _categories(b):
            item["tags"] = _categories(b)
        if image := lead_image(config, b):
            item["image"] = image[0]
        items.append(item)
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": config.absolute_url(link),
        "feed_url": config.absolute_url(feed_path),
        "description": config.description,
        "language": config.language,
        "authors": [{"name": author}],
        "items": items,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def corrections_atom(
    config: Config, title: str, link: str, feed_path: str, rows: Iterable[tuple[Briefing, Any]]
) -> bytes:
    """An Atom feed of corrections (newest first): one entry per (briefing, correction), linking to the
    briefing's corrections box; its id stays the same however the briefing changes later."""
    feed = AtomFeed(
        title=title,
        link=config.absolute_url(link),
        description=config.description,
        language=config.language,
        author_name=config.author or config.publisher or config.title,
        feed_url=config.absolute_url(feed_path),
        feed_guid=config.absolute_url(feed_path),
    )
    for b, fix in rows:
        feed.add_item(
            title=f"{fix.kind.capitalize()}: {b.title}",
            link=config.absolute_url(b.url) + "#corrections",
            unique_id=f"{entry_id(config, b)}#{fix.kind}-{fix.date:%Y%m%dT%H%M%S}",
            unique_id_is_permalink=False,
            description=escape(fix.note),
            content=f"<p>{escape(fix.note)}</p>",
            pubdate=fix.date,
            updateddate=fix.date,
        )
    return feed.writeString("utf-8").encode("utf-8")


def term_feed_path(site: Site, taxonomy: Taxonomy, term: Term) -> str | None:
    """Output path of a term's feed ('countries/russia/feed.xml'), or None if its taxonomy has none."""
    feed = site.config.links.term_feed(taxonomy.name, term.slug)
    return feed if taxonomy.name in FEED_TAXONOMIES else None


def feed_pages(site: Site) -> Iterable[OutputPage]:
    """The site-wide feeds and one Atom feed per country and topic, each of the newest `feed_entries`."""
    newest = site.briefings[: site.config.feed_entries]
    writers = dict(zip(urls.SITE_FEEDS, (atom, rss, json_feed), strict=True))
    for path, _, _ in SITE_FEEDS:
        yield _feed(site, writers[path], site.config.title, "", path, newest)
    for taxonomy in site.taxonomies.values():
        for term in taxonomy.terms:
            term_path = term_feed_path(site, taxonomy, term)
            if term_path:
                yield _feed(
                    site,
                    atom,
                    f"{term.name} · {site.config.title}",
                    term.url,
                    term_path,
                    term.briefings[: site.config.feed_entries],
                )


def _feed(
    site: Site,
    writer: Callable[..., bytes],
    title: str,
    link: str,
    path: str,
    briefings: tuple[Briefing, ...],
) -> OutputPage:
    """A feed of `briefings`: its context (so its key) holds the entries, with their bodies in full-content feeds."""
    full = site.config.feed_full_content
    entries = tuple((b, site.bodies[b.slug] if full else None) for b in briefings)
    return feed_page(site, writer, path, title, link, entries=entries)


PAGE_KINDS = [feed_pages]
