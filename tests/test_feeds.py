"""Feeds: site-wide Atom, RSS and JSON Feed, per-country/topic Atom; parsed with feedparser."""

from __future__ import annotations

import json

import feedparser

from tests.conftest import briefing_md

CONFIG = "title: Feeds\nbase_url: https://example.org/sub/\nfeed_entries: 3\n"


def corpus() -> dict[str, str]:
    files = {}
    for i in range(6):
        countries = ["Russia"] if i % 2 == 0 else ["France"]
        files[f"content/briefings/b{i}.md"] = briefing_md(
            f"Briefing {i} & <co>",
            date=f"2026-11-{10 + i:02d}T09:00:00+00:00",
            countries=countries,
            topics=["Energy"],
            summary=f"Summary {i}.",
            body=f"Body {i} with a [root link](/about/) and [anchor](#x).",
        )
    files["content/pages/about.md"] = "---\ntitle: About\n---\nAbout.\n"
    return files


def test_site_feeds_parse_with_the_newest_entries_absolute_urls_and_dates(make_site):
    project = make_site(corpus(), config=CONFIG)
    project.build()
    for name in ("feed.xml", "rss.xml"):
        parsed = feedparser.parse(project.read(name))
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert [e.title for e in parsed.entries] == [
            "Briefing 5 & <co>",
            "Briefing 4 & <co>",
            "Briefing 3 & <co>",
        ]
        for entry in parsed.entries:
            assert entry.link.startswith("https://example.org/sub/briefings/")
            assert entry.id.startswith("tag:example.org,2026-11-")
            assert entry.published_parsed[:3][0] == 2026
    atom = feedparser.parse(project.read("feed.xml"))
    assert atom.version == "atom10" and atom.feed.updated.startswith("2026-11-15")
    content = atom.entries[0].content[0].value
    # root links made absolute for readers
    assert 'href="https://example.org/sub/about/"' in content
    assert "https://example.org/sub/briefings/briefing-5-co/#x" in content
    assert feedparser.parse(project.read("rss.xml")).version == "rss20"
    data = json.loads(project.read("feed.json"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == "https://example.org/sub/feed.json"
    assert [i["title"] for i in data["items"]] == [
        "Briefing 5 & <co>",
        "Briefing 4 & <co>",
        "Briefing 3 & <co>",
    ]
    assert all(i["content_html"] and i["id"].startswith("tag:") for i in data["items"])


def test_country_feed_holds_exactly_the_newest_briefings_of_that_country_and_is_advertised(
    make_site,
):
    project = make_site(corpus(), config=CONFIG)
    project.build()
    russia = feedparser.parse(project.read("countries/russia/feed.xml"))
    assert russia.bozo == 0
    assert [e.title for e in russia.entries] == [
        "Briefing 4 & <co>",
        "Briefing 2 & <co>",
        "Briefing 0 & <co>",
    ]
    assert len(feedparser.parse(project.read("topics/energy/feed.xml")).entries) == 3
    assert not (project.output / "people").exists() or not list(
        (project.output / "people").rglob("feed.xml")
    )
    page = project.html("countries/russia/index.html")
    alternates = {a["href"] for a in page.all("link", rel="alternate")}
    assert "/sub/countries/russia/feed.xml" in alternates
    assert {"/sub/feed.xml", "/sub/rss.xml", "/sub/feed.json"} <= alternates
    home = {a["href"] for a in project.html("index.html").all("link", rel="alternate")}
    assert home == {"/sub/feed.xml", "/sub/rss.xml", "/sub/feed.json"}


def test_entry_ids_survive_edits_and_summary_only_mode(make_site):
    project = make_site(corpus(), config=CONFIG + "feed_full_content: false\n")
    project.build()
    before = {e.link: e.id for e in feedparser.parse(project.read("feed.xml")).entries}
    project.write(
        {
            "content/briefings/b5.md": briefing_md(
                "Briefing 5 & <co>",
                date="2026-11-15T09:00:00+00:00",
                countries=["France"],
                updated="2026-11-16T10:00:00+00:00",
                summary="Rewritten.",
                body="Totally new body.",
            )
        }
    )
    project.build()
    parsed = feedparser.parse(project.read("feed.xml"))
    assert {e.link: e.id for e in parsed.entries} == before
    top = parsed.entries[0]
    assert top.updated.startswith("2026-11-16") and top.published.startswith("2026-11-15")
    assert "Totally new body" not in top.content[0].value and "Rewritten." in top.content[0].value


def test_feeds_of_an_empty_site_parse_and_are_deterministic(make_site, tmp_path):
    project = make_site({}, config=CONFIG)
    project.build()
    first = project.read("feed.xml")
    assert feedparser.parse(first).bozo == 0 and feedparser.parse(first).entries == []
    project.build(output=tmp_path / "again")
    assert (tmp_path / "again" / "feed.xml").read_text() == first


def test_plain_text_that_looks_like_html_stays_text_in_every_feed(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md(
                "<b>Bold</b> title", summary="<script>alert(1)</script>", countries=["Russia"]
            )
        },
        config=CONFIG,
    )
    project.build()
    for name in ("feed.xml", "rss.xml", "countries/russia/feed.xml"):
        entry = feedparser.parse(project.read(name)).entries[0]
        assert entry.title == "<b>Bold</b> title"
        assert "<script" not in entry.summary and "&lt;script&gt;" in entry.summary, (
            name,
            entry.summary,
        )
    item = json.loads(project.read("feed.json"))["items"][0]
    assert item["summary"] == "<script>alert(1)</script>" and "<script" not in item["content_html"]
