"""How one edit's build time grows with the site: the same edit at two sizes, run by run in turn.

    python -m bench.edit_ratio [--small 2000] [--large 20000] [--runs 15] [--work /tmp/bench]

`bench.run` times every measure of one size before the next size, so a machine whose speed drifts over
minutes (a VM's neighbours) moves one size's figure and not the other's, and the ratio of the two medians
with it (runs an hour apart gave 1.50-1.73x for the same code). Here each timed edit at the small size is
followed by one at the large size, and the ratio of each such pair is taken: both builds of a pair ran
within a second of each other. The corpora are `bench.run`'s (made in `--work` if missing), built once
untimed first; each edit appends a sentence to the middle briefing, as `bench.run`'s edit does.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
from pathlib import Path

from bench.corpus import make_corpus
from bench.run import ROOT, Briefings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15, help="timed pairs (default 15)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench"))
    args = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "generator", quiet=1)  # as bench.run: bytecode as pip leaves it
    tools = []
    for n in (args.small, args.large):
        corpus = make_corpus(n, args.work / str(n) / "briefings", previews=True, seeds=False)
        tool = Briefings(corpus, n)
        tool.measure("noop")  # untimed: brings the output and caches up to this code
        tool.measure("edit")
        tools.append(tool)
    pairs: list[tuple[float, float]] = []
    shortcut = 0
    for _ in range(args.runs):
        small, large = (tool.measure("edit") for tool in tools)
        shortcut += ("text edits only" in small[2]) + ("text edits only" in large[2])
        pairs.append((small[0], large[0]))
    smalls, larges = [s for s, _ in pairs], [g for _, g in pairs]
    ratios = sorted(g / s for s, g in pairs)
    print(
        f"one edit at {args.small:,}: median {statistics.median(smalls):.3f} s  runs {_r(smalls)}"
    )
    print(
        f"one edit at {args.large:,}: median {statistics.median(larges):.3f} s  runs {_r(larges)}"
    )
    print(
        f"ratio of each pair: median {statistics.median(ratios):.2f}x "
        f"(quartiles {_quartiles(ratios)}); ratio of the medians "
        f"{statistics.median(larges) / statistics.median(smalls):.2f}x; "
        f"{shortcut} of {2 * args.runs} builds took the text-edit short cut"
    )
    return 0


def _r(values: list[float]) -> list[float]:
    return [round(v, 3) for v in values]


def _quartiles(values: list[float]) -> str:
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.2f}-{q3:.2f}x"


if __name__ == "__main__":
    sys.exit(main())
