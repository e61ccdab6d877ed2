"""`briefings build`, once: the lightest way to each kind of build.

A build that would change nothing is told apart before the renderer is imported (start-up is most of a
no-op build's time); then one after edits to briefings' text alone, before the builder is; else the full
build, which takes the survey of the inputs made for the first check rather than making it again. The
later stages are imported only when needed, for that start-up's sake.
"""

from __future__ import annotations

import gc
from pathlib import Path

from generator.build.cache import BuildCache
from generator.build.current import Survey, unchanged_report
from generator.build.manifest import OutputCheck
from generator.build.options import BuildOptions, BuildReport
from generator.core.config import Config

# The builder of the last full build: kept until the next one or the process's exit, which frees nothing
# (__main__.run). Freeing a parsed site object by object as the build returned took ~1.5 s at 100,000
# briefings.
_BUILT: list[object] = []


def build_project(root: Path, options: BuildOptions) -> BuildReport:
    """Build the project at `root` as `briefings build` does."""
    # Every object made from here on lives till the build ends (modules imported on the way, the parsed
    # site): the cyclic collector would only traverse them, again and again. Off meanwhile (with
    # __main__'s start-up: a text-edit build at 2,000 briefings went from 0.51 to 0.48 s, 10 runs each,
    # alternated); then they are set aside for good rather than left young (the next collection would
    # traverse them all: 0.5 s at 20,000 briefings). Reference counting still frees what is dropped
    # later; only reference cycles among objects set aside stay, which costs nothing in the command line
    # (the process ends) and little in tests that build repeatedly (`serve` keeps a Builder instead).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(root, options)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _build(root: Path, options: BuildOptions) -> BuildReport:
    checked = unchanged_report(root, options, then=_text_edits)
    if checked.report is not None:
        return checked.report
    from generator.build.builder import one_shot

    builder = one_shot(root, options)
    _BUILT[:] = [builder]
    return builder.build(surveyed=checked.survey)


def _text_edits(
    config: Config,
    found: Survey,
    cache: BuildCache,
    options: BuildOptions,
    check: OutputCheck,
) -> BuildReport | None:
    from generator.build.text_edits import text_edit_report

    return text_edit_report(config, found, cache, options, check)
