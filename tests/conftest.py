"""Shared fixtures: tiny sites built in tmp_path from {path: text} dicts, parsed HTML helpers."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import textwrap
import threading
from collections.abc import Callable, Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.build.builder import BuildOptions, BuildReport, build

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# CI sets this so that a missing browser or nginx fails the run instead of skipping tests.
REQUIRE_TOOLS = os.environ.get("BRIEFINGS_REQUIRE_TOOLS") == "1"


def need(tool: str) -> None:
    """Skip (locally) or fail (in CI) when an external program the test needs is missing."""
    if shutil.which(tool) or Path(tool).exists():
        return
    if REQUIRE_TOOLS:
        pytest.fail(f"{tool} is required (BRIEFINGS_REQUIRE_TOOLS=1) but not installed")
    pytest.skip(f"{tool} not installed")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[int]:
    """A quiet static HTTP server over `folder` on a free 127.0.0.1 port; yields the port, stops on exit.
    The folder may be filled after it starts (the port is often needed for the base_url first)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True, scope="session")
def _interruptible() -> Iterator[None]:
    """Tests press Ctrl-C (SIGINT) on the servers they start. A background job of a non-interactive shell
    (`nohup ... &`) starts with SIGINT ignored and every child inherits that, so such a server would never
    stop: Python's own handler is put back for the session, which its children then start with."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright, one per test module (never a downloaded browser)."""
    need(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def briefing_md(
    title: str = "A briefing",
    date: str = "2026-11-20T09:00:00+00:00",
    body: str = "Body text.",
    **fields: object,
) -> str:
    """Text of a briefing file with front matter."""
    import yaml

    meta = {"title": title, "date": date, **fields}
    return (
        "---\n"
        + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        + "---\n\n"
        + textwrap.dedent(body).strip()
        + "\n"
    )


class Project:
    """A scratch project: write files, build, read and parse output."""

    def __init__(self, root: Path):
        self.root = root
        self.output = root / "output"

    def write(self, files: dict[str, str | bytes]) -> None:
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")

    def build(self, **options: object) -> BuildReport:
        opts = {"run_import": False, **options}
        return build(self.root, BuildOptions(**opts))  # type: ignore[arg-type]

    def read(self, rel: str) -> str:
        return (self.output / rel).read_text(encoding="utf-8")

    def html(self, rel: str) -> Page:
        return Page.parse(self.read(rel))

    def files(self) -> set[str]:
        return {
            p.relative_to(self.output).as_posix() for p in self.output.rglob("*") if p.is_file()
        }


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Project]:
    """make_site({path: text}, config=...) -> Project with site.yaml and content written."""

    def make(files: dict[str, str | bytes] | None = None, config: str | None = None) -> Project:
        project = Project(tmp_path / "site")
        project.root.mkdir(parents=True, exist_ok=True)
        project.write(
            {
                "site.yaml": config
                if config is not None
                # preview images cost ~0.1 s each: tests of them (test_reach.py) turn them on
                else "title: Test Briefings\nbase_url: https://example.org/\npreview_images: false\n"
            }
        )
        project.write(files or {})
        return project

    return make


class Page(HTMLParser):
    """A parsed HTML page: elements with attributes and text, enough for assertions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self._stack: list[str] = []
        self.texts_by_tag: dict[str, list[str]] = {}
        self._capture: list[tuple[str, list[str]]] = []

    @classmethod
    def parse(cls, html: str) -> Page:
        page = cls()
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            self._capture.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._capture) - 1, -1, -1):
            if self._capture[i][0] == tag:
                name, parts = self._capture.pop(i)
                self.texts_by_tag.setdefault(name, []).append(" ".join("".join(parts).split()))
                break

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        for _, parts in self._capture:
            parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def texts(self, tag: str) -> list[str]:
        return self.texts_by_tag.get(tag, [])

    def links(self) -> list[str]:
        return [str(a["href"]) for a in self.all("a") if a.get("href")] + [
            str(a["href"]) for a in self.all("link") if a.get("href")
        ]
