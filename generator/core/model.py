"""The content model: frozen dataclasses, no I/O."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from generator.core import trace, urls
from generator.core.fingerprint import fingerprint

# A field left out of its object's fingerprint (core/fingerprint.py) because the property that reads it
# records the read (core/trace.py): a page depends on a term's list of briefings, or on a briefing's
# reading time, only if its rendering reads it.
LISTED = {"listed": True}


@dataclass(frozen=True)
class Document:
    """A content file split into front matter and Markdown body, with positions for errors."""

    path: Path
    meta: Mapping[str, Any]
    body: str
    body_line: int  # line of the file where the body starts
    meta_lines: Mapping[str, int]  # line of each top-level front matter key
    digest: str  # hash of the file's bytes


@dataclass(frozen=True)
class TocEntry:
    """A section heading, for the table of contents."""

    level: int
    id: str
    name: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Source:
    """Where a briefing came from."""

    name: str = ""
    url: str = ""
    hash: str = ""


@dataclass(frozen=True)
class SourceRef:
    """One source a briefing cites (front matter `sources:`); the body points at it with `[^id]`."""

    id: str
    title: str
    publisher: str = ""
    url: str = ""
    date: datetime | None = None  # when the source was published
    accessed: datetime | None = None  # when the analyst read it
    archive_url: str = (
        ""  # a copy that outlives the original (Wayback Machine, archive.today, perma.cc)
    )
    kind: str = ""  # wire, primary document, official statement, OSINT, interview...
    reliability: str = ""  # an Admiralty grade such as B2: source reliability A-F, information 1-6


@dataclass(frozen=True)
class Citation:
    """A source as the briefing's Sources list shows it: its number and the anchors of the places citing it
    (none for a source listed but never cited)."""

    number: int
    source: SourceRef
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    """One entry of a briefing's corrections log (front matter `corrections:`)."""

    date: datetime
    kind: str  # correction | clarification | update
    note: str

    @property
    def label(self) -> str:
        """What the dateline says when this is the latest change."""
        return "Corrected" if self.kind == "correction" else "Updated"


@dataclass(frozen=True)
class Trend:
    """How a country's situation moved in one briefing (CrisisWatch style)."""

    country: str
    direction: str  # deteriorated | improved | unchanged
    alert: str = ""


@dataclass(frozen=True)
class Mention:
    """The sentence of a briefing that names a term its takeaways don't, cut to a short excerpt around the
    name as written (`match`), for the term's chronology."""

    term: str  # the term's name, as in front matter
    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Alias:
    """An old path of a page (front matter `aliases:`), from the site root, and where it was written."""

    path: str  # output folder ('old/x/') or .html file
    line: int


@dataclass(frozen=True)
class Redirect:
    """An old path that sends readers on to where its page lives now."""

    path: str  # the old output folder ('briefings/old/'), .html file, or other file ('x/feed.xml')
    target: str  # the current output path
    title: str | Shown  # the target's title, for the visible link
    source: str  # the file that claimed the old path: a content file, or the URL record


@dataclass(frozen=True)
class Picture:
    """An image as published: files derived at several widths and formats (core/images.py), or a remote URL."""

    url: str  # output path of the largest fallback file ('static/img/x.1a2b-1600.jpg'), or an absolute URL
    width: int = 0  # pixels of that file (0: unknown, for a remote image)
    height: int = 0
    alt: str = ""
    source: str = ""  # the image file under content/ ('' for a remote image)
    digest: str = ""  # SHA-256 of the source's bytes
    format: str = ""  # of the source: jpeg, png, gif, webp, svg
    stem: str = ""  # output path of the derived files, without '-<width>.<ext>'
    widths: tuple[int, ...] = ()
    formats: tuple[str, ...] = ()  # published formats, best first; the last is the fallback
    line: int | None = None  # where the content file names it

    @property
    def remote(self) -> bool:
        return "://" in self.url

    def height_at(self, width: int) -> int:
        """The height of the file derived at `width` (aspect ratio kept)."""
        return max(1, round(self.height * width / self.width)) if self.width else 0


@dataclass(frozen=True)
class Shortcode:
    """A theme component called from a body (`{{< chart data="x.csv" >}}`), drawn when the page renders."""

    name: str
    args: tuple[tuple[str, str], ...]
    line: int  # in the content file

    @property
    def arguments(self) -> dict[str, str]:
        return dict(self.args)


def pack(text: str) -> bytes:
    """`text` compressed, as a body keeps its HTML and words (see Body)."""
    return zlib.compress(text.encode(), 1)


def unpack(packed: bytes) -> str:
    return zlib.decompress(packed).decode()


@dataclass(frozen=True)
class Body:
    """A briefing's text: shown on its own page and in full-content feeds, never in lists.

    Kept apart from `Briefing` so that pages listing a briefing (whose keys are the fingerprints of what they
    show) are not rendered again when only its text changes.

    The HTML and the search words are held compressed (a third of their size) and unpacked when read: a
    build holds every body from parsing to writing, and at 100,000 briefings their text was a gigabyte of
    the build's memory, in the parent and in each forked worker. Unpacking one costs ~15 µs per read.
    """

    packed_html: bytes
    toc: tuple[TocEntry, ...]
    # weighted search terms, 'term:tf ...' (words.index_terms), computed while parsing; the search index
    # keeps them packed too
    packed_words: bytes
    digest: str  # hash of the source file's bytes
    citations: tuple[
        Citation, ...
    ] = ()  # the Sources list, cited sources first in order of citation
    images: tuple[Picture, ...] = ()  # images of the text, published as derived files
    shortcodes: tuple[Shortcode, ...] = ()  # components, at `<!--shortcode:N-->` in html
    warnings: tuple[
        tuple[int | None, str], ...
    ] = ()  # (line, message): e.g. an image without alt text

    @classmethod
    def of(cls, html: str, words: str, **fields: Any) -> Body:
        return cls(packed_html=pack(html), packed_words=pack(words), **fields)

    @property
    def html(self) -> str:
        return unpack(self.packed_html)

    @property
    def words(self) -> str:
        return unpack(self.packed_words)

    # page keys note which bodies a page holds (see fingerprint.Fingerprints)
    watched: ClassVar[bool] = True


@dataclass(frozen=True)
class Translation:
    """What a translated briefing says of its source: front matter `translation_of:` (or the same file name in
    a language's folder) and `translated_from:`, the source's version it was made from."""

    of: str  # the source briefing's slug
    made_from: str  # the source's version (`translated_from:`; '' when not recorded)
    line: int  # of `translation_of:` (or 1), for errors
    implied: bool = (
        False  # by its file name in a language's folder: a translation only if the source exists
    )


class _Shown:
    """A field of `Briefing` that pages show (stored as `_<name>`): reading it records ('front', ref) while
    a page renders (core/trace.py), as `reading_time` records its own kind."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._stored = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        trace.record("front", obj.ref)
        return obj.__dict__[self._stored]


# The fields `_Shown` guards, in the order `Briefing.front` gives them.
FRONT = ("title", "summary", "takeaways", "source", "extra", "sources", "mentions")
FRONT_STORED = tuple("_" + name for name in FRONT)


@dataclass(frozen=True)
class Briefing:
    """What lists, cards and links show of one briefing: front matter and figures, not its text."""

    path: Path
    slug: str
    url: str  # output path of the briefing page, from the permalink pattern (Config.links)
    aliases: tuple[Alias, ...]  # old paths that redirect here
    _title: str = field(metadata=LISTED)  # read `title` (and so for every FRONT field)
    date: datetime
    updated: datetime | None
    _summary: str = field(metadata=LISTED)
    _takeaways: tuple[str, ...] = field(metadata=LISTED)
    # taxonomy -> term names, e.g. countries -> (Russia, Ukraine)
    terms: Mapping[str, tuple[str, ...]]
    _source: Source | None = field(metadata=LISTED)
    draft: bool
    _reading_time: int = field(metadata=LISTED)  # read `reading_time`
    trends: tuple[Trend, ...]
    # unknown front matter fields, passed through to templates
    _extra: Mapping[str, Any] = field(metadata=LISTED)
    _sources: tuple[SourceRef, ...] = field(default=(), metadata=LISTED)
    corrections: tuple[Correction, ...] = ()  # oldest first
    publish: datetime | None = None  # embargo: shown nowhere before this moment
    expires: datetime | None = (
        None  # withdrawn from this moment: a notice at its URL, gone from lists
    )
    withdrawn_note: str = ""  # why, for the notice
    image: Picture | None = (
        None  # lead image (front matter `image:`): cards, feeds, social previews
    )
    # a sentence naming each term the takeaways don't name (read at parse time: lists never need the body)
    _mentions: tuple[Mention, ...] = field(default=(), metadata=LISTED)
    lang: str = ""  # its language's code on a site with `languages:` ('' on a site in one language)
    translation: Translation | None = None  # what it translates, if it is a translation

    # What lists, cards and pages show of it and nothing else reads: reading one while a page renders
    # records ('front', ref), and the briefing's key leaves them out (model.LISTED). A retitle then
    # renders again the pages that show its title, not every page that holds the briefing (a sitemap
    # entry, a map's country list), and does not change the site's skeleton.
    title = _Shown()
    summary = _Shown()
    takeaways = _Shown()
    source = _Shown()
    extra = _Shown()
    sources = _Shown()
    mentions = _Shown()

    @property
    def front(self) -> tuple[Any, ...]:
        """Every FRONT field, as stored (reading it records nothing: for digests and comparisons)."""
        return tuple(getattr(self, stored) for stored in FRONT_STORED)

    @property
    def front_digest(self) -> str:
        """The digest of `front`, for the traces of the pages showing it: computed once, when the file is
        parsed (read/content.py), and kept with it in the cache, as its fingerprint is."""
        found = self.__dict__.get("_front_digest")
        if found is None:
            found = fingerprint(self.front)
            object.__setattr__(self, "_front_digest", found)
        return found

    @property
    def reading_time(self) -> int:
        """Minutes to read (from the text, unless front matter sets them). The briefing's key leaves them
        out and a rendering that reads them records it: a body edit that moves them re-renders the pages
        that show them, not every list holding the briefing."""
        trace.record("reading_time", self.ref)
        return self._reading_time

    @property
    def ref(self) -> str:
        """The briefing in a trace: its language and URL (a translation may share its source's URL)."""
        return f"{self.lang}:{self.url}"

    @property
    def revised(self) -> datetime | None:
        """The latest change after publication: `updated:` or the newest correction, whichever is later."""
        dates = [c.date for c in self.corrections]
        if self.updated:
            dates.append(self.updated)
        return max(dates) if dates else None

    @property
    def revision_label(self) -> str:
        """'Corrected' when the latest change is a correction, else 'Updated'."""
        latest = self.corrections[-1] if self.corrections else None
        if latest and (self.updated is None or latest.date >= self.updated):
            return latest.label
        return "Updated"

    def mention(self, term: str) -> Mention | None:
        """The excerpt naming `term`, if the takeaways don't and the text does."""
        for m in self.mentions:
            if m.term == term:
                return m
        return None

    @property
    def countries(self) -> tuple[str, ...]:
        return self.terms.get("countries", ())

    @property
    def people(self) -> tuple[str, ...]:
        return self.terms.get("people", ())

    @property
    def organisations(self) -> tuple[str, ...]:
        return self.terms.get("organisations", ())

    @property
    def topics(self) -> tuple[str, ...]:
        return self.terms.get("topics", ())

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """Newest first when sorted in reverse; the slug breaks ties so order is stable."""
        return (self.date, self.slug)


@dataclass(frozen=True)
class BriefingFile:
    """A parsed briefing file: the briefing and its body."""

    briefing: Briefing
    body: Body
    # files besides the content file that parsing read (images), with their digests: when one changes, the
    # cached parse is stale
    inputs: tuple[tuple[str, str], ...] = ()
    file_digest: str = (
        ""  # of the content file's bytes, when the body's digest also covers `inputs`
    )
    # (seed file name, hash) the importer matches it by (read.content.seed_link): an edit that changes
    # it can make `briefings build` import a seed, so it is not an edit of the text alone
    seed: tuple[str, str] | None = None

    @property
    def digest(self) -> str:
        return self.file_digest or self.body.digest


@dataclass(frozen=True)
class NavLink:
    """A standalone page as the header's navigation shows it (on every page: title and URL only)."""

    title: str
    url: str
    slug: str


@dataclass(frozen=True)
class Page:
    """A standalone page such as /about/."""

    path: Path
    slug: str
    title: str
    description: str
    html: str
    toc: tuple[TocEntry, ...]
    extra: Mapping[str, Any]
    digest: str
    aliases: tuple[Alias, ...] = ()  # old paths that redirect here

    @property
    def url(self) -> str:
        return urls.page(self.slug)


@dataclass(frozen=True)
class TermInfo:
    """An editor's description of a term (content/<taxonomy>/<slug>.md)."""

    path: Path
    title: str
    html: str
    extra: Mapping[str, Any]
    digest: str


@dataclass(frozen=True)
class Term:
    """One value of a taxonomy (a country, a person, a topic) and the briefings that carry it.

    Page 7 of a term's chronology shows ten briefings, not the term's thousand: a page's key holds the term
    by its name, URL, description, count and latest date, and a rendering that reads `briefings` (the whole
    list) records it, so only such pages depend on every briefing of the term.
    """

    taxonomy: str
    name: str
    slug: str
    _briefings: tuple[Briefing, ...] = field(metadata=LISTED)  # newest first; read `briefings`
    url: str  # output path, from the permalink pattern (Config.links)
    ref: str  # the term page's site path (base path + url): unique across a site's languages
    info: TermInfo | None = None
    count: int = field(init=False)
    latest: datetime | None = field(init=False)  # the newest briefing's date

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", len(self._briefings))
        object.__setattr__(self, "latest", self._briefings[0].date if self._briefings else None)

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        """Every briefing carrying the term, newest first (a page rendering this depends on them all)."""
        trace.record("term", self.ref)
        return self._briefings


@dataclass(frozen=True)
class Taxonomy:
    """A way of classifying briefings: countries, people, topics..."""

    name: str
    _terms: tuple[Term, ...] = field(metadata=LISTED)  # most briefings first; read `terms`
    ref: str  # the taxonomy page's site path (base path + url): unique across a site's languages
    count: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", len(self._terms))

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every term, most briefings first (a page rendering this depends on each term's key fields)."""
        trace.record("taxonomy", self.ref)
        return self._terms

    @property
    def url(self) -> str:
        return urls.taxonomy(self.name)

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Shown:
    """A page context's value read from a model object when the page renders, not when it is planned
    (`OutputPage.context`'s top level; render/render.py reads it): the reading is then recorded with the
    page's rendering. A briefing page's `title` is its briefing's, and a retitle must render again the
    pages that show it, which only a recorded read tells (its key leaves titles out, model.FRONT)."""

    of: Any  # a model object: a Briefing, a Page
    names: tuple[str, ...]  # its attributes, the first not empty being the value
    prefix: str = ""

    def value(self) -> str:
        text = next((v for v in (getattr(self.of, name) for name in self.names) if v), "")
        return self.prefix + text


@dataclass(frozen=True)
class OutputPage:
    """One file of the built site, ready to render: template plus the data it shows."""

    path: str  # relative output path, e.g. 'briefings/x/index.html'
    template: str
    # Everything the page shows: its fingerprint is the page's key, so equal contexts mean equal bytes.
    context: Mapping[str, Any] = field(hash=False)
    # Files not made from a template (sitemap, robots.txt) carry their bytes here...
    data: bytes | None = None
    # ...or a function making them from the context (feeds): make(**context), called when the key changed.
    make: Callable[..., bytes] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Neighbours:
    """What a briefing page links to besides itself: previous/next in date order, related briefings."""

    previous: Briefing | None  # older
    next: Briefing | None  # newer
    related: tuple[Briefing, ...]


@dataclass(frozen=True)
class Site:
    """Everything the site shows, gathered before anything is rendered."""

    config: Any  # generator.config.Config (Any to keep this module free of imports)
    briefings: tuple[Briefing, ...]  # newest first
    pages: tuple[Page, ...]
    taxonomies: Mapping[str, Taxonomy]
    neighbours: Mapping[str, Neighbours]  # by briefing slug
    bodies: Mapping[str, Body] = field(default_factory=dict)  # by briefing slug
    # past their `expires:`: a notice at their URL, absent from every list, feed and index
    withdrawn: tuple[Briefing, ...] = ()
    # Fingerprint of what the site was assembled from, bodies aside (config, visible briefings in order,
    # pages, term descriptions): equal skeletons, equal sites but for the bodies.
    skeleton: str = ""
    # The URL record (published-urls.txt): every path published, by the content it showed
    published: Mapping[str, str] = field(default_factory=dict)
    # the moment the site is built for (--as-of or the clock; None: no clock). Not in the skeleton: what
    # pages show of it is `news`, which is
    now: datetime | None = None
    # the briefings that appeared in the 48 hours before `now`, newest first (the news sitemap's)
    news: tuple[Briefing, ...] = ()
    # a multilingual site (site/languages.py): the language of this one (a core.languages.Language)...
    lang: Any = None
    # ...and, on the default language's site, the sites of the other languages, in site.yaml's order
    others: tuple[Site, ...] = ()
    # every translation group and its state (site/languages.Translations)
    translations: Any = None

    @property
    def every_language(self) -> tuple[Site, ...]:
        """This site and its other languages' sites (just itself on a site in one language)."""
        return (self, *self.others)

    @property
    def nav(self) -> tuple[NavLink, ...]:
        """The standalone pages in the header of every page."""
        return tuple(NavLink(p.title, p.url, p.slug) for p in self.pages)

    def term(self, taxonomy: str, name: str) -> Term | None:
        """The term of a taxonomy by name, if any briefing carries it."""
        for term in self.taxonomies[taxonomy].terms:
            if term.name == name:
                return term
        return None


@dataclass(frozen=True)
class Digested:
    """Bytes whose SHA-256 is already known (computed where they were made: in a render worker)."""

    data: bytes
    digest: str

    @classmethod
    def of(cls, data: bytes) -> Digested:
        return cls(data, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True, slots=True)  # one per page of a site: no __dict__ each
class Kept:
    """Bytes known by their digest and made or read only when needed: a page the output folder should hold
    already, or one waiting in a build's spool."""

    digest: str
    load: Callable[[], bytes]
