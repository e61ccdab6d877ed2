"""What a full build leaves in `.cache/` so that a later CLI build after edits to the text of briefings,
or to what pages show of them (titles, summaries, reading times: model.LISTED), costs what the edit costs
(build/text_edits.py).

`serve` remembers the last site in memory (build/settle.py); a CLI build starts from nothing, and reading the
whole parse cache back costs seconds at 100,000 briefings. So a full build of a one-language site saves:

- `text-index.pickle`: the settings and output folder it was made for, the key base and common context
  of page keys, the Jinja environment's key (its compiled templates are in .cache/templates/), and a
  digest of each shard below and of the terms;
- `text-stamps.pickle` (saved by every build, store or not): each input file's size, mtime and digest,
  so the next build tells which files changed reading only those whose stamps moved;
- `text-briefs-NN.pickle` (256 shards by slug): each briefing as the site holds it, the pages whose
  contexts hold its body and the pages whose renderings read its reading time or its title...;
- `text-pages-NN.pickle` (256 shards by path): each of those pages: its record and its context as
  planned;
- `text-terms.pickle`: every term and taxonomy, their lists as slugs and refs.

A stored context refers to the site's briefings by slug, to its terms and taxonomies by ref (a term page's
term holds every briefing of the term; a stored term reads them from the store when its list is used), and
a page holding one body refers to it by its briefing's slug rather than holding a copy (a briefing page
takes ~1 KB, not 10; the body of a briefing no edit changed comes from the parse cache). Only the shards
whose digest changed are written. The index goes first and comes back last: a build stopped halfway
leaves no index, and the next build is a full one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import pickle
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.build.cache import BuildCache, PageRecord, load, save
from generator.build.inputs import TEXT_STAMPS, Stamps, key_of, save_stamps
from generator.build.options import BuildOptions
from generator.core.fingerprint import Fingerprints
from generator.core.model import Body, Briefing, BriefingFile, OutputPage, Site, Taxonomy, Term
from generator.core.parallel import Background
from generator.core.trace import Trace

SHARDS = 256
INDEX = "text-index"
TERMS = "text-terms"  # every term and taxonomy a stored context names, with its briefings' slugs


@dataclass(frozen=True)
class TextIndex:
    """What the pages of the last full build were keyed and rendered with, and where its shards are."""

    settings: str  # Survey.settings
    files: str  # Survey.files without the input files: the output folder, swap, --as-of, import
    base: str  # PageKeys.base
    common: dict[str, Any]  # the context every page is rendered with
    env_key: str  # the Jinja environment's key
    briefs: tuple[str, ...] = ()  # digest of each briefs shard
    pages: tuple[str, ...] = ()  # digest of each pages shard
    terms: str = ""  # digest of the terms blob


def shard_of(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS


@dataclass(frozen=True)
class Refs:
    """The site's objects a stored context names rather than holds: its briefings (by slug), terms and
    taxonomies (by ref: a term page's term holds every briefing of the term)."""

    briefings: Mapping[str, Briefing]
    terms: Mapping[str, Term] = dataclasses.field(default_factory=dict)
    taxonomies: Mapping[str, Taxonomy] = dataclasses.field(default_factory=dict)


class _Refs(pickle.Pickler):
    """Pickles a page context with the site's briefings, terms and taxonomies as references and `body` as
    a mark, each written as a call of `_stored` that the loading `_Resolve` answers. (A `persistent_id`
    would be asked about every object, a million strings and numbers at 2,000 briefings and two thirds of
    the pickling time; `reducer_override` is asked only about objects of classes.)"""

    def __init__(self, file: io.BytesIO, refs: Refs, body: tuple[str, Body] | None):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._refs, self._body = refs, body

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Briefing and self._refs.briefings.get(obj.slug) is obj:
            return _stored, ("b", obj.slug)
        if type(obj) is Term and self._refs.terms.get(obj.ref) is obj:
            return _stored, ("t", obj.ref)
        if type(obj) is Taxonomy and self._refs.taxonomies.get(obj.ref) is obj:
            return _stored, ("x", obj.ref)
        if self._body is not None and obj is self._body[1]:
            return _stored, ("body", self._body[0])  # by its briefing's slug
        return NotImplemented


_resolving: ContextVar[_Resolve | None] = ContextVar("resolving", default=None)


def _stored(kind: str, key: str) -> Any:
    """The site's object a stored context names (see _Refs), as the `_Resolve` loading it finds it."""
    resolve = _resolving.get()
    if resolve is None:
        raise pickle.UnpicklingError(f"a reference {(kind, key)!r} read outside a stored page")
    return resolve.reference(kind, key)


class _Resolve(pickle.Unpickler):
    def __init__(self, data: bytes, store: TextStore, body: Body | None, digest: str):
        super().__init__(io.BytesIO(data))
        self._store, self._body, self._digest = store, body, digest
        self.body_of: tuple[str, Body] | None = None  # the one body the page holds, and whose

    def load(self) -> Any:
        token = _resolving.set(self)
        try:
            return super().load()
        finally:
            _resolving.reset(token)

    def reference(self, kind: str, key: str) -> Any:
        """The object a `_stored` call in the page names: the store's briefing, term or taxonomy, or the
        page's body."""
        if kind == "b":
            return self._store.briefing(key)
        if kind == "t":
            return self._store.term(key)
        if kind == "x":
            return self._store.taxonomy(key)
        if kind == "body":
            body = self._body or self._store.body(key, self._digest)
            self.body_of = (key, body)
            return body
        raise pickle.UnpicklingError(f"no value for reference {(kind, key)!r}")


def _page_bytes(page: OutputPage, refs: Refs, body: tuple[str, Body] | None) -> bytes:
    out = io.BytesIO()
    _Refs(out, refs, body).dump(page)
    return out.getvalue()


class _StoredBriefings(Sequence):
    """A stored term's briefings, read from the store when first used (most pages naming a term never
    read its whole list)."""

    def __init__(self, slugs: tuple[str, ...], store: TextStore):
        self._slugs, self._store = slugs, store
        self._items: tuple[Briefing, ...] | None = None

    def _all(self) -> tuple[Briefing, ...]:
        if self._items is None:
            self._items = tuple(map(self._store.briefing, self._slugs))
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._slugs)

    def __iter__(self) -> Iterator[Briefing]:
        return iter(self._all())


class TextStore:
    """The saved state of the last full build (see the module's docstring); None-returning lookups mean the
    store cannot tell, and the caller runs a full build."""

    def __init__(self, cache: BuildCache, index: TextIndex):
        self.cache, self.index = cache, index
        self._shards: dict[str, dict[str, Any]] = {}
        self._briefings: dict[str, Briefing] = {}
        self._terms: dict[str, Term] = {}
        self._taxonomies: dict[str, Taxonomy] = {}
        self._stored_terms: dict[str, Any] | None = None
        self._by_ref: dict[str, Briefing] = {}
        # path -> the one body its loaded context holds, and the slug of its briefing
        self._bodies_of: dict[str, tuple[str, Body]] = {}
        self._dirty: set[int] = set()  # pages shards changed by put_page
        self._dirty_briefs: set[int] = set()  # briefs shards changed by replace_briefing

    @classmethod
    def open(cls, cache: BuildCache) -> TextStore | None:
        index = cache.blob(INDEX)
        return cls(cache, index) if isinstance(index, TextIndex) else None

    def _shard(self, kind: str, n: int) -> dict[str, Any]:
        name = _shard_name(kind, n)
        shard = self._shards.get(name)
        if shard is None:
            found = load(self.cache.folder / f"{name}.pickle", name, self.cache.settings)
            digests = self.index.briefs if kind == "briefs" else self.index.pages
            # a shard written for another index (a build stopped between the two): unusable
            if not isinstance(found, tuple) or found[0] != digests[n]:
                raise LookupError(name)
            shard = self._shards[name] = found[1]
        return shard

    def prepare_page(self, path: str) -> None:
        """Load the shard holding the page at `path`, ahead of `page`."""
        self._shard("pages", shard_of(path))

    def holders(self, slug: str) -> tuple[str, ...]:
        """The paths of the pages whose contexts hold this briefing's body (none for a hidden one)."""
        entry = self._shard("briefs", shard_of(slug)).get(slug)
        return _row(entry).holders if entry else ()

    def readers(self, slug: str) -> tuple[str, ...]:
        """The paths of the pages whose renderings read this briefing's reading time."""
        entry = self._shard("briefs", shard_of(slug)).get(slug)
        return _row(entry).readers if entry else ()

    def shows(self, slug: str) -> tuple[str, ...]:
        """The paths of the pages whose renderings read what pages show of it (its title...: model.FRONT)."""
        entry = self._shard("briefs", shard_of(slug)).get(slug)
        return _row(entry).shows if entry else ()

    def note_reads(self, path: str, trace: Trace, before: Trace = ()) -> None:
        """Index what the page at `path` read of the briefings now (its new rendering's trace), so that a
        later edit of one finds it. A read of a briefing the store did not load: LookupError. Reads in
        `before` (the trace the store kept for the page) are indexed already: a retitle re-renders a
        year's archive, whose ~7,000 reads at 100,000 briefings each unpickled a row to find it there."""
        known = {read for read, _ in before}
        for (kind, ref), _ in trace:
            if kind not in ("front", "reading_time") or (kind, ref) in known:
                continue
            briefing = self.loaded(ref)
            if briefing is None:
                raise LookupError(ref)
            slug = briefing.slug
            n = shard_of(slug)
            shard = self._shard("briefs", n)
            row = _row(shard[slug])
            name = "shows" if kind == "front" else "readers"
            paths = getattr(row, name)
            if path not in paths:
                more = tuple(sorted((*paths, path)))
                row = (
                    dataclasses.replace(row, shows=more)
                    if name == "shows"
                    else dataclasses.replace(row, readers=more)
                )
                shard[slug] = (shard[slug][0], _dump(row))
                self._dirty_briefs.add(n)

    def loaded(self, ref: str) -> Briefing | None:
        """A briefing the store loaded, by its `ref`."""
        if len(self._by_ref) != len(self._briefings):
            self._by_ref = {b.ref: b for b in self._briefings.values()}
        return self._by_ref.get(ref)

    def term(self, ref: str) -> Term:
        found = self._terms.get(ref)
        if found is None:
            fields, slugs = self._stored()["terms"][ref]
            found = object.__new__(Term)
            found.__dict__.update(fields, _briefings=_StoredBriefings(slugs, self))
            self._terms[ref] = found
        return found

    def taxonomy(self, ref: str) -> Taxonomy:
        found = self._taxonomies.get(ref)
        if found is None:
            fields, terms = self._stored()["taxonomies"][ref]
            found = object.__new__(Taxonomy)
            found.__dict__.update(fields, _terms=tuple(map(self.term, terms)))
            self._taxonomies[ref] = found
        return found

    def _stored(self) -> dict[str, Any]:
        if self._stored_terms is None:
            found = self.cache.blob(TERMS)
            if not isinstance(found, tuple) or found[0] != self.index.terms:
                raise LookupError(TERMS)
            self._stored_terms = found[1]
        return self._stored_terms

    def replace_briefing(self, briefing: Briefing) -> None:
        """Hold `briefing` for its slug from now on, and save it (a text edit that moved its reading time:
        pages loaded afterwards show the new one)."""
        n = shard_of(briefing.slug)
        shard = self._shard("briefs", n)
        row = dataclasses.replace(_row(shard[briefing.slug]), minutes=briefing._reading_time)
        shard[briefing.slug] = (_dump(briefing), _dump(row))
        self._briefings[briefing.slug] = briefing
        self._by_ref = {}
        self._dirty_briefs.add(n)

    def briefing(self, slug: str) -> Briefing:
        found = self._briefings.get(slug)
        if found is None:
            entry = self._shard("briefs", shard_of(slug)).get(slug)
            if entry is None or entry[0] is None:
                raise LookupError(slug)
            found = self._briefings[slug] = pickle.loads(entry[0])
        return found

    def page(self, path: str, bodies: Mapping[str, Body]) -> tuple[PageRecord, OutputPage]:
        """A page's record and its planned context; a page holding one body gets it from `bodies` (by the
        digest of the body it held)."""
        entry = self._shard("pages", shard_of(path)).get(path)
        if entry is None:
            raise LookupError(path)
        record, data = entry
        one = record.bodies[0] if len(record.bodies) == 1 else ""
        resolve = _Resolve(data, self, bodies.get(one), one)
        try:
            page = resolve.load()
        except pickle.UnpicklingError as exc:
            raise LookupError(path) from exc
        if resolve.body_of:
            self._bodies_of[path] = resolve.body_of
        return record, page

    def body(self, slug: str, digest: str) -> Body:
        """The body of a briefing no edit changed, from the parse cache (the shard holding its file)."""
        where = str(self.briefing(slug).path)
        entry = self.cache.documents_of([where]).get(where)
        item = entry[1] if entry else None
        if not isinstance(item, BriefingFile) or item.body.digest != digest:
            raise LookupError(slug)
        return item.body

    def put_page(self, record: PageRecord, page: OutputPage, body: Body | None) -> None:
        """Replace a page's entry (written by `save`); `body`: its one body (the page's context holds it),
        kept as a reference to its briefing."""
        n = shard_of(page.path)
        refs = Refs(self._briefings, self._terms, self._taxonomies)
        held = self._bodies_of.get(page.path)
        if held is not None and body is not None:
            held = (held[0], body)
        if held is not None and record.bodies != (held[1].digest,):
            held = None  # it holds another body now: pickled with it
        self._shard("pages", n)[page.path] = (record, _page_bytes(page, refs, held))
        self._dirty.add(n)

    def begin(self) -> None:
        """Before a build writes anything: no index until `save` (a build stopped meanwhile leaves the
        next one a full build)."""
        _drop_index(self.cache)

    def save(self, stamps: Stamps) -> None:
        """Write the changed shards and the new stamps, the index last."""
        self.begin()
        pages = list(self.index.pages)
        for n in sorted(self._dirty):
            shard = self._shard("pages", n)
            pages[n] = _pages_digest((path, entry[0]) for path, entry in shard.items())
            _save_shard(self.cache, "pages", n, pages[n], shard)
        briefs = list(self.index.briefs)
        for n in sorted(self._dirty_briefs):
            shard = self._shard("briefs", n)
            briefs[n] = _briefs_digest(map(_row, shard.values()))
            _save_shard(self.cache, "briefs", n, briefs[n], shard)
        self._dirty.clear()
        self._dirty_briefs.clear()
        self.index = dataclasses.replace(self.index, pages=tuple(pages), briefs=tuple(briefs))
        self.cache.put_blob(TEXT_STAMPS, stamps)
        self.cache.put_blob(INDEX, self.index)


@dataclass(frozen=True)
class BriefRow:
    """What the store knows of one briefing besides the briefing itself; the rows of a shard are its
    version (the reading time apart from the fingerprint, which leaves it out)."""

    slug: str
    # its fingerprint and what pages show of it (out of the fingerprint, but in the pickled briefing the
    # shard holds): "" for a hidden briefing
    fingerprint: str
    minutes: int  # its reading time (0 for a hidden one)
    holders: tuple[str, ...]  # pages whose contexts hold its body
    readers: tuple[str, ...]  # pages whose renderings read its reading time
    shows: tuple[str, ...] = ()  # pages whose renderings read its title, summary...(model.FRONT)


def _dump(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _row(entry: tuple[bytes | None, bytes]) -> BriefRow:
    """A briefs shard entry's row. Kept pickled in the shard, as the briefing is: a list page loads the
    briefings it shows from nearly every shard, and unpickling their rows (each with the paths of the
    ~14 pages that show it) was half of the shards' load (the 256 shards at 20,000 briefings: 95 ms
    with the rows as objects, 48 ms as bytes)."""
    found = pickle.loads(entry[1])
    if not isinstance(found, BriefRow):
        raise LookupError("a briefs row of another kind")  # the full build then
    return found


def _briefs_digest(rows: Iterable[BriefRow]) -> str:
    return key_of(
        sorted((r.slug, r.fingerprint, r.minutes, r.holders, r.readers, r.shows) for r in rows)
    )


def _pages_digest(records: Iterable[tuple[str, PageRecord]]) -> str:
    """A shard's version: its pages' keys (their contexts), bytes and bodies (not their traces: a theme edit
    that changes no context keeps the shard)."""
    return key_of(sorted((path, r.key, r.digest, r.bodies) for path, r in records))


def options_key(settings: str, options: BuildOptions, output: Path) -> str:
    """What the store was made for besides its input files: the settings, the output folder, and the
    choices that shape a build's inputs."""
    return key_of(settings, str(output), options.swap, options.as_of, options.run_import)


def take_index(cache: BuildCache | None) -> TextIndex | None:
    """Remove the index (the store stays unused until a full build saves it again) and return it: its
    shard digests tell the next save which shards it can keep."""
    if cache is None or not cache.enabled:
        return None
    before = cache.blob(INDEX)
    with contextlib.suppress(OSError):
        _drop_index(cache)
    return before if isinstance(before, TextIndex) else None


def _drop_index(cache: BuildCache) -> None:
    (cache.folder / f"{INDEX}.pickle").unlink(missing_ok=True)


def _shard_name(kind: str, n: int) -> str:
    return f"text-{kind}-{n:02x}"


def _save_shard(cache: BuildCache, kind: str, n: int, digest: str, entries: dict) -> None:
    """A shard with the digest that names its version (checked against the index when read)."""
    name = _shard_name(kind, n)
    save(cache.folder / f"{name}.pickle", name, cache.settings, (digest, entries))


def start_saving(
    cache: BuildCache,
    before: TextIndex | None,
    site: Site,
    pages: Mapping[str, OutputPage],
    records: Mapping[str, PageRecord],
    index: TextIndex,
    stamps: Stamps,
) -> Callable[[], None]:
    """Save what a text edit needs of a full build (`index` with its shard digests left empty): the shards
    now, in a forked process for large sites (while the build writes its output); the returned function
    waits for them and saves the index, to be called once the output is written, so that an index never
    describes a build whose output is not in place."""
    if not cache.enabled or site.lang is not None:
        # a multilingual site: a translation's pages show its source's state (full builds)
        return functools.partial(save_stamps, cache, stamps)
    job = functools.partial(_save_shards, cache, before, site, pages, records, index)
    running = Background(job) if len(site.bodies) >= BACKGROUND else None

    def finish() -> None:
        try:
            saved = running.result() if running else job()
        except Exception:  # a short cut lost: the build itself stands
            return
        if isinstance(saved, TextIndex):
            cache.put_blob(TEXT_STAMPS, stamps)
            cache.put_blob(INDEX, saved)

    return finish


BACKGROUND = 2_000  # briefings from which the shards are saved in a forked process


def _save_shards(
    cache: BuildCache,
    before: TextIndex | None,
    site: Site,
    pages: Mapping[str, OutputPage],
    records: Mapping[str, PageRecord],
    index: TextIndex,
) -> TextIndex | None:
    """Write the shards whose digest changed; the index that describes them (None: not storable)."""
    shown = {b.slug: b for b in (*site.withdrawn, *site.briefings)}
    slug_of = {body.digest: slug for slug, body in site.bodies.items()}
    slug_at = {b.ref: b.slug for b in shown.values()}
    held: dict[str, list[str]] = defaultdict(list)
    read: dict[str, list[str]] = defaultdict(list)
    show: dict[str, list[str]] = defaultdict(list)
    for path, record in records.items():
        for digest in record.bodies:
            slug = slug_of.get(digest)
            if slug is None:  # a body of no briefing of the site: no text edit finds its pages
                return None
            held[slug].append(path)
        for (kind, ref), _ in record.trace:
            if kind == "reading_time" and ref in slug_at:
                read[slug_at[ref]].append(path)
            elif kind == "front" and ref in slug_at:
                show[slug_at[ref]].append(path)
    fingerprints = Fingerprints()
    briefs: list[list[BriefRow]] = [[] for _ in range(SHARDS)]
    for slug in site.bodies:
        briefing = shown.get(slug)
        briefs[shard_of(slug)].append(
            BriefRow(
                slug,
                key_of(fingerprints(briefing), briefing.front_digest)
                if briefing is not None
                else "",
                briefing._reading_time if briefing is not None else 0,
                tuple(sorted(held.get(slug, ()))),
                tuple(sorted(read.get(slug, ()))),
                tuple(sorted(show.get(slug, ()))),
            )
        )
    page_shards: list[list[str]] = [[] for _ in range(SHARDS)]
    stored = {p for found in (held, read, show) for paths in found.values() for p in paths}
    for path in sorted(stored):
        if path not in pages:
            return None  # held by a page that is not keyed: not stored
        page_shards[shard_of(path)].append(path)
    refs = Refs(
        shown,
        {t.ref: t for taxonomy in site.taxonomies.values() for t in taxonomy._terms},
        {taxonomy.ref: taxonomy for taxonomy in site.taxonomies.values()},
    )
    terms = _terms_blob(refs)
    terms_digest = hashlib.blake2b(terms, digest_size=16).hexdigest()
    if before is None or before.terms != terms_digest:
        cache.put_blob(TERMS, (terms_digest, pickle.loads(terms)))
    brief_digests = tuple(_briefs_digest(rows) for rows in briefs)
    page_digests = tuple(_pages_digest((p, records[p]) for p in paths) for paths in page_shards)
    old_briefs = before.briefs if before else ()
    old_pages = before.pages if before else ()
    same = before is not None and before.settings == index.settings
    for n, rows in enumerate(briefs):
        if same and n < len(old_briefs) and old_briefs[n] == brief_digests[n]:
            continue
        entries = {
            row.slug: (_dump(shown[row.slug]) if row.slug in shown else None, _dump(row))
            for row in rows
        }
        _save_shard(cache, "briefs", n, brief_digests[n], entries)
    for n, paths in enumerate(page_shards):
        if same and n < len(old_pages) and old_pages[n] == page_digests[n]:
            continue
        # a page with the key, bytes and bodies it was stored with is kept as stored (as the shard digest
        # promises): a new briefing changes a few pages a shard; pickling all took 1.3 s at 10,000
        kept = _stored_pages(cache, n, old_pages[n]) if same and n < len(old_pages) else {}
        shard = {}
        for path in paths:
            record = records[path]
            was = kept.get(path)
            if was is not None and _same_page(was[0], record):
                shard[path] = (record, was[1])
                continue
            one = slug_of[record.bodies[0]] if len(record.bodies) == 1 else None
            body = (one, site.bodies[one]) if one is not None else None
            try:
                shard[path] = (record, _page_bytes(pages[path], refs, body))
            except (pickle.PicklingError, TypeError, AttributeError):
                pass  # e.g. a feed made by a closure: its briefings' text edits take full builds
        _save_shard(cache, "pages", n, page_digests[n], shard)
    return dataclasses.replace(index, briefs=brief_digests, pages=page_digests, terms=terms_digest)


def _stored_pages(cache: BuildCache, n: int, digest: str) -> dict[str, tuple[PageRecord, bytes]]:
    """The pages shard `n` as the last build saved it (its version `digest`), or none."""
    name = _shard_name("pages", n)
    found = load(cache.folder / f"{name}.pickle", name, cache.settings)
    return found[1] if isinstance(found, tuple) and found[0] == digest else {}


def _same_page(before: PageRecord, now: PageRecord) -> bool:
    """Whether a page's stored context stands: the same key, bytes and bodies (as `_pages_digest`)."""
    return (before.key, before.digest, before.bodies) == (now.key, now.digest, now.bodies)


def _terms_blob(refs: Refs) -> bytes:
    """The site's terms and taxonomies as `TextStore.term` and `.taxonomy` make them again: their fields
    but the lists, which are slugs and refs (pickled, for the digest that names the blob's version)."""
    skip = ("_briefings", "_terms", "_fingerprint", "_watched")

    def fields(obj: Any) -> dict[str, Any]:
        return {k: v for k, v in obj.__dict__.items() if k not in skip}

    value = {
        "terms": {
            ref: (fields(t), tuple(b.slug for b in t._briefings)) for ref, t in refs.terms.items()
        },
        "taxonomies": {
            ref: (fields(x), tuple(t.ref for t in x._terms)) for ref, x in refs.taxonomies.items()
        },
    }
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
