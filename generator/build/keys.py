"""Page keys (the fingerprint of a page's context, its template or maker, the common context and the settings)
and the bytes of a page kept from an earlier build."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from generator.build.cache import PageRecord
from generator.build.inputs import key_of
from generator.core.fingerprint import Fingerprints
from generator.core.halves import in_halves
from generator.core.model import Briefing, OutputPage, Site, Taxonomy, Term
from generator.core.trace import Digests, Input
from generator.render.render import render_page


class PageKeys:
    """The key of each page: the fingerprint of its context, its template or maker, the common context and the
    build settings (generator code, config, flags). Inputs read while rendering are checked apart, by trace."""

    def __init__(
        self,
        settings: str,
        common: dict[str, Any],
        digests: Digests,
        site: Site,
        planned: Iterable[Input] = (),
        bodies: frozenset[str] | None = None,
    ):
        """`planned`: what assembling and planning the site recorded reading; `bodies`: the digests of the
        site's bodies, when the caller knows them (a pass over them costs ~10 ms at 10,000 briefings)."""
        self.common = common
        self.digests = digests
        self._fingerprints = Fingerprints()
        self.base = key_of(settings, self._fingerprints(common))
        # Assembly and page kinds are pure functions of the site's skeleton plus its bodies, so equal
        # skeletons mean equal page contexts but for the bodies they hold.
        # A site not made by assemble() has no skeleton: then no page may skip its fingerprint. Nor may one
        # when assembly or planning read a reading time or a title (any field the skeleton leaves out,
        # model.LISTED, for renderings to record): a context could hold a copy.
        shaped = site.skeleton and not any(kind in BRIEFING_LISTED for kind, _ in planned)
        self.skeleton = key_of(self.base, site.skeleton) if shaped else None
        self.bodies = (
            bodies
            if bodies is not None
            else frozenset(b.digest for s in site.every_language for b in s.bodies.values())
        )

    def key(self, page: OutputPage) -> str:
        """The page's key; afterwards `seen` lists the digests of the bodies its context holds."""
        return page_key(self.base, page, self._fingerprints)

    @property
    def seen(self) -> list[str]:
        return self._fingerprints.seen


class Judged(NamedTuple):
    """What `judge` finds of a page."""

    key: str
    bodies: tuple[str, ...]  # digests of the briefing bodies its context holds
    current: bool  # its last rendering had this key and read nothing that has changed since


def judge(
    keys: PageKeys,
    pages: Sequence[OutputPage],
    before: Mapping[str, PageRecord],
    same_site: bool,
    traces: bool = True,
) -> dict[int, Judged]:
    """Each page's key and whether its last rendering (`before`) is current, by the page's id. With
    `same_site` (the site's skeleton is unchanged) a page whose last record holds only current bodies keeps
    its key without its context being fingerprinted again. `traces`: whether to check what the last
    renderings read (no need when their bytes are nowhere to be kept). A large site's pages are judged half
    in a forked child: fingerprints were a quarter of a rebuild after a retitle at 100,000 briefings."""

    def part(some: Sequence[OutputPage]) -> list[Judged]:
        found = []
        for page in some:
            old = before.get(page.path)
            if same_site and old is not None and all(b in keys.bodies for b in old.bodies):
                key, bodies = old.key, old.bodies
            else:
                key, bodies = keys.key(page), tuple(keys.seen)
            current = (
                traces and old is not None and old.key == key and keys.digests.current(old.trace)
            )
            found.append(Judged(key, bodies, current))
        return found

    # interleaved, so that each half has its share of every kind (the kinds come in order and cost unlike)
    order = [*pages[::2], *pages[1::2]]
    return dict(zip(map(id, order), in_halves(part, order), strict=True))


def listed_digests(site: Site) -> dict[str, Callable[[str], str]]:
    """How to find the current digest of a listed field (core/model.py: a page's key holds none), for the
    traces of pages whose rendering read one: what a term or a taxonomy lists (`term.briefings`,
    `taxonomy.terms`) and a briefing's reading time. Every language's, found by `ref`, indexed on first use."""
    terms: dict[str, Term] = {}
    taxonomies: dict[str, Taxonomy] = {}
    briefings: dict[str, Briefing] = {}
    fingerprints = Fingerprints()  # its own: a page key's `seen` is not disturbed

    def index() -> None:
        if not taxonomies:
            for one in site.every_language:
                for taxonomy in one.taxonomies.values():
                    taxonomies[taxonomy.ref] = taxonomy
                    terms.update((term.ref, term) for term in taxonomy._terms)

    def term(ref: str) -> str:
        index()
        found = terms.get(ref)
        return fingerprints(found._briefings) if found else "missing"

    def taxonomy(ref: str) -> str:
        index()
        found = taxonomies.get(ref)
        return fingerprints(found._terms) if found else "missing"

    def briefing(ref: str) -> Briefing | None:
        if not briefings:
            for one in site.every_language:
                briefings.update((b.ref, b) for b in (*one.briefings, *one.withdrawn))
        return briefings.get(ref)

    def reading_time(ref: str) -> str:
        found = briefing(ref)
        return str(found._reading_time) if found is not None else "missing"

    def front(ref: str) -> str:
        found = briefing(ref)
        return found.front_digest if found is not None else "missing"

    return {"term": term, "taxonomy": taxonomy, "reading_time": reading_time, "front": front}


# The trace kinds of a briefing's listed fields, found by its `ref`.
BRIEFING_LISTED = ("reading_time", "front")


def page_key(base: str, page: OutputPage, fingerprints: Fingerprints) -> str:
    """The key of a page (`base`: the settings and common context); afterwards `fingerprints.seen` lists
    the digests of the bodies its context holds."""
    maker = f"{page.make.__module__}.{page.make.__qualname__}" if page.make else page.template
    return key_of(base, page.path, maker, fingerprints(page.context))


def kept_bytes(
    output: Path, digest: str, env: jinja2.Environment, page: OutputPage, common: Mapping[str, Any]
) -> bytes:
    """A cached page's bytes: from the output folder if they are still there, else rendered again (the
    path is made here: most kept pages are never loaded, and 50,000 Paths cost 0.25 s)."""
    try:
        data = (output / page.path).read_bytes()
        if hashlib.sha256(data).hexdigest() == digest:
            return data
    except OSError:
        pass
    return render_page(env, page, common)
