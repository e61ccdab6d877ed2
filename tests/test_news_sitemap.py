"""The Google News sitemap (briefings of the 48 hours before the build's moment), the sitemap index and
robots.txt; a build with nothing edited notices when a briefing leaves the news sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from generator.core.config import Config
from generator.core.model import Site
from generator.pages.news import news_change, news_language, news_sitemap
from tests.conftest import briefing_md

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "https://example.org/sub/"
CONFIG = f"title: Fast Desk\npublisher: Fast Desk Ltd\nbase_url: {BASE}\nlanguage: pt-BR\npreview_images: false\n"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def files() -> dict[str, str]:
    return {
        "content/briefings/old.md": briefing_md("Old news", date="2026-11-17T09:00:00+00:00"),
        "content/briefings/fresh.md": briefing_md("Fresh & new", date="2026-11-19T09:00:00+00:00"),
        "content/briefings/newest.md": briefing_md("Newest", date="2026-11-20T08:00:00+00:00"),
        # dated earlier, but public only since its embargo lifted: it appeared then
        "content/briefings/held.md": briefing_md(
            "Held back", date="2026-11-10T09:00:00+00:00", publish="2026-11-20T06:00:00+00:00"
        ),
        "content/briefings/later.md": briefing_md("Later", date="2026-11-21T09:00:00+00:00"),
    }


def news_entries(project) -> list[dict[str, str]]:
    root = ET.fromstring(project.read("sitemap-news.xml"))
    assert root.tag == f"{SM}urlset"
    entries = []
    for url in root.findall(f"{SM}url"):
        news = url.find(f"{NEWS}news")
        assert news is not None
        publication = news.find(f"{NEWS}publication")
        assert publication is not None
        entries.append(
            {
                "loc": url.findtext(f"{SM}loc", ""),
                "name": publication.findtext(f"{NEWS}name", ""),
                "language": publication.findtext(f"{NEWS}language", ""),
                "date": news.findtext(f"{NEWS}publication_date", ""),
                "title": news.findtext(f"{NEWS}title", ""),
            }
        )
    return entries


def test_news_sitemap_lists_the_last_48_hours(make_site):
    project = make_site(files(), config=CONFIG)
    project.build(as_of=NOW)
    entries = news_entries(project)
    assert [e["loc"] for e in entries] == [
        BASE + "briefings/newest/",
        BASE + "briefings/held-back/",
        BASE + "briefings/fresh-new/",
    ]
    assert {e["name"] for e in entries} == {"Fast Desk Ltd"}
    assert {e["language"] for e in entries} == {"pt"}
    assert entries[2]["title"] == "Fresh & new"
    assert datetime.fromisoformat(entries[1]["date"]) == datetime(2026, 11, 20, 6, tzinfo=UTC)
    index = ET.fromstring(project.read("sitemap-index.xml"))
    assert index.tag == f"{SM}sitemapindex"
    assert [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")] == [
        BASE + "sitemap.xml",
        BASE + "sitemap-news.xml",
    ]
    robots = project.read("robots.txt").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in robots and f"Sitemap: {BASE}sitemap-news.xml" in robots
    # the ordinary sitemap still lists pages only, not the other sitemaps
    plain = ET.fromstring(project.read("sitemap.xml"))
    assert plain.tag == f"{SM}urlset"
    assert not [u for u in plain.iter(f"{SM}loc") if (u.text or "").endswith(".xml")]


def test_a_build_with_no_edits_notices_a_briefing_leaving_the_news_sitemap(make_site):
    project = make_site(files(), config=CONFIG)
    project.build(as_of=NOW)
    assert len(news_entries(project)) == 3
    # an hour later nothing has changed: the no-op fast path applies (nothing rendered, nothing written)
    report = project.build(as_of=NOW + timedelta(hours=1))
    assert report.rendered == 0 and report.stats.written == 0
    # "Fresh & new" (2026-11-19 09:00) leaves at 2026-11-21 09:00; "Later" appears at the same moment
    report = project.build(as_of=datetime(2026, 11, 21, 8, 59, tzinfo=UTC))
    assert len(news_entries(project)) == 3
    report = project.build(as_of=datetime(2026, 11, 21, 9, 0, 1, tzinfo=UTC))
    titles = [e["title"] for e in news_entries(project)]
    assert titles == ["Later", "Newest", "Held back"]
    # the next one to leave is "Held back" (appeared 2026-11-20 06:00): two days later, with no edits
    report = project.build(as_of=datetime(2026, 11, 22, 6, 0, 1, tzinfo=UTC))
    assert [e["title"] for e in news_entries(project)] == ["Later", "Newest"]
    assert report.stats.written >= 1
    report = project.build(as_of=datetime(2026, 12, 30, tzinfo=UTC))
    assert news_entries(project) == []
    # and a clean build at that moment agrees, byte for byte
    clean = make_site(files(), config=CONFIG)
    clean.output = clean.root / "clean"
    clean.build(as_of=datetime(2026, 12, 30, tzinfo=UTC), output=clean.output, cache=False)
    assert clean.read("sitemap-news.xml") == project.read("sitemap-news.xml")


def test_news_helpers_without_a_clock():
    site = Site(config=Config(), briefings=(), pages=(), taxonomies={}, neighbours={})
    assert news_change(site) is None
    page = news_sitemap(site)
    assert page.context["entries"] == () and b"<url>" not in page.make(**page.context)
    assert news_language("zh-TW") == "zh-tw" and news_language("en-GB") == "en"
