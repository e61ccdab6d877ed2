"""For search engines beyond sitemap.xml: the Google News sitemap, the sitemap index and robots.txt. Pure.

The news sitemap lists the briefings that appeared in the 48 hours before the moment the site is built
for (`Site.now`): `Site.news`, assembled with the clock and part of the site's skeleton. `news_change`
tells the builder when the next briefing leaves it, so that a build with no edits makes it again then.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape as xml_escape

from generator.core import urls
from generator.core.model import Briefing, OutputPage, Site
from generator.site.assemble import NEWS_WINDOW, appeared

NEWS_LIMIT = 1000  # URLs per news sitemap
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def news_briefings(site: Site) -> tuple[Briefing, ...]:
    """Every language's briefings that appeared in the window before `site.now` (`Site.news`), newest
    first."""
    fresh = [b for s in site.every_language for b in s.news]
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
    """sitemap-news.xml: each recent briefing with its publication, date and headline. Its context holds
    the briefings (which change with the clock); their headlines are read when it is made (`news_xml`), so
    a retitle is recorded there as on any page that shows one."""
    config = site.config
    # a briefing's language and URL are its language's site's (one site: the site's)
    sites = {id(b): s.config for s in site.every_language for b in s.briefings}
    entries = tuple(
        (
            sites[id(b)].absolute_url(b.url),
            news_language(sites[id(b)].language),
            appeared(b).isoformat(timespec="seconds"),
            b,
        )
        for b in news_briefings(site)
    )
    return OutputPage(
        path=urls.SITEMAP_NEWS,
        template="",
        make=news_xml,
        context={"publisher": config.publisher or config.title, "entries": entries},
    )


def news_xml(publisher: str, entries: tuple[tuple[str, str, str, Briefing], ...]) -> bytes:
    name = xml_escape(publisher)
    rows = [
        f"  <url>\n    <loc>{xml_escape(loc)}</loc>\n"
        "    <news:news>\n"
        f"      <news:publication><news:name>{name}</news:name>"
        f"<news:language>{xml_escape(language)}</news:language></news:publication>\n"
        f"      <news:publication_date>{published}</news:publication_date>\n"
        f"      <news:title>{xml_escape(b.title)}</news:title>\n"
        "    </news:news>\n  </url>\n"
        for loc, language, published, b in entries
    ]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n' + "".join(rows) + "</urlset>\n"
    )
    return body.encode()


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
