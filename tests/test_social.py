"""Social previews and structured data on built sites: Open Graph and Twitter tags on every page, the
preview images (what they are, when they are drawn again), JSON-LD checked against the rules search
engines document, `_headers`, and Chromium loading a page with JSON-LD under the CSP."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import CHROMIUM_ARGS, ROOT, Page, briefing_md, need, static_server

BASE = "https://example.org/news/"
CONFIG = f"title: Reach Desk\nbase_url: {BASE}\nlanguage: en-GB\nauthor: Ana Ruiz\nparams: {{twitter: reachdesk}}\n"


def briefings() -> dict[str, str]:
    return {
        "content/briefings/a.md": briefing_md(
            "Sahel juntas announce a joint force",
            date="2026-11-18T08:00:00+00:00",
            summary="Mali, Niger and Burkina Faso pool troops.",
            countries=["Mali", "Niger", "Burkina Faso"],
            people=["Assimi Goïta"],
            organisations=["ECOWAS"],
            topics=["Security", "Diplomacy"],
            sources=[
                {
                    "id": "afp",
                    "title": "Sahel force announced",
                    "publisher": "AFP",
                    "url": "https://www.afp.com/x",
                    "date": "2026-11-18",
                }
            ],
            corrections=[{"date": "2026-11-19 10:00", "note": "The force numbers 5,000."}],
            body="The juntas said so[^afp].\n\n## Context\n\nMore.",
        ),
        "content/briefings/b.md": briefing_md(
            "Talks resume in Geneva",
            date="2026-11-20T09:00:00+00:00",
            summary="Negotiators met again.",
            countries=["Switzerland"],
            topics=["Diplomacy"],
            image="https://media.example.org/geneva.jpg",
        ),
        "content/pages/about.md": "---\ntitle: About\n---\n\nWho we are.\n",
    }


class _Scripts(HTMLParser):
    """The text of every <script type="application/ld+json">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._open:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.blocks[-1] += data


def json_ld(html: str) -> list[dict[str, Any]]:
    parser = _Scripts()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks]


def meta(page: Page) -> dict[str, list[str]]:
    """property= and name= metas by key (a key may repeat: article:tag)."""
    found: dict[str, list[str]] = {}
    for m in page.all("meta"):
        key = m.get("property") or m.get("name")
        if key:
            found.setdefault(str(key), []).append(str(m.get("content")))
    return found


def output_file(project: Any, url: str) -> Path:
    """The output file an absolute URL of the site is served from."""
    assert url.startswith(BASE), url
    rel = url[len(BASE) :]
    path = project.output / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text} has no timezone"
    return moment


@pytest.fixture
def site(make_site):
    project = make_site(briefings(), config=CONFIG)
    project.build()
    return project


def html_pages(project: Any) -> list[str]:
    return sorted(f for f in project.files() if f.endswith(".html"))


def test_every_page_has_open_graph_and_twitter_tags(site):
    pages = html_pages(site)
    assert len(pages) > 15
    for rel in pages:
        page = site.html(rel)
        tags = meta(page)
        canonical = next(str(link["href"]) for link in page.all("link", rel="canonical"))
        title = page.texts("title")[0]
        for key in ("og:title", "og:description", "og:url", "og:type", "og:site_name", "og:locale"):
            assert len(tags.get(key, [])) == 1, (rel, key)
        assert tags["og:url"] == [canonical], rel
        assert tags["og:title"][0] in title
        assert tags["og:site_name"] == ["Reach Desk"] and tags["og:locale"] == ["en_GB"]
        assert tags["twitter:card"] == ["summary_large_image"] and tags["twitter:site"] == [
            "@reachdesk"
        ]
        assert tags["twitter:title"] == tags["og:title"]
        image = tags["og:image"][0]
        assert tags["twitter:image"] == [image]
        if rel.startswith("briefings/talks-resume-in-geneva/"):
            assert image == "https://media.example.org/geneva.jpg" and "og:image:width" not in tags
            continue
        assert output_file(site, image).is_file(), (rel, image)
        assert tags["og:image:width"] == ["1200"] and tags["og:image:height"] == ["630"]
        assert tags["og:type"] == (
            ["article"] if rel.startswith("briefings/") and rel.count("/") == 2 else ["website"]
        ), rel


def test_briefing_article_tags(site):
    tags = meta(site.html("briefings/sahel-juntas-announce-a-joint-force/index.html"))
    assert tags["og:type"] == ["article"]
    assert iso(tags["article:published_time"][0]) == iso("2026-11-18T08:00:00+00:00")
    # modified = briefing.revised: the correction's moment
    assert iso(tags["article:modified_time"][0]) == iso("2026-11-19T10:00:00+00:00")
    assert tags["article:section"] == ["Security"]
    assert tags["article:tag"] == [
        "Security", "Diplomacy", "Mali", "Niger", "Burkina Faso", "Assimi Goïta", "ECOWAS",
    ]  # fmt: skip
    assert tags["article:author"] == ["Ana Ruiz"]
    assert tags["og:image"] == [BASE + "briefings/sahel-juntas-announce-a-joint-force/preview.png"]


def check_news_article(site: Any, data: dict[str, Any], slug: str) -> None:
    """Google's Article structured data: types right, dates ISO 8601 with zone, URLs that resolve."""
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert isinstance(data["headline"], str) and data["headline"]
    assert data["url"] == data["mainEntityOfPage"]["@id"] == f"{BASE}briefings/{slug}/"
    assert iso(data["datePublished"]) <= iso(data["dateModified"])
    assert isinstance(data["image"], list) and data["image"]
    for author in data["author"]:
        assert author["@type"] in ("Person", "Organization") and author["name"]
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] and publisher["url"] == BASE
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    with Image.open(output_file(site, logo["url"])) as image:
        assert image.size == (logo["width"], logo["height"]) == (512, 512)


def test_json_ld_news_article_and_breadcrumbs(site):
    html = site.read("briefings/sahel-juntas-announce-a-joint-force/index.html")
    blocks = {b["@type"]: b for b in json_ld(html)}
    assert set(blocks) == {"NewsArticle", "BreadcrumbList"}
    article = blocks["NewsArticle"]
    check_news_article(site, article, "sahel-juntas-announce-a-joint-force")
    assert article["author"] == [{"@type": "Person", "name": "Ana Ruiz"}]
    assert article["image"] == [BASE + "briefings/sahel-juntas-announce-a-joint-force/preview.png"]
    assert iso(article["dateModified"]) == iso("2026-11-19T10:00:00+00:00")
    assert [(c["@type"], c["name"]) for c in article["about"]] == [
        ("Country", "Mali"), ("Country", "Niger"), ("Country", "Burkina Faso"),
    ]  # fmt: skip
    assert [(m["@type"], m["name"]) for m in article["mentions"]] == [
        ("Person", "Assimi Goïta"), ("Organization", "ECOWAS"),
    ]  # fmt: skip
    for entity in article["about"] + article["mentions"]:
        assert output_file(site, entity["url"]).is_file(), entity
    assert article["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Sahel force announced",
            "url": "https://www.afp.com/x",
            "publisher": {"@type": "Organization", "name": "AFP"},
            "datePublished": "2026-11-18T00:00:00+00:00",
        }
    ]
    crumbs = blocks["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert [c["name"] for c in crumbs] == ["Reach Desk", "Security", article["headline"]]
    for crumb in crumbs:
        assert crumb["@type"] == "ListItem" and output_file(site, crumb["item"]).is_file()
    other = {
        b["@type"]: b for b in json_ld(site.read("briefings/talks-resume-in-geneva/index.html"))
    }
    assert other["NewsArticle"]["image"] == ["https://media.example.org/geneva.jpg"]


def test_json_ld_website_search_action_and_breadcrumbs_elsewhere(site):
    home = json_ld(site.read("index.html"))
    assert [b["@type"] for b in home] == ["WebSite"]
    action = home[0]["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == BASE + "search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert output_file(site, BASE + "search/").is_file()
    for rel in html_pages(site):
        blocks = json_ld(site.read(rel))
        if rel in ("index.html", "404.html") or rel.startswith("page/"):
            assert all(b["@type"] != "BreadcrumbList" for b in blocks), rel
            continue
        crumbs = [b for b in blocks if b["@type"] == "BreadcrumbList"]
        assert len(crumbs) == 1, rel
        items = crumbs[0]["itemListElement"]
        assert items[0]["item"] == BASE and items[-1]["item"] == BASE + rel.removesuffix(
            "index.html"
        )
        for item in items:
            assert output_file(site, item["item"]).is_file(), (rel, item)


def test_preview_images_are_drawn_once_and_again_only_when_what_they_show_changes(site):
    png = site.output / "briefings/sahel-juntas-announce-a-joint-force/preview.png"
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (1200, 630)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 8  # text, map, highlight: not a blank canvas
    assert not (
        site.output / "briefings/talks-resume-in-geneva/preview.png"
    ).exists()  # it has an image of its own
    for rel in ("preview.png", "logo.png"):
        assert (site.output / rel).is_file()
    stamp = png.stat().st_mtime_ns
    report = site.build()
    assert report.rendered == 0 and png.stat().st_mtime_ns == stamp
    # the body is not on the image: editing it leaves the image alone
    path = site.root / "content/briefings/a.md"
    path.write_text(path.read_text().replace("More.", "Much more."), encoding="utf-8")
    site.build()
    assert png.stat().st_mtime_ns == stamp
    before = png.read_bytes()
    path.write_text(path.read_text().replace("a joint force", "a joint army"), encoding="utf-8")
    site.build()
    moved = site.output / "briefings/sahel-juntas-announce-a-joint-army/preview.png"
    assert moved.is_file() and moved.read_bytes() != before
    # a theme's own font is read through the theme chain: replacing it draws the images again
    stamp = moved.stat().st_mtime_ns
    in_bold = moved.read_bytes()
    font = site.root / "themes/mine/fonts/DejaVuSans-Bold.ttf"
    font.parent.mkdir(parents=True)
    font.write_bytes((ROOT / "themes/default/fonts/DejaVuSans.ttf").read_bytes())  # regular as bold
    (site.root / "site.yaml").write_text(CONFIG + "theme: mine\n", encoding="utf-8")
    site.build()
    assert moved.read_bytes() != before and moved.stat().st_mtime_ns != stamp
    # the same file written over, in a process that lives on (as serve's): the new font is loaded
    font.write_bytes((ROOT / "themes/default/fonts/DejaVuSans-Bold.ttf").read_bytes())
    site.build()
    assert moved.read_bytes() == in_bold


def test_no_images_when_turned_off(make_site):
    project = make_site(briefings(), config=CONFIG + "preview_images: false\n")
    project.build()
    assert not [f for f in project.files() if f.endswith(".png")]
    tags = meta(project.html("briefings/sahel-juntas-announce-a-joint-force/index.html"))
    assert "og:image" not in tags and tags["twitter:card"] == ["summary"]
    assert "og:image" in meta(
        project.html("briefings/talks-resume-in-geneva/index.html")
    )  # its own image still counts


def test_headers_file_carries_the_pages_csp_and_caches_fingerprinted_assets(site):
    rules: dict[str, dict[str, str]] = {}
    current = ""
    for line in site.read("_headers").splitlines():
        if line and not line[0].isspace():
            current = line
            rules[current] = {}
        elif line.strip():
            name, _, value = line.strip().partition(": ")
            rules[current][name] = value
    header = rules["/news/*"]["Content-Security-Policy"]
    page = site.html("index.html")
    meta_csp = next(
        str(m["content"])
        for m in page.all("meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    )

    def directives(policy: str) -> set[str]:
        return {" ".join(p.split()) for p in policy.split(";") if p.strip()}

    assert directives(meta_csp) <= directives(header)
    assert directives(header) - directives(meta_csp) == {"frame-ancestors 'none'"}
    statics = [f for f in site.files() if f.startswith("static/")]
    assert statics
    for rel in statics:
        fingerprinted = rel.endswith((".css", ".js"))
        cache = rules[f"/news/{rel}"]["Cache-Control"]
        assert ("immutable" in cache) == fingerprinted, rel


@pytest.mark.browser
def test_chromium_reports_no_csp_violation_for_json_ld(tmp_path, make_site):
    need("/usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CSP_LISTENER

    project = make_site(briefings(), config=CONFIG)
    www = tmp_path / "www"
    with static_server(www) as port:
        base = f"http://127.0.0.1:{port}/news/"
        project.build(base_url=base, output=www / "news")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
            )
            try:
                page = browser.new_page()
                page.add_init_script(CSP_LISTENER)
                # the remote lead image (an https: image the policy allows), served here: no network
                pixel = base64.b64decode(
                    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
                )
                page.route(
                    "https://media.example.org/**",
                    lambda route: route.fulfill(status=200, content_type="image/png", body=pixel),
                )
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                for path in ("", "briefings/sahel-juntas-announce-a-joint-force/"):
                    page.goto(base + path, wait_until="load")
                    page.wait_for_load_state("networkidle")
                    assert page.evaluate("window.__csp") == []
                    parsed = page.evaluate(
                        "[...document.querySelectorAll('script[type=\"application/ld+json\"]')]"
                        ".map(s => JSON.parse(s.textContent)['@type'])"
                    )
                    assert parsed and ("NewsArticle" in parsed or "WebSite" in parsed)
                assert errors == []
            finally:
                browser.close()


def test_a_hostile_headline_stays_data_in_json_ld(make_site):
    title = "</script><script>alert(1)</script> & 'quotes'"
    project = make_site(
        {"content/briefings/x.md": briefing_md(title, slug="x", countries=["Mali"])}, config=CONFIG
    )
    project.build()
    html = project.read("briefings/x/index.html")
    page = project.html("briefings/x/index.html")
    scripts = page.all("script")
    assert [s.get("type") for s in scripts].count("application/ld+json") == 2
    assert all(s.get("src") for s in scripts if s.get("type") != "application/ld+json")
    (article,) = [b for b in json_ld(html) if b["@type"] == "NewsArticle"]
    assert article["headline"] == title
    assert meta(page)["og:title"] == [title]
