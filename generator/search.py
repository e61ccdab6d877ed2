"""Full-text search: the /search/ page and a static, incremental index of the briefings.

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
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .model import Briefing, OutputPage, Site
from .outputs import html_page
from .parallel import Background
from .words import PREFIX
from .write import Content, Digested, Kept

FOLDER = "search"
VERSION = 1
CHUNK = 256  # briefings per docs/ file
SUMMARY_CHARS = 300

_SAFE_SHARD_RE = re.compile(r"[a-z0-9]+")


def search_pages(site: Site) -> Iterable[OutputPage]:
    """/search/: the form, filters and results, driven by static/search.js (the CSP allows no inline script)."""
    yield html_page(
        "search/", "search.html",
        title="Search", description=f"Search every briefing of {site.config.title}.", kind="search",
    )


def _parse_terms(words: str) -> dict[str, int]:
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


def _shard_bytes(postings: Mapping[str, Mapping[int, int]]) -> bytes:
    """{term: {id: tf}} -> the shard file: terms sorted, ids ascending and delta-coded, tf after each id."""
    out: dict[str, list[int]] = {}
    for term in sorted(postings):
        flat: list[int] = []
        last = 0
        docs = postings[term]
        for doc in sorted(docs):
            tf = docs[doc]
            flat += (doc - last, tf)
            last = doc
        out[term] = flat
    return _dump(out)


def _shard_postings(data: bytes) -> dict[str, dict[int, int]]:
    """The inverse of _shard_bytes."""
    postings: dict[str, dict[int, int]] = {}
    for term, flat in json.loads(data).items():
        docs, last = {}, 0
        for k in range(0, len(flat), 2):
            last += flat[k]
            docs[last] = flat[k + 1]
        postings[term] = docs
    return postings


def _doc_entry(briefing: Briefing, taxonomies: Iterable[str]) -> list[object]:
    summary = briefing.summary
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    terms = {name: list(briefing.terms.get(name, ())) for name in taxonomies if briefing.terms.get(name)}
    return [briefing.url, briefing.title, briefing.date.date().isoformat(), summary, terms]


def _filters(site: Site) -> dict[str, list[object]]:
    ids = {b.slug: i for i, b in enumerate(site.briefings)}
    return {
        name: [[term.name, term.slug, _delta(sorted(ids[b.slug] for b in term.briefings))] for term in taxonomy.terms]
        for name, taxonomy in site.taxonomies.items()
    }


PARALLEL_INDEX = 2000  # briefings; a smaller index is rebuilt in the calling process


def build_shards(words: list[str], only: str | None = None) -> dict[str, bytes]:
    """Every shard file (or just shard `only`) from each briefing's words, ids being list positions."""
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    for doc, line in enumerate(words):
        for term, tf in _parse_terms(line).items():
            postings[term][doc] = tf
    by_shard: dict[str, dict[str, dict[int, int]]] = defaultdict(dict)
    for term, docs in postings.items():  # shard_of once per term, not once per posting
        name = shard_of(term)
        if only is None or name == only:
            by_shard[name][term] = docs
    return {name: _shard_bytes(terms) for name, terms in by_shard.items()}


@dataclass
class SearchIndex:
    """The index of the last build, kept by the Builder (and in .cache/) so a body edit rewrites a few shards only.

    What is saved in .cache/ is small: each briefing's (slug, digest) and each shard's digest. The shard
    bytes are in the output folder (checked against their digest before use) and the previous word counts
    of an edited briefing come from the build's parse cache, so a CLI build patches as a serve rebuild does.
    """

    docs: tuple[tuple[str, str], ...] = ()  # (slug, digest) by id
    shard_digests: dict[str, str] = field(default_factory=dict)  # shard name -> sha256 hex of its file
    key: str = ""  # settings the shards were built under
    words: list[str] = field(default_factory=list)  # Briefing.words by id (memory only)
    shards: dict[str, bytes] = field(default_factory=dict)  # shard name -> file bytes (memory only, filled as used)
    full_runs: int = 0  # whole-index rebuilds (tests check that an edit does not cause one)
    shards_written: int = 0  # shards rebuilt by the last update

    def __getstate__(self) -> dict[str, object]:
        return {"docs": self.docs, "shard_digests": self.shard_digests, "key": self.key}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def update(self, site: Site, settings: str, output: Path, previous: Mapping[str, str] = {}, *,
               background: bool = False) -> Callable[[], dict[str, Content]]:
        """Start bringing the index up to date; the returned function gives every file of search/.

        Shards are patched where words changed; a whole rebuild runs, with `background`, in a forked
        process while the caller plans and renders pages. `previous` maps the slug of each briefing
        re-parsed by this build to its words before (when known).
        """
        docs = tuple((b.slug, site.bodies[b.slug].digest) for b in site.briefings)
        words = [site.bodies[b.slug].words for b in site.briefings]
        self._output = output
        if settings == self.key and len(docs) == len(self.docs) and all(a[0] == b[0] for a, b in zip(docs, self.docs)):
            changed = [i for i, (new, old) in enumerate(zip(docs, self.docs)) if new[1] != old[1]]
            old_words = {}
            for i in changed:
                old = self.words[i] if self.words else previous.get(docs[i][0])
                if old is None:
                    break
                old_words[i] = old
            else:
                if self._patch(old_words, words):
                    self.docs, self.words = docs, words
                    return functools.partial(self.files, site)
        self.key = ""  # until the rebuild is in
        job = Background(functools.partial(build_shards, words)) if background and len(words) >= PARALLEL_INDEX else None
        shards = None if job else build_shards(words)

        def finish() -> dict[str, Content]:
            self._install(job.result() if job else shards or {})
            self.key, self.docs, self.words = settings, docs, words
            return self.files(site)

        return finish

    def _install(self, shards: dict[str, bytes]) -> None:
        self.shards = shards
        self.shard_digests = {name: hashlib.sha256(data).hexdigest() for name, data in shards.items()}
        self.full_runs += 1
        self.shards_written = len(shards)

    def _set(self, name: str, data: bytes | None) -> None:
        if data is None:
            self.shards.pop(name, None)
            self.shard_digests.pop(name, None)
        else:
            self.shards[name] = data
            self.shard_digests[name] = hashlib.sha256(data).hexdigest()

    def _shard(self, name: str) -> bytes | None:
        """The current bytes of a shard: from memory, else from the output folder if they are what we wrote."""
        if name in self.shards:
            return self.shards[name]
        digest = self.shard_digests.get(name)
        if digest is None:
            return None
        try:
            data = (self._output / FOLDER / "terms" / f"{name}.json").read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            return None
        self.shards[name] = data
        return data

    def _patch(self, old_words: Mapping[int, str], words: list[str]) -> bool:
        """Apply the changed briefings' word counts to the shards they touch; False if a shard is not at hand."""
        edits: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))  # shard -> term -> id -> tf (0: gone)
        for doc, before in old_words.items():
            old, new = _parse_terms(before), _parse_terms(words[doc])
            for term in old.keys() | new.keys():
                if old.get(term) != new.get(term):
                    edits[shard_of(term)][term][doc] = new.get(term, 0)
        current_bytes = {name: self._shard(name) for name in edits}
        if any(data is None and name in self.shard_digests for name, data in current_bytes.items()):
            return False  # a shard we should have is missing or altered: rebuild all
        for name, terms in edits.items():
            data = current_bytes[name]
            postings = _shard_postings(data) if data is not None else {}
            for term, docs in terms.items():
                entry = postings.setdefault(term, {})
                for doc, tf in docs.items():
                    if tf:
                        entry[doc] = tf
                    else:
                        entry.pop(doc, None)
                if not entry:
                    del postings[term]
            self._set(name, _shard_bytes(postings) if postings else None)
        self.shards_written = len(edits)
        return True

    def files(self, site: Site) -> dict[str, Content]:
        taxonomies = tuple(site.config.taxonomies)
        entries = [_doc_entry(b, taxonomies) for b in site.briefings]
        out: dict[str, Content] = {}
        words = self.words
        for name, digest in self.shard_digests.items():
            data = self.shards.get(name)
            # A shard not in memory is in the output folder already (the writer checks): made again only if not.
            out[f"{FOLDER}/terms/{name}.json"] = Digested(data, digest) if data is not None else Kept(digest, functools.partial(self._remake, name, words))
        for n in range(0, len(entries), CHUNK):
            out[f"{FOLDER}/docs/{n // CHUNK}.json"] = Digested.of(_dump(entries[n : n + CHUNK]))
        out[f"{FOLDER}/filters.json"] = Digested.of(_dump(_filters(site)))
        stamp = hashlib.sha256()
        for name, file in sorted(out.items()):  # every value is Digested or Kept: each file hashed once, here or before
            stamp.update(name.encode() + b"\0" + file.digest.encode())  # type: ignore[union-attr]
        out[f"{FOLDER}/index.json"] = _dump({
            "version": VERSION, "stamp": stamp.hexdigest()[:12], "count": len(entries), "prefix": PREFIX, "chunk": CHUNK,
            # Which shards exist: the client asks for no file that would 404 (a console error in browsers).
            "shards": sorted(self.shard_digests),
            "taxonomies": [{"name": name, "label": name.replace("_", " ").capitalize()} for name in taxonomies],
        })
        return out

    def _remake(self, name: str, words: list[str]) -> bytes:
        data = build_shards(words, only=name).get(name)
        self._set(name, data)
        return data or b"{}"
