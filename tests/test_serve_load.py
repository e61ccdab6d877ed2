"""`briefings serve` under load (#18): requests answered while rebuilds follow one another, no error for
a save caught half-written, closed live-reload streams freed at once, idle connections holding no thread.

Every server binds 127.0.0.1 and is stopped (by handle, or by PID for the subprocess) before its test ends.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.corpus import items, make_corpus
from bench.serve_load import run_load
from generator.build.builder import BuildOptions
from generator.dev.rebuilds import ServeBuilds
from generator.dev.serve import LiveServer, Outcome
from tests.conftest import briefing_md

WAIT = 10.0
# p99 bound for the load test: measured 60-80 ms on a 2-core machine at load average 7 (README,
# Reliability); 200 ms is the target the issue sets
P99_BOUND = 0.200


def torn_save(path: Path, text: str, pause: float) -> threading.Thread:
    """Save `text` in place as a slow editor does: 16 bytes now, the rest after `pause` (on a thread)."""
    data = text.encode()
    # truncated now: a build that starts meanwhile reads a half-written file
    handle = open(path, "wb")  # noqa: SIM115 (closed by the thread that finishes the save)
    handle.write(data[:16])
    handle.flush()

    def finish() -> None:
        time.sleep(pause)
        handle.write(data[16:])
        handle.close()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_a_save_caught_half_written_shows_no_error(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Alpha", "2026-11-01")})
    builds = ServeBuilds(project.root, BuildOptions(swap=False, run_import=False), echo=str)
    assert builds(set()).error is None
    path = project.root / "content/briefings/a.md"
    writer = torn_save(path, briefing_md("Alpha", "2026-11-01", body="Whole again."), 0.3)
    try:
        outcome = builds({path})
    finally:
        writer.join(WAIT)
    assert outcome.error is None and builds.settled_retries >= 1
    assert "Whole again." in project.read("briefings/alpha/index.html")


def test_an_error_that_stands_is_still_shown_once_the_file_settles(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("Alpha", "2026-11-01")})
    builds = ServeBuilds(project.root, BuildOptions(swap=False, run_import=False), echo=str)
    assert builds(set()).error is None
    path = project.root / "content/briefings/a.md"
    path.write_text("---\ntitle: [\n---\n")
    began = time.monotonic()
    outcome = builds({path})
    assert outcome.error is not None and "a.md:" in outcome.error
    assert time.monotonic() - began < 3.0  # about SETTLE (1 s) of retries, then the error


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    site = tmp_path / "out"
    site.mkdir()
    (site / "index.html").write_text("<html><body>home</body></html>")
    live = LiveServer(site, lambda changed: Outcome(changed=frozenset({"index.html"})), port=0)
    thread = threading.Thread(target=live.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield live
    finally:
        live.shutdown()
        thread.join(WAIT)
        live.server_close()
    assert not thread.is_alive()


def until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def open_stream(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(server.server_address[:2], timeout=WAIT)
    sock.sendall(b"GET /__livereload__/events HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"retry:" not in head:
        chunk = sock.recv(4096)
        assert chunk, head
        head += chunk
    return sock


def get(server: LiveServer, path: str = "/") -> tuple[int, bytes, float]:
    began = time.monotonic()
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=WAIT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), time.monotonic() - began
    finally:
        conn.close()


def test_a_closed_stream_is_freed_at_once_and_events_reach_open_ones(server):
    kept, closed = open_stream(server), open_stream(server)
    until(lambda: server.connections.counts[0] == 2, "two streams open")
    closed.close()
    until(lambda: server.connections.counts[0] == 1, "the closed stream freed")
    server.rebuild({Path("x")})
    data = b""
    while b"event: build" not in data:
        data += kept.recv(4096)
    kept.close()
    until(lambda: server.connections.counts[0] == 0, "no stream left")


def test_streams_beyond_the_limit_are_refused(server):
    server.connections.max_streams = 2
    streams = [open_stream(server), open_stream(server)]
    status, body, _ = get(server, "/__livereload__/events")
    assert status == 503 and b"too many" in body
    for sock in streams:
        sock.close()


def test_idle_and_half_sent_connections_hold_no_thread(server):
    before = threading.active_count()
    idle = [socket.create_connection(server.server_address[:2]) for _ in range(60)]
    for sock in idle[::2]:
        sock.sendall(b"GET /ind")  # half a request line, then nothing
    time.sleep(0.3)
    until(lambda: server.connections.counts[1] == 60, "60 connections waiting")
    status, body, took = get(server)
    assert status == 200 and b"home" in body and took < 2.0
    assert threading.active_count() <= before + 2  # the request that was answered
    for sock in idle:
        sock.close()
    until(lambda: server.connections.counts[1] == 0, "closed connections dropped")


def test_requests_stay_fast_while_saves_rebuild_the_site(tmp_path):
    """20 clients for 8 s while a briefing is saved every 200 ms, each save caught half-written."""
    root = make_corpus(100, tmp_path / "site")
    chosen = list(items(100))
    edited, other = chosen[50], chosen[0]
    report = run_load(
        root,
        root / "content/briefings" / f"{edited.slug}.md",
        ["", f"briefings/{edited.slug}/", f"briefings/{other.slug}/", "feed.xml", "search/"],
        clients=20,
        seconds=8.0,
        save_every=0.2,
        tear=0.06,
        streams=10,
        idle=20,
    )
    print(report.summary())
    assert report.failures == [] and report.truncated == 0
    assert report.overlays == 0, [line for line in report.server_output if "error" in line]
    # the saver shares its process with 20 client threads: on a loaded machine it falls behind
    assert len(report.latencies) > 500 and report.saves >= 15
    assert report.percentile(99) <= P99_BOUND, report.summary()
    assert report.peak_threads <= 60, report.summary()  # 32 request threads plus the fixed ones
