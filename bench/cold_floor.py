"""What a cold build cannot do without: the CPU time of the work the design card's libraries and the
product's features must do for a site, measured in a serial cold build of it, next to Hugo's cold build of
the same corpus in the same run.

    python -m bench.cold_floor WORK [--size 2000] [--runs 3]

WORK is a folder `bench.run --work WORK` made (WORK/<size>/briefings and WORK/<size>/hugo); a missing
corpus is written first. Each of our runs is a fresh process building the project from nothing (output and
build cache deleted, as `bench.run`'s cold measure does) with `--jobs 1`, so every part runs in this
process, where it is timed by the CPU time of this thread (`time.thread_time`, kernel time included):

- `markdown`: Python-Markdown converting the briefings' and pages' bodies (`Markdown.convert`);
- `templates`: Jinja2 rendering every HTML and XML page of the theme (`Template.render`: the templates'
  code and the filters and helpers it calls);
- `previews`: the social preview images (Pillow drawing, palette, deflate);
- `files`: creating the output's files and folders (the kernel's work, mostly).

Their sum is a floor for the build's CPU: whatever the rest of the build costs, a cold build on this
machine's cores takes at least that sum divided by the cores. The table says where that floor stands
against 1.5 times Hugo's median cold build of the same corpus (the target of issue #12).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PARTS = ("markdown", "templates", "previews", "files")


def _timed(owner: Any, name: str, part: str, spent: dict[str, float]) -> None:
    """Replace `owner.name` by a wrapper adding the thread CPU time of each outermost call to `spent[part]`
    (a template rendering another inside it is counted once)."""
    original: Callable[..., Any] = getattr(owner, name)
    depth = {"calls": 0}

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth["calls"] += 1
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            depth["calls"] -= 1
            if depth["calls"] == 0:
                spent[part] += time.thread_time() - started

    setattr(owner, name, wrapper)


def one_build(root: Path) -> dict[str, float]:
    """A serial cold build of `root`, its parts' CPU seconds, its whole CPU and wall seconds."""
    import jinja2
    import markdown

    from generator.build import spool, write
    from generator.build.builder import Builder
    from generator.build.options import BuildOptions
    from generator.render import preview

    spent = dict.fromkeys(PARTS, 0.0)
    _timed(markdown.Markdown, "convert", "markdown", spent)
    _timed(jinja2.Template, "render", "templates", spent)
    for drawing in ("draw_briefing", "draw_site_card", "draw_logo"):
        _timed(preview, drawing, "previews", spent)
    for writing in ("place", "_write_private"):
        _timed(write, writing, "files", spent)
    _timed(spool, "place", "files", spent)  # the first build's pages, written as they arrive
    shutil.rmtree(root / "output", ignore_errors=True)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    os.sync()
    wall, cpu = time.perf_counter(), time.process_time()
    Builder(root, BuildOptions(run_import=False, spool=True, jobs=1)).build()
    usage = os.times()
    return {
        **spent,
        "build_cpu": time.process_time() - cpu + usage.children_user + usage.children_system,
        "build_wall": time.perf_counter() - wall,
    }


def hugo_cold(root: Path) -> float:
    from bench.run import Hugo

    seconds, _, _ = Hugo(root, 0).measure("cold")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    # one of our runs, in this process
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_build(args.one)))
        return 0
    folder = args.work.resolve() / str(args.size)
    ours, hugo = folder / "briefings", folder / "hugo"
    if not (ours / "content").is_dir() or not (hugo / "content").is_dir():
        from bench.corpus import make_corpus, make_hugo

        make_corpus(args.size, ours)
        make_hugo(args.size, hugo)
    hugo_cold(hugo)  # a warm-up: the first run after writing a corpus reads it from disk
    runs: list[dict[str, float]] = []
    hugo_runs: list[float] = []
    for _ in range(args.runs):  # alternating, so that both see the same hour of this machine
        command = [sys.executable, "-m", "bench.cold_floor", str(args.work), "--one", str(ours)]
        printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(printed.strip().splitlines()[-1]))
        hugo_runs.append(hugo_cold(hugo))
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    floor = sum(median[part] for part in PARTS)
    hugo_median = statistics.median(hugo_runs)
    print(f"{args.size:,} briefings, {args.runs} runs each, medians; {args.cores} cores")
    for part in PARTS:
        print(f"  {part:<10} {median[part]:6.2f} s CPU")
    print(
        f"  {'sum':<10} {floor:6.2f} s CPU: at least {floor / args.cores:.2f} s on {args.cores} cores"
    )
    print(
        f"  whole serial build {median['build_cpu']:.2f} s CPU, {median['build_wall']:.2f} s wall"
    )
    print(f"  Hugo cold {hugo_median:.2f} s (runs {', '.join(f'{s:.2f}' for s in hugo_runs)})")
    target = 1.5 * hugo_median
    verdict = "below" if floor / args.cores <= target else "above"
    print(f"  1.5x Hugo: {target:.2f} s; the floor on {args.cores} cores is {verdict} it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
