"""Time the stages of the no-op check (`briefings build` with nothing changed) and the `stat` calls under it,
on a site built once by this code (`python -m bench.corpus N DIR`, then `briefings build` in DIR).

    python -m bench.noop_stages DIR [--runs 3]

Per run, in a fresh process: imports, site.yaml, the generator's code version, the survey of the inputs
(walk, unless the last build's listing of the folders holds, and `stat` of every content, theme and
generator file) while forked children check the output
folder, then the wait for them. Then, in this process, the floor under it: one `os.stat` of every input
and every output file the manifest lists, and the same number of `stat` calls of one cached path.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

_STAGES = r"""
import time
T0 = time.perf_counter()
from pathlib import Path
from generator.build.cache import BuildCache
from generator.build.current import load_site_config, settings_key, survey
from generator.build.inputs import code_version, last_inputs, last_stamps
from generator.build.manifest import OutputCheck
from generator.build.options import BuildOptions
T1 = time.perf_counter()
# as bench.run builds (`--no-import` on a corpus without seeds), by absolute path: the listing is by path
root, options = Path.cwd(), BuildOptions(run_import=(Path.cwd() / "seeds").is_dir())
t = time.perf_counter(); config = load_site_config(root, options); t_config = time.perf_counter() - t
t = time.perf_counter(); code = code_version(); t_code = time.perf_counter() - t
cache = BuildCache(root, settings_key(config, options, code), enabled=True)
output = options.output_of(root)
with OutputCheck(output, last_inputs(cache).get("marker", "")) as check:
    t = time.perf_counter(); last = last_stamps(cache); t_last = time.perf_counter() - t
    t = time.perf_counter(); found = survey(config, options, code, output, last); t_survey = time.perf_counter() - t
    t = time.perf_counter(); files = check.result(); t_wait = time.perf_counter() - t
print(f"imports {T1 - T0:.3f} s, site.yaml {t_config:.3f} s, code version {t_code:.3f} s, "
      f"last stamps {t_last:.3f} s, survey {t_survey:.3f} s ({len(found.stamps.paths):,} inputs, "
      f"{'listed before' if found.last and found.stamps.listing is found.last.listing else 'walked'}), "
      f"output check wait {t_wait:.3f} s "
      f"({files if files is not None else 'not current: build the site first'} files); "
      f"{time.perf_counter() - T0:.3f} s in all")
"""


def stat_floor(root: Path) -> None:
    """One `stat` per input and per output file, in one process, and the cost of the call itself."""
    from generator.build.inputs import _walk
    from generator.build.manifest import _decode, _manifest_bytes

    inputs = _walk(root / "content")
    names = _decode(_manifest_bytes(root / "output")).names
    outputs = [f"{root}/output/{name}" for name in names]
    for label, paths in (("inputs", inputs), ("outputs", outputs)):
        started = time.perf_counter()
        for path in paths:
            os.stat(path)
        seconds = time.perf_counter() - started
        print(
            f"stat of {len(paths):,} {label}: {seconds:.3f} s ({1e6 * seconds / len(paths):.2f} µs each)"
        )
    one = outputs[0]
    started = time.perf_counter()
    for _ in range(len(outputs)):
        os.stat(one)
    seconds = time.perf_counter() - started
    print(
        f"stat of one cached path {len(outputs):,} times: {seconds:.3f} s ({1e6 * seconds / len(outputs):.2f} µs each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = args.site.resolve()
    for _ in range(args.runs):
        subprocess.run([sys.executable, "-c", _STAGES], cwd=root, check=True)
    stat_floor(root)


if __name__ == "__main__":
    main()
