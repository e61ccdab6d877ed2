"""Editorial trust on built sites: sources and citations, corrections, embargo and expiry, and the bugs
fixed on the way (trend on some countries, takeaways that are not a list, `new` with custom taxonomies)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from generator.build.write import MARKER
from generator.cli import main
from generator.core.errors import SiteError
from tests.conftest import briefing_md

SAHEL = "briefings/juntas-tighten-grip/index.html"
SOURCES = [
    {
        "id": "afp",
        "title": "Sahel juntas announce joint force",
        "publisher": "AFP",
        "url": "https://www.afp.com/en/news/sahel-force",
        "date": "2026-11-18",
        "kind": "wire",
        "reliability": "B2",
    },
    {
        "id": "ecowas",
        "title": "Final communiqué of the 66th ordinary session",
        "publisher": "ECOWAS Commission",
        "url": "https://www.ecowas.int/communique-66",
        "archive_url": "https://web.archive.org/web/2026/https://www.ecowas.int/communique-66",
        "kind": "official statement",
    },
    {"id": "notes", "title": "Interview notes, Bamako", "kind": "interview"},
]
BODY = """
The juntas announced a force of 5,000.[^ecowas] It will sit in Niamey,[^afp] said officials.[^ecowas]

## Next

Code is left alone: `[^afp]`. An unknown one stays as written.[^ghost]
"""


def sahel(**fields: object) -> str:
    return briefing_md(
        "Juntas tighten grip",
        "2026-11-20T09:00:00+00:00",
        body=BODY,
        countries=["Mali", "Niger"],
        sources=SOURCES,
        **fields,
    )


def other(title: str, date: str = "2026-11-10T09:00:00+00:00", **fields: object) -> str:
    return briefing_md(title, date, body="Other text.", countries=["Mali"], **fields)


# ---- sources and citations -------------------------------------------------------------------------


def test_citations_are_numbered_in_order_of_first_use_and_link_both_ways(make_site):
    site = make_site({"content/briefings/sahel.md": sahel()})
    site.build()
    page = site.html(SAHEL)
    sups = page.all("sup", class_="citation")
    assert [s["id"] for s in sups] == ["cite-ecowas-1", "cite-afp-1", "cite-ecowas-2"]
    links = [a["href"] for a in page.all("a") if str(a.get("href", "")).startswith("#source-")]
    assert links == ["#source-ecowas", "#source-afp", "#source-ecowas"]
    # the list: cited sources by first citation, then the uncited one; each entry links back to its citations
    items = [
        a for t, a in page.elements if t == "li" and str(a.get("id", "")).startswith("source-")
    ]
    assert [(i["id"], i["value"]) for i in items] == [
        ("source-ecowas", "1"),
        ("source-afp", "2"),
        ("source-notes", "3"),
    ]
    backrefs = [a["href"] for a in page.all("a", class_="backref")]
    assert backrefs == ["#cite-ecowas-1", "#cite-ecowas-2", "#cite-afp-1"]
    assert {a["href"] for a in page.all("a", class_="source-archive")} == {
        SOURCES[1]["archive_url"]
    }
    assert "[2]" in page.texts_by_tag["sup"][1]  # afp is source 2
    # code and unknown ids are left as written
    assert "[^afp]" in page.texts_by_tag["code"]
    assert "[^ghost]" in page.text
    assert "B2" in page.texts_by_tag["abbr"]


def test_a_briefing_without_sources_has_no_sources_list(make_site):
    site = make_site({"content/briefings/plain.md": other("Plain")})
    site.build()
    page = site.html("briefings/plain/index.html")
    assert "sources-h" not in page.ids
    assert "corrections" not in page.ids


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"id": "s1", "title": "T", "url": "ftp://x.org/a"},
            "url 'ftp://x.org/a' is not a web address",
        ),
        ({"id": "s1", "title": "T", "url": "https://bad host/"}, "is not a web address"),
        ({"id": "s 1", "title": "T"}, "needs an `id:`"),
        ({"id": "s1", "title": "T", "reliability": "Z9"}, "not an Admiralty grade"),
        ({"id": "s1", "title": "T", "date": "soon"}, "date 'soon' is not a date"),
        ({"id": "s1", "title": "T", "colour": "red"}, "unknown field(s) colour"),
        ({"id": "s1"}, "needs a `title:`"),
    ],
)
def test_a_malformed_source_stops_the_build_naming_file_and_line(make_site, entry, message):
    text = briefing_md("Bad source", "2026-11-20", body="Text.[^s1]", sources=[entry])
    site = make_site({"content/briefings/bad.md": text})
    with pytest.raises(SiteError) as caught:
        site.build()
    (problem,) = caught.value.problems
    assert Path(problem.path).name == "bad.md"
    assert problem.line == text.split("\n").index("sources:") + 1
    assert message in problem.message


def test_check_reports_unknown_citations_uncited_sources_and_missing_archives(make_site, capsys):
    site = make_site(
        {"content/briefings/sahel.md": sahel()},
        config="title: T\nbase_url: https://example.org/\nrequire_archive: true\n",
    )
    site.build()
    code = main(["-C", str(site.root), "check", "--no-html-validation"])
    out = capsys.readouterr().out.splitlines()
    text = (site.root / "content/briefings/sahel.md").read_text().split("\n")
    ghost_line = next(n for n, line in enumerate(text, 1) if "[^ghost]" in line)
    notes_line = next(n for n, line in enumerate(text, 1) if "id: notes" in line)
    afp_line = next(n for n, line in enumerate(text, 1) if "id: afp" in line)
    assert code == 1
    path = site.root / "content/briefings/sahel.md"
    assert f"{path}:{ghost_line}: citation [^ghost] names no source" in "\n".join(out)
    assert any(line.startswith(f"{path}:{notes_line}: source notes is never cited") for line in out)
    assert any(line.startswith(f"{path}:{afp_line}: source afp has no archive_url") for line in out)
    # ecowas has its archived copy and is cited
    assert not any("source ecowas" in line for line in out)


def test_check_passes_a_well_sourced_briefing(make_site, capsys):
    body = "A force of 5,000.[^afp] Footnotes still work.[^1]\n\n[^1]: A plain footnote."
    text = briefing_md("Sourced", "2026-11-20", body=body, sources=SOURCES[:1])
    site = make_site({"content/briefings/sourced.md": text})
    site.build()
    assert main(["-C", str(site.root), "check", "--no-html-validation"]) == 0
    page = site.html("briefings/sourced/index.html")
    assert page.all("a", class_="footnote-ref")  # Markdown's footnote, not a citation
    assert [s["id"] for s in page.all("sup", class_="citation")] == ["cite-afp-1"]


# ---- corrections -----------------------------------------------------------------------------------

CORRECTIONS = [
    {"date": "2026-11-20T15:00:00+00:00", "kind": "update", "note": "Added ECOWAS's response."},
    {
        "date": "2026-11-21T10:00:00+00:00",
        "kind": "correction",
        "note": "An earlier version said the force numbered 50,000; it numbers 5,000.",
    },
]


def test_corrections_show_in_the_dateline_the_box_the_log_and_the_feeds(make_site):
    site = make_site(
        {
            "content/briefings/sahel.md": sahel(corrections=CORRECTIONS),
            "content/briefings/clarified.md": other(
                "Clarified",
                corrections=[{"date": "2026-11-22", "kind": "clarification", "note": "Reworded."}],
            ),
            "content/briefings/plain.md": other("Plain"),
        }
    )
    site.build()
    page = site.html(SAHEL)
    dateline = [t for t in page.texts_by_tag["span"] if t.startswith(("Corrected", "Updated"))]
    assert dateline == ["Corrected 21 November 2026"]
    box = page.texts_by_tag["section"]
    assert any(t.startswith("Corrections and updates Correction, 21 November 2026") for t in box)
    clarified = site.html("briefings/clarified/index.html")
    assert "Updated 22 November 2026" in clarified.texts_by_tag["span"]

    log = site.html("corrections/index.html")
    titles = log.texts_by_tag["h2"]
    assert titles == ["Clarified", "Juntas tighten grip", "Juntas tighten grip"]  # newest first
    feed = feedparser.parse(site.read("corrections/feed.xml"))
    assert not feed.bozo
    assert [e.title for e in feed.entries] == [
        "Clarification: Clarified",
        "Correction: Juntas tighten grip",
        "Update: Juntas tighten grip",
    ]
    assert feed.entries[1].link == "https://example.org/briefings/juntas-tighten-grip/#corrections"
    assert len({e.id for e in feed.entries}) == 3
    # the site feeds carry the date of the latest change, so feed readers show the briefing again
    atom = feedparser.parse(site.read("feed.xml"))
    entry = next(e for e in atom.entries if e.title == "Juntas tighten grip")
    assert entry.updated_parsed[:5] == (2026, 11, 21, 10, 0)
    assert entry.published_parsed[:3] == (2026, 11, 20)
    sitemap = site.read("sitemap.xml")
    assert "corrections/</loc>" in sitemap


def test_a_malformed_correction_names_the_file_and_line(make_site):
    text = other("Bad", corrections=[{"date": "2026-11-22", "kind": "retraction", "note": "x"}])
    site = make_site({"content/briefings/bad.md": text})
    with pytest.raises(SiteError) as caught:
        site.build()
    (problem,) = caught.value.problems
    assert problem.line == text.split("\n").index("corrections:") + 1
    assert "kind must be one of correction, clarification, update" in problem.message


# ---- embargo and expiry ----------------------------------------------------------------------------


def shown_everywhere(site, title: str, slug: str) -> dict[str, bool]:
    """Where a briefing appears in the built site."""
    out = site.output
    search = "".join(p.read_text() for p in (out / "search").rglob("*.json"))
    return {
        "home": title in site.read("index.html"),
        "country": title in site.read("countries/mali/index.html"),
        "feed": title in site.read("feed.xml"),
        "sitemap": f"briefings/{slug}/" in site.read("sitemap.xml"),
        "search": title in search,
        "related": title in site.read("briefings/neighbour/index.html"),
        "page": (out / f"briefings/{slug}/index.html").exists(),
    }


def test_an_embargoed_briefing_is_nowhere_until_its_time_and_as_of_previews_it(make_site):
    site = make_site(
        {
            "content/briefings/secret.md": other(
                "Budget talks collapse", publish="2030-01-01T09:00:00+00:00"
            ),
            "content/briefings/neighbour.md": other("Neighbour", "2026-11-11T09:00:00+00:00"),
        }
    )
    site.build()
    assert not any(
        shown_everywhere(site, "Budget talks collapse", "budget-talks-collapse").values()
    )
    site.build(as_of=datetime(2030, 1, 1, 9, 0, tzinfo=UTC))
    assert all(shown_everywhere(site, "Budget talks collapse", "budget-talks-collapse").values())


def test_an_expired_briefing_leaves_a_withdrawn_notice_at_its_url_and_nothing_else(make_site):
    site = make_site(
        {
            "content/briefings/old.md": other(
                "Ceasefire holds",
                "2026-10-01T09:00:00+00:00",
                expires={"date": "2026-11-01", "reason": "The agreement was a fabrication."},
            ),
            "content/briefings/neighbour.md": other("Neighbour", "2026-10-02T09:00:00+00:00"),
        }
    )
    site.build(as_of=datetime(2026, 10, 15, tzinfo=UTC))
    assert all(shown_everywhere(site, "Ceasefire holds", "ceasefire-holds").values())
    site.build()
    where = shown_everywhere(site, "Ceasefire holds", "ceasefire-holds")
    assert where.pop("page") and not any(where.values())
    notice = site.html("briefings/ceasefire-holds/index.html")
    assert "The agreement was a fabrication." in notice.text
    assert "Other text" not in notice.text
    assert {"name": "robots", "content": "noindex"} in notice.all("meta", name="robots")


def test_an_expiry_before_the_date_is_an_error(make_site):
    text = other("Backwards", "2026-10-01", expires="2026-09-01")
    site = make_site({"content/briefings/b.md": text})
    with pytest.raises(SiteError) as caught:
        site.build()
    assert caught.value.problems[0].line == text.split("\n").index("expires: '2026-09-01'") + 1


def test_the_no_op_path_notices_an_embargo_lifting(make_site):
    lift = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    site = make_site(
        {
            "content/briefings/soon.md": other("Soon", publish=lift.isoformat()),
            "content/briefings/neighbour.md": other("Neighbour", "2026-11-11T09:00:00+00:00"),
        }
    )
    site.build()
    assert "Soon" not in site.read("index.html")
    assert site.build().rendered == 0  # nothing due yet: the no-op path
    deadline = time.monotonic() + 10
    while datetime.now(UTC) < lift and time.monotonic() < deadline:
        time.sleep(0.2)
    report = site.build()
    assert report.rendered > 0
    assert "Soon" in site.read("index.html")


def test_incremental_builds_across_publish_and_expiry_times_equal_clean_ones(make_site, tmp_path):
    site = make_site(
        {
            "content/briefings/a.md": other("Alpha", publish="2026-12-10T09:00:00+00:00"),
            "content/briefings/b.md": other(
                "Bravo", "2026-11-01T09:00:00+00:00", expires="2026-12-20T00:00:00+00:00"
            ),
            "content/briefings/c.md": sahel(corrections=CORRECTIONS),
            "content/briefings/neighbour.md": other("Neighbour", "2026-11-11T09:00:00+00:00"),
        }
    )
    for moment in ("2026-12-01", "2026-12-15", "2026-12-25", "2026-12-05"):
        as_of = datetime.fromisoformat(moment).replace(tzinfo=UTC)
        site.build(as_of=as_of)
        clean = tmp_path / f"clean-{moment}"
        site.build(as_of=as_of, output=clean, cache=False)
        got, want = files_of(site.output), files_of(clean)
        assert sorted(got) == sorted(want), moment
        assert [k for k in got if got[k] != want[k]] == [], moment


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of a built site but the writer's marker, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MARKER
    }


def test_next_due_prints_the_next_moment_the_site_changes(make_site, capsys):
    site = make_site(
        {
            "content/briefings/a.md": other("Alpha", publish="2030-01-01T09:00:00+00:00"),
            "content/briefings/b.md": other("Bravo", expires="2029-06-01T00:00:00+00:00"),
            "content/briefings/d.md": other("Draft", publish="2028-01-01", draft=True),
        }
    )
    assert main(["-C", str(site.root), "next-due"]) == 0
    assert capsys.readouterr().out == "2029-06-01T00:00:00+00:00\texpires\tcontent/briefings/b.md\n"
    assert main(["-C", str(site.root), "next-due", "--as-of", "2029-07-01"]) == 0
    assert capsys.readouterr().out.startswith("2030-01-01T09:00:00+00:00\tpublishes\t")
    assert main(["-C", str(site.root), "next-due", "--as-of", "2031-01-01"]) == 0
    assert capsys.readouterr().out == ""


def test_as_of_without_an_offset_is_in_the_sites_timezone(make_site):
    site = make_site(
        {"content/briefings/a.md": other("Alpha", publish="2030-01-01T09:00:00+01:00")},
        config="title: T\nbase_url: https://example.org/\ntimezone: Europe/Paris\n",
    )
    out = str(site.root / "preview")
    assert (
        main(
            ["-C", str(site.root), "build", "--no-import", "--as-of", "2030-01-01T08:59", "-o", out]
        )
        == 0
    )
    assert "Alpha" not in (site.root / "preview/index.html").read_text()
    assert (
        main(
            ["-C", str(site.root), "build", "--no-import", "--as-of", "2030-01-01T09:00", "-o", out]
        )
        == 0
    )
    assert "Alpha" in (site.root / "preview/index.html").read_text()


# ---- bugs fixed on the way -------------------------------------------------------------------------


def test_a_trend_on_some_of_the_countries_renders(make_site):
    text = other("Trend", trend={"Mali": "deteriorated"})
    text = text.replace("countries:\n- Mali", "countries:\n- Mali\n- Niger")
    site = make_site({"content/briefings/t.md": text})
    site.build()
    page = site.html("briefings/trend/index.html")
    assert [a["title"] for a in page.all("span") if "trend" in str(a.get("class", ""))] == [
        "Deteriorated"
    ]


@pytest.mark.parametrize("value", ["5", "'One sentence'", "{a: b}", "[1, 2]"])
def test_takeaways_must_be_a_list_of_sentences(make_site, value):
    text = f"---\ntitle: T\ndate: 2026-11-20\ntakeaways: {value}\n---\n\nBody.\n"
    site = make_site({"content/briefings/t.md": text})
    with pytest.raises(SiteError) as caught:
        site.build()
    (problem,) = caught.value.problems
    assert problem.line == 4 and "must be a list of sentences" in problem.message


def test_new_lists_the_sites_own_taxonomies(make_site, capsys):
    site = make_site(config="title: T\ntaxonomies: [countries, regions, sectors]\n")
    assert main(["-C", str(site.root), "new", "Grain corridor reopens"]) == 0
    path = Path(capsys.readouterr().out.strip())
    text = path.read_text()
    assert "regions: []" in text and "sectors: []" in text and "people:" not in text
    site.build(drafts=True)
    assert (site.output / "briefings/grain-corridor-reopens/index.html").exists()
