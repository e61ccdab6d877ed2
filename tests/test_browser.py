"""Headless Chromium (Debian's, driven by Playwright): key pages load cleanly, satisfy the theme's
Content-Security-Policy, and axe-core finds no WCAG 2.1 AA violations.

The site is built under a subpath (/briefings/) and served by an in-process static server; one
browser serves every test of the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.build.builder import BuildOptions, build
from tests.conftest import briefing_md, static_server

pytestmark = pytest.mark.browser

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Recorded in the page before any of its own scripts run; CSP violations are not always console errors.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@dataclass
class Served:
    base: str
    output: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    """The site built for http://127.0.0.1:<port>/briefings/ and served from a folder holding briefings/."""
    root = tmp_path_factory.mktemp("site")
    www = root / "www"
    files = {
        "site.yaml": "title: Browser Briefings\nbase_url: https://example.org/briefings/\npaginate: 4\n",
        "content/pages/about.md": "---\ntitle: About\n---\n\nWho we are. [Latest](/).\n",
    }
    for i in range(6):
        files[f"content/briefings/b{i}.md"] = briefing_md(
            f"Talks resume in round {i}",
            date=f"2026-11-{10 + i:02d}T09:00:00+00:00",
            summary=f"Negotiators met for round {i}.",
            takeaways=["One thing.", "Another."],
            countries=["Ukraine", "Russia"] if i % 2 else ["France"],
            people=["Emmanuel Macron"],
            organisations=["United Nations"],
            topics=["Diplomacy"],
            source={"name": "Wire", "url": f"https://news.example.com/{i}"},
            body="## Context\n\nA paragraph with a [link](https://example.com/) and *emphasis*.\n\n"
            "## Outlook\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        )
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    with static_server(www) as port:
        base = f"http://127.0.0.1:{port}/briefings/"
        build(root, BuildOptions(base_url=base, output=www / "briefings", run_import=False))
        yield Served(base, www / "briefings")


@dataclass
class Visit:
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def visit(browser, url: str, *, axe: bool = True, color_scheme: str = "light") -> Visit:
    """Load url in a fresh context; gather console errors, failed requests, CSP violations and axe's findings."""
    result = Visit()
    context = browser.new_context(color_scheme=color_scheme)
    try:
        page = context.new_page()
        page.add_init_script(CSP_LISTENER)
        page.on(
            "console",
            lambda m: (
                result.console_errors.append(f"{m.text} ({m.location.get('url')})")
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: result.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: result.failed.append(f"{r.url}: {r.failure}"))
        page.on(
            "response",
            lambda r: (
                result.failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None
            ),
        )
        response = page.goto(url, wait_until="load", timeout=15_000)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle", timeout=10_000)
        result.csp = page.evaluate("window.__csp")
        if axe:
            from axe_playwright_python.sync_playwright import Axe

            report = Axe().run(
                page,
                options={
                    "runOnly": {"type": "tag", "values": WCAG_AA},
                    "resultTypes": ["violations"],
                },
            )
            for violation in report.response["violations"]:
                targets = [
                    " ".join(node["target"])
                    if isinstance(node["target"], list)
                    else str(node["target"])
                    for node in violation["nodes"][:3]
                ]
                result.violations.append(
                    f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
                )
    finally:
        context.close()
    return result


def page_url(served: Served, which: str) -> str | None:
    """URL of one kind of page, or None where this build has none (timeline and search come with later work)."""
    candidates = {
        "home": "",
        "briefing": "briefings/talks-resume-in-round-3/",
        "country": "countries/ukraine/",
        "countries": "countries/",
        "page": "about/",
        "timeline": "timeline/",
        "search": "search/",
        "not-found": "404.html",
    }[which]
    if (
        not (served.output / candidates / "index.html").is_file()
        and not (served.output / candidates).is_file()
    ):
        return None
    return served.base + candidates


@pytest.mark.parametrize(
    "which", ["home", "briefing", "country", "countries", "page", "timeline", "search", "not-found"]
)
def test_page_loads_cleanly_and_meets_wcag_21_aa(browser, served, which):
    url = page_url(served, which)
    if url is None:
        pytest.skip(f"this build has no {which} page")
    result = visit(browser, url)
    assert result.console_errors == [], result.console_errors
    assert result.failed == [], result.failed
    assert result.csp == [], result.csp
    assert result.violations == [], "\n".join(result.violations)


@pytest.mark.parametrize("which", ["home", "briefing", "country"])
def test_dark_scheme_meets_wcag_21_aa_too(browser, served, which):
    """Colour contrast is checked again with the reader's system in dark mode."""
    result = visit(browser, page_url(served, which), color_scheme="dark")
    assert result.violations == [], "\n".join(result.violations)
    assert result.console_errors == [] and result.csp == []


def test_theme_ships_a_content_security_policy(served):
    from tests.conftest import Page

    page = Page.parse((served.output / "index.html").read_text(encoding="utf-8"))
    policies = [
        m["content"]
        for m in page.all("meta")
        if (m.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(policies) == 1
    directives = {
        part.split()[0]: part.split()[1:] for part in str(policies[0]).split(";") if part.strip()
    }
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]


def test_csp_violations_are_caught(browser, served):
    """The listener works: a page with an inline script and an inline style reports both as violations."""
    bad = served.output / "csp-probe.html"
    source = (served.output / "about" / "index.html").read_text(encoding="utf-8")
    bad.write_text(
        source.replace(
            "</main>", '<p style="color: red">x</p><script>document.title = "ran";</script></main>'
        ),
        encoding="utf-8",
    )
    try:
        result = visit(browser, served.base + "csp-probe.html", axe=False)
    finally:
        bad.unlink()
    assert any(v.startswith("script-src") for v in result.csp), result.csp
    assert any(v.startswith("style-src") for v in result.csp), result.csp


def test_axe_finds_violations_when_there_are_some(browser, served):
    """axe is really running: an image without alt text and an unlabeled input are reported."""
    bad = served.output / "axe-probe.html"
    source = (served.output / "about" / "index.html").read_text(encoding="utf-8")
    bad.write_text(
        source.replace(
            "</main>",
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main>',
        ),
        encoding="utf-8",
    )
    try:
        result = visit(browser, served.base + "axe-probe.html")
    finally:
        bad.unlink()
    ids = {v.split(" ")[0] for v in result.violations}
    assert {"image-alt", "label"} <= ids, result.violations
