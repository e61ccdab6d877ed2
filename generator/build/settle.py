"""Serve's rebuild after edits that changed only the text of briefings and what pages show of them, in time
proportional to the edit.

When the watcher reports nothing but briefing files, and each re-parsed briefing differs from the one the
last site holds at most in its text and in the fields page keys leave out (its title, summary, takeaways,
sources, reading time...: model.LISTED), the site's skeleton is unchanged; assembly and page kinds are pure
and read none of those fields (else the last full build's skeleton would be None), so every page's context
is the last build's but for the bodies and briefings it holds. Then only the pages whose records hold a
changed body (the briefing's page and the full-content feeds) or whose renderings read a changed field (a
title on term pages, neighbours, feeds: their traces) are planned again: their last contexts with the new
bodies and briefings swapped in (build/swap.py). The fingerprint of each new context proves the body swap:
a page still holding an old body sends the edit to the full build. Nothing else is walked, planned,
checked or written; the files are written through the journal and the writer's manifest takes them at the
next full build, as it takes `quick`'s.

A CLI build has no last site in memory: build/text_edits.py takes the same short cut from `.cache/`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.build.cache import PageRecord
from generator.build.inputs import code_version, file_sha256
from generator.build.keys import BRIEFING_LISTED, PageKeys, listed_digests
from generator.build.options import BuildReport, WriteStats
from generator.build.reparse import reparse
from generator.build.state import Cached, LastBuild
from generator.build.swap import (
    identical,
    same_but_shown,
    shown_alone,
    site_with,
    swap_bodies,
    swap_objects,
)
from generator.build.write import Content, write_files
from generator.core.model import Body, Briefing, BriefingFile, OutputPage
from generator.core.trace import Trace
from generator.pages.kinds import briefing_page
from generator.pages.languages import localize_briefing_page
from generator.render.render import Digested, render_many, render_traced

if TYPE_CHECKING:
    from generator.build.builder import Builder


def rewritten(builder: Builder, changed: set[Path]) -> set[Path]:
    """Those of `changed` that are content files holding the bytes the output shows (the last successful
    build's parse of them): a checkout, `git stash pop` or an editor's save-all rewrites files as they
    were, and the watcher reports each one. None of them after a failed build (what it left unbuilt is
    not known), before a build in memory, or once a briefing has come due (the rebuild shows it)."""
    built, last, due = builder._built, builder._last, builder._reveal_at
    if built is None or last is None or (due is not None and due <= builder.now(last.site.config)):
        return set()
    found = set()
    for path in changed:
        cached = built.get(path)
        if (
            cached is not None
            and (now := file_sha256(str(path)))
            and now.hex() == cached.item.digest
        ):
            found.add(path)
    return found


def rebuild(
    builder: Builder, changed: set[Path] | None, full: Callable[[], BuildReport]
) -> BuildReport:
    """`Builder.build`, under its lock: nothing to do when every file the watcher reported (`changed`) is
    as built; else the settle below when it applies, else `full()`. What the output shows is known again
    once one of them succeeds."""
    started = time.perf_counter()
    if changed and not (changed := changed - rewritten(builder, changed)):
        return _as_built(builder, started)
    builder._built = None  # until this build succeeds
    report = (settle_bodies(builder, changed) if changed else None) or full()
    builder._built = dict(builder._documents)
    return report


def _as_built(builder: Builder, started: float) -> BuildReport:
    """The report of a build that found nothing to do: every file the watcher reported is as built."""
    last = builder._last
    assert last is not None  # `rewritten` finds files only after a build in memory
    return BuildReport(
        output=builder.output,
        pages=last.files,
        rendered=0,
        stats=WriteStats(0, last.files, 0),
        seconds=time.perf_counter() - started,
        base_path=last.site.config.base_path,
    )


def quick_render(builder: Builder, changed: set[Path], last: LastBuild) -> WriteStats | None:
    """`Builder.quick`: write the pages of edited briefings at once, before the full rebuild (None when
    it does not apply)."""
    files: dict[str, bytes] = {}
    parsed: dict[Path, Cached] = {}
    # a multilingual site's pages of each language come from that language's site
    sites = {s.lang.code: s for s in last.site.every_language} if last.site.lang else {}
    for path in changed:
        cached = builder._documents.get(path)
        old = cached.item if cached else None
        if not isinstance(old, BriefingFile):
            return None
        shown_in = sites.get(old.briefing.lang, last.site)
        if old.briefing.slug not in shown_in.neighbours:
            return None
        if (again := reparse(path, last.site.config, last.markup.render)) is None:
            return None
        stamp, new = again
        # what decides its neighbours and related briefings, and its place among its translations
        placed = ("slug", "date", "draft", "terms", "publish", "expires", "lang", "translation")
        if any(not identical(getattr(new.briefing, f), getattr(old.briefing, f)) for f in placed):
            return None
        site = dataclasses.replace(
            shown_in, bodies={**shown_in.bodies, new.briefing.slug: new.body}
        )
        page = briefing_page(site, new.briefing)
        if sites:
            # under its language's folder, with its versions and its notice, as `localize` makes it
            page = localize_briefing_page(last.site, shown_in, page)
        try:
            rendered = render_traced(last.env, page, last.keys.common)
        except Exception:  # a template error: the full rebuild reports it with file and line
            return None
        files[page.path] = rendered.data
        key = last.keys.key(page)
        held = tuple(last.keys.seen)
        builder._page_records()[page.path] = PageRecord(
            key, last.keys.digests.trace(rendered.reads), rendered.content.digest, held
        )
        _note_holder(builder._holders, page.path, held)
        builder._held[page.path] = rendered
        parsed[path] = Cached(stamp, new)
    builder._documents.update(parsed)
    stats, entries = write_files(builder.output, files)
    builder._quick_written.update(entries)
    return stats


def _note_holder(holders: dict[str, set[str]] | None, path: str, bodies: Iterable[str]) -> None:
    if holders is not None:
        for digest in bodies:
            holders.setdefault(digest, set()).add(path)


def _holders(builder: Builder, records: Mapping[str, PageRecord]) -> dict[str, set[str]]:
    """body digest -> paths of the pages whose records hold it: made once per full build, then kept up to
    date by `quick` and `settle` (a superset: callers check the record)."""
    if builder._holders is None:
        holders: dict[str, set[str]] = {}
        for path, record in records.items():
            for digest in record.bodies:
                holders.setdefault(digest, set()).add(path)
        builder._holders = holders
    return builder._holders


def _note_reader(readers: dict[tuple[str, str], set[str]] | None, path: str, trace: Trace) -> None:
    if readers is not None:
        for read, _ in trace:
            if read[0] in BRIEFING_LISTED:
                readers.setdefault(read, set()).add(path)


def _readers(
    builder: Builder, records: Mapping[str, PageRecord]
) -> dict[tuple[str, str], set[str]]:
    """(listed kind, briefing ref) -> paths of the pages whose renderings read it (a title, a reading time):
    made on first use after a full build, then kept up to date by settle (a superset)."""
    if builder._readers is None:
        readers: dict[tuple[str, str], set[str]] = {}
        for path, record in records.items():
            _note_reader(readers, path, record.trace)
        builder._readers = readers
    return builder._readers


def settle_bodies(builder: Builder, changed: set[Path]) -> BuildReport | None:
    """Rebuild after `changed` (paths the watcher reported) when they are all briefings whose text alone
    changed; None when that does not hold (the caller runs the full build).

    Builder's own fast path, kept in its own module: it reads and updates the builder's state."""
    started = time.perf_counter()
    last, records = builder._last, builder._records
    if (
        last is None
        or records is None
        or not changed
        or builder.options.verify
        or code_version() != builder._code
    ):
        return None
    site = last.site
    if site.lang is not None:
        # a multilingual site: pages carry their translations, and a translation's page shows whether
        # its source changed since it was made (as for quick): the full build
        return None
    config = site.config
    now = builder.now(config)
    if builder._reveal_at is not None and builder._reveal_at <= now:
        return None  # a briefing appears or goes: lists change
    shown = last.by_slug
    swaps: dict[int, Body] = {}  # id of the body the last site holds -> the new one
    fronts: dict[str, Briefing] = {}  # slug -> the briefing, where what pages show of it changed
    old_words: dict[str, bytes] = {}  # slug -> its packed search words in the last site
    parsed: dict[Path, tuple[tuple[int, int], BriefingFile]] = {}
    for path in changed:
        cached = builder._documents.get(path)
        if cached is None or not isinstance(cached.item, BriefingFile):
            return None  # not a briefing the last build read: a new file, a template, site.yaml...
        if (again := reparse(path, config, last.markup.render)) is None:
            return None  # the full build reports it (and serve retries a half-written save)
        stamp, new = again
        slug = new.briefing.slug
        held, before = site.bodies.get(slug), shown.get(slug)
        if held is None or before is None or not shown_alone(cached.item, new):
            return None  # hidden, or more than its text and what pages show of it: the full build
        if not identical(new.briefing, before):
            if not same_but_shown(before, new.briefing):
                return None
            fronts[slug] = new.briefing
        if held.images:  # `quick` may have parsed it since: the site's body has images to remove
            return None
        swaps[id(held)] = new.body
        old_words[slug] = held.packed_words
        parsed[path] = (stamp, new)
    old_digests = {site.bodies[slug].digest for slug in old_words}
    bodies = dict(site.bodies)
    bodies.update((new.briefing.slug, new.body) for _, new in parsed.values())
    site = dataclasses.replace(site, bodies=bodies, now=now)
    inputs = last.keys.digests
    moved: dict[
        int, Any
    ] = {}  # id of an object the last site holds -> its new self (swap.site_with)
    if fronts:  # the pages showing them read them (records' traces), with the briefings swapped in
        site, moved = site_with(site, fronts)
        inputs = inputs.renewed(listed_digests(site))
    current = (last.keys.bodies - old_digests) | {new.body.digest for _, new in parsed.values()}
    keys = PageKeys(builder._settings, last.keys.common, inputs, site, bodies=current)
    edited_bodies = {new.briefing.slug: new.body for _, new in parsed.values()}
    search_files = builder.search.update_texts(site, edited_bodies)
    if search_files is None:
        search_files = builder.search.update(site, builder._settings, builder.output, old_words)()
    # the pages holding an edited briefing's body: as the last full build planned them, or as `quick` wrote
    # them (its record holds the new body; the planned context still holds the old one)
    edited = old_digests | {new.body.digest for _, new in parsed.values()}
    pages: dict[str, OutputPage] = {}
    todo: list[tuple[OutputPage, str, tuple[str, ...]]] = []
    holders = _holders(builder, records)
    showing: set[str] = set()
    if fronts:
        readers = _readers(builder, records)
        refs = {(kind, b.ref) for b in fronts.values() for kind in BRIEFING_LISTED}
        showing.update(*(readers.get(read, ()) for read in refs))
    for rel in sorted(showing.union(*(holders.get(digest, ()) for digest in edited))):
        record = records.get(rel)
        if record is None or (rel not in showing and edited.isdisjoint(record.bodies)):
            continue
        page = last.pages.get(rel)
        if page is None:
            return None
        context = swap_bodies(page.context, swaps)
        if moved and (context := swap_objects(context, moved)) is None:
            return None
        page = dataclasses.replace(page, context=context)
        key = keys.key(page)
        held_bodies = tuple(keys.seen)
        if not keys.bodies.issuperset(held_bodies):
            return None  # the context holds a body where the swap did not reach: the full build
        pages[rel] = page
        todo.append((page, key, held_bodies))
    # `quick` may have written the briefing's page already: what it wrote is current if the key agrees
    done = render_many(
        last.env,
        [page for page, key, _ in todo if not _current(builder, records, page.path, key, keys)],
        keys.common,
        builder.jobs,
    )
    files: dict[str, bytes] = {}
    for page, key, held_bodies in todo:
        result = done.get(page.path)
        if result is None:
            continue
        if result.content.digest != records[page.path].digest:
            files[page.path] = result.data
        records[page.path] = record = PageRecord(
            key, keys.digests.trace(result.reads), result.content.digest, held_bodies
        )
        _note_holder(holders, page.path, held_bodies)
        _note_reader(builder._readers, page.path, record.trace)
        builder._held[page.path] = result
    digests = file_digests(search_files)
    for rel, digest in digests.items():
        if digest != builder._search_written.get(rel):
            files[rel] = _bytes(search_files[rel])
    gone = builder._search_written.keys() - digests.keys()  # a shard whose last word went
    builder._search_written = digests
    stats, entries = write_files(builder.output, files, sorted(gone))
    builder._quick_written.update(entries)
    builder._documents.update((path, Cached(*stamped)) for path, stamped in parsed.items())
    in_site = last.files + stats.created - stats.removed
    builder._last = LastBuild(site, last.env, keys, last.markup, {**last.pages, **pages}, in_site)
    return BuildReport(
        output=builder.output,
        pages=in_site,
        rendered=len(done),
        stats=stats,
        seconds=time.perf_counter() - started,
        base_path=config.base_path,
    )


def _current(
    builder: Builder, records: Mapping[str, PageRecord], path: str, key: str, keys: PageKeys
) -> bool:
    """Whether the page at `path` is written already as `key` renders it (by `quick`)."""
    record, held = records[path], builder._held.get(path)
    return (
        record.key == key
        and held is not None
        and held.content.digest == record.digest
        and keys.digests.current(record.trace)
    )


def file_digests(files: Mapping[str, Content]) -> dict[str, str]:
    """The SHA-256 of each file's bytes, as the writer will see them."""
    return {
        rel: hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else data.digest
        for rel, data in files.items()
    }


def _bytes(data: Content) -> bytes:
    if isinstance(data, bytes):
        return data
    return data.data if isinstance(data, Digested) else data.load()
