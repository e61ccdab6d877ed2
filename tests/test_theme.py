"""The default theme: briefing hierarchy, maps, fingerprinted assets, theming params; in Chromium: dark mode
(axe WCAG 2.1 AA), the toggle, print styles, phone widths."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest

from generator.core.config import load_config
from generator.core.errors import SiteError
from generator.render import maps
from generator.render.theme import DEFAULT_THEME_DIR, make_environment, static_files

from .conftest import Page, Project, briefing_md, static_server

BODY = """
Opening paragraph with [a source](https://example.org/report) and a sentence that runs long enough to wrap
across more than one line of the reading column, so that the measure of the column can be checked by the test
which counts how many characters fit on each line of text in the paragraph at a desktop width of 1280 pixels.
The paragraph goes on with more words about the negotiations and the positions of the parties to the conflict.

## First section

Text.

## Second section

Text.

## Third section

Text.
"""

FILES = {
    "content/briefings/talks.md": briefing_md(
        "Talks stall",
        "2026-11-20T09:00:00+00:00",
        BODY,
        slug="talks",
        summary="The bottom line.",
        takeaways=["One.", "Two."],
        countries=["Russia", "Ukraine"],
        people=["Jane Doe"],
        topics=["Diplomacy"],
        source={"name": "Example News", "url": "https://example.org/story"},
        updated="2026-11-21",
    ),
    "content/briefings/older.md": briefing_md(
        "Older news",
        "2026-09-02T09:00:00+00:00",
        "Body.",
        slug="older",
        countries=["Russia", "Singapore"],
    ),
    "content/briefings/oldest.md": briefing_md(
        "Oldest news", "2026-07-02T09:00:00+00:00", "Body.", slug="oldest", countries=["Russia"]
    ),
}


def build_site(make_site, files=FILES, config=None) -> Project:  # type: ignore[no-untyped-def]
    site = make_site(files, config) if config else make_site(files)
    site.build()
    return site


def exists(site: Project, href: str) -> bool:
    path = href.split("#")[0].lstrip("/")
    return (site.output / path).is_file() or (site.output / path / "index.html").is_file()


# --- Reading a briefing -------------------------------------------------------------------------------


def test_briefing_page_hierarchy(make_site):
    site = build_site(make_site)
    page = site.html("briefings/talks/index.html")
    assert page.texts("h1") == ["Talks stall"]
    kicker = next(t for t in page.texts("p") if t.startswith("Diplomacy"))
    assert "Russia" in kicker
    times = page.all("time")[:2]
    assert [t["datetime"][:10] for t in times] == ["2026-11-20", "2026-11-21"]
    assert any(re.fullmatch(r"\d+ min read", t) for t in page.texts("span"))
    labels = page.texts("h2")
    assert labels[:3] == ["Bottom line", "Key takeaways", "In this briefing"]
    assert "The bottom line." in page.text and "One." in page.text
    # The table of contents points at the section ids of the body.
    toc = [
        a["href"]
        for a in page.all("a")
        if str(a.get("href", "")).startswith("#") and a.get("class") != "anchor"
    ]
    assert toc and all(href[1:] in page.ids for href in toc)
    assert len(page.all("a", **{"class": "anchor"})) == 3
    # Country chips carry ISO codes and link to country pages that exist.
    chips = [a for a in page.all("a") if "chip-countries" in str(a.get("class"))]
    assert [a["href"] for a in chips] == ["/countries/russia/", "/countries/ukraine/"]
    assert all(exists(site, str(a["href"])) for a in chips)
    assert "RU" in page.texts("span") and "UA" in page.texts("span")
    assert {"href": "https://example.org/story", "rel": "noopener"}.items() <= next(
        a for a in page.all("a") if a.get("href") == "https://example.org/story"
    ).items()
    assert exists(site, str(page.all("a", rel="prev")[0]["href"]))


def test_short_briefings_have_no_table_of_contents(make_site):
    site = build_site(make_site)
    assert "In this briefing" not in site.html("briefings/older/index.html").texts("h2")


# --- Maps --------------------------------------------------------------------------------------------


def svg_paths(html: str) -> list[dict]:
    return Page.parse(html).all("path")


def test_country_page_has_a_locator_map_with_the_country_highlighted(make_site):
    site = build_site(make_site)
    page = site.html("countries/ukraine/index.html")
    svg = page.all("svg")
    assert len(svg) == 1 and svg[0]["role"] == "img"
    assert "Ukraine" in " ".join(page.texts("title"))
    highlighted = page.all("path", **{"class": "map-hl"})
    world = maps.load_world(DEFAULT_THEME_DIR / "data" / "countries-110m.json")
    assert [p["d"] for p in highlighted] == [world.find("804").path]
    others = [p["d"] for p in page.all("path") if p.get("class") is None]
    assert world.find("616").path in others  # Poland, a neighbour
    assert world.find("036").path not in others  # Australia is far away
    # The view box frames Ukraine.
    vx, vy, w, h = map(float, svg[0]["viewbox"].split())
    x0, y0, x1, y1 = world.find("804").bbox
    assert vx < x0 < x1 < vx + w and vy < y0 < y1 < vy + h


def test_countries_not_on_the_map_get_no_map(make_site):
    site = build_site(make_site)
    assert site.html("countries/singapore/index.html").all("svg") == []
    assert site.html("people/index.html").all("svg") == []


def test_coverage_map_links_every_covered_country_to_its_page(make_site):
    site = build_site(make_site)
    page = site.html("countries/index.html")
    links = [a for a in page.all("a") if str(a.get("class", "")).startswith("map-c")]
    assert sorted(str(a["href"]) for a in links) == ["/countries/russia/", "/countries/ukraine/"]
    assert all(exists(site, str(a["href"])) for a in links)
    levels = {str(a["href"]): (a["class"], a["aria-label"]) for a in links}
    assert levels["/countries/russia/"] == ("map-c3", "Russia: 3 briefings")
    assert levels["/countries/ukraine/"] == ("map-c1", "Ukraine: 1 briefing")
    assert len(page.all("path")) > 150  # the rest of the world, unshaded
    assert "Too small for this map: Singapore." in page.text


def test_month_chart_partial_draws_one_bar_per_month(make_site):
    site = make_site({})
    config = load_config(site.root)
    env = make_environment(config, static_files(config))
    from datetime import datetime

    dates = [
        datetime(2026, 1, 5),
        datetime(2026, 3, 1),
        datetime(2026, 3, 9),
        datetime(2026, 3, 20),
    ]
    html = env.from_string(
        '{% with chart_dates=dates %}{% include "partials/month_chart.html" %}{% endwith %}'
    ).render(dates=dates)
    page = Page.parse(html)
    bars = page.all("rect")
    assert len(bars) == 3  # Jan, Feb (empty), Mar
    heights = [float(b["height"]) for b in bars]
    assert heights[1] == 0 and heights[2] == pytest.approx(3 * heights[0], rel=0.01)
    assert page.all("svg")[0]["role"] == "img" and "4 in all" in page.texts("title")[0]
    linked = env.from_string(
        '{% with chart_dates=dates, chart_href="#m-" %}{% include "partials/month_chart.html" %}{% endwith %}'
    ).render(dates=dates)
    assert [a["href"] for a in Page.parse(linked).all("a")] == ["#m-2026-01", "#m-2026-03"]


# --- Assets and theming ------------------------------------------------------------------------------


def test_every_static_reference_is_fingerprinted_and_exists(make_site):
    site = build_site(make_site)
    refs = set()
    for html in site.output.rglob("*.html"):
        page = Page.parse(html.read_text(encoding="utf-8"))
        refs |= {str(e["href"]) for e in page.all("link") if "/static/" in str(e.get("href"))}
        refs |= {str(e["src"]) for e in page.all("script") if e.get("src")}
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".*.", r) for r in refs} == {
        "/static/style.*.css",
        "/static/theme.*.js",
        "/static/search.*.js",
    }
    for ref in refs:
        data = (site.output / ref.lstrip("/")).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:10] in ref


def test_theme_script_is_external_and_blocking_in_head(make_site):
    site = build_site(make_site)
    text = site.read("briefings/talks/index.html")
    head = text.split("</head>")[0]
    # JSON-LD blocks are data, not scripts that run
    scripts = [s for s in Page.parse(head).all("script") if s.get("type") != "application/ld+json"]
    assert len(scripts) == 1 and "async" not in scripts[0] and "defer" not in scripts[0]
    assert "<script>" not in text and " onclick" not in text
    button = Page.parse(text).all("button", **{"class": "theme-toggle"})
    assert button and "hidden" in button[0] and button[0]["aria-pressed"] == "false"


def test_site_yaml_colours_fonts_and_logo(make_site):
    config = """title: T
base_url: https://example.org/
theme: mine
params:
  colors: {accent: "#0a6640", link: "rgb(0, 60, 120)"}
  dark_colors: {accent: "#7fd1a8"}
  fonts: {body: "Georgia, serif"}
  logo: logo.svg
"""
    site = build_site(
        make_site,
        {
            **FILES,
            "themes/mine/static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "themes/mine/static/custom.css": ".site-title { color: red; }\n",
        },
        config,
    )
    page = site.html("index.html")
    sheets = [str(link["href"]) for link in page.all("link", rel="stylesheet")]
    assert [re.sub(r"\.[0-9a-f]{10}\.", ".", s) for s in sheets] == [
        "/static/style.css",
        "/static/site-params.css",
        "/static/custom.css",
    ]
    css = (site.output / sheets[1].lstrip("/")).read_text()
    assert ":root{--accent:#0a6640;--link:rgb(0, 60, 120);--serif:Georgia, serif}" in css
    assert ":root[data-theme=dark]{--accent:#7fd1a8}" in css and "prefers-color-scheme:dark" in css
    assert page.all("img", **{"class": "logo"})[0]["src"] == "/static/logo.svg"
    assert exists(site, "/static/logo.svg")


def test_default_site_links_no_empty_custom_css(make_site):
    site = build_site(make_site)
    sheets = [str(link["href"]) for link in site.html("index.html").all("link", rel="stylesheet")]
    assert len(sheets) == 1 and "style." in sheets[0]


def test_bad_theme_colour_is_an_error_with_its_line(make_site):
    site = make_site(
        FILES, "title: T\nparams:\n  colors:\n    accent: 'red; } body { display: none'\n"
    )
    with pytest.raises(SiteError) as caught:
        site.build()
    assert re.search(r"site\.yaml:4: params\.colors\.accent must be a CSS value", str(caught.value))
    site = make_site(FILES, "title: T\nparams:\n  colors:\n    accnt: red\n")
    with pytest.raises(SiteError, match=r"site\.yaml:4: unknown params\.colors key 'accnt'"):
        site.build()


# --- In Chromium ------------------------------------------------------------------------------------

PAGES = {
    "home": "",
    "briefing": "briefings/talks/",
    "country": "countries/russia/",
    "countries": "countries/",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """The test site built once and served on a free 127.0.0.1 port."""
    root = tmp_path_factory.mktemp("theme-site")
    site = Project(root)
    site.write({"site.yaml": "title: Test Briefings\nbase_url: https://example.org/\n", **FILES})
    site.build()
    if (site.output / "timeline" / "index.html").exists():
        PAGES["timeline"] = "timeline/"

    with static_server(site.output) as port:
        yield f"http://127.0.0.1:{port}/"


def open_page(browser, url: str, **options):  # type: ignore[no-untyped-def]
    page = browser.new_page(**options)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    result = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    )
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]
    ]


@pytest.mark.browser
def test_dark_mode_has_no_axe_violations(browser, served):
    page, errors = open_page(browser, served, color_scheme="dark")
    for name, path in PAGES.items():
        page.goto(served + path)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(21, 23, 26)", name  # the dark palette is in force
        assert axe_violations(page) == [], name
    assert errors == []


@pytest.mark.browser
def test_toggle_switches_remembers_and_passes_axe(browser, served):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served + PAGES["briefing"])
    button = page.locator(".theme-toggle")
    assert button.is_visible() and button.get_attribute("aria-pressed") == "false"
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    button.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert button.get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
    assert axe_violations(page) == []
    # Remembered on the next page, already set before the body is parsed (no flash of the light scheme).
    page.goto(served + PAGES["countries"])
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.locator(".theme-toggle").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    page.locator(".theme-toggle").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == light
    assert errors == []
    context.close()


@pytest.mark.browser
def test_print_styles(browser, served):
    page, _ = open_page(browser, served + PAGES["briefing"])
    page.emulate_media(media="print")
    display = "el => getComputedStyle(el).display"
    for selector in (".site-nav", ".theme-toggle", ".toc", ".site-footer", ".prevnext"):
        assert page.eval_on_selector(selector, display) == "none", selector
    assert page.eval_on_selector(".takeaways", display) != "none"
    assert page.eval_on_selector(".takeaways", "el => getComputedStyle(el).breakInside") == "avoid"
    assert page.eval_on_selector(".prose h2", "el => getComputedStyle(el).breakAfter") == "avoid"
    after = page.eval_on_selector(
        ".prose a[href^='https']", "el => getComputedStyle(el, '::after').content"
    )
    assert "https://example.org/report" in after
    assert page.eval_on_selector(".print-only", display) == "block"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 390])
def test_phone_widths_do_not_scroll_sideways(browser, served, width):
    page, _ = open_page(browser, served, viewport={"width": width, "height": 800})
    for name, path in PAGES.items():
        page.goto(served + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.close()


@pytest.mark.browser
def test_desktop_reading_measure_and_sticky_rail(browser, served):
    page, _ = open_page(
        browser, served + PAGES["briefing"], viewport={"width": 1280, "height": 900}
    )
    per_line = page.eval_on_selector(
        ".prose p",
        """p => {
        const lines = Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
        return p.textContent.length / lines; }""",
    )
    assert 60 <= per_line <= 76
    assert page.eval_on_selector(".rail", "el => getComputedStyle(el).position") == "sticky"
    rail_left = page.eval_on_selector(".rail", "el => el.getBoundingClientRect().left")
    prose_right = page.eval_on_selector(".prose", "el => el.getBoundingClientRect().right")
    assert rail_left > prose_right  # beside the text, not over it


def test_readme_example_overriding_the_briefing_template(make_site):
    default = (DEFAULT_THEME_DIR / "templates" / "briefing.html").read_text(encoding="utf-8")
    edited = default.replace(
        "<h1>{{ briefing.title }}</h1>",
        '<h1>{{ briefing.title }}</h1>\n<p class="classification">'
        "{{ briefing.extra.get('classification', 'Unclassified') }}</p>",
    )
    assert edited != default
    files = {**FILES, "themes/mysite/templates/briefing.html": edited}
    site = build_site(make_site, files, "title: T\nbase_url: https://example.org/\ntheme: mysite\n")
    page = site.html("briefings/talks/index.html")
    assert "Unclassified" in page.texts("p") and page.all("svg") == []
    # other pages keep the default theme
    assert site.html("countries/russia/index.html").all("path", **{"class": "map-hl"})
