"""For search engines beyond sitemap.xml: the Google News sitemap, the sitemap index and robots.txt. Pure.

The news sitemap lists the briefings that appeared in the 48 hours before the moment the site is built
for (`Site.now`). It depends on the clock, so it is an unkeyed page (its bytes are made at every build,
from a few briefings) and `news_change` tells the builder when the next briefing leaves it, so that a
build with no edits still rewrites it then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.sax.saxutils import escape as xml_escape

from generator.core import urls
from generator.core.model import Briefing, OutputPage, Site

NEWS_WINDOW = timedelta(hours=48)  # Google News: articles published in the last two days
NEWS_LIMIT = 1000  # URLs per news sitemap
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def appeared(briefing: Briefing) -> datetime:
    """When the briefing became public: its date, or the end of its embargo if later."""
    return max(briefing.date, briefing.publish or briefing.date)


def news_briefings(site: Site) -> tuple[Briefing, ...]:
    """The briefings that appeared in the window before `site.now`, newest first (none without a clock)."""
    if site.now is None:
        return ()
    cutoff = site.now - NEWS_WINDOW
    shown = (b for s in site.every_language for b in s.briefings)  # every language's
    fresh = [b for b in shown if cutoff < appeared(b) <= site.now]
    return tuple(sorted(fresh, key=lambda b: (appeared(b), b.slug), reverse=True)[:NEWS_LIMIT])


def news_change(site: Site) -> datetime | None:
    """The next moment a briefing leaves the news sitemap (None if it lists none)."""
    moments = [appeared(b) + NEWS_WINDOW for b in news_briefings(site)]
    return min(moments) if moments else None


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code ('en', 'pt'), with zh-cn and zh-tw the only regional ones."""
    tag = language.lower().replace("_", "-")
    return tag if tag in ("zh-cn", "zh-tw") else tag.split("-")[0]


def news_sitemap(site: Site) -> OutputPage:
    """sitemap-news.xml: each recent briefing with its publication, date and headline."""
    config = site.config
    entries = news_briefings(site)
    name = xml_escape(config.publisher or config.title)
    # a briefing's language and URL are its language's site's (one site: the site's)
    sites = {id(b): s.config for s in site.every_language for b in s.briefings}
    rows = []
    for b in entries:
        config = sites[id(b)]
        language = xml_escape(news_language(config.language))
        rows.append(
            f"  <url>\n    <loc>{xml_escape(config.absolute_url(b.url))}</loc>\n"
            "    <news:news>\n"
            f"      <news:publication><news:name>{name}</news:name>"
            f"<news:language>{language}</news:language></news:publication>\n"
            f"      <news:publication_date>{appeared(b).isoformat(timespec='seconds')}"
            "</news:publication_date>\n"
            f"      <news:title>{xml_escape(b.title)}</news:title>\n"
            "    </news:news>\n  </url>\n"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n' + "".join(rows) + "</urlset>\n"
    )
    cutoff = site.now - NEWS_WINDOW if site.now else None
    return OutputPage(
        path=urls.SITEMAP_NEWS,
        template="",
        context={"cutoff": cutoff, "entries": entries},
        data=body.encode(),
    )


def sitemap_index(site: Site) -> OutputPage:
    """sitemap-index.xml: the sitemaps of the site (every page; recent news)."""
    rows = "".join(
        f"  <sitemap><loc>{xml_escape(site.config.absolute_url(path))}</loc></sitemap>\n"
        for path in (urls.SITEMAP, urls.SITEMAP_NEWS)
    )
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
        + rows
        + "</sitemapindex>\n"
    )
    return OutputPage(path=urls.SITEMAP_INDEX, template="", context={}, data=body.encode())


def robots_text(site: Site) -> str:
    """robots.txt allowing everything and pointing at the sitemaps."""
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [
        f"Sitemap: {site.config.absolute_url(path)}" for path in (urls.SITEMAP, urls.SITEMAP_NEWS)
    ]
    return "\n".join(lines) + "\n"
