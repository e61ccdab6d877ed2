"""Timeline, year archives, digests, situation board, country pages, term descriptions, related briefings."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.core.model import Briefing
from generator.site.assemble import RELATED_WINDOW, related_briefings
from tests.conftest import briefing_md

CONFIG = "title: T\nbase_url: https://example.org/\n"


def b(title, date, **fields):
    return briefing_md(title, date=date, **fields)


def test_timeline_groups_by_month_newest_first_with_year_pages(make_site):
    project = make_site(
        {
            "content/briefings/a.md": b(
                "Old news", "2025-12-31T23:00:00+00:00", countries=["Iran"]
            ),
            "content/briefings/b.md": b(
                "November one", "2026-11-02T09:00:00+00:00", countries=["Russia", "Ukraine"]
            ),
            "content/briefings/c.md": b("November two", "2026-11-20T09:00:00+00:00"),
            "content/briefings/d.md": b("October", "2026-10-05T09:00:00+00:00"),
        },
        config=CONFIG,
    )
    project.build()
    page = project.html("timeline/index.html")
    assert [h.split(" ")[0] + " " + h.split(" ")[1] for h in page.texts("h2")] == [
        "November 2026",
        "October 2026",
        "December 2025",
    ]
    assert {"m-2026-11", "m-2026-10", "m-2025-12"} <= page.ids
    rows = page.texts("li")
    assert any("November one" in r and "Russia, Ukraine" in r for r in rows)
    links = page.links()
    assert (
        links.index("/briefings/november-two/")
        < links.index("/briefings/november-one/")
        < links.index("/briefings/old-news/")
    )
    assert "/timeline/2026/" in links and "/timeline/2025/" in links
    year = project.html("timeline/2026/index.html")
    assert "/briefings/old-news/" not in year.links() and "/briefings/october/" in year.links()
    assert [a["href"] for a in year.all("a", rel="next")] == ["/timeline/2025/"]


def test_timeline_in_site_timezone(make_site):
    project = make_site(
        {"content/briefings/a.md": b("Late", "2025-12-31T23:30:00+00:00")},
        config=CONFIG + "timezone: Europe/Berlin\n",
    )
    project.build()
    assert (project.output / "timeline/2026/index.html").exists() and not (
        project.output / "timeline/2025"
    ).exists()


def test_weekly_digest_has_iso_weeks_takeaways_and_index(make_site):
    project = make_site(
        {
            "content/briefings/a.md": b(
                "Monday item",
                "2026-11-23T08:00:00+00:00",
                takeaways=["First point.", "Second point."],
            ),
            "content/briefings/b.md": b(
                "Sunday item", "2026-11-29T20:00:00+00:00", takeaways=["Third point."]
            ),
            "content/briefings/c.md": b("Next week", "2026-11-30T08:00:00+00:00"),
            "content/briefings/d.md": b("New year week", "2027-01-01T08:00:00+00:00"),
        },
        config=CONFIG,
    )
    project.build(future=True)
    week = project.html("digest/2026-W48/index.html")
    assert week.texts("h1") == ["Week 48, 2026"]
    assert "23–29 November 2026" in week.text
    # the week in reading order
    assert list(week.texts("h2")) == ["Monday item", "Sunday item"]
    assert {"First point.", "Second point.", "Third point."} <= set(week.texts("li"))
    assert [a["href"] for a in week.all("a", rel="prev")] == ["/digest/2026-W49/"]
    # 1 Jan 2027 is in ISO week 2026-W53
    assert (project.output / "digest/2026-W53/index.html").exists()
    index = project.html("digest/index.html")
    weeks = [h for h in index.links() if h.startswith("/digest/20")]
    assert weeks == ["/digest/2026-W53/", "/digest/2026-W49/", "/digest/2026-W48/"]


def test_situation_lists_latest_trend_per_country_worst_first(make_site):
    project = make_site(
        {
            "content/briefings/a.md": b(
                "Old",
                "2026-11-01T09:00:00+00:00",
                countries=["Russia"],
                trend={"Russia": "improved", "Mali": "unchanged"},
            ),
            "content/briefings/b.md": b(
                "New",
                "2026-11-10T09:00:00+00:00",
                countries=["Russia", "Sudan"],
                trend={"Russia": "deteriorated", "Sudan": "deteriorated", "Chile": "improved"},
                alert={"Sudan": "conflict-risk"},
            ),
        },
        config=CONFIG,
    )
    project.build()
    page = project.html("situation/index.html")
    assert [row.split(" ")[0] for row in page.texts("th")[4:]] == [
        "Sudan",
        "Russia",
        "Mali",
        "Chile",
    ]
    assert "Conflict risk" in page.text
    # no page for untagged Chile
    assert "/countries/russia/" in page.links() and "/countries/chile/" not in page.links()
    russia = project.html("countries/russia/index.html")
    history = [t for t in russia.texts("li") if "Deteriorated" in t or "Improved" in t]
    assert (
        history[0].startswith("10 Nov 2026")
        and "Deteriorated" in history[0]
        and "Improved" in history[1]
    )
    latest = [p for p in russia.texts("p") if p.startswith("Latest trend")]
    assert latest and "Deteriorated" in latest[0]


def test_country_page_shows_region_and_frequent_actors(make_site):
    files = {
        f"content/briefings/p{i}.md": b(
            f"Putin {i}",
            f"2026-11-{i + 1:02d}T09:00:00+00:00",
            countries=["Russia"],
            people=["Vladimir Putin"] + (["Sergey Lavrov"] if i < 2 else []),
            organisations=["NATO"] if i == 0 else [],
        )
        for i in range(4)
    }
    project = make_site(files, config=CONFIG)
    project.build()
    page = project.html("countries/russia/index.html")
    assert any(p.startswith("Region") and "Eastern Europe" in p for p in page.texts("p"))
    chips = [t for t in page.texts("a") if t.endswith(("briefing", "briefings"))]
    assert chips[:3] == [
        "Vladimir Putin: 4 briefings",
        "Sergey Lavrov: 2 briefings",
        "NATO: 1 briefing",
    ]
    assert "/people/vladimir-putin/" in page.links() and "/organisations/nato/" in page.links()


def test_yaml_term_description_and_regions_taxonomy(make_site):
    project = make_site(
        {
            "content/briefings/a.md": b(
                "A", "2026-11-01T09:00:00+00:00", countries=["Russia"], regions=["Europe"]
            ),
            "content/regions/europe.yaml": "title: Europe\ndescription: |\n  The **continent** west of the Urals.\n",
            "content/countries/russia.yaml": "region: Europe\ndescription: Largest country.\n",
        },
        config=CONFIG + "taxonomies: [countries, people, topics, regions]\n",
    )
    project.build()
    region = project.html("regions/europe/index.html")
    assert "The continent west of the Urals." in region.text and "continent" in region.texts(
        "strong"
    )
    assert "/briefings/a/" in region.links()
    assert "/regions/" in project.html("index.html").links()
    assert [t for t in project.html("regions/index.html").texts("a") if "Europe" in t]
    russia = project.html("countries/russia/index.html")
    assert "Largest country." in russia.text
    assert "/regions/europe/" in russia.links()  # the editor's region links to the region's page
    assert "/regions/europe/" in project.html("briefings/a/index.html").links()


def test_term_described_twice_is_an_error(make_site):
    project = make_site(
        {
            "content/briefings/a.md": b("A", "2026-11-01T09:00:00+00:00", countries=["Russia"]),
            "content/countries/russia.yaml": "description: One.\n",
            "content/countries/russia.md": "---\ntitle: Russia\n---\nTwo.\n",
        },
        config=CONFIG,
    )
    import pytest

    from generator.core.errors import SiteError

    with pytest.raises(SiteError) as err:
        project.build()
    assert "russia.yaml:1: russia.md already describes this term" in str(err.value)


def _briefing(i: int, terms: dict) -> Briefing:
    return Briefing(
        path=Path(f"{i}.md"),
        slug=f"b{i:05d}",
        url=f"briefings/b{i:05d}/",
        aliases=(),
        _title=str(i),
        date=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
        updated=None,
        _summary="",
        _takeaways=(),
        terms=terms,
        _source=None,
        draft=False,
        _reading_time=1,
        trends=(),
        _extra={},
    )


def test_related_prefers_a_shared_rare_entity_over_a_shared_common_one():
    common = {"countries": ("Russia",)}
    items = [_briefing(i, common) for i in range(50)]
    target = _briefing(100, {"countries": ("Russia",), "people": ("Rare Person",)})
    rare = _briefing(101, {"countries": ("France",), "people": ("Rare Person",)})
    ordered = tuple(sorted([*items, target, rare], key=lambda x: x.sort_key, reverse=True))
    related = related_briefings(ordered, ("countries", "people"), 3)
    # one rare shared person beats one shared very common country
    assert related[target.slug][0] is rare
    assert rare.slug not in {x.slug for x in related[items[0].slug]}


def test_related_scales_better_than_quadratic():
    def run(n: int) -> float:
        items = tuple(
            _briefing(i, {"countries": ("Russia", f"C{i % 4}"), "topics": ("Conflict",)})
            for i in range(n)
        )
        items = tuple(sorted(items, key=lambda x: x.sort_key, reverse=True))
        # CPU time of this process: other processes on a loaded machine do not count (wall time did: 15x)
        started = time.process_time()
        related = related_briefings(items, ("countries", "topics"), 4)
        assert all(len(v) == 4 for v in related.values())
        return time.process_time() - started

    # Every term is shared by more briefings than the window holds at both sizes, so only the window bounds
    # the work: 4x the briefings should cost ~4x (quadratic would be 16x). Best of three damps noise.
    small = min(run(1000) for _ in range(3))
    large = min(run(4000) for _ in range(3))
    assert large < small * 9, (small, large)
    assert RELATED_WINDOW < 1000
