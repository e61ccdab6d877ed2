"""Whether a build would change anything, told with the lightest imports and no parsing.

A build first surveys its inputs: a digest of the settings and of every file it may read by path, size and
mtime (content, seeds when it imports, themes, the generator), of the URL record and the choices that shape
it. When that equals what the last build recorded, with the output folder as it left it and no briefing
come due, the build would change nothing. `briefings build` asks this before it imports the renderer:
imports were 0.3 s of a 0.45 s no-op build at 2,000 briefings. Seeds are in the survey, so the importer
(which matches seeds to briefings by their front matter, re-reading only the briefings that changed) runs
only when a seed or a briefing changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.build.cache import BuildCache, cache_dir
from generator.build.inputs import (
    GENERATOR_DIR,
    Stamps,
    code_version,
    input_stamps,
    inputs_stamp,
    key_of,
    last_inputs,
    last_stamps,
    save_stamps,
    unchanged_since_last_build,
)
from generator.build.lock import project_lock
from generator.build.manifest import OutputCheck
from generator.build.options import BuildOptions, BuildReport, WriteStats
from generator.core.config import Config, Parsed, TermCorrections, load_config, parse_site_yaml
from generator.core.memo import remembered, remembering
from generator.core.themes import theme_dirs
from generator.read.corrections import (
    ENTITIES_FILE,
    load_term_corrections,
    with_term_corrections,
)
from generator.read.published import record_text


@dataclass(frozen=True)
class Survey:
    """A build's inputs, by stamps."""

    settings: str  # code, configuration and flags: what every parsed file and page depends on
    files: str  # every input file by path, size and mtime, with the settings and the output folder
    record: str  # the URL record's text (an input, and written by the build)
    inputs: str  # all of the above: equal to the last build's, the build would change nothing
    # the (size, mtime_ns) of each input file: which changed since the last build (build/text_edits.py)
    stamps: Stamps = field(compare=False, repr=False)
    # the last full or text-edit build's, as this survey found them (None if none)
    last: Stamps | None = field(default=None, compare=False, repr=False)

    def unchanged(
        self,
        cache: BuildCache | None,
        output: Path,
        now: datetime,
        check: OutputCheck | None = None,
    ) -> int | None:
        """The number of files in the output if the last build left it for these inputs, else None."""
        return unchanged_since_last_build(cache, self.inputs, output, now, check)


def load_site_config(root: Path, options: BuildOptions, code: str | None = None) -> Config:
    """site.yaml with the editor's entity corrections applied; parsed again only when a text (or the code,
    `code_version()` if not given) changed since a build parsed it (core/memo.py), unless the build is
    one without cache."""

    def parse(path: Path, text: str) -> Parsed:
        # by path too: the problems it keeps name the file
        return remembered("site.yaml", f"{path}\0{text}", lambda: parse_site_yaml(path, text))

    def corrections(content_dir: Path) -> TermCorrections:
        path = content_dir / ENTITIES_FILE
        text = _text_of(path) if path.is_file() else None
        if text is None:  # none, or unreadable: the loader says what is wrong
            return load_term_corrections(content_dir)
        return remembered(
            "entities.yaml",
            text,
            lambda: load_term_corrections(content_dir),
            still=lambda: _text_of(path) == text,
        )

    with memo_of(root, options, code):
        return with_term_corrections(
            load_config(root, base_url=options.base_url, parse=parse), corrections
        )


def memo_of(root: Path, options: BuildOptions, code: str | None = None) -> AbstractContextManager:
    """Data files' parses remembered in the project's cache meanwhile (core/memo.py), unless the build is
    one without cache (whose every input is read anew)."""
    if not options.cache:
        return contextlib.nullcontext()
    return remembering(cache_dir(root) / "memo", code or code_version())


def _text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def settings_key(config: Config, options: BuildOptions, code: str) -> str:
    """What every parsed file and page depends on: code, configuration and flags."""
    return key_of(code, config.digest(), options.drafts, options.future)


def survey(
    config: Config, options: BuildOptions, code: str, output: Path, last: Stamps | None = None
) -> Survey:
    """The stamps of everything a build of `config` with `options` reads (`last`: the last build's, whose
    listing of the folders spares the walk if they are unchanged)."""
    settings = settings_key(config, options, code)
    folders = [config.content_dir, *theme_dirs(config), GENERATOR_DIR]
    if options.run_import:
        folders.append(config.seeds_dir)
    stamps = input_stamps(folders, last)
    files = inputs_stamp(
        key_of(settings, options.as_of, options.run_import), output, options.swap, stamps
    )
    record = record_text(config)
    return Survey(
        settings, files, record, inputs_key(files, record, options.records_urls), stamps, last
    )


def inputs_key(files: str, record: str, records_urls: bool) -> str:
    """The key of a build's inputs: its files' stamp and the URL record's text (by digest: its repr, 6.5 MB
    at 100,000 briefings, took 30 ms of a no-op build)."""
    return key_of(files, hashlib.sha256(record.encode()).hexdigest(), records_urls)


# a build that can take a short cut when this one would not be a no-op (build/text_edits.py)
Then = Callable[[Config, Survey, BuildCache, BuildOptions, OutputCheck], "BuildReport | None"]


@dataclass(frozen=True)
class Checked:
    """What `unchanged_report` found: the report of a build it made unnecessary, else the survey it took."""

    report: BuildReport | None
    # for the full build that follows, which need not survey the inputs again
    survey: Survey | None = None


def unchanged_report(root: Path, options: BuildOptions, then: Then | None = None) -> Checked:
    """The report of a build of `root` that would change nothing, or else of `then` (given the survey, under
    the same lock); else no report (then build it)."""
    if options.verify or not options.cache:
        return Checked(None)
    started = time.perf_counter()
    with project_lock(root, "briefings build"):
        code = code_version()
        with memo_of(root, options, code):  # a text edit's render reads the country facts
            config = load_site_config(root, options, code)
            output = options.output_of(root)
            cache = BuildCache(root, settings_key(config, options, code), enabled=True)
            # the output folder's stat calls (240,000 at 100,000 briefings) run in forked children
            # meanwhile
            with OutputCheck(output, last_inputs(cache).get("marker", "")) as check:
                found = survey(config, options, code, output, last_stamps(cache))
                files = found.unchanged(cache, output, options.moment(config.tz), check)
                if files is None:
                    return Checked(
                        then(config, found, cache, options, check) if then else None, found
                    )
                if found.last is None or found.stamps.numbers != found.last.numbers:
                    # files rewritten with the bytes they had (a checkout): hashed once, not again
                    save_stamps(cache, found.stamps)
    return Checked(
        BuildReport(
            output=output,
            pages=files,
            rendered=0,
            stats=WriteStats(0, files, 0),
            seconds=time.perf_counter() - started,
            base_path=config.base_path,
            shortcut="unchanged",
        )
    )
