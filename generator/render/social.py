"""What a page tells social networks and search engines about itself: Open Graph and Twitter card tags and
schema.org JSON-LD (NewsArticle, BreadcrumbList, WebSite with a SearchAction).

`social(context)` is a template global: it reads only the page's own context (its kind, title, canonical
path, briefing, term...), so what it adds to a page is covered by the page's key like everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2

from generator.core import urls
from generator.core.config import Config
from generator.core.model import Briefing, SourceRef

PREVIEW_SIZE = (1200, 630)
LOGO_SIZE = 512
# og:locale wants language_TERRITORY; a bare language tag gets its most common territory.
_TERRITORIES = {
    "en": "US", "fr": "FR", "de": "DE", "es": "ES", "it": "IT", "pt": "PT", "nl": "NL", "ru": "RU",
    "uk": "UA", "pl": "PL", "ar": "AR", "zh": "CN", "ja": "JP", "ko": "KR", "tr": "TR", "sv": "SE",
}  # fmt: skip


@dataclass(frozen=True)
class Social:
    """Tags for a page's <head>: Open Graph (property=), Twitter (name=) and JSON-LD blocks."""

    og: tuple[tuple[str, str], ...]
    twitter: tuple[tuple[str, str], ...]
    json_ld: tuple[dict[str, Any], ...]


def og_locale(language: str) -> str:
    """'en' -> 'en_US', 'pt-BR' -> 'pt_BR'."""
    parts = language.replace("_", "-").split("-")
    lang = parts[0].lower()
    territory = parts[1].upper() if len(parts) > 1 else _TERRITORIES.get(lang, lang.upper())
    return f"{lang}_{territory}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def own_image(config: Config, briefing: Briefing) -> str:
    """The absolute URL of a briefing's own lead image (front matter `image:`), or ''."""
    picture = briefing.image
    if picture is None:
        return ""
    return picture.url if picture.remote else config.absolute_url(picture.url)


def page_image(config: Config, briefing: Briefing | None) -> tuple[str, bool]:
    """(absolute image URL, whether it is a generated 1200x630 one) for a page; ('', False) if none."""
    if briefing is not None:
        image = own_image(config, briefing)
        if image:
            return image, False
        if config.preview_images:
            return config.absolute_url(urls.preview(briefing.slug)), True
    if config.preview_images:
        return config.absolute_url(urls.SITE_PREVIEW), True
    return "", False


def _tags(briefing: Briefing) -> list[str]:
    seen: list[str] = []
    for name in (*briefing.topics, *briefing.countries, *briefing.people, *briefing.organisations):
        if name not in seen:
            seen.append(name)
    return seen


def _entity(config: Config, kind: str, taxonomy: str, name: str) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": kind, "name": name}
    if taxonomy in config.taxonomies:
        item["url"] = config.absolute_url(config.links.term_of(taxonomy, name))
    return item


def _citation(source: SourceRef) -> dict[str, Any]:
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "name": source.title or source.publisher or source.url,
    }
    if source.url:
        work["url"] = source.url
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date:
        work["datePublished"] = _iso(source.date)
    if source.archive_url:
        work["archivedAt"] = source.archive_url
    return work


def publisher(config: Config) -> dict[str, Any]:
    """The site as a schema.org Organization, with the generated logo when images are made."""
    org: dict[str, Any] = {
        "@type": "Organization",
        "name": config.publisher or config.title,
        "url": config.absolute_url(""),
    }
    if config.preview_images:
        org["logo"] = {
            "@type": "ImageObject",
            "url": config.absolute_url(urls.LOGO),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        }
    return org


def news_article(config: Config, briefing: Briefing, image: str) -> dict[str, Any]:
    """schema.org NewsArticle of a briefing, per Google's Article structured data guidelines."""
    url = config.absolute_url(briefing.url)
    author: dict[str, Any] = (
        {"@type": "Person", "name": config.author}
        if config.author
        else {
            "@type": "Organization",
            "name": config.publisher or config.title,
            "url": config.absolute_url(""),
        }
    )
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": briefing.title,
        "description": briefing.summary or briefing.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _iso(briefing.date),
        "dateModified": _iso(briefing.revised or briefing.date),
        "author": [author],
        "publisher": publisher(config),
        "inLanguage": config.language,
        "isAccessibleForFree": True,
    }
    if image:
        article["image"] = [image]
    if briefing.topics:
        article["articleSection"] = briefing.topics[0]
    if _tags(briefing):
        article["keywords"] = _tags(briefing)
    about = [_entity(config, "Country", "countries", n) for n in briefing.countries]
    mentions = [_entity(config, "Person", "people", n) for n in briefing.people]
    mentions += [
        _entity(config, "Organization", "organisations", n) for n in briefing.organisations
    ]
    if about:
        article["about"] = about
    if mentions:
        article["mentions"] = mentions
    if briefing.sources:
        article["citation"] = [_citation(s) for s in briefing.sources]
    return article


def breadcrumbs(config: Config, trail: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """schema.org BreadcrumbList of (name, output path) pairs, the site's home first."""
    items = [(config.title, ""), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": config.absolute_url(path)}
            for n, (name, path) in enumerate(items, start=1)
        ],
    }


def website(config: Config) -> dict[str, Any]:
    """schema.org WebSite with a SearchAction on /search/?q=."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": config.title,
        "description": config.description,
        "url": config.absolute_url(""),
        "inLanguage": config.language,
        "publisher": publisher(config),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": config.absolute_url(urls.SEARCH) + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def trail(config: Config, page: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    """The breadcrumb trail below the home page of a page, by its kind (None: no breadcrumbs)."""
    kind, title, canonical = (
        page.get("kind"),
        str(page.get("title", "")),
        str(page.get("canonical", "")),
    )
    if kind in (None, "home", "404") or canonical.endswith(".html"):
        return None
    briefing = page.get("briefing")
    if kind == "briefing" and isinstance(briefing, Briefing):
        steps = []
        if briefing.topics and "topics" in config.taxonomies:
            steps.append((briefing.topics[0], config.links.term_of("topics", briefing.topics[0])))
        return [*steps, (briefing.title, briefing.url)]
    taxonomy = page.get("taxonomy")
    if kind == "term" and taxonomy is not None and page.get("term") is not None:
        term = page["term"]
        return [(taxonomy.title, taxonomy.url), (term.name, term.url)]
    if kind == "digest":
        return [("Weekly digests", urls.DIGESTS), (title.removeprefix("Digest: "), canonical)]
    if kind == "year":
        return [("Timeline", urls.TIMELINE), (title, canonical)]
    return [(title, canonical)]


def social(config: Config, page: Mapping[str, Any]) -> Social:
    """Open Graph, Twitter and JSON-LD of a page, from its context."""
    briefing = page.get("briefing") if page.get("kind") == "briefing" else None
    if not isinstance(briefing, Briefing):
        briefing = None
    title = str(page.get("title", config.title))
    description = str(page.get("description", config.description))
    url = config.absolute_url(str(page.get("canonical", "")))
    image, generated = page_image(config, briefing)
    og: list[tuple[str, str]] = [
        ("og:site_name", config.title),
        ("og:title", title),
        ("og:description", description),
        ("og:url", url),
        ("og:type", "article" if briefing else "website"),
        ("og:locale", og_locale(config.language)),
    ]
    if image:
        og.append(("og:image", image))
        if generated:
            og += [
                ("og:image:width", str(PREVIEW_SIZE[0])),
                ("og:image:height", str(PREVIEW_SIZE[1])),
            ]
        og.append(("og:image:alt", title))
    blocks: list[dict[str, Any]] = []
    if briefing:
        og += [
            ("article:published_time", _iso(briefing.date)),
            ("article:modified_time", _iso(briefing.revised or briefing.date)),
        ]
        if briefing.topics:
            og.append(("article:section", briefing.topics[0]))
        og += [("article:tag", tag) for tag in _tags(briefing)]
        if config.author:
            og.append(("article:author", config.author))
        blocks.append(news_article(config, briefing, image))
    twitter = [
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", title),
        ("twitter:description", description),
    ]
    if image:
        twitter += [("twitter:image", image), ("twitter:image:alt", title)]
    handle = (config.params or {}).get("twitter")
    if isinstance(handle, str) and handle:
        twitter.append(("twitter:site", handle if handle.startswith("@") else f"@{handle}"))
    if page.get("kind") == "home" and page.get("canonical") == "":
        blocks.append(website(config))
    steps = trail(config, page)
    if steps:
        blocks.append(breadcrumbs(config, steps))
    return Social(tuple(og), tuple(twitter), tuple(blocks))


def template_globals(config: Config) -> dict[str, Any]:
    """`social()` for templates: the page's tags from its own context."""

    @jinja2.pass_context
    def page_social(context: jinja2.runtime.Context) -> Social:
        return social(config, context.get_all())

    return {"social": page_social}
