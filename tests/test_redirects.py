"""URLs that never break: aliases, the URL record, permalink patterns, collisions, redirect files."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from generator.build.builder import BuildOptions, build
from generator.cli import main
from generator.core import urls
from generator.core.errors import SiteError
from generator.dev.check import check_site
from generator.read.published import RECORD_FILE
from tests.conftest import Page, Project, briefing_md, need, static_server
from tests.test_hosting import fetch, free_port, nginx

BASE = "https://example.org/sub/"
CONFIG = f"title: Moves\nbase_url: {BASE}\n"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".briefings-build"
    }


def clean_build(project: Project, scratch: Path) -> dict[str, bytes]:
    """Every output file of a clean build (no output, no cache) of a copy of the project, URL record included."""
    shutil.copytree(project.root, scratch, ignore=shutil.ignore_patterns("output", ".cache"))
    build(scratch, BuildOptions(run_import=False, cache=False, jobs=1))
    return tree(scratch / "output")


def redirect_of(page: Page) -> tuple[str, str, str]:
    """(meta refresh URL, canonical link, robots) of a redirect page."""
    refresh = next(str(m["content"]) for m in page.all("meta") if m.get("http-equiv") == "refresh")
    canonical = str(page.all("link", rel="canonical")[0]["href"])
    robots = str(page.all("meta", name="robots")[0]["content"])
    return refresh, canonical, robots


def sitemap_locs(project: Project) -> set[str]:
    root = ET.fromstring(project.read("sitemap.xml"))
    return {(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")}


def test_an_alias_gets_a_redirect_page_server_rules_and_no_sitemap_entry(make_site):
    project = make_site(
        {
            "content/briefings/talks.md": briefing_md(
                "Talks resume",
                aliases=["/briefings/talks-stall/", "/2019/old-talks.html", "/old/index.html"],
            ),
            "content/pages/about.md": "---\ntitle: About\naliases: /who-we-are/\n---\n\nUs.\n",
        },
        config=CONFIG,
    )
    project.build()
    for old in ("briefings/talks-stall/index.html", "2019/old-talks.html", "old/index.html"):
        page = project.html(old)
        refresh, canonical, robots = redirect_of(page)
        assert refresh == "0; url=/sub/briefings/talks-resume/"
        assert canonical == BASE + "briefings/talks-resume/"
        assert robots == "noindex"
        assert page.all("a", href="/sub/briefings/talks-resume/")
        assert "moved to Talks resume" in page.text
    refresh, canonical, _ = redirect_of(project.html("who-we-are/index.html"))
    assert (refresh, canonical) == ("0; url=/sub/about/", BASE + "about/")
    locs = sitemap_locs(project)
    assert BASE + "briefings/talks-resume/" in locs
    assert not {loc for loc in locs if "talks-stall" in loc or "old" in loc or "who-we" in loc}
    rules = project.read("_redirects").splitlines()
    assert "/sub/briefings/talks-stall/ /sub/briefings/talks-resume/ 301" in rules
    assert "/sub/2019/old-talks.html /sub/briefings/talks-resume/ 301" in rules
    assert "/sub/who-we-are/ /sub/about/ 301" in rules
    nginx = project.read("nginx-redirects.map").splitlines()
    assert "/sub/old/ /sub/briefings/talks-resume/;" in nginx
    assert all(line.startswith("#") or line.endswith(";") for line in nginx)
    report = check_site(project.output, BASE, html_validation=False)
    assert not report.problems, "\n".join(map(str, report.problems))


def test_a_renamed_slug_leaves_a_redirect_and_incremental_equals_clean(make_site, tmp_path):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("First title", countries=["Chile"]),
            "content/briefings/b.md": briefing_md("Other", "2026-11-21T09:00:00+00:00"),
        },
        config=CONFIG,
    )
    project.build()
    record = (project.root / RECORD_FILE).read_text(encoding="utf-8")
    assert "/briefings/first-title/ content/briefings/a.md\n" in record
    assert "/countries/chile/ countries:chile\n" in record
    project.write({"content/briefings/a.md": briefing_md("Second title", countries=["Chile"])})
    project.build()  # a new Builder with .cache/, as the CLI runs
    refresh, _, _ = redirect_of(project.html("briefings/first-title/index.html"))
    assert refresh == "0; url=/sub/briefings/second-title/"
    project.write({"content/briefings/a.md": briefing_md("Third title", countries=["Chile"])})
    project.build()
    for old in (
        "first-title",
        "second-title",
    ):  # every earlier URL, straight to the page (no chain)
        refresh, _, _ = redirect_of(project.html(f"briefings/{old}/index.html"))
        assert refresh == "0; url=/sub/briefings/third-title/"
    assert not (project.output / "briefings/first-title/feed.xml").exists()
    assert tree(project.output) == clean_build(project, tmp_path / "clean")
    # `briefings clean` deletes output/ and .cache/, never the record: a clean build keeps the redirects
    assert main(["-C", str(project.root), "clean"]) == 0
    assert not (project.root / ".cache").exists() and (project.root / RECORD_FILE).exists()
    assert main(["-C", str(project.root), "build", "--no-import"]) == 0
    assert (project.output / "briefings/first-title/index.html").exists()


def test_a_deleted_briefing_is_gone_and_a_reused_url_belongs_to_its_new_page(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Alpha")}, config=CONFIG)
    project.build()
    (project.root / "content/briefings/a.md").unlink()
    project.write({"content/briefings/b.md": briefing_md("Beta")})
    project.build()
    assert not (project.output / "briefings/alpha").exists()  # deleted content: 404, as it should
    project.write({"content/briefings/c.md": briefing_md("Gamma", slug="alpha")})
    project.build()
    assert "Gamma" in project.html("briefings/alpha/index.html").texts("h1")
    record = (project.root / RECORD_FILE).read_text(encoding="utf-8")
    assert "/briefings/alpha/ content/briefings/c.md\n" in record


def test_permalink_patterns_move_every_link_and_leave_redirects(make_site, tmp_path):
    files = {
        f"content/briefings/b{i}.md": briefing_md(
            f"Briefing {i}",
            f"2026-0{i + 1}-0{i + 1}T09:00:00+00:00",
            countries=["Chile"],
            topics=["Trade"],
        )
        for i in range(3)
    }
    project = make_site(files, config=CONFIG)
    project.build()
    project.write(
        {
            "site.yaml": CONFIG
            + "permalinks:\n  briefings: /:year/:month/:day/:slug/\n  countries: /country/:slug/\n"
        }
    )
    project.build()
    new, old = "2026/02/02/briefing-1/", "briefings/briefing-1/"
    home = project.html("index.html")
    assert f"/sub/{new}" in home.links() and f"/sub/{old}" not in home.links()
    assert "/sub/country/chile/" in project.html(new + "index.html").links()
    term = project.html("country/chile/index.html")
    assert f"/sub/{new}" in term.links()
    assert "/sub/country/chile/feed.xml" in term.links()
    assert "/sub/countries/" in term.links()  # the taxonomy's index stays at /countries/
    for feed in ("feed.xml", "rss.xml", "country/chile/feed.xml"):
        parsed = feedparser.parse(project.read(feed))
        assert not parsed.bozo, feed
        assert BASE + new in {e.link for e in parsed.entries}, feed
    items = json.loads(project.read("feed.json"))["items"]
    assert BASE + new in {item["url"] for item in items}
    locs = sitemap_locs(project)
    assert BASE + new in locs and BASE + old not in locs and BASE + "countries/chile/" not in locs
    docs = json.loads(project.read("search/docs/0.json"))
    assert new in json.dumps(docs) and old not in json.dumps(docs)
    # every URL published before the change redirects, pages and feeds
    assert redirect_of(project.html(old + "index.html"))[0] == f"0; url=/sub/{new}"
    assert (
        redirect_of(project.html("countries/chile/index.html"))[0] == "0; url=/sub/country/chile/"
    )
    rules = project.read("_redirects").splitlines()
    assert "/sub/countries/chile/feed.xml /sub/country/chile/feed.xml 301" in rules
    assert f"/sub/{old} /sub/{new} 301" in rules
    assert not (project.output / "countries/chile/feed.xml").exists()  # feeds: server rules only
    assert tree(project.output) == clean_build(project, tmp_path / "clean")
    report = check_site(project.output, BASE, html_validation=False)
    assert not report.problems, "\n".join(map(str, report.problems))


def test_changing_the_pattern_back_and_forth_never_loops(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Alpha")}, config=CONFIG)
    project.build()
    project.write({"site.yaml": CONFIG + "permalinks: {briefings: '/:year/:slug/'}\n"})
    project.build()
    project.write({"site.yaml": CONFIG})
    project.build()
    assert "Alpha" in project.html("briefings/alpha/index.html").texts("h1")
    assert redirect_of(project.html("2026/alpha/index.html"))[0] == "0; url=/sub/briefings/alpha/"


def errors_of(project: Project) -> str:
    with pytest.raises(SiteError) as err:
        project.build()
    return str(err.value)


def test_two_briefings_on_one_path_name_both_files(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Same", "2026-11-02T09:00:00+00:00"),
            "content/briefings/b.md": briefing_md("Other", "2026-11-03T09:00:00+00:00"),
        },
        config=CONFIG + "permalinks: {briefings: '/:year/:month/:slug/'}\n",
    )
    project.write({"content/briefings/b.md": briefing_md("Other", "2026-11-20", slug="same")})
    message = errors_of(project)
    a, b = project.root / "content/briefings/a.md", project.root / "content/briefings/b.md"
    assert f"{b}:1: URL /2026/11/same/ is also claimed by {a}" in message


def test_an_alias_on_another_page_or_briefing_names_both_files(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Alpha"),
            "content/briefings/b.md": briefing_md(
                "Beta", summary="x", aliases=["/briefings/alpha/", "/about/"]
            ),
            "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
        },
        config=CONFIG,
    )
    message = errors_of(project)
    b = project.root / "content/briefings/b.md"
    assert (
        f"{b}:5: alias /briefings/alpha/ is also claimed by {project.root}/content/briefings/a.md"
        in message
    )
    assert (
        f"{b}:5: alias /about/ is also claimed by {project.root}/content/pages/about.md" in message
    )


def test_two_aliases_on_one_path_and_an_alias_on_a_term_page(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Alpha", aliases=["/old/"], countries=["Chile"]),
            "content/briefings/b.md": briefing_md("Beta", aliases=["/old/", "/countries/chile/"]),
        },
        config=CONFIG,
    )
    message = errors_of(project)
    b = project.root / "content/briefings/b.md"
    assert f"{b}:4: alias /old/ is also claimed by {project.root}/content/briefings/a.md" in message
    assert "alias /countries/chile/ is also claimed by the page of Chile (countries)" in message


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("/briefings/alpha/", "alias /briefings/alpha/ is this page's own URL; remove it"),
        ("/briefings/../etc/", "alias '/briefings/../etc/' may not hold '..'"),
        ("https://example.org/x/", "alias 'https://example.org/x/' is a full URL"),
        ("//evil.example/x/", "alias '//evil.example/x/' is a full URL"),
        ("/search/", "alias /search/ is in /search/, which the generator writes itself"),
        ("/static/old.html", "alias /static/old.html is in /static/, which the generator writes"),
        ("/briefings/", "alias /briefings/ is in /briefings/, which the generator writes itself"),
        ("/countries/", "alias /countries/ is in /countries/, which the generator writes itself"),
        ("/feed.xml", "alias '/feed.xml' names a file that is not .html"),
        ("/a b/", "may not hold '?', '#', '\\' or spaces"),
    ],
)
def test_bad_aliases_are_errors_with_file_and_line(make_site, alias, expected):
    project = make_site(
        {"content/briefings/a.md": briefing_md("Alpha", summary="s", aliases=[alias])},
        config=CONFIG,
    )
    message = errors_of(project)
    assert f"{project.root / 'content/briefings/a.md'}:5: " in message
    assert expected in message


@pytest.mark.parametrize(
    ("permalinks", "expected"),
    [
        ("{briefings: /:year/:title/}", "unknown placeholder :title"),
        ("{briefings: /:year/}", "must contain :slug exactly once"),
        ("{briefings: 'news/:slug'}", "must start and end with '/'"),
        ("{briefings: /search/:slug/}", "its first folder /search/ is reserved"),
        ("{briefings: /countries/:slug/}", "starts in the folder of the countries taxonomy"),
        ("{countries: /:slug/}", "must start with a fixed folder or :taxonomy"),
        ("{countries: /:year/:slug/}", "unknown placeholder :year"),
        ("{countries: /t/:slug/, topics: /t/:slug/}", "is also countries's; add :taxonomy"),
        ("{regions: /r/:slug/}", "unknown key 'permalinks.regions'"),
        ("{briefings: /News/:slug/}", "may hold only a-z"),
    ],
)
def test_bad_permalink_patterns_are_errors_with_the_line(make_site, permalinks, expected):
    project = make_site({}, config=CONFIG + f"permalinks: {permalinks}\n")
    message = errors_of(project)
    assert f"{project.root / 'site.yaml'}:3: " in message
    assert expected in message


def test_a_slug_led_pattern_keeps_reserved_folders(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Search"),
            "content/briefings/b.md": briefing_md("About"),
            "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
        },
        config=CONFIG + "permalinks: {briefings: '/:slug/'}\n",
    )
    message = errors_of(project)
    assert "a.md:1: URL /search/ is reserved for generated pages" in message
    assert (
        f"about.md:1: URL /about/ is also claimed by {project.root}/content/briefings/b.md"
        in message
    )


def test_serve_follows_the_record_but_never_writes_it(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Alpha")}, config=CONFIG)
    project.build(record_urls=False)
    assert not (project.root / RECORD_FILE).exists()
    project.build()
    before = (project.root / RECORD_FILE).read_text(encoding="utf-8")
    project.write({"content/briefings/a.md": briefing_md("Alpha two")})
    project.build(record_urls=False)
    assert (project.root / RECORD_FILE).read_text(encoding="utf-8") == before
    assert redirect_of(project.html("briefings/alpha/index.html"))[0].endswith("/alpha-two/")


def test_drafts_and_future_briefings_are_not_recorded(make_site):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Draft one", draft=True),
            "content/briefings/b.md": briefing_md("Later one", "2099-01-01T00:00:00+00:00"),
        },
        config=CONFIG,
    )
    project.build(drafts=True, future=True)
    record = (project.root / RECORD_FILE).read_text(encoding="utf-8")
    assert "draft-one" not in record and "later-one" not in record


def test_a_malformed_record_line_is_an_error_with_its_line(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Alpha")}, config=CONFIG)
    project.write({RECORD_FILE: "# comment\n/briefings/x/ content/briefings/x.md\nnot-a-path\n"})
    assert f"{project.root / RECORD_FILE}:3: expected `/path/from/site/root/ source`" in errors_of(
        project
    )


def test_check_reports_a_redirect_page_whose_target_is_missing(make_site):
    project = make_site(
        {"content/briefings/a.md": briefing_md("Alpha", aliases=["/old/"])}, config=CONFIG
    )
    project.build()
    shutil.rmtree(project.output / "briefings/alpha")
    messages = [str(p) for p in check_site(project.output, BASE, html_validation=False).problems]
    assert any(m.startswith("old/index.html") and "redirects to" in m for m in messages), messages


# --- followed by a real server and a real browser, under a subpath ------------------------------------------


def moved_project(root: Path, base_url: str) -> Path:
    """A site whose briefing was renamed and whose countries moved to /country/, plus an alias."""
    project = Project(root)
    project.write(
        {
            "site.yaml": f"title: Moves\nbase_url: {base_url}\n",
            "content/briefings/a.md": briefing_md("First name", countries=["Chile"]),
        }
    )
    build(root, BuildOptions(run_import=False))
    project.write(
        {
            "site.yaml": f"title: Moves\nbase_url: {base_url}\npermalinks: {{countries: /country/:slug/}}\n",
            "content/briefings/a.md": briefing_md(
                "Second name", countries=["Chile"], aliases=["/legacy/story.html"]
            ),
        }
    )
    build(root, BuildOptions(run_import=False))
    return project.output


OLD_TO_NEW = {
    "briefings/first-name/": "briefings/second-name/",
    "legacy/story.html": "briefings/second-name/",
    "countries/chile/": "country/chile/",
    "countries/chile/feed.xml": "country/chile/feed.xml",
}


@pytest.mark.nginx
def test_nginx_follows_the_redirect_map_under_a_subpath(tmp_path):
    need("nginx")
    port = free_port()
    base = f"http://127.0.0.1:{port}/briefings/"
    output = moved_project(tmp_path / "site", base)
    # the README's recipe: the map in the http block, one `if` in the site's location
    http = f'map $uri $briefings_moved {{ default ""; include {output}/nginx-redirects.map; }}'
    location = (
        f"location /briefings/ {{ alias {output}/; index index.html; "
        "if ($briefings_moved) { return 301 $briefings_moved; } "
        "error_page 404 /briefings/404.html; }"
    )
    with nginx(tmp_path / "nginx", port, location, http):
        for old, new in OLD_TO_NEW.items():
            request = urllib.request.Request(base + old, method="HEAD")
            with pytest.raises(urllib.error.HTTPError) as moved:
                urllib.request.build_opener(NoRedirects).open(request, timeout=10)
            assert moved.value.code == 301, old
            assert moved.value.headers["Location"] == base + new, old
            status, body, _ = fetch(base + old)  # followed to the page itself
            assert status == 200, old
            assert (output / urls.page_path(new)).read_bytes() == body, old
        assert (
            fetch(base + "briefings/second-name/")[0] == 200
        )  # pages themselves are not redirected


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_chromium_follows_redirect_pages_under_a_subpath(browser, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    with static_server(www) as port:
        base = f"http://127.0.0.1:{port}/briefings/"
        output = moved_project(tmp_path / "site", base)
        shutil.copytree(output, www / "briefings")
        page = browser.new_page()
        try:
            for old, new in OLD_TO_NEW.items():
                if old.endswith(".xml"):
                    continue  # feeds move by server rules only
                page.goto(base + old, wait_until="load", timeout=15_000)
                page.wait_for_url(base + new, timeout=15_000)
                assert page.url == base + new
                assert page.locator("h1").first.inner_text().endswith(("Second name", "Chile"))
        finally:
            page.close()
