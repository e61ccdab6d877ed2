"""Time the builds the search index made slow, on a corpus built once (`python -m bench.corpus`).

    python -m bench.search_cliffs DIR [--runs 3] [--measures cold,fresh,noop,edit]

- cold: a build with no cache into a new folder (`--no-cache --output`): the yardstick for `fresh`;
- fresh: a build into a new folder with the warm `.cache/` (`rm -rf output && briefings build`);
- noop: a build with nothing changed;
- edit: a sentence of words no briefing has yet appended to the middle briefing, then a build.

Each is the median of `--runs` CLI builds (the disk synced before each, as bench/run.py does);
`edit` also reports the seconds spent in the search index (SearchIndex.update and its files, in one
more edit built in-process).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

MEASURES = ("cold", "fresh", "noop", "edit")


def cli(root: Path, *args: str) -> float:
    """Wall time of one `briefings build` of the project at `root`."""
    os.sync()
    started = time.perf_counter()
    command = [sys.executable, "-m", "generator", "-C", str(root), "build", "--no-import", *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def middle_briefing(root: Path) -> Path:
    files = sorted((root / "content" / "briefings").glob("*.md"))
    return files[len(files) // 2]


def append_new_words(path: Path, rng: random.Random) -> None:
    """A sentence of made-up words: new terms, in shards new and old."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words = ["".join(rng.choices(syllables, k=4)) for _ in range(6)]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n{' '.join(words).capitalize()}.\n")


def search_seconds(root: Path) -> float:
    """Seconds one in-process build spends in the search index (update, then making its files)."""
    from generator.build.builder import Builder, BuildOptions
    from generator.build.search_index import SearchIndex

    spent = [0.0]
    update = SearchIndex.update

    def timed(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        finish = update(self, *args, **kwargs)
        spent[0] += time.perf_counter() - started

        def finish_timed():  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            files = finish()
            spent[0] += time.perf_counter() - started
            return files

        return finish_timed

    SearchIndex.update = timed  # type: ignore[method-assign]
    try:
        Builder(root.resolve(), BuildOptions(run_import=False)).build()
    finally:
        SearchIndex.update = update  # type: ignore[method-assign]
    return spent[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measures", default=",".join(MEASURES))
    args = parser.parse_args(argv)
    root: Path = args.root
    rng = random.Random(len(list((root / "content" / "briefings").glob("*.md"))))
    scratch = root / "bench-fresh"
    for measure in args.measures.split(","):
        times, search = [], []
        cli(root)  # a fresh build elsewhere leaves a cache whose last build is not output/'s
        for _ in range(args.runs):
            shutil.rmtree(scratch, ignore_errors=True)
            if measure == "cold":
                times.append(cli(root, "--no-cache", "--output", str(scratch)))
            elif measure == "fresh":
                times.append(cli(root, "--output", str(scratch)))
            elif measure == "noop":
                times.append(cli(root))
            else:
                append_new_words(middle_briefing(root), rng)
                times.append(cli(root))
                append_new_words(middle_briefing(root), rng)
                search.append(search_seconds(root))
        shutil.rmtree(scratch, ignore_errors=True)
        runs = ", ".join(f"{t:.2f}" for t in times)
        line = f"{measure:6} {statistics.median(times):8.2f} s  (runs: {runs})"
        if search:
            line += f"; search index {statistics.median(search):.3f} s of an in-process edit build"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
