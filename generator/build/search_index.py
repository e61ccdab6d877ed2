"""Full-text search: a static, incremental index of the briefings (the /search/ page is pages/search).

The index is a folder of small JSON files under `search/` that static/search.js queries in the browser,
with no server code and no WebAssembly:

- `terms/<shard>.json`: postings {term: [id, tf, Δid, tf, ...]} for the terms starting with one 3-letter prefix,
  so a query fetches one small file per word and a prefix ("sanct") finds every longer word in it;
- `docs/<n>.json`: url, title, date, summary and terms of 256 briefings, fetched only for the results shown;
- `filters.json`: the briefings of each country, topic, ... for the filter checkboxes;
- `index.json`: counts and a stamp that every other file is fetched with, so a browser never mixes two builds.

Pagefind did this job before, but at 10,000 briefings it took 16-18 s and 2.5 GiB on every change (it has no
incremental mode). Here each briefing's weighted word counts are computed once, when the file is parsed (in the
worker processes, and kept in the build cache), and a body edit rewrites only the shards of the words whose
counts changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from generator.build.write import Content, Digested, Kept
from generator.core.model import Body, Briefing, Site, unpack
from generator.core.parallel import Background
from generator.read.words import PREFIX

FOLDER = "search"
VERSION = 2  # 2: ids oldest first (1: newest first)
CHUNK = 256  # briefings per docs/ file
SUMMARY_CHARS = 300

_SAFE_SHARD_RE = re.compile(r"[a-z0-9]+")


def _parse_terms(packed: bytes) -> dict[str, int]:
    """term -> tf of one briefing's packed words (Body.packed_words)."""
    words = unpack(packed)
    if not words:
        return {}
    return {term: int(tf) for term, _, tf in (pair.rpartition(":") for pair in words.split(" "))}


def shard_of(term: str) -> str:
    """File name (without .json) of the shard holding `term`: its first 3 letters, hex-escaped unless [a-z0-9]."""
    prefix = term[:PREFIX]
    return prefix if _SAFE_SHARD_RE.fullmatch(prefix) else "_" + prefix.encode("utf-8").hex()


# --- files ---------------------------------------------------------------------------------------------


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _delta(ids: Iterable[int]) -> list[int]:
    out, last = [], 0
    for i in ids:
        out.append(i - last)
        last = i
    return out


def _shard_bytes(postings: Mapping[str, array[int]]) -> bytes:
    """{term: [id, tf, id, tf, ...] with ids ascending} -> the shard file: terms sorted, ids delta-coded, tf
    after each id."""
    out: dict[str, list[int]] = {}
    for term in sorted(postings):
        flat = postings[term].tolist()
        last = 0
        for i in range(0, len(flat), 2):
            flat[i], last = flat[i] - last, flat[i]
        out[term] = flat
    return _dump(out)


def _doc_entry(briefing: Briefing, taxonomies: Iterable[str]) -> list[object]:
    summary = briefing.summary
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    terms = {
        name: list(briefing.terms.get(name, ())) for name in taxonomies if briefing.terms.get(name)
    }
    return [briefing.url, briefing.title, briefing.date.date().isoformat(), summary, terms]


def in_id_order(site: Site) -> tuple[Briefing, ...]:
    """The briefings a site lists, by search id: oldest first, so that a new briefing (the newest, as a
    briefing is usually published) takes the next id and every other keeps its own; its words are patched
    into the shards they touch and the last docs/ file is made again, where ids given newest first moved
    every briefing and remade all ~1,400 files of a 2,000-briefing index. search.js shows the highest
    ids first where scores tie."""
    return site.briefings[::-1]


def _localized(site: Site) -> bool:
    """A language's site whose pages name countries... in that language (not English)."""
    return site.lang is not None and site.lang.code.split("-")[0] != "en"


def _same_name(taxonomy: str, name: str) -> str:
    return name


def _filters(site: Site) -> dict[str, list[object]]:
    """{taxonomy: [[name, slug, Δids], ...]}; on a language's site, a term the pages name otherwise is
    [its name there, slug, Δids, the name docs/ files give] (search.js shows the first)."""
    ids = {b.slug: i for i, b in enumerate(in_id_order(site))}

    named: Callable[[str, str], str] = _same_name
    if _localized(site):
        from generator.render.locale import localized_term  # Babel: only for a language's site

        named = functools.partial(localized_term, site.config, lang=site.lang)

    out: dict[str, list[object]] = {}
    for name, taxonomy in site.taxonomies.items():
        rows: list[object] = []
        for term in taxonomy.terms:
            row: list[object] = [
                term.name,
                term.slug,
                _delta(sorted(ids[b.slug] for b in term.briefings)),
            ]
            local = named(name, term.name)
            if local != term.name:
                row = [local, *row[1:], term.name]
            rows.append(row)
        out[name] = rows
    return out


PARALLEL_INDEX = 2000  # briefings; a smaller index is rebuilt in the calling process


def build_shards(words: list[bytes]) -> dict[str, bytes]:
    """Every shard file from each briefing's words, ids being list positions."""
    # term -> [id, tf, id, tf, ...], ids ascending as the briefings are read in id order. An array is 8
    # bytes a posting where a dict of ids took ~60: 100,000 briefings make 23 million postings, and this
    # process was the largest of the build.
    postings: dict[str, array[int]] = {}
    for doc, line in enumerate(words):
        for term, tf in _parse_terms(line).items():
            pairs = postings.get(term)
            if pairs is None:
                pairs = postings[term] = array("i")
            pairs.append(doc)
            pairs.append(tf)
    by_shard: dict[str, dict[str, array[int]]] = defaultdict(dict)
    for term, pairs in postings.items():  # shard_of once per term, not once per posting
        by_shard[shard_of(term)][term] = pairs
    del postings
    return {name: _shard_bytes(by_shard.pop(name)) for name in list(by_shard)}


# --- patching a shard in place ----------------------------------------------------------------
# An edit changes a few terms of a shard, but the shard of a common prefix ("the", "sta") holds
# a posting for nearly every briefing. A patch therefore works on the file's bytes: it splits them
# into terms (a scan in C), decodes and re-encodes the posting lists of the changed terms only, and
# joins the others back as they were. Terms are runs of letters and digits (words.tokens), which
# JSON never escapes, so the split is exact; UTF-8 bytes sort as their code points do, so the terms
# keep the order _shard_bytes writes them in.


def _split_shard(data: bytes) -> dict[bytes, bytes]:
    """A shard file's terms (UTF-8) and the bytes of each posting list between its brackets."""
    if data == b"{}":
        return {}
    entries = {}
    for piece in data[2:-2].split(b'],"'):
        term, _, flat = piece.partition(b'":[')
        entries[term] = flat
    return entries


def _join_shard(entries: Mapping[bytes, bytes]) -> bytes:
    """The inverse of _split_shard: the bytes _shard_bytes makes."""
    return b"{" + b",".join([b'"%s":[%s]' % (t, entries[t]) for t in sorted(entries)]) + b"}"


def _patch_postings(flat: bytes, changes: Mapping[int, int]) -> bytes:
    """Apply {id: tf, 0 to remove} to a posting list's bytes (Δid,tf,Δid,tf,...): only the numbers next to
    a changed id are decoded and written again; the others stay the bytes they were (at 20,000 briefings
    a common word's list holds 40,000 numbers: decoding and encoding it whole took 5 ms a term)."""
    parts = flat.split(b",") if flat else []
    ids = list(accumulate(map(int, parts[0::2])))
    for doc, tf in sorted(changes.items()):
        k = bisect_left(ids, doc)
        if k < len(ids) and ids[k] == doc:
            if tf:
                parts[2 * k + 1] = b"%d" % tf
                continue
            if k + 1 < len(ids):
                parts[2 * k + 2] = b"%d" % (ids[k + 1] - (ids[k - 1] if k else 0))
            del parts[2 * k : 2 * k + 2]
            del ids[k]
        elif tf:
            if k < len(ids):
                parts[2 * k] = b"%d" % (ids[k] - doc)
            parts[2 * k : 2 * k] = [b"%d" % (doc - (ids[k - 1] if k else 0)), b"%d" % tf]
            ids.insert(k, doc)
    return b",".join(parts)


def patch_shard(data: bytes | None, changes: Mapping[str, Mapping[int, int]]) -> bytes | None:
    """A shard file with {term: {id: tf, 0 to remove}} applied (None once empty), the same bytes as
    build_shards would make; only the changed terms are decoded."""
    entries = _split_shard(data) if data is not None else {}
    for term, docs in changes.items():
        key = term.encode("utf-8")
        flat = _patch_postings(entries.get(key, b""), docs)
        if flat:
            entries[key] = flat
        else:
            entries.pop(key, None)
    return _join_shard(entries) if entries else None


@dataclass
class SearchIndex:
    """The index of the last build, kept by the Builder (and in .cache/) so an edit rewrites little.

    What is saved in .cache/ is small: each briefing's (slug, digest) and the digest of every file.
    The files' bytes are in the output folder (checked against their digest before use) and the
    previous word counts of an edited briefing come from the build's parse cache, so a CLI build
    patches as a serve rebuild does. An edit costs what it changes, not what the site holds: the
    edited briefings' words are compared, the changed terms patched into their shards, and only the
    docs/ file holding an edited briefing is made again (filters.json too if its tags changed).
    """

    docs: tuple[tuple[str, str], ...] = ()  # (slug, digest) by id
    shard_digests: dict[str, str] = field(default_factory=dict)  # shard name -> sha256 hex
    chunk_digests: list[str] = field(default_factory=list)  # sha256 hex of docs/<n>.json, by n
    filters_digest: str = ""  # sha256 hex of filters.json
    key: str = ""  # settings the files were built under
    # packed words (Body.packed_words) of each briefing by id (memory only)
    words: list[bytes] = field(default_factory=list)
    shards: dict[str, bytes] = field(default_factory=dict)  # name -> bytes (memory only, as used)
    full_runs: int = 0  # whole-index rebuilds (tests check that an edit does not cause one)
    shards_written: int = 0  # shards rebuilt by the last update
    # (docs, slug -> id) for update_texts (memory only)
    _slug_ids: tuple[tuple[tuple[str, str], ...], dict[str, int]] | None = field(
        default=None, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, object]:
        # The docs as two strings, not a pair of strings per briefing: every CLI build after a text edit
        # loads and saves this, and at 100,000 briefings the pairs took 0.17 s to unpickle and pickle, the
        # strings 0.08 s.
        return {
            "slugs": "\0".join(slug for slug, _ in self.docs),
            "digests": "\0".join(digest for _, digest in self.docs),
            "shard_digests": self.shard_digests,
            "key": self.key,
            "chunk_digests": self.chunk_digests,
            "filters_digest": self.filters_digest,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        slugs, digests = state.pop("slugs"), state.pop("digests")
        docs = tuple(zip(slugs.split("\0"), digests.split("\0"), strict=True)) if slugs else ()
        self.__init__(docs=docs, **state)  # type: ignore[misc]

    def update(
        self,
        site: Site,
        settings: str,
        output: Path,
        previous: Mapping[str, bytes] = {},
        *,
        background: bool = False,
    ) -> Callable[[], dict[str, Content]]:
        """Start bringing the index up to date; the returned function gives every file of search/.

        Shards are patched where words changed, and where briefings were added after the newest (ids are
        given oldest first: `in_id_order`). A whole rebuild (other settings; briefings removed, reordered
        or added before another) runs, with `background`, in a forked process while the caller plans
        and renders pages; so does the making of every shard for an output folder that has none.
        `previous` maps the slug of each briefing re-parsed by this build to its words before (when
        known).
        """
        slugs = [b.slug for b in in_id_order(site)]
        bodies = list(map(site.bodies.__getitem__, slugs))
        docs = tuple(zip(slugs, [body.digest for body in bodies], strict=True))
        words = [body.packed_words for body in bodies]
        self._output = output
        same = docs == self.docs
        known = len(self.docs)
        # the same briefings, or the same followed by new ones (published since): their ids stand
        kept = 0 < known <= len(slugs) and [slug for slug, _ in self.docs] == slugs[:known]
        if settings == self.key and (same or kept):
            pairs = zip(docs, self.docs, strict=False)
            changed = [] if same else [i for i, (new, old) in enumerate(pairs) if new != old]
            changed += range(known, len(docs))
            old_words: dict[int, bytes | None] = {}
            for i in changed:
                if i >= known:  # new: no words before
                    old_words[i] = None
                    continue
                old = self.words[i] if self.words else previous.get(docs[i][0])
                if old is None:
                    break
                old_words[i] = old
            else:
                if self._patch(old_words, words):
                    self.docs, self.words = docs, words
                    # A new (or emptied) output folder will want every shard: their digests are
                    # known, so the writer gets them as Kept, made meanwhile in one pass.
                    early = background and not (output / FOLDER / "terms").is_dir()
                    remade = _every_shard(words, early)
                    return functools.partial(self.files, site, changed, remade)
        self.key = ""  # until the rebuild is in
        made = _every_shard(words, background)

        def finish() -> dict[str, Content]:
            self._install(made())
            self.key, self.docs, self.words = settings, docs, words
            return self.files(site)

        return finish

    def update_texts(self, site: Site, edited: Mapping[str, Body]) -> dict[str, Content] | None:
        """Every file of search/ after the briefings `edited` (slug -> new body) changed their text alone:
        the same briefings in the same order as the last update, so only their words are compared (no
        pass over the site); None when this index cannot tell (the caller runs `update`)."""
        if not self.key or len(self.words) != len(self.docs):
            return None
        ids = self.slug_ids()
        docs, words = list(self.docs), list(self.words)
        old_words = {}
        for slug, body in edited.items():
            i = ids.get(slug)
            if i is None:
                return None
            old_words[i] = words[i]
            docs[i], words[i] = (slug, body.digest), body.packed_words
        if not self._patch(old_words, words):
            return None
        self.docs, self.words = tuple(docs), words
        self._slug_ids = (self.docs, ids)
        return self.files(site, sorted(old_words))

    def slug_ids(self) -> dict[str, int]:
        """slug -> id of the current docs, made once per list of docs."""
        kept = getattr(self, "_slug_ids", None)
        if kept is not None and kept[0] is self.docs:
            return kept[1]
        ids = {slug: i for i, (slug, _) in enumerate(self.docs)}
        self._slug_ids = (self.docs, ids)
        return ids

    def _install(self, shards: dict[str, bytes]) -> None:
        self.shards = shards
        self.shard_digests = {name: _sha256(data) for name, data in shards.items()}
        self.full_runs += 1
        self.shards_written = len(shards)

    def _set(self, name: str, data: bytes | None) -> None:
        if data is None:
            self.shards.pop(name, None)
            self.shard_digests.pop(name, None)
        else:
            self.shards[name] = data
            self.shard_digests[name] = _sha256(data)

    def _read(self, rel: str, digest: str | None) -> bytes | None:
        """A file of search/ as the last build made it, if the output folder holds exactly that."""
        if digest is None:
            return None
        try:
            data = (self._output / FOLDER / rel).read_bytes()
        except OSError:
            return None
        return data if _sha256(data) == digest else None

    def _shard(self, name: str) -> bytes | None:
        """The current bytes of a shard: from memory, else from the output folder if still ours."""
        if name not in self.shards:
            data = self._read(f"terms/{name}.json", self.shard_digests.get(name))
            if data is not None:
                self.shards[name] = data
        return self.shards.get(name)

    def _patch(
        self, old_words: Mapping[int, bytes | None], words: Mapping[int, bytes] | list[bytes]
    ) -> bool:
        """Apply the changed briefings' word counts to the shards they touch (None: a new briefing, no
        words before); False if a shard is not at hand."""
        # shard -> term -> id -> tf (0: gone)
        edits: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
        for doc, before in old_words.items():
            old, new = _parse_terms(before) if before is not None else {}, _parse_terms(words[doc])
            for term in old.keys() | new.keys():
                if old.get(term) != new.get(term):
                    edits[shard_of(term)][term][doc] = new.get(term, 0)
        current = {name: self._shard(name) for name in edits}
        if any(data is None and name in self.shard_digests for name, data in current.items()):
            return False  # a shard we should have is missing or altered: rebuild all
        for name, terms in edits.items():
            self._set(name, patch_shard(current[name], terms))
        self.shards_written = len(edits)
        return True

    def files(
        self,
        site: Site,
        changed: Iterable[int] | None = None,
        remade: Callable[[], dict[str, bytes]] | None = None,
    ) -> dict[str, Content]:
        """Every file of search/. `changed`: the ids whose briefing changed since the last build's
        files (None: any may have), so docs/ files of unchanged briefings are not made again;
        `remade`: every shard, for those the output folder lacks (by default made when asked)."""
        taxonomies = tuple(site.config.taxonomies)
        briefings = in_id_order(site)
        out: dict[str, Content] = {}
        # A shard not in memory is in the output folder (the writer checks). Where some are missing,
        # all are made again once: making one costs as much as making all (every briefing is read).
        remade = remade or _every_shard(self.words, background=False)
        for name, digest in self.shard_digests.items():
            data = self.shards.get(name)
            out[f"{FOLDER}/terms/{name}.json"] = (
                Digested(data, digest)
                if data is not None
                else Kept(digest, functools.partial(self._remake, name, remade))
            )

        def chunk(n: int) -> bytes:
            part = briefings[n * CHUNK : (n + 1) * CHUNK]
            return _dump([_doc_entry(b, taxonomies) for b in part])

        count = -(-len(briefings) // CHUNK)
        known = len(self.chunk_digests)
        if changed is None or known > count or not self.filters_digest:
            dirty, new_tags = set(range(count)), True
            digests = [""] * count
        else:  # files after the last one known: new briefings only (`update`)
            dirty = {i // CHUNK for i in changed} | set(range(known, count))
            new_tags = known < count
            digests = list(self.chunk_digests) + [""] * (count - known)
        for n in range(count):
            rel = f"docs/{n}.json"
            if n not in dirty:  # the same briefings as the last build's file, unchanged
                out[f"{FOLDER}/{rel}"] = Kept(digests[n], functools.partial(chunk, n))
                continue
            made = Digested.of(chunk(n))
            if not new_tags and made.digest != digests[n]:
                new_tags = _tags_changed(self._read(rel, digests[n]), made.data)
            out[f"{FOLDER}/{rel}"] = made
            digests[n] = made.digest
        self.chunk_digests = digests

        def filters() -> bytes:
            return _dump(_filters(site))

        if new_tags or _localized(site):  # a language's names may change with entities.yaml
            out[f"{FOLDER}/filters.json"] = made = Digested.of(filters())
            self.filters_digest = made.digest
        else:
            out[f"{FOLDER}/filters.json"] = Kept(self.filters_digest, filters)
        out[f"{FOLDER}/index.json"] = self._index_json(taxonomies, len(briefings))
        return out

    def _index_json(self, taxonomies: tuple[str, ...], count: int) -> bytes:
        """index.json: counts, and a stamp of every other file's digest (fetched with each, so a browser
        never mixes two builds)."""
        named = [(f"{FOLDER}/terms/{name}.json", d) for name, d in self.shard_digests.items()]
        named += [(f"{FOLDER}/docs/{n}.json", d) for n, d in enumerate(self.chunk_digests)]
        named.append((f"{FOLDER}/filters.json", self.filters_digest))
        stamp = hashlib.sha256()
        for name, digest in sorted(named):
            stamp.update(name.encode() + b"\0" + digest.encode())
        return _dump(
            {
                "version": VERSION,
                "stamp": stamp.hexdigest()[:12],
                "count": count,
                "prefix": PREFIX,
                "chunk": CHUNK,
                # Which shards exist: the client asks for no file that would 404 (a console error).
                "shards": sorted(self.shard_digests),
                "taxonomies": [
                    {"name": name, "label": name.replace("_", " ").capitalize()}
                    for name in taxonomies
                ],
            }
        )

    def patch_texts(
        self,
        output: Path,
        taxonomies: tuple[str, ...],
        edited: Mapping[str, tuple[bytes, bytes, str]],
        fronts: Mapping[str, Briefing] = {},
    ) -> tuple[dict[str, bytes], list[str]] | None:
        """The files of search/ that change, and those to remove, after briefings changed their text
        (slug -> (old packed words, new packed words, new digest)) and what lists show of them (`fronts`:
        slug -> the briefing, whose docs/ entry shows its new title and summary), with no site at hand: a
        CLI build after a text edit. filters.json shows terms only, so it stays. None when this index
        cannot tell (the caller runs a full build)."""
        self._output = output
        if not self.key or len(self.chunk_digests) != -(-len(self.docs) // CHUNK):
            return None
        ids = self.slug_ids()
        # the docs/ entries of retitled briefings, in the files the last build wrote (read before anything
        # changes: one missing sends the edit to the full build)
        entries = {
            i: _doc_entry(briefing, taxonomies)
            for slug, briefing in fronts.items()
            if (i := ids.get(slug)) is not None
        }
        chunks = {}
        for n in sorted({i // CHUNK for i in entries}):
            data = self._read(f"docs/{n}.json", self.chunk_digests[n])
            if data is None:
                return None
            chunks[n] = json.loads(data)
        docs = list(self.docs)
        old_words, words = {}, {}
        for slug, (before, after, digest) in edited.items():
            i = ids.get(slug)
            if i is None:
                continue  # not in the index (a hidden briefing)
            old_words[i], words[i] = before, after
            docs[i] = (slug, digest)
        before_shards = dict(self.shard_digests)
        if not self._patch(old_words, words):
            return None
        self.docs = tuple(docs)
        self._slug_ids = (self.docs, ids)
        files = {
            f"{FOLDER}/terms/{name}.json": self.shards[name]
            for name, digest in self.shard_digests.items()
            if before_shards.get(name) != digest
        }
        for n, chunk in chunks.items():
            for i in (i for i in entries if i // CHUNK == n):
                chunk[i % CHUNK] = entries[i]
            files[f"{FOLDER}/docs/{n}.json"] = data = _dump(chunk)
            self.chunk_digests[n] = _sha256(data)
        files[f"{FOLDER}/index.json"] = self._index_json(taxonomies, len(self.docs))
        gone = [
            f"{FOLDER}/terms/{name}.json"
            for name in before_shards.keys() - self.shard_digests.keys()
        ]
        return files, gone

    def _remake(self, name: str, remade: Callable[[], dict[str, bytes]]) -> bytes:
        """A shard the output folder lacks, from one rebuild of every shard (made on first use)."""
        data = remade().get(name)
        self._set(name, data)
        return data or b"{}"


def _every_shard(words: list[bytes], background: bool) -> Callable[[], dict[str, bytes]]:
    """A function giving every shard, made once: from now on, in a forked process, if `background`
    and the index is large; else when it is first called."""
    if background and len(words) >= PARALLEL_INDEX:
        return functools.cache(Background(functools.partial(build_shards, words)).result)
    return functools.cache(functools.partial(build_shards, words))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tags_changed(before: bytes | None, after: bytes) -> bool:
    """False if two docs/ files give each briefing the same countries, topics... (all filters.json
    is made of); True if they differ or the old file is not at hand."""
    if before is None:
        return True
    return [entry[4] for entry in json.loads(before)] != [entry[4] for entry in json.loads(after)]
