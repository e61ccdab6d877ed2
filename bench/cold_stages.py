"""Time a cold build's stages as `briefings build` runs it (pages spooled, a first build's pages written as
they arrive), with this process's memory when each stage begins, on a project made by `bench.corpus`.

    python -m bench.cold_stages DIR [--runs 3] [--jobs N]

Each run deletes DIR's output folder and build cache first (as `bench.run`'s cold measure does) and builds
in this process; the stages are the progress display's (parsing, assembling, planning, rendering, indexing,
images, writing: the last runs to the build's end, cache saves included). To compare two commits, run it
from a checkout of each, alternating: on a disk whose files were just deleted the time moves run to run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from generator.build.builder import Builder
from generator.build.options import BuildOptions
from generator.build.progress import Progress


def _rss_mib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


class StageClock(Progress):
    """Seconds a build spends in each stage of its progress display, and this process's memory (MiB) as
    each stage begins."""

    def __init__(self) -> None:
        super().__init__(enabled=False)
        self.seconds: dict[str, float] = {}
        self.memory: dict[str, int] = {}
        self._open: tuple[str, float] | None = None

    def stage(self, name: str, total: int) -> None:
        self._close()
        self.memory.setdefault(name, _rss_mib())
        self._open = (name, time.perf_counter())

    def _close(self) -> None:
        if self._open is not None:
            name, started = self._open
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            self._open = None

    def done(self) -> None:
        self._close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="0: one per core (default), 1: serial")
    # one run in this process (what each of the --runs is)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.site.resolve()
    if not args.one:  # each run in a fresh process, so that its memory is a build's alone
        for _ in range(args.runs):
            command = [sys.executable, "-m", "bench.cold_stages", str(root), "--one"]
            subprocess.run([*command, "--jobs", str(args.jobs)], check=True)
        return 0
    shutil.rmtree(root / "output", ignore_errors=True)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    stages = StageClock()
    options = BuildOptions(run_import=False, spool=True, jobs=args.jobs, progress=stages)
    started = time.perf_counter()
    Builder(root, options).build()
    total = time.perf_counter() - started
    parts = ", ".join(
        f"{name} {seconds:.2f} s ({stages.memory[name]} MiB)"
        for name, seconds in stages.seconds.items()
    )
    print(f"{total:.2f} s: {parts}; at the end {_rss_mib()} MiB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
