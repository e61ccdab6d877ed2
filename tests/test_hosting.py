"""Real static servers: nginx under a subpath and at the root, and `python -m http.server`, crawled over HTTP.

Each test builds a site for the address the server will have, starts the server in the foreground on a
free 127.0.0.1 port, crawls every page reachable from the home page, and stops the server whatever happens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from generator.build.builder import BuildOptions, build
from tests.conftest import briefing_md, need

MAX_PAGES = 400  # the test site has ~40; a runaway crawl (e.g. /page/2/page/2/...) stops here
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_files() -> dict[str, str]:
    """Enough content for pagination, every taxonomy, a page, in-body anchors, relative links and a
    root-relative one (`/about/` in Markdown means the site's root, so under a subpath it must get the subpath)."""
    files = {
        "content/pages/about.md": "---\ntitle: About\n---\n\n"
        "See [the latest](../) and [a briefing](../briefings/briefing-0/#context).\n"
    }
    countries = ["Russia", "Ukraine", "France", "Côte d'Ivoire"]
    for i in range(7):
        files[f"content/briefings/b{i}.md"] = briefing_md(
            f"Briefing {i}",
            date=f"2026-11-{10 + i:02d}T09:00:00+00:00",
            summary=f"Summary {i}.",
            countries=[countries[i % 4], countries[(i + 1) % 4]],
            people=["Vladimir Putin"] if i % 2 else [],
            organisations=["NATO"],
            topics=["Diplomacy", "Energy & Trade"],
            body="## Context\n\nText with a [jump](#context) and [the about page](/about/).\n\n## Next\n\nMore.",
        )
    return files


def make_project(root: Path, base_url: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(
        f"title: Hosted\nbase_url: {base_url}\npaginate: 3\n", encoding="utf-8"
    )
    for rel, text in site_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build_for(root: Path, served_at: str, output: Path) -> Path:
    build(root, BuildOptions(base_url=served_at, output=output, run_import=False))
    return output


def wait_for_port(
    port: int, process: subprocess.Popen, log: Path | None = None, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            details = log.read_text(errors="replace") if log and log.exists() else ""
            pytest.fail(f"server exited with {process.returncode} before listening: {details}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"server did not listen on 127.0.0.1:{port} within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    types {{
        text/html html; text/css css; application/javascript js; application/xml xml; application/json json;
        text/plain txt; image/svg+xml svg; image/png png; font/woff2 woff2;
    }}
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    {http}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        {location}
    }}
}}
"""


@contextmanager
def nginx(tmp: Path, port: int, location: str, http: str = "") -> Iterator[None]:
    """nginx in the foreground with its own config, pid, logs and temp folders under tmp; `http`: more
    directives for the http block (a map)."""
    need("nginx")
    tmp.mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read pytest's 0700 tmp folders
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(user=user, tmp=tmp, port=port, location=location, http=http),
        encoding="utf-8",
    )
    log = tmp / "error.log"
    process = subprocess.Popen(
        ["nginx", "-p", str(tmp), "-e", str(log), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, log)
        yield
    finally:
        stop(process)


@contextmanager
def http_server(directory: Path, port: int) -> Iterator[None]:
    """`python -m http.server` over directory."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            "--directory",
            str(directory),
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield
    finally:
        stop(process)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.feeds: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").split()
            if ("alternate" in rel and "feed" in a.get("type", "")) or a.get("type", "").endswith(
                ("+xml", "+json")
            ):
                self.feeds.append(a["href"])
            elif "stylesheet" in rel or "icon" in rel or "preload" in rel:
                self.assets.append(a["href"])
            else:
                self.links.append(a["href"])
        elif tag in ("img", "script", "source") and a.get("src"):
            self.assets.append(a["src"])


@dataclass
class Crawl:
    base: str  # the URL the site is served at, e.g. http://127.0.0.1:8123/briefings/
    pages: dict[str, bytes] = field(default_factory=dict)  # url -> body
    assets: set[str] = field(default_factory=set)
    feeds: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def crawl(base: str) -> Crawl:
    """Every page reachable from the home page: each must be 200 and stay under base; assets must load."""
    result = Crawl(base)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    todo = [base]
    seen = {base}
    anchors: list[tuple[str, str, str]] = []  # (from page, to page, fragment)
    ids: dict[str, set[str]] = {}
    while todo:
        if len(result.pages) >= MAX_PAGES:
            result.problems.append(f"crawl stopped after {MAX_PAGES} pages")
            break
        url = todo.pop()
        status, body, ctype = fetch(url)
        if status != 200:
            result.problems.append(f"{url}: HTTP {status}")
            continue
        if not ctype.startswith("text/html"):
            result.problems.append(f"{url}: served as {ctype}, not text/html")
        result.pages[url] = body
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        ids[url] = parser.ids
        for kind, hrefs in (
            ("link", parser.links),
            ("asset", parser.assets),
            ("feed", parser.feeds),
        ):
            for href in hrefs:
                target, fragment = urldefrag(urljoin(url, href))
                if not target.startswith(origin + "/"):
                    continue  # another site
                if not target.startswith(base):
                    result.problems.append(f"{url}: {kind} {href} escapes {base}")
                    continue
                if fragment:
                    anchors.append((url, target, fragment))
                if kind == "asset":
                    result.assets.add(target)
                elif kind == "feed":
                    result.feeds.add(target)
                elif target not in seen and not target.endswith((".xml", ".json", ".txt")):
                    seen.add(target)
                    todo.append(target)
    for url in sorted(result.assets | result.feeds):
        status, _, _ = fetch(url)
        if status != 200:
            result.problems.append(f"{url}: HTTP {status}")
    for page, target, fragment in anchors:
        if target in ids and fragment not in ids[target]:
            result.problems.append(f"{page}: #{fragment} not found on {target}")
    return result


def check_sitemap_and_feeds(result: Crawl) -> None:
    """sitemap.xml, robots.txt and feeds are served and carry absolute URLs under the served base."""
    base = result.base
    status, body, _ = fetch(base + "sitemap.xml")
    assert status == 200
    locs = {(loc.text or "").strip() for loc in ET.fromstring(body).iter(f"{SITEMAP_NS}loc")}
    assert locs and all(loc.startswith(base) for loc in locs), sorted(locs)[:5]
    assert locs == set(result.pages), (
        sorted(locs - set(result.pages)),
        sorted(set(result.pages) - locs),
    )
    status, body, _ = fetch(base + "robots.txt")
    assert status == 200 and f"Sitemap: {base}sitemap.xml" in body.decode()
    for feed in sorted(result.feeds):
        import feedparser

        status, body, _ = fetch(feed)
        assert status == 200, feed
        if feed.endswith(".json"):
            import json

            data = json.loads(body)
            urls = [data.get("home_page_url", base), data.get("feed_url", feed)] + [
                i.get("url", "") for i in data.get("items", [])
            ]
        else:
            parsed = feedparser.parse(body)
            assert not parsed.bozo, (feed, parsed.bozo_exception)
            urls = [link.get("href", "") for link in parsed.feed.get("links", [])] + [
                e.get("link", "") for e in parsed.entries
            ]
        for url in urls:
            assert url.startswith(base), f"{feed}: {url} is not under {base}"
            assert fetch(url)[0] == 200, f"{feed}: {url} is not served"


def assert_good_crawl(result: Crawl) -> None:
    assert not result.problems, "\n".join(result.problems)
    # home pages 1-3, 7 briefings, 4 taxonomy indexes, each term, about: every page the build wrote but 404.html
    assert len(result.pages) >= 25
    assert any("/static/" in asset and asset.endswith(".css") for asset in result.assets)
    check_sitemap_and_feeds(result)


def assert_404(base: str) -> None:
    status, body, _ = fetch(base + "no/such/page/")
    assert status == 404
    assert b"Page not found" in body


@pytest.mark.nginx
def test_nginx_under_a_subpath(tmp_path):
    port = free_port()
    served_at = f"http://127.0.0.1:{port}/briefings/"
    root = make_project(tmp_path / "site", "https://example.org/briefings/")
    output = build_for(root, served_at, tmp_path / "output")
    location = f"location /briefings/ {{ alias {output}/; index index.html; error_page 404 /briefings/404.html; }}"
    with nginx(tmp_path / "nginx", port, location):
        result = crawl(served_at)
        assert_good_crawl(result)
        assert_404(served_at)
        # Nothing is served outside the subpath: a link that escaped it would have been a 404.
        assert fetch(f"http://127.0.0.1:{port}/index.html")[0] == 404


@pytest.mark.nginx
def test_nginx_at_the_domain_root(tmp_path):
    port = free_port()
    served_at = f"http://127.0.0.1:{port}/"
    root = make_project(tmp_path / "site", "https://example.org/")
    output = build_for(root, served_at, tmp_path / "output")
    with nginx(
        tmp_path / "nginx", port, f"root {output}; index index.html; error_page 404 /404.html;"
    ):
        assert_good_crawl(crawl(served_at))
        assert_404(served_at)


@pytest.mark.parametrize("subpath", ["", "briefings/"])
def test_python_http_server(tmp_path, subpath):
    port = free_port()
    served_at = f"http://127.0.0.1:{port}/{subpath}"
    root = make_project(tmp_path / "site", "https://example.org/")
    www = tmp_path / "www"
    build_for(root, served_at, www / subpath.rstrip("/") if subpath else www)
    with http_server(www, port):
        assert_good_crawl(crawl(served_at))
