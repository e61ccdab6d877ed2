"""Search: Pagefind bundle built with the site (deterministic, re-indexed only when briefing pages change),
and in headless Chromium: the header form leads to /search/, a word finds the briefing, a country filters."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.build import BuildOptions, Builder
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, briefing_md, need

CONFIG = "title: Search\nbase_url: https://example.org/\n"


def small_site() -> dict[str, str]:
    return {
        "content/briefings/a.md": briefing_md("Grain corridor reopens", date="2026-11-10T09:00:00+00:00", countries=["Ukraine"], topics=["Trade"],
                                              body="Ships carrying wheat left Odesa."),
        "content/briefings/b.md": briefing_md("Pipeline talks", date="2026-11-11T09:00:00+00:00", countries=["Russia"], topics=["Energy"],
                                              body="Gas flows through the pipeline resumed."),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout.\n",
    }


def bundle(project) -> dict[str, bytes]:
    return {p.relative_to(project.output).as_posix(): p.read_bytes() for p in (project.output / "pagefind").rglob("*") if p.is_file()}


def test_bundle_is_built_deterministic_and_reindexed_only_when_briefings_change(make_site, tmp_path):
    project = make_site(small_site(), config=CONFIG)
    builder = Builder(project.root, BuildOptions(run_import=False, cache=False) if "cache" in BuildOptions.__dataclass_fields__ else BuildOptions(run_import=False))
    builder.build()
    first = bundle(project)
    assert "pagefind/pagefind-entry.json" in first and "pagefind/pagefind-ui.js" in first
    assert any(p.startswith("pagefind/filter/") for p in first)
    runs = builder.search.runs
    project.write({"content/pages/about.md": "---\ntitle: About\n---\nAbout us, edited.\n"})
    builder.build()
    assert builder.search.runs == runs and bundle(project) == first  # no briefing page changed: the bundle is reused
    project.write({"content/briefings/a.md": small_site()["content/briefings/a.md"].replace("wheat", "barley")})
    builder.build()
    assert builder.search.runs == runs + 1 and bundle(project) != first
    # A fresh build of the same content gives the same bytes (Pagefind's HashMap order is canonicalised).
    again = Builder(project.root, BuildOptions(run_import=False, output=tmp_path / "again"))
    again.build()
    assert {p: d for p, d in bundle(project).items()} == {
        p.relative_to(tmp_path / "again").as_posix(): p.read_bytes() for p in (tmp_path / "again" / "pagefind").rglob("*") if p.is_file()}


def test_pages_carry_search_markup(make_site):
    project = make_site(small_site(), config=CONFIG)
    project.build()
    page = project.html("briefings/pipeline-talks/index.html")
    assert [a for t, a in page.elements if t == "article" and "data-pagefind-body" in a]
    filters = [a for t, a in page.elements if "data-pagefind-filter" in a]
    assert [a["data-pagefind-filter"] for a in filters] == ["country", "topic"]
    assert "Russia" in page.texts("span") and "Energy" in page.texts("span")
    forms = page.all("form", role="search")
    assert forms and forms[0]["action"] == "/search/" and forms[0]["method"] == "get"
    assert page.all("input", name="q")
    search = project.html("search/index.html")
    assert search.all("div", id="search")[0]["data-bundle"] == "/pagefind/"
    policy = [m["content"] for m in search.all("meta") if m.get("http-equiv") == "Content-Security-Policy"][0]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    home_policy = [m["content"] for m in project.html("index.html").all("meta") if m.get("http-equiv") == "Content-Security-Policy"][0]
    assert "wasm-unsafe-eval" not in home_policy  # only the search page runs WebAssembly


def wait_for_results(page, count: int) -> None:
    """Poll (bounded) until Pagefind shows `count` results; wait_for_function would need 'unsafe-eval' under the CSP."""
    for _ in range(150):
        if len(page.query_selector_all(".pagefind-ui__result-link")) == count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} results, have {len(page.query_selector_all('.pagefind-ui__result-link'))}")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.browser
def test_search_in_chromium_finds_the_seed_briefing_and_filters_by_country(tmp_path):
    need(CHROMIUM)
    from playwright.sync_api import sync_playwright

    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(ROOT / "content", root / "content")
    (root / "content/briefings/other.md").write_text(briefing_md(
        "Fresh talks on grain exports", date="2026-11-01T09:00:00+00:00", countries=["Ukraine", "Turkey"], topics=["Trade"],
        body="Ukraine and Turkey discussed the resolve of shipping firms and a <b>corridor</b>."), encoding="utf-8")
    (root / "content/briefings/hostile.md").write_text(briefing_md(
        "Resolve <img src=x onerror=alert(1)>", date="2026-10-01T09:00:00+00:00", countries=["France"],
        body="Resolve &lt;script&gt;window.__pwned=1&lt;/script&gt; here."), encoding="utf-8")
    www = tmp_path / "www"
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(www)))
    base = f"http://127.0.0.1:{server.server_address[1]}/sub/"
    Builder(root, BuildOptions(run_import=False, base_url=base, output=www / "sub")).build()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(base + "about/")
            page.fill("#site-search-q", "Zelenskyy")  # the header form on any page
            page.press("#site-search-q", "Enter")
            page.wait_for_url("**/sub/search/?q=Zelenskyy", timeout=10_000)
            page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
            links = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
            assert links == ["/sub/briefings/putin-signals-resolve-as-ukraine-peace-talks-stall/"]
            # A word in three briefings; the Russia filter leaves the seed briefing only.
            page.fill(".pagefind-ui__search-input", "resolve")
            wait_for_results(page, 3)
            page.click("text=Russia")
            wait_for_results(page, 1)
            links = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
            assert links == ["/sub/briefings/putin-signals-resolve-as-ukraine-peace-talks-stall/"]
            # Hostile text is shown as text in results, never run.
            assert page.evaluate("window.__pwned === undefined && !document.querySelector('.pagefind-ui img[onerror]')")
            assert problems == []
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
