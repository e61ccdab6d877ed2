"""Entity dossiers (#19): chronologies on term pages, trend charts, the situation map, what changed in a week,
trend-change feeds, people and organisations with registry facts. Built sites, parsed HTML and feeds."""

from __future__ import annotations

import re

import feedparser

from generator.read.mentions import EXCERPT, excerpt, find_mentions
from tests.conftest import Page, briefing_md

CONFIG = "title: Test Briefings\nbase_url: https://example.org/\npaginate: 4\n"


def chrono_links(page: Page) -> list[str]:
    """The briefing links of a chronology, in page order."""
    links, in_title = [], False
    for tag, attrs in page.elements:
        if tag == "h4" and attrs.get("class") == "chrono-title":
            in_title = True
        elif tag == "a" and in_title:
            links.append(str(attrs["href"]))
            in_title = False
    return links


def mali_site(make_site):  # type: ignore[no-untyped-def]
    """Ten briefings naming Mali over three months, two per month with trends, one naming it only in text."""
    files = {}
    days = ["2026-09-02", "2026-09-20", "2026-10-01", "2026-10-08", "2026-10-15", "2026-10-22"]
    days += ["2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24"]
    trends = {
        "2026-09-02": "deteriorated",
        "2026-10-01": "unchanged",
        "2026-10-22": "improved",
        "2026-11-17": "deteriorated",
    }
    for i, day in enumerate(days):
        fields: dict[str, object] = {
            "takeaways": [f"Point {i} about the Sahel."],
            "countries": ["Mali", "Niger"] if i % 2 else ["Mali"],
            "people": ["Assimi Goïta"],
            "organisations": ["ECOWAS"],
            "topics": ["Security"],
        }
        if day in trends:
            fields["trend"] = {"Mali": trends[day]}
        if day == "2026-11-17":
            fields["alert"] = "conflict-risk"
        if i == 9:
            fields["takeaways"] = ["Mali's junta extended the transition."]
        body = (
            "## Context\n\nOfficials met in Niamey on Monday. "
            f"Analysts said the junta in Mali would not yield before the elections ({i}).\n"
        )
        files[f"content/briefings/b{i}.md"] = briefing_md(
            f"Briefing {i}", f"{day}T09:00:00+00:00", body, **fields
        )
    return make_site(files, config=CONFIG)


def test_term_page_chronology_is_newest_first_by_month_linked_with_a_marked_excerpt(make_site):
    project = mali_site(make_site)
    project.build()
    first = project.html("countries/mali/index.html")
    assert chrono_links(first) == [f"/briefings/briefing-{i}/" for i in (9, 8, 7, 6)]
    months = [t for t in first.texts("h3") if t.endswith("2026")]
    assert months == ["November 2026"]
    assert "Point 8 about the Sahel." in first.texts("li")
    # the takeaways of briefing 9 name Mali: no excerpt; the others quote the sentence that does
    marks = first.texts("mark")
    assert marks == ["Mali"] * 3
    excerpts = [t for t in first.texts("p") if "would not yield" in t]
    assert excerpts and all("the junta in Mali would not yield" in t for t in excerpts)
    second = project.html("countries/mali/page/2/index.html")
    assert chrono_links(second) == [f"/briefings/briefing-{i}/" for i in (5, 4, 3, 2)]
    assert [t for t in second.texts("h3") if "2026" in t] == ["October 2026"]
    third = project.html("countries/mali/page/3/index.html")
    assert chrono_links(third) == ["/briefings/briefing-1/", "/briefings/briefing-0/"]
    # a month that runs over from the previous page says so
    assert any("(continued)" not in t for t in second.texts("h3"))
    every = [
        link
        for n in ("", "page/2/", "page/3/")
        for link in chrono_links(project.html(f"countries/mali/{n}index.html"))
    ]
    assert len(every) == len(set(every)) == 10


def test_long_chronology_pages_carry_a_year_index_and_continued_months(make_site):
    # newest first: 2026 holds positions 0-1, 2025 positions 2-7, 2024 positions 8-13 (4 per page)
    dates = ["2026-02-10", "2026-01-10"] + [f"2025-{m:02d}-10" for m in (12, 11, 10, 9, 8, 7)]
    dates += [f"2024-{m:02d}-10" for m in (12, 11, 10, 9, 8, 7)]
    files = {
        f"content/briefings/y{i}.md": briefing_md(
            f"Item {i}", f"{d}T09:00:00+00:00", countries=["Chad"]
        )
        for i, d in enumerate(dates)
    }
    files["content/briefings/z.md"] = briefing_md(
        "Item z", "2025-11-20T09:00:00+00:00", countries=["Chad"]
    )
    project = make_site(files, config=CONFIG)
    project.build()
    page = project.html("countries/chad/index.html")
    jumps = [a["href"] for a in page.all("a") if "#y-" in str(a.get("href", ""))]
    assert jumps == [
        "/countries/chad/#y-2026",
        "/countries/chad/#y-2025",
        "/countries/chad/page/3/#y-2024",
    ]
    assert {"y-2026", "y-2025"} <= page.ids
    assert "y-2024" in project.html("countries/chad/page/3/index.html").ids
    # page 1 ends with 20 November 2025 (position 3); page 2 begins with 10 November 2025
    months = project.html("countries/chad/page/2/index.html").texts("h3")
    assert "November 2025 (continued)" in months
    assert not any("continued" in t for t in page.texts("h3"))


def test_trend_chart_points_match_the_assessments_and_show_the_latest(make_site):
    project = mali_site(make_site)
    project.build()
    page = project.html("countries/mali/index.html")
    points = [a for a in page.all("g") if "trend-point" in str(a.get("class"))]
    assert [(p["data-date"][:10], p["data-direction"]) for p in points] == [
        ("2026-09-02", "deteriorated"),
        ("2026-10-01", "unchanged"),
        ("2026-10-22", "improved"),
        ("2026-11-17", "deteriorated"),
    ]
    html = project.read("countries/mali/index.html")
    chart = html[
        html.index('class="trend-chart"') : html.index(
            "</figure>", html.index('class="trend-chart"')
        )
    ]
    xs = [
        float(x)
        for x in re.findall(
            r'<g class="trend-point[^>]*>\s*<title>[^<]*</title>\s*<(?:path d="M|circle cx=")([\d.]+)',
            chart,
        )
    ]
    assert xs == sorted(xs) and len(xs) == 4  # oldest on the left
    assert "latest deteriorated" in chart
    assert "Latest: deteriorated" in " ".join(page.texts("figcaption"))
    # a country without assessments has no chart; a topic page neither
    assert 'class="trend-chart"' not in project.read("countries/niger/index.html")
    assert 'class="trend-chart"' not in project.read("topics/security/index.html")


def test_situation_map_colours_each_country_by_its_latest_trend(make_site):
    files = {
        "content/briefings/a.md": briefing_md(
            "Old",
            "2026-10-01T09:00:00+00:00",
            countries=["Mali", "Sudan"],
            trend={"Mali": "improved", "Sudan": "deteriorated"},
        ),
        "content/briefings/b.md": briefing_md(
            "New",
            "2026-11-01T09:00:00+00:00",
            countries=["Mali", "Chad", "Singapore"],
            trend={"Mali": "deteriorated", "Chad": "unchanged", "Singapore": "improved"},
        ),
        "content/briefings/c.md": briefing_md(
            "Plain", "2026-11-02T09:00:00+00:00", countries=["Niger"]
        ),
    }
    project = make_site(files, config=CONFIG)
    project.build()
    page = project.html("situation/index.html")
    shapes = {
        str(a["data-country"]): str(a["data-direction"])
        for tag, a in page.elements
        if "map-trend" in str(a.get("class", "")) and a.get("data-country")
    }
    assert shapes == {"Mali": "deteriorated", "Sudan": "deteriorated", "Chad": "unchanged"}
    html = project.read("situation/index.html")
    for country, direction in shapes.items():
        group = re.search(
            rf'data-country="{country}"[^>]*>.*?<path d="[^"]*" fill="([^"]*)"', html, re.S
        )
        assert group and group.group(1) == f"url(#pat-{direction})"
    for direction in ("deteriorated", "improved", "unchanged"):
        assert f'id="pat-{direction}"' in html
    legend = " ".join(page.texts("li"))
    for label in (
        "Deteriorated (hatched)",
        "Unchanged (lined)",
        "Improved (dotted)",
        "No assessment",
    ):
        assert label in legend
    assert "Too small for this map: Singapore" in page.text
    rows = [t for t in page.texts("th") if t in ("Mali", "Sudan", "Chad", "Singapore")]
    assert sorted(rows) == ["Chad", "Mali", "Singapore", "Sudan"]


def test_changes_feed_carries_only_trend_changes_and_alerts(make_site):
    project = mali_site(make_site)
    project.build()
    feed = feedparser.parse(project.read("countries/mali/changes.xml"))
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert titles == ["Mali: deteriorated, conflict risk", "Mali: improved", "Mali: deteriorated"]
    assert feed.entries[0].link == "https://example.org/briefings/briefing-8/"
    assert len({e.id for e in feed.entries}) == 3
    topic = feedparser.parse(project.read("topics/security/changes.xml"))
    assert [e.title for e in topic.entries] == titles
    empty = feedparser.parse(project.read("countries/niger/changes.xml"))
    assert not empty.bozo and empty.entries == []
    page = project.html("countries/mali/index.html")
    assert "/countries/mali/changes.xml" in page.links()


def test_digest_says_what_changed_this_week(make_site):
    files = {}
    # a quiet country mentioned once a week for four weeks, then five times in one week
    for week in range(4):
        files[f"content/briefings/q{week}.md"] = briefing_md(
            f"Quiet {week}", f"2026-10-{5 + 7 * week:02d}T09:00:00+00:00", countries=["Chad"]
        )
    for n in range(5):
        files[f"content/briefings/s{n}.md"] = briefing_md(
            f"Surge {n}",
            f"2026-11-0{2 + n}T09:00:00+00:00",
            countries=["Chad"],
            people=["Jane Newcomer"] if n == 0 else [],
            trend={"Chad": "deteriorated" if n == 4 else "unchanged"},
        )
    project = make_site(files, config=CONFIG)
    project.build()
    page = project.html("digest/2026-W45/index.html")
    assert "What changed this week" in page.texts("h2")
    section = project.read("digest/2026-W45/index.html")
    section = section[
        section.index('class="week-changes"') : section.index(
            "</section>", section.index('class="week-changes"')
        )
    ]
    changes = Page.parse(section)
    assert "Trends that moved" in changes.texts("h3")
    assert "/countries/chad/" in changes.links()
    assert "Jane Newcomer" in changes.text
    assert "Mentioned far more than usual" in changes.texts("h3")
    assert re.search(r"Chad\s*5 briefings, usually 1(\.0)? a week", changes.text)
    quiet = project.read("digest/2026-W43/index.html")
    assert "week-changes" not in quiet  # nothing moved, nothing new, nothing unusual
    # in the site's first week everything is new: not worth saying
    assert "week-changes" not in project.read("digest/2026-W41/index.html")


def test_person_page_shows_registry_facts_companions_and_wikidata_and_follows_entities_yaml(
    make_site,
):
    files = {
        "content/briefings/p.md": briefing_md(
            "Kremlin talks",
            "2026-11-01T09:00:00+00:00",
            "Vladimir Putin met envoys.",
            countries=["Russia", "Turkey"],
            people=["Vladimir Putin"],
            organisations=["NATO"],
            takeaways=["Putin met envoys."],
        ),
        "content/briefings/q.md": briefing_md(
            "Alliance meets",
            "2026-11-02T09:00:00+00:00",
            countries=["Belgium"],
            organisations=["NATO"],
        ),
    }
    project = make_site(files, config=CONFIG)
    project.build()
    page = project.html("people/vladimir-putin/index.html")
    assert "President of Russia" in page.text
    assert "/countries/russia/" in page.links()
    chips = [a["href"] for a in page.all("a") if "chip" in str(a.get("class"))]
    assert chips == ["/countries/russia/", "/countries/turkey/", "/organisations/nato/"]
    assert not [a for a in page.all("a") if "wikidata" in str(a.get("href"))]
    org = project.html("organisations/nato/index.html")
    assert [a["href"] for a in org.all("a") if "chip" in str(a.get("class"))] == [
        "/countries/belgium/",
        "/countries/russia/",
        "/countries/turkey/",
        "/people/vladimir-putin/",
    ]
    project.write(
        {
            "content/_data/entities.yaml": "people:\n  - name: Vladimir Putin\n    wikidata: Q7747\n"
            "    role: President of the Russian Federation\n"
        }
    )
    report = project.build()
    page = project.html("people/vladimir-putin/index.html")
    assert "https://www.wikidata.org/wiki/Q7747" in page.links()
    assert "President of the Russian Federation" in page.text
    # entities.yaml is also the editor's corrections file (renames, merges, ignores), carried in the config
    # (Config.term_corrections): an edit renders every page again, as a site.yaml edit does
    assert report.rendered >= 1


def test_mentions_are_found_at_parse_time_and_cut_short():
    body = "<p>Talks opened. Officials in Bamako said the Malian junta had hardened. Mali closed its border.</p>"
    found = find_mentions(
        {"countries": ["Mali", "Niger"], "people": ["Assimi Goïta"]}, [], "", body
    )
    assert [(m.term, m.before, m.match, m.after) for m in found] == [
        ("Mali", "", "Mali", " closed its border.")
    ]
    said = find_mentions({"countries": ["Mali"]}, ["Mali votes."], "", body)
    assert said == ()
    surname = find_mentions({"people": ["Assimi Goïta"]}, [], "", "<p>Goïta spoke.</p>")
    assert surname[0].match == "Goïta"
    long = "word " * 200
    cut = excerpt(long + "Mali" + " tail" * 200, len(long), len(long) + 4, "Mali")
    assert cut.before.startswith("…") and cut.after.endswith("…")
    assert len(cut.before) + len(cut.after) + 4 <= EXCERPT + 4


def test_editing_a_body_sentence_no_term_shows_keeps_term_pages(make_site):
    project = mali_site(make_site)
    project.build()
    before = project.read("countries/mali/index.html")
    path = project.root / "content/briefings/b8.md"
    path.write_text(
        path.read_text().replace("Officials met in Niamey", "Officials gathered in Niamey")
    )
    report = project.build()
    assert project.read("countries/mali/index.html") == before
    # its page and the full-content feeds (site, country, topic); no list or term page
    assert report.rendered <= 6, report.rendered
    assert not [
        p for p in report.stats.changed_paths if p.endswith("index.html") and "briefings/" not in p
    ]


def test_changes_feeds_are_in_the_url_record_and_redirect_when_terms_move(make_site):
    project = mali_site(make_site)
    project.build()
    record = (project.root / "published-urls.txt").read_text()
    assert "/countries/mali/changes.xml countries:mali:changes" in record.splitlines()
    project.write({"site.yaml": CONFIG + "permalinks:\n  countries: /country/:slug/\n"})
    project.build()
    rules = project.read("_redirects").splitlines()
    assert "/countries/mali/changes.xml /country/mali/changes.xml 301" in rules
    assert feedparser.parse(project.read("country/mali/changes.xml")).entries
