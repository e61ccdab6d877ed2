"""`briefings serve`: the served site follows every kind of save, never serves a half-written file nor
holds a request for a rebuild, reports errors over the last good build, and reloads open tabs (headless
Chromium). Under load: tests/test_serve_load.py."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build.builder import BuildOptions
from generator.dev.rebuilds import ServeBuilds
from generator.dev.serve import OVERLAY_ID, SCRIPT_NAME, LiveServer, Outcome, inject
from generator.dev.watch import Watcher
from tests.conftest import ROOT, Page, Project, briefing_md

WAIT = 10.0  # seconds: the bound on every "the served page changes" wait (it takes well under one)


def site(extra: dict[str, str] | None = None) -> dict[str, str]:
    files = {
        "content/briefings/alpha.md": briefing_md(
            "Alpha talks", "2026-11-01", body="Alpha body first.", countries=["France"]
        ),
        "content/briefings/beta.md": briefing_md(
            "Beta talks", "2026-11-02", body="Beta body.", countries=["France", "Chile"]
        ),
        "content/pages/about.md": "---\ntitle: About\n---\n\nAbout us.\n",
    }
    files.update(extra or {})
    return files


class Live:
    """`briefings serve` running in this process on a free port: the same wiring as the command."""

    def __init__(self, project: Project, base_path: str = "/sub/"):
        self.project = project
        self.lines: list[str] = []
        self.rebuilds: list[set[Path]] = []
        inner = ServeBuilds(
            project.root, BuildOptions(swap=False, run_import=False), echo=self.lines.append
        )

        def rebuild(changed: set[Path]) -> Outcome:
            self.rebuilds.append(changed)
            return inner(changed)

        self.server = LiveServer(
            project.output,
            rebuild,
            base_path=base_path,
            host="127.0.0.1",
            port=0,
            quick=inner.quick,
        )
        self.server.rebuild(set())
        self.watcher = Watcher(
            project.root, ("content", "seeds", "themes", "site.yaml"), self.server.rebuild
        )
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )

    def __enter__(self) -> Live:
        self.watcher.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop()
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()

    @property
    def url(self) -> str:
        return self.server.url

    def get(self, path: str) -> tuple[int, str]:
        """GET a path under the base path: (status, body)."""
        host, port = self.server.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=WAIT)
        try:
            conn.request("GET", self.server.base_path + path if not path.startswith("/") else path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def until(self, path: str, check: Callable[[int, str], bool]) -> tuple[int, str]:
        """Poll a page until `check(status, body)` holds; fail after WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while True:
            status, body = self.get(path)
            if check(status, body):
                return status, body
            assert time.monotonic() < deadline, (
                f"{path} did not change: {status} {Page.parse(body).text[:300]}"
            )
            time.sleep(0.02)


@pytest.fixture
def live(make_site) -> Iterator[Live]:
    project = make_site(site(), config="title: Live\nbase_url: https://example.org/sub/\n")
    with Live(project) as running:
        yield running
    assert not running.thread.is_alive()


def text_of(body: str) -> str:
    return Page.parse(body).text


def has_overlay(body: str) -> bool:
    return bool(Page.parse(body).all("div", id=OVERLAY_ID))


def test_served_html_carries_the_reload_client_but_built_files_do_not(live):
    status, body = live.get("briefings/alpha-talks/")
    assert status == 200
    scripts = [s["src"] for s in Page.parse(body).all("script") if s.get("src")]
    assert scripts[-1] == "/sub/" + SCRIPT_NAME
    assert body.rindex(SCRIPT_NAME) < body.rindex("</body>")
    for path in live.project.output.rglob("*.html"):
        assert SCRIPT_NAME not in path.read_text(encoding="utf-8")
    status, js = live.get(SCRIPT_NAME)
    assert status == 200 and "EventSource" in js
    status, _ = live.get("static/")  # a folder without index.html
    assert status == 404


def test_inject_goes_before_the_last_body_end_tag_only():
    page = b"<html><body><pre>&lt;/body&gt; </body> in text</pre></body></html>"
    out = inject(page, "/", 3, None, "x/index.html")
    assert out.endswith(b"</script></body></html>")
    assert (
        out.count(b"<script") == 1
        and b'data-epoch="3"' in out
        and b'data-page="x/index.html"' in out
    )


def test_atomic_save_updates_the_served_page(live):
    path = live.project.root / "content/briefings/alpha.md"
    tmp = path.with_name(".alpha.md.tmp42")
    tmp.write_text(
        briefing_md("Alpha talks", "2026-11-01", body="Alpha body second.", countries=["France"])
    )
    os.replace(tmp, path)
    live.until("briefings/alpha-talks/", lambda s, b: "Alpha body second." in text_of(b))
    # The fast render shows the page first; the full rebuild (lists, feeds) says its line once it is done.
    deadline = time.monotonic() + WAIT
    while not any("alpha.md" in line and "rendered" in line for line in live.lines):
        assert time.monotonic() < deadline, live.lines
        time.sleep(0.02)


def test_a_burst_of_saves_ends_in_the_last_version_after_few_rebuilds(live):
    path = live.project.root / "content/briefings/alpha.md"
    before = len(live.rebuilds)
    for i in range(15):
        path.write_text(
            briefing_md(
                "Alpha talks", "2026-11-01", body=f"Alpha version {i}.", countries=["France"]
            )
        )
        time.sleep(0.01)
    live.until("briefings/alpha-talks/", lambda s, b: "Alpha version 14." in text_of(b))
    time.sleep(0.3)
    # 15 saves, a few rebuilds (on a loaded CI machine a stalled writer can split the burst once more)
    assert 1 <= len(live.rebuilds) - before <= 3


def test_swap_and_backup_files_cause_no_rebuild(live):
    folder = live.project.root / "content/briefings"
    before = len(live.rebuilds)
    for name in (".alpha.md.swp", "alpha.md~", ".#alpha.md", "alpha.md.bck", "4913"):
        (folder / name).write_text("---\nnot: [valid\n")
    time.sleep(0.5)
    assert len(live.rebuilds) == before
    status, body = live.get("briefings/alpha-talks/")
    assert status == 200 and not has_overlay(body)


def test_delete_rename_and_new_folder(live):
    folder = live.project.root / "content/briefings"
    (folder / "beta.md").unlink()
    _, body = live.until("briefings/beta-talks/", lambda s, b: s == 404)
    # the 404 page reloads itself too
    assert Page.parse(body).all("script", src="/sub/" + SCRIPT_NAME)
    (folder / "alpha.md").rename(folder / "gamma.md")  # the slug comes from the title: same URL
    (folder / "gamma.md").write_text(briefing_md("Gamma talks", "2026-11-01", body="Gamma body."))
    live.until("briefings/gamma-talks/", lambda s, b: s == 200 and "Gamma body." in text_of(b))
    # requests are not held during a rebuild: the old page goes once the writer prunes it
    live.until("briefings/alpha-talks/", lambda s, b: s == 404)
    (folder / "2026" / "november").mkdir(parents=True)
    (folder / "2026" / "november" / "delta.md").write_text(
        briefing_md("Delta talks", "2026-11-03", body="Delta body.")
    )
    live.until("briefings/delta-talks/", lambda s, b: s == 200 and "Delta body." in text_of(b))
    _, home = live.until("", lambda s, b: "Delta talks" in text_of(b))
    assert "Beta talks" not in text_of(home)


def test_a_front_matter_error_shows_over_the_last_good_page_until_fixed(live):
    path = live.project.root / "content/briefings/alpha.md"
    good = path.read_text()
    path.write_text("---\ntitle: Alpha talks\ndate: [2026\n---\n\nBroken.\n")
    _, body = live.until("briefings/alpha-talks/", lambda s, b: has_overlay(b))
    overlay = Page.parse(body).texts("pre")[-1]
    assert re.search(r"content/briefings/alpha\.md:\d+: ", overlay), overlay
    assert "Alpha body first." in text_of(body)  # the last good build stays underneath
    status, other = live.get("briefings/beta-talks/")
    assert status == 200 and has_overlay(other) and "Beta body." in text_of(other)
    assert live.get("no/such/page/")[0] == 404 and has_overlay(live.get("no/such/page/")[1])
    # another save, the same error: said once
    path.write_text(path.read_text() + "\nStill broken.\n")
    time.sleep(0.5)
    assert sum("alpha.md:" in line for line in live.lines) == 1
    path.write_text(good.replace("Alpha body first.", "Alpha body fixed."))
    _, body = live.until("briefings/alpha-talks/", lambda s, b: not has_overlay(b))
    assert "Alpha body fixed." in text_of(body)


def test_a_template_error_names_the_template_and_line(live):
    project = live.project
    project.write(
        {
            "themes/mine/templates/briefing.html": '{% extends "base.html" %}\n{% block main %}\n'
            "{{ briefing.title }\n{% endblock %}\n"
        }
    )
    project.write({"site.yaml": "title: Live\nbase_url: https://example.org/sub/\ntheme: mine\n"})
    _, body = live.until("briefings/alpha-talks/", lambda s, b: has_overlay(b))
    assert re.search(r"briefing\.html:3: template syntax error", Page.parse(body).texts("pre")[-1])


def events(live: Live, epoch: int) -> Iterator[dict]:
    """Read the server-sent event stream from `epoch` on: each build event's data."""
    host, port = live.server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=WAIT)
    conn.request("GET", f"/sub/__livereload__/events?epoch={epoch}")
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    try:
        kind = None
        while True:
            line = response.fp.readline().decode()
            assert line, "stream ended"
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind == "build":
                yield json.loads(line.split(":", 1)[1])
    finally:
        conn.close()


def test_reload_events_name_the_changed_output_files_after_they_are_written(live):
    stream = events(live, live.server.epoch)
    path = live.project.root / "content/briefings/beta.md"
    path.write_text(
        briefing_md(
            "Beta talks", "2026-11-02", body="Beta body two.", countries=["France", "Chile"]
        )
    )
    event = next(stream)
    assert "briefings/beta-talks/index.html" in event["changed"]
    assert "about/index.html" not in event["changed"]
    assert event["error"] is None and event["css_only"] is False
    # By the time the event is sent the new file is in place.
    assert "Beta body two." in (live.project.output / "briefings/beta-talks/index.html").read_text()
    # That was the fast render of the page; the full rebuild's event (lists, feeds) follows.
    event = next(stream)
    assert event["error"] is None and "feed.xml" in event["changed"]  # the feed carries the body
    # already current: tabs on it don't reload twice
    assert "briefings/beta-talks/index.html" not in event["changed"]
    path.write_text("---\ntitle: [\n---\n")
    event = next(stream)
    assert event["error"].startswith("content/briefings/beta.md:") or "beta.md:" in event["error"]


def test_a_tab_that_connects_late_learns_what_changed_since_its_page(live):
    epoch = live.server.epoch
    path = live.project.root / "content/briefings/beta.md"
    path.write_text(
        briefing_md("Beta talks", "2026-11-02", body="Beta late.", countries=["France", "Chile"])
    )
    live.until("briefings/beta-talks/", lambda s, b: "Beta late." in text_of(b))
    event = next(events(live, epoch))
    assert "briefings/beta-talks/index.html" in event["changed"]


def test_a_stylesheet_change_is_flagged_css_only(make_site):
    project = make_site(
        site({"themes/mine/static/custom.css": "body { color: black }\n"}),
        config="title: Live\nbase_url: https://example.org/sub/\ntheme: mine\n",
    )
    with Live(project) as live:
        stream = events(live, live.server.epoch)
        (project.root / "themes/mine/static/custom.css").write_text("body { color: navy }\n")
        event = next(stream)
    assert event["css_only"] is True
    new_css = [
        p
        for p in event["changed"]
        if p.startswith("static/custom.") and (project.output / p).exists()
    ]
    assert len(new_css) == 1 and "navy" in (project.output / new_css[0]).read_text()


def raw_get(live: Live, target: str) -> tuple[int, bytes]:
    """Send a request line exactly as given (no client-side normalisation of `..`)."""
    host, port = live.server.server_address[:2]
    with socket.create_connection((host, port), timeout=WAIT) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_only_files_inside_the_build_folder_are_served(live, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (live.project.output / "leak.txt").symlink_to(secret)
    for target in (
        "/sub/../secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/secret.txt",
        "/sub/%2E%2E%2Fsecret.txt",
        "/sub/leak.txt",
        "/sub/..%5csecret.txt",
        "/sub/%00",
        "/secret.txt",
        "/sub/../site/site.yaml",
    ):
        status, body = raw_get(live, target)
        assert status == 404 and b"top secret" not in body and b"base_url" not in body, target
    status, _ = raw_get(live, "/")
    assert status == 302
    assert raw_get(live, "/sub/robots.txt")[0] == 200
    status, body = raw_get(live, "/sub/briefings")
    assert status == 302


def test_requests_are_answered_while_a_rebuild_runs(tmp_path):
    """The server never waits for a build: a request during one gets the last whole file at once."""
    site_dir = tmp_path / "out"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("<html><body>old</body></html>")
    release, started = threading.Event(), threading.Event()

    def rebuild(changed: set[Path]) -> Outcome:
        started.set()
        release.wait(WAIT)
        tmp = site_dir / ".index.html.new"
        tmp.write_text("<html><body>new</body></html>")
        os.replace(tmp, site_dir / "index.html")  # as the writer does: whole files
        return Outcome(changed=frozenset({"index.html"}))

    server = LiveServer(site_dir, rebuild, port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    builder = threading.Thread(target=server.rebuild, args=({Path("x")},))
    host, port = server.server_address[:2]

    def fetch() -> str:
        conn = http.client.HTTPConnection(host, port, timeout=WAIT)
        try:
            conn.request("GET", "/")
            return conn.getresponse().read().decode()
        finally:
            conn.close()

    try:
        builder.start()
        assert started.wait(WAIT)
        began = time.monotonic()
        body = fetch()
        assert time.monotonic() - began < WAIT / 2 and builder.is_alive()
        assert "old" in text_of(body)  # the last good build, answered while the rebuild runs
        release.set()
        builder.join(WAIT)
        assert "new" in text_of(fetch())
    finally:
        release.set()
        builder.join(WAIT)
        server.shutdown()
        thread.join(WAIT)
        server.server_close()


def test_the_first_build_failing_still_serves_with_the_error(make_site):
    project = make_site(
        site({"content/briefings/bad.md": "---\ntitle: x\n"}),
        config="title: Live\nbase_url: https://example.org/sub/\n",
    )
    with Live(project) as live:
        status, body = live.get("")
        assert status == 404 and has_overlay(body)
        assert (
            "content/briefings/bad.md:1: front matter is not closed"
            in Page.parse(body).texts("pre")[-1]
        )
        (project.root / "content/briefings/bad.md").unlink()
        live.until("briefings/alpha-talks/", lambda s, b: s == 200 and not has_overlay(b))


def test_serve_command_stops_cleanly_on_ctrl_c(make_site):
    project = make_site(site(), config="title: Live\nbase_url: https://example.org/sub/\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "-C", str(project.root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/sub/)", line)
            url = match.group(1) if match else None
        assert url
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT)
        conn.request("GET", "/sub/briefings/alpha-talks/")
        assert conn.getresponse().status == 200
        conn.close()
        # an open tab's stream
        events_conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT)
        events_conn.request("GET", "/sub/__livereload__/events")
        assert events_conn.getresponse().status == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        events_conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopping" in out


# --- In the browser -----------------------------------------------------------------------------------


def open_tab(browser, url: str):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.wait_for_selector("html[data-livereload=open]", state="attached", timeout=WAIT * 1000)
    return page, problems


@pytest.mark.browser
def test_browser_tab_reloads_with_the_new_text_after_a_save(browser, live):
    page, problems = open_tab(browser, live.url + "briefings/alpha-talks/")
    assert "Alpha body first." in page.inner_text("main")
    page.evaluate("window.__before_reload = true")
    path = live.project.root / "content/briefings/alpha.md"
    path.write_text(
        briefing_md(
            "Alpha talks", "2026-11-01", body="Alpha body edited live.", countries=["France"]
        )
    )
    page.wait_for_function(
        "() => document.querySelector('main').innerText.includes('Alpha body edited live.')",
        timeout=WAIT * 1000,
    )
    assert page.evaluate("window.__before_reload === undefined")  # a real reload, not a patch
    assert problems == []  # no CSP violation, no script error
    page.close()


@pytest.mark.browser
def test_browser_shows_the_error_overlay_then_clears_it_when_fixed(browser, live):
    page, problems = open_tab(browser, live.url + "briefings/alpha-talks/")
    path = live.project.root / "content/briefings/alpha.md"
    good = path.read_text()
    path.write_text(good.replace("date:", "date: [", 1))
    overlay = page.locator(f"#{OVERLAY_ID}")
    overlay.wait_for(state="visible", timeout=WAIT * 1000)
    assert re.search(r"content/briefings/alpha\.md:\d+: ", overlay.inner_text())
    box = overlay.bounding_box()
    # covers the page (styled despite the CSP)
    assert box and box["width"] >= 600 and box["height"] >= 400
    assert "Alpha body first." in page.inner_text("main")  # the last good page is underneath
    page.reload()  # a fresh load while the error stands shows it too
    page.locator(f"#{OVERLAY_ID}").wait_for(state="visible", timeout=WAIT * 1000)
    path.write_text(good.replace("Alpha body first.", "Alpha body after the fix."))
    page.wait_for_function(
        "() => document.querySelector('main').innerText.includes('Alpha body after the fix.')",
        timeout=WAIT * 1000,
    )
    assert page.locator(f"#{OVERLAY_ID}").count() == 0
    assert problems == []
    page.close()


@pytest.mark.browser
def test_browser_swaps_a_changed_stylesheet_without_reloading(browser, make_site):
    project = make_site(
        site({"themes/mine/static/custom.css": "body { background-color: rgb(255, 255, 255) }\n"}),
        config="title: Live\nbase_url: https://example.org/sub/\ntheme: mine\n",
    )
    with Live(project) as live:
        page, problems = open_tab(browser, live.url + "briefings/alpha-talks/")
        page.evaluate("window.__no_reload = true")
        (project.root / "themes/mine/static/custom.css").write_text(
            "body { background-color: rgb(0, 0, 128) }\n"
        )
        page.wait_for_function(
            "() => getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 128)'",
            timeout=WAIT * 1000,
        )
        assert page.evaluate("window.__no_reload === true")
        assert problems == []
        page.close()
