"""`briefings serve` under load: many clients fetching pages while a briefing is saved again and again.

    python -m bench.serve_load [--briefings 200] [--clients 20] [--seconds 10] [--save-every 0.2]
                               [--tear 0.06] [--streams 20] [--idle 40] [--work DIR]

Starts the server as a user would (a subprocess on a free 127.0.0.1 port, over a generated corpus), then
for `--seconds`: `--clients` threads fetch pages one after another (home, the edited briefing, another
briefing, the feed, the search page, a stylesheet) and time each response; one thread saves the same
briefing every `--save-every` seconds, every save valid, each written in two parts `--tear` seconds
apart (as a slow editor or a descheduled process does: the file is briefly half-written); `--streams`
live-reload streams stay open while others open and close; `--idle` connections open and send nothing
(half-open clients). Reports the latency percentiles, responses cut short, responses carrying the error
overlay, the server's thread count (peak and at the end) and the rebuilds it made. The server is stopped
(Ctrl-C, then killed by PID) at the end. `tests/test_serve_load.py` runs a shorter round of the same.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import items, make_corpus
from bench.serve_latency import serve_process

OVERLAY = b'id="__livereload_error__"'


@dataclass
class LoadReport:
    """What one load run saw."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per complete response
    truncated: int = 0  # responses shorter than their Content-Length, or HTML without its end
    overlays: int = 0  # responses carrying the build error overlay
    failures: list[str] = field(default_factory=list)  # connection errors, unexpected statuses
    saves: int = 0
    peak_threads: int = 0
    end_threads: int = 0
    rebuild_lines: list[str] = field(default_factory=list)
    server_output: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def summary(self) -> str:
        ms = [1000 * self.percentile(p) for p in (50, 90, 99, 100)]
        return (
            f"{len(self.latencies)} responses, p50 {ms[0]:.0f} ms, p90 {ms[1]:.0f} ms, "
            f"p99 {ms[2]:.0f} ms, max {ms[3]:.0f} ms; {self.truncated} cut short, "
            f"{self.overlays} with the error overlay, {len(self.failures)} failed; {self.saves} saves, "
            f"{len(self.rebuild_lines)} rebuilds; server threads peak {self.peak_threads}, "
            f"at the end {self.end_threads}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def threads_of(pid: int) -> int:
    """The number of threads of a process (Linux), 0 where unknown."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^Threads:\s+(\d+)", text, re.M)
    return int(match.group(1)) if match else 0


def start_server(root: Path, port: int) -> tuple[subprocess.Popen[str], str, list[str]]:
    """`briefings serve` on `port`: (process, base URL path, its output lines as they arrive)."""
    proc = serve_process(root, port)
    assert proc.stdout is not None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            stop_server(proc)
            raise RuntimeError(f"serve exited with {proc.returncode} before serving")
        match = re.search(r"serving http://127\.0\.0\.1:\d+(/\S*)", line)
        if match:
            lines: list[str] = []
            threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True).start()
            return proc, match.group(1), lines
    stop_server(proc)
    raise RuntimeError("serve did not start within 300 s")


def stop_server(proc: subprocess.Popen[str]) -> None:
    """Ctrl-C, then kill by PID if it has not stopped within 20 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fetch(port: int, path: str, report: LoadReport, lock: threading.Lock) -> None:
    """GET one path, timing it and checking it arrived whole."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()  # IncompleteRead if cut short of its Content-Length
        took = time.perf_counter() - started
        whole = int(response.getheader("Content-Length") or -1) == len(body)
        if whole and path.endswith("/"):
            whole = body.rstrip().endswith(b"</html>")
        with lock:
            if response.status != 200:
                report.failures.append(f"{path}: {response.status}")
            elif not whole:
                report.truncated += 1
            else:
                report.latencies.append(took)
                report.overlays += OVERLAY in body
    except http.client.IncompleteRead:
        with lock:
            report.truncated += 1
    except (OSError, http.client.HTTPException) as exc:
        with lock:
            report.failures.append(f"{path}: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


def save_torn(path: Path, text: str, tear: float) -> None:
    """Write `text` over `path` in two parts `tear` seconds apart: meanwhile the file holds its first 16
    bytes, an unclosed front matter; it is valid once both are in."""
    data = text.encode("utf-8")
    with open(path, "wb") as handle:
        handle.write(data[:16])
        handle.flush()
        if tear:
            time.sleep(tear)
        handle.write(data[16:])


def stream_holder(port: int, path: str, until: float, churn: bool) -> None:
    """A live-reload client: keep one stream open until `until`, or (churn) open and close streams."""
    while time.monotonic() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                sock.recv(4096)
                if not churn:
                    sock.settimeout(0.5)
                    while time.monotonic() < until:
                        try:
                            if not sock.recv(65536):
                                break
                        except TimeoutError:
                            pass
        except OSError:
            pass
        time.sleep(0.1 if churn else 0.5)


def idle_holder(port: int, until: float) -> None:
    """A half-open client: connect, send half a request line, then nothing; reconnect when dropped."""
    while time.monotonic() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET /")
                sock.settimeout(0.5)
                while time.monotonic() < until:
                    try:
                        if not sock.recv(1024):
                            break
                    except TimeoutError:
                        pass
        except OSError:
            time.sleep(0.2)


def run_load(
    root: Path,
    edited: Path,
    pages: list[str],
    *,
    clients: int = 20,
    seconds: float = 10.0,
    save_every: float = 0.2,
    tear: float = 0.06,
    streams: int = 20,
    idle: int = 40,
    warmup: float = 1.0,
) -> LoadReport:
    """Serve `root`, load it as described above, stop the server; `pages` are paths under the base path."""
    port = free_port()
    proc, base, lines = start_server(root, port)
    report, lock = LoadReport(), threading.Lock()
    original = edited.read_text(encoding="utf-8")
    workers: list[threading.Thread] = []
    try:
        for page in pages:  # every page answers before the clock starts
            fetch(port, base + page, LoadReport(), lock)
        until = time.monotonic() + warmup + seconds
        events = base + "__livereload__/events"
        for i in range(streams):
            workers.append(
                threading.Thread(target=stream_holder, args=(port, events, until, i % 2 == 1))
            )
        for _ in range(idle):
            workers.append(threading.Thread(target=idle_holder, args=(port, until)))

        def client(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < until:
                fetch(port, base + rng.choice(pages), report, lock)

        for worker in workers:
            worker.daemon = True
            worker.start()
        time.sleep(warmup)  # streams and idle connections in place
        clients_threads = [
            threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)
        ]
        for thread in clients_threads:
            thread.start()
        n = 0
        while time.monotonic() < until:
            n += 1
            text = original.rstrip() + f"\n\nLoad marker {n}.\n"
            save_torn(edited, text, tear)
            report.saves += 1
            report.peak_threads = max(report.peak_threads, threads_of(proc.pid))
            time.sleep(max(0.0, save_every - tear))
        for thread in clients_threads + workers:
            thread.join(30)
        time.sleep(1.0)  # idle and closed connections released
        report.end_threads = threads_of(proc.pid)
    finally:
        stop_server(proc)
        edited.write_text(original, encoding="utf-8")
    report.server_output = list(lines)
    report.rebuild_lines = [line for line in lines if "rendered" in line]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefings", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--save-every", type=float, default=0.2)
    parser.add_argument("--tear", type=float, default=0.06)
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--idle", type=int, default=40)
    parser.add_argument(
        "--work", type=Path, help="folder for the corpus (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        root = make_corpus(args.briefings, work / f"load-{args.briefings}")
        chosen = list(items(args.briefings))
        edited, other = chosen[len(chosen) // 2], chosen[0]
        pages = [
            "",
            f"briefings/{edited.slug}/",
            f"briefings/{other.slug}/",
            "feed.xml",
            "search/",
        ]
        report = run_load(
            root,
            root / "content/briefings" / f"{edited.slug}.md",
            pages,
            clients=args.clients,
            seconds=args.seconds,
            save_every=args.save_every,
            tear=args.tear,
            streams=args.streams,
            idle=args.idle,
        )
    print(report.summary())
    for failure in report.failures[:10]:
        print("  failed:", failure)
    errors = [line for line in report.server_output if "error" in line.lower()]
    for line in errors[:10]:
        print("  server:", line.rstrip())
    print(f"  median rebuild line: {statistics.median_low(report.rebuild_lines or ['-'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
