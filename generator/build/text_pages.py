"""The rest of a CLI build after edits to briefings' text or to what pages show of them, once
build/text_edits.py has found that only briefings changed and forked a child to parse them: the store
checked to be the last full build's for these settings; each edit checked to change nothing else; each page
holding an edited body or reading a changed title or reading time loaded from the store with the new
bodies and briefings in, keyed, rendered and written through the journal; the search files patched; the
parse cache, the store (what each page read, for the next edit) and the no-op record brought up to date.
This module holds the renderer's imports, made while the child converts the edits' Markdown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build.cache import BuildCache, PageRecord, templates_dir
from generator.build.current import Survey
from generator.build.inputs import record_inputs
from generator.build.keys import page_key
from generator.build.manifest import OutputCheck, note_written
from generator.build.options import BuildOptions, BuildReport
from generator.build.search_index import SearchIndex
from generator.build.swap import identical, shown_alone, swap_bodies
from generator.build.text_store import TextStore, options_key
from generator.build.write import write_files
from generator.core.config import Config
from generator.core.errors import Problem
from generator.core.fingerprint import Fingerprints
from generator.core.model import Body, BriefingFile, OutputPage
from generator.core.trace import Digests
from generator.render.maps import countries_kept_in
from generator.render.render import render_many
from generator.render.theme import input_digests, make_environment, static_files

if TYPE_CHECKING:
    from generator.build.reparse import Reparsed
    from generator.core.halves import Forked


@dataclasses.dataclass(frozen=True)
class Edit:
    """One edited briefing file: its parse-cache entry before and after."""

    path: str
    stamp: tuple[int, int]  # (mtime_ns, size), as the parse cache keeps it
    old: BriefingFile
    new: BriefingFile


def settle_edits(
    config: Config,
    found: Survey,
    cache: BuildCache,
    options: BuildOptions,
    check: OutputCheck,
    changed: list[str],
    parsing: Forked[list[Reparsed | None]],
    last_inputs: dict,
    started: float,
) -> BuildReport | None:
    """The report of the build, or None (nothing written) when the full build must run: `changed` are the
    briefing files that changed, `parsing` the child parsing them again (build/reparse.py)."""
    output = options.output_of(config.root)
    store = TextStore.open(cache)
    if (
        store is None
        or store.index.settings != found.settings
        or store.index.files != options_key(found.settings, options, output)
    ):
        return None
    known = cache.documents_of(changed)
    search = _ready(cache, store, known.values())  # while the child parses
    edits = []
    for path, again in itertools.zip_longest(changed, parsing.result()[0]):
        entry = known.get(path)
        old = entry[1] if entry else None
        if again is None or not isinstance(old, BriefingFile):
            return None  # an error (the full build reports it), or not a briefing last time
        stamp, new = again
        if not shown_alone(old, new):
            return None
        edits.append(Edit(path, stamp, old, new))
    try:
        return _settle(
            config, found, cache, store, search, edits, output, check, last_inputs, started
        )
    except LookupError:  # the store lacks an entry (a page it could not keep): the full build
        return None


def _settle(
    config: Config,
    found: Survey,
    cache: BuildCache,
    store: TextStore,
    search: SearchIndex | None,
    edits: list[Edit],
    output: Path,
    check: OutputCheck,
    last_inputs: dict,
    started: float,
) -> BuildReport | None:
    swaps = {e.old.body.digest: e.new.body for e in edits if e.old.body.digest != e.new.body.digest}
    new_digests = {body.digest for body in swaps.values()}
    # edits that changed what pages show of a briefing (its title..., its reading time), by slug
    moved = {e.new.briefing.slug: e for e in edits if not identical(e.new.briefing, e.old.briefing)}
    held_by = sorted(
        {
            p
            for e in edits
            if e.old.body.digest in swaps or e.new.briefing.slug in moved
            for p in store.holders(e.old.briefing.slug)
        }.union(*(_showing(store, e) for e in moved.values()))
    )
    for e in moved.values():
        store.replace_briefing(e.new.briefing)  # the pages loaded below show the new one
    fingerprints = Fingerprints()
    todo: list[tuple[OutputPage, str, tuple[str, ...], PageRecord]] = []
    for rel in held_by:
        record, page = store.page(rel, swaps)
        page = dataclasses.replace(page, context=swap_bodies(page.context, swaps, key=_body_digest))
        key = page_key(store.index.base, page, fingerprints)
        held = tuple(fingerprints.seen)
        current = (set(record.bodies) - swaps.keys()) | new_digests
        if not current.issuperset(held):
            return None  # a body the swap did not reach: the full build
        todo.append((page, key, held, record))
    files: dict[str, bytes] = {}
    done = {}
    if todo:  # the environment (reading every static file) only when a page is rendered
        statics = static_files(config)
        bytecode = templates_dir(config.root, store.index.env_key)
        kept = bytecode if bytecode.is_dir() else None
        env = make_environment(config, statics, kept)
        # the map data's projection as the full build kept it there (~30 ms to make: a retitle renders
        # term pages' locator maps and a preview)
        with countries_kept_in(kept):
            done = render_many(env, [page for page, *_ in todo], store.index.common, 1)
        digests = Digests(
            {
                **input_digests(env, config, statics),
                # of the briefings the pages rendered here hold, all loaded from the store
                "reading_time": lambda ref: (
                    str(b._reading_time) if (b := store.loaded(ref)) else "unknown"
                ),
                "front": lambda ref: b.front_digest if (b := store.loaded(ref)) else "unknown",
            }
        )
    by_digest = {body.digest: body for body in swaps.values()}
    for page, key, held, record in todo:
        result = done[page.path]
        if result.content.digest != record.digest:
            files[page.path] = result.data
        new = PageRecord(key, digests.trace(result.reads), result.content.digest, held)
        store.put_page(new, page, by_digest.get(held[0]) if len(held) == 1 else None)
        store.note_reads(page.path, new.trace, record.trace)
    gone: list[str] = []
    fronts = {slug: e.new.briefing for slug, e in moved.items() if _front_changed(e)}
    if swaps or fronts:
        if search is None:
            return None
        edited = {
            e.new.briefing.slug: (
                e.old.body.packed_words,
                e.new.body.packed_words,
                e.new.body.digest,
            )
            for e in edits
            if e.old.body.digest in swaps
        }
        patched = search.patch_texts(output, tuple(config.taxonomies), edited, fronts)
        if patched is None:
            return None
        files.update(patched[0])
        gone = patched[1]
    files_in_site = check.result()
    if files_in_site is None:
        return None  # the output folder is not as the last build left it
    store.begin()
    stats, entries = write_files(output, files, gone)
    note_written(output, entries, gone)
    cache.update_documents({e.path: (e.new.digest, e.new, e.stamp) for e in edits})
    if swaps or fronts:
        cache.put_blob("search", search)
    store.save(found.stamps)
    # the same briefings are shown, so the next one to appear or go is the last build's
    record_inputs(cache, found.inputs, last_inputs.get("reveal_at"), output)
    return BuildReport(
        output=output,
        pages=files_in_site + stats.created - stats.removed,
        rendered=len(done),
        stats=stats,
        seconds=time.perf_counter() - started,
        base_path=config.base_path,
        shortcut="text edits",
        warnings=tuple(
            str(Problem(Path(e.path), line, message))
            for e in edits
            for line, message in e.new.body.warnings
        ),
    )


def _ready(cache: BuildCache, store: TextStore, entries: Iterable[tuple]) -> SearchIndex | None:
    """What a body edit will want whatever its new text: the search index, and the store's shards of the
    pages holding the edited briefings' bodies. Loaded while the child converts the Markdown, which takes
    longer than this process's start-up: at 20,000 briefings the search index alone took 7 ms to load.
    (The pages showing a briefing's title are many, in many shards: loaded only if it changed.)"""
    for entry in entries:
        if isinstance(entry[1], BriefingFile):
            slug = entry[1].briefing.slug
            with contextlib.suppress(LookupError):  # raised again where it matters
                for path in store.holders(slug):
                    store.prepare_page(path)
    search = cache.blob("search")
    if not isinstance(search, SearchIndex):
        return None
    search.slug_ids()
    return search


def _front_changed(edit: Edit) -> bool:
    return edit.new.briefing.front != edit.old.briefing.front


def _showing(store: TextStore, edit: Edit) -> set[str]:
    """The pages whose renderings read what changed of the edit's briefing: its reading time, its title..."""
    slug = edit.new.briefing.slug
    found = set(store.shows(slug)) if _front_changed(edit) else set()
    if edit.new.briefing._reading_time != edit.old.briefing._reading_time:
        found.update(store.readers(slug))
    return found


def _body_digest(value: object) -> object:
    return value.digest if type(value) is Body else None
