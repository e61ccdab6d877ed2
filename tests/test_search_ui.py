"""Search in headless Chromium: static/search.js over the index a real build writes (format: build/search_index).

The shipped site (its seed briefing) plus a few briefings of our own is built under /sub/ and served by an
in-process static server; one browser serves every test of the module. Waits are bounded polls: the CSP
(script-src 'self') forbids the eval that page.wait_for_function needs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from generator.build.builder import Builder, BuildOptions
from tests.conftest import ROOT, briefing_md, static_server

pytestmark = pytest.mark.browser

SEED = "/sub/briefings/putin-signals-resolve-as-ukraine-peace-talks-stall/"
HOSTILE = "/sub/briefings/resolve-img-src-x-onerror-alert-1/"
PORTS = 25  # briefings sharing one word: more than one page of 20 results
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class Served:
    base: str  # http://127.0.0.1:<port>/sub/


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    """The shipped site.yaml and content, a briefing sharing a word with the seed, a hostile one and 25 port reports."""
    tmp = tmp_path_factory.mktemp("search-ui")
    root = tmp / "site"
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(ROOT / "content", root / "content")
    extra = {
        "other.md": briefing_md(
            "Fresh talks on grain exports",
            date="2026-11-01T09:00:00+00:00",
            countries=["Ukraine", "Turkey"],
            topics=["Trade"],
            body="Ukraine and Turkey discussed the resolve of shipping firms and a <b>corridor</b>.",
        ),
        "hostile.md": briefing_md(
            "Resolve <img src=x onerror=alert(1)>",
            date="2026-10-01T09:00:00+00:00",
            countries=["France"],
            body="Resolve &lt;script&gt;window.__pwned=1&lt;/script&gt; here.",
        ),
        "zurich.md": briefing_md(
            "Talks in Zürich",
            date="2026-09-15T09:00:00+00:00",
            countries=["Switzerland"],
            body="Officials from Україна and the EU met by the lake.",
        ),
    }
    for i in range(PORTS):
        body = "Dockworkers at the harbour counted cranes and containers."
        if i == 7:
            body += " A tamarisk hedge lines the quay."  # the only briefing with this word, in its body only
        extra[f"port{i:02d}.md"] = briefing_md(
            f"Port report {i}",
            date=f"2026-08-{i + 1:02d}T09:00:00+00:00",
            countries=["Greece"],
            topics=["Trade"],
            people=[f"Captain {i:02d}"],
            body=body,
        )
    for name, text in extra.items():
        (root / "content/briefings" / name).write_text(text, encoding="utf-8")
    www = tmp / "www"
    with static_server(www) as port:
        base = f"http://127.0.0.1:{port}/sub/"
        Builder(root, BuildOptions(run_import=False, base_url=base, output=www / "sub")).build()
        yield Served(base)


@pytest.fixture
def page(browser):
    """A fresh page; console errors and uncaught exceptions gathered in page.problems."""
    context = browser.new_context()
    tab = context.new_page()
    tab.problems = []
    tab.on(
        "console",
        lambda m: (
            tab.problems.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error"
            else None
        ),
    )
    tab.on("pageerror", lambda e: tab.problems.append(f"uncaught: {e}"))
    try:
        yield tab
    finally:
        context.close()


def links(page) -> list[str]:
    return page.eval_on_selector_all(
        "#search .search-result-link", "els => els.map(e => e.getAttribute('href'))"
    )


def status(page) -> str:
    return page.text_content("#search [aria-live=polite]") or ""


def wait_until(page, check, what: str, timeout_ms: int = 10_000) -> None:
    """Poll check() every 50 ms until it is true; fail naming `what` after timeout_ms."""
    for _ in range(timeout_ms // 50):
        if check():
            return
        page.wait_for_timeout(50)
    raise AssertionError(
        f"timed out waiting for {what}; status {status(page)!r}, links {links(page)}"
    )


def search(page, query: str, count: int) -> list[str]:
    """Type a query into the search page's box and wait until `count` results and a status for it are shown."""
    page.fill("#search-q", query)
    wait_until(
        page,
        lambda: len(links(page)) == count and f"“{query}”" in status(page),
        f"{count} results for {query!r}",
    )
    return links(page)


def test_header_form_finds_the_seed_briefing_and_a_country_filter_narrows_the_results(served, page):
    page.goto(served.base + "about/")
    page.fill("#site-search-q", "Zelenskyy")  # the header form on any page
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/sub/search/?q=Zelenskyy", timeout=10_000)
    wait_until(page, lambda: links(page) == [SEED], "the seed briefing")
    assert status(page) == "1 briefing for “Zelenskyy”"
    assert page.input_value("#search-q") == "Zelenskyy"

    # A word in three briefings, best first: title and body (tf 4), title (3), body (1); typing keeps ?q= in the URL.
    assert search(page, "resolve", 3) == [
        HOSTILE,
        SEED,
        "/sub/briefings/fresh-talks-on-grain-exports/",
    ]
    assert status(page) == "3 briefings for “resolve”"
    wait_until(page, lambda: page.url.endswith("/sub/search/?q=resolve"), "?q=resolve in the URL")
    # Filters count among the results: Russia 1 of 3, Ukraine 2 of 3; Greece (port reports) is not offered.
    countries = page.locator("fieldset[data-taxonomy=countries]")
    assert countries.locator("legend").text_content() == "Countries"
    rows = dict(
        zip(
            countries.locator(".search-facet-name").all_text_contents(),
            countries.locator(".search-facet-count").all_text_contents(),
            strict=False,
        )
    )
    assert rows["Russia"] == "1" and rows["Ukraine"] == "2" and "Greece" not in rows
    page.get_by_label("Russia").check()
    wait_until(page, lambda: links(page) == [SEED], "the Russia filter")
    assert status(page) == "1 briefing for “resolve”, filtered by Russia"
    wait_until(
        page, lambda: page.url.endswith("?q=resolve&countries=russia"), "the filter in the URL"
    )
    # Hostile text is shown as text, never run or parsed into elements.
    page.get_by_label("Russia").uncheck()
    search(page, "onerror", 1)
    assert page.text_content(".search-result-link") == "Resolve <img src=x onerror=alert(1)>"
    assert page.evaluate("window.__pwned === undefined && !document.querySelector('#search img')")
    assert page.problems == []


def test_prefixes_body_words_and_no_results(served, page):
    page.goto(served.base + "search/")
    wait_until(
        page,
        lambda: page.evaluate("document.activeElement.id") == "search-q",
        "focus in the box: ready to type",
    )
    wait_until(page, lambda: "Type a word" in status(page), "the prompt")
    assert search(page, "zelen", 1) == [SEED]  # the start of a word finds it
    assert search(page, "signal", 1) == [SEED]
    assert page.eval_on_selector_all(".search-result mark", "els => els.map(e => e.textContent)")[
        :1
    ] == ["Signals"]
    # a word only in one body
    assert search(page, "tamarisk", 1) == ["/sub/briefings/port-report-7/"]
    # every word must match
    assert search(page, "harbour tamar", 1) == ["/sub/briefings/port-report-7/"]
    assert search(page, "qwertyuiop", 0) == []  # its shard does not exist (404): no terms
    assert status(page) == "No briefings for “qwertyuiop”."
    assert page.is_visible(".search-advice")
    assert search(page, "resolvedly", 0) == []  # the shard exists, the word does not
    # Case and accents fold as in generator/words.py; non-ASCII shards have hex names; 1-2 letters match exactly.
    zurich = "/sub/briefings/talks-in-zurich/"
    assert search(page, "ZURICH", 1) == [zurich]
    assert page.text_content(".search-result mark") == "Zürich"
    assert search(page, "Укр", 1) == [zurich] and search(page, "україна", 1) == [zurich]
    assert search(page, "eu", 1) == [zurich]
    # index.json lists the shards that exist: no request for a missing one, so no 404 in the console.
    assert page.problems == []


def test_more_than_twenty_results_show_more_and_filters_alone_list_briefings(served, page):
    page.goto(served.base + "search/?q=" + quote("harbour"))
    wait_until(page, lambda: len(links(page)) == 20, "the first 20 results")
    assert status(page) == f"{PORTS} briefings for “harbour”"
    more = page.locator(".search-more")
    assert more.text_content() == f"Show {PORTS - 20} more"
    more.click()
    wait_until(page, lambda: len(links(page)) == PORTS, "all results")
    assert not more.is_visible()
    # focus on the 21st
    assert page.evaluate("document.activeElement.classList.contains('search-result-link')")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links(page)[20]
    # Equal scores: newest first.
    assert links(page)[:2] == ["/sub/briefings/port-report-24/", "/sub/briefings/port-report-23/"]
    # A taxonomy shows its 10 most frequent terms, then "Show all".
    people = page.locator("fieldset[data-taxonomy=people]")
    assert people.locator("input[type=checkbox]").count() == 10
    toggle = people.locator(".search-facet-more")
    assert (
        toggle.text_content() == f"Show all {PORTS}"
        and toggle.get_attribute("aria-expanded") == "false"
    )
    toggle.click()
    assert (
        people.locator("input[type=checkbox]").count() == PORTS
        and toggle.get_attribute("aria-expanded") == "true"
    )
    assert len(links(page)) == PORTS  # the results stay as they were
    # An empty query with a filter lists that filter's briefings, newest first.
    page.fill("#search-q", "")
    page.get_by_label("France").check()
    wait_until(page, lambda: links(page) == [HOSTILE], "the France filter alone")
    assert status(page) == "1 briefing filtered by France"
    wait_until(
        page, lambda: page.url.endswith("/sub/search/?countries=france"), "the filter in the URL"
    )
    # A URL with filters (a reload, a shared link) restores them.
    page.goto(served.base + "search/?q=resolve&countries=russia&countries=france")
    wait_until(page, lambda: links(page) == [HOSTILE, SEED], "the filters from the URL")
    assert page.is_checked("fieldset[data-taxonomy=countries] input[value=russia]")
    # in filters.json order
    assert status(page) == "2 briefings for “resolve”, filtered by France, Russia"
    assert page.text_content(".search-filters summary") == "Filter results · 2 selected"
    assert page.problems == []


def test_search_page_with_results_meets_wcag_21_aa_in_light_and_dark(served, browser):
    from axe_playwright_python.sync_playwright import Axe

    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        try:
            tab = context.new_page()
            tab.goto(served.base + "search/?q=resolve")
            wait_until(tab, lambda tab=tab: len(links(tab)) == 3, "results")
            report = Axe().run(
                tab,
                options={
                    "runOnly": {"type": "tag", "values": WCAG_AA},
                    "resultTypes": ["violations"],
                },
            )
            assert report.response["violations"] == [], (scheme, report.response["violations"])
        finally:
            context.close()


def test_an_unreachable_index_is_reported_in_the_page(served, page):
    page.route("**/search/index.json*", lambda route: route.abort())
    page.goto(served.base + "search/?q=resolve")
    wait_until(page, lambda: "unavailable" in status(page), "the error message")
    assert (
        status(page)
        == "Search is unavailable: the network is unreachable. Check your connection and try again."
    )
    assert [
        p for p in page.problems if "net::" not in p and "Failed to load resource" not in p
    ] == []


def test_an_index_that_lists_its_shards_fetches_no_missing_one(served, page):
    """Forward-compatible: with index.json's optional "shards" list, a word of no shard costs no 404."""
    requested: list[str] = []

    def with_shards(route):
        meta = json.loads(route.fetch().text())
        meta["shards"] = ["res", "zel"]  # enough for this test: the other shards are "missing"
        route.fulfill(json=meta)

    page.route("**/search/index.json*", with_shards)
    page.on("request", lambda r: requested.append(r.url) if "/search/terms/" in r.url else None)
    page.goto(served.base + "search/")
    assert search(page, "zelen", 1) == [SEED]
    assert search(page, "qwertyuiop", 0) == []
    assert [u.split("/search/")[1].split("?")[0] for u in requested] == ["terms/zel.json"]
    assert page.problems == []
