"""A CLI build after edits to the text of briefings, or to what pages show of them, in time proportional
to the edit.

`briefings build` asks this when the no-op check fails, before it loads the builder. It applies when:
- the last full build left its store (build/text_store.py) for these settings and this output folder, and
  the output folder still holds what the last build wrote;
- every input file that changed since (by size and mtime) is a briefing the last build parsed, and each,
  parsed again, has the same `Briefing` but for the fields page keys leave out (its title, summary,
  takeaways, sources, reading time...: swap.shown_alone), with no images to derive;
- no briefing has come due since.
Then the site's skeleton is unchanged, so every page's context is the last one but for the bodies and
briefings it holds (as for serve's settle, build/settle.py). The pages whose contexts hold an edited body,
or whose renderings read a changed title or reading time, are loaded from the store with the new bodies
and briefings in; each must then hold only current bodies (else the full build runs). They are rendered,
the search shards of the changed words and the docs/ entries of retitled briefings patched, the files
written through the journal and noted in the manifest's delta; the parse cache, the store and the no-op
record follow. Nothing else is read: at 100,000 briefings the cost is the survey's stat calls and a few
shards.

This module tells from the survey and the last build's stamps alone whether the changed files are all
briefings, then forks: a child converts their Markdown (build/reparse.py) while this process imports the
model, the store and the renderer and does the rest (build/text_pages.py). Each side's start-up is ~40 ms at
2,000 briefings, so this module imports nothing the no-op check has not.
"""

from __future__ import annotations

import functools
import os
import time
from typing import TYPE_CHECKING

from generator.build.cache import BuildCache
from generator.build.current import Survey
from generator.build.manifest import OutputCheck
from generator.build.options import BuildOptions, BuildReport
from generator.core.config import Config
from generator.core.halves import aside

if TYPE_CHECKING:
    from generator.build.reparse import Reparsed


def text_edit_report(
    config: Config, found: Survey, cache: BuildCache, options: BuildOptions, check: OutputCheck
) -> BuildReport | None:
    """The report of the build, when only briefings' text changed; None otherwise (nothing written).
    `check`: whether the output folder is as the last build left it, waited for before anything is
    written (its stat calls run in forked children while the edit is parsed and rendered)."""
    started = time.perf_counter()
    last = found.last
    changed = found.stamps.changed(last) if last is not None else None
    inputs = cache.blob("inputs")
    if not changed or not isinstance(inputs, dict):
        return None  # no stamps, a file added or removed, or nothing changed
    reveal = inputs.get("reveal_at")
    if reveal is not None and options.moment(config.tz) >= reveal:
        return None  # a briefing appears or goes: lists change
    prefix = os.path.join(config.content_dir, "briefings", "")
    if any(not (p.startswith(prefix) and p.endswith(".md")) for p in changed):
        return None
    check.start()  # the stat calls of a small output folder: beside the parse and render too
    # Before the fork, though only the child reads YAML (front matter): the child's imports (PyYAML,
    # Python-Markdown) took longer than this side's (the renderer's), which then waited for them
    import yaml  # noqa: F401

    parse = functools.partial(_reparse_all, config, changed)
    with aside(parse, prepare=functools.partial(_forgo_pygments, config)) as parsing:
        from generator.build.text_pages import settle_edits  # while the child parses

        return settle_edits(config, found, cache, options, check, changed, parsing, inputs, started)


def _reparse_all(config: Config, paths: list[str]) -> list[Reparsed | None]:
    # Python-Markdown is imported in the child alone (or here, if the child failed)
    from generator.build.reparse import reparse_all

    return reparse_all(config, paths)


def _forgo_pygments(config: Config) -> None:
    from generator.read.markup import forgo_pygments

    forgo_pygments(config.markdown_extensions)
