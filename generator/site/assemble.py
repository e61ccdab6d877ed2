"""Pure assembly: loaded briefings and pages become a `Site` (order, taxonomies, neighbours)."""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from generator.core import urls
from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.fingerprint import Fingerprints
from generator.core.model import (
    Briefing,
    BriefingFile,
    Neighbours,
    Page,
    Site,
    Taxonomy,
    Term,
    TermInfo,
)
from generator.core.parallel import fork_map
from generator.core.urls import slug_from

# Related briefings look this many positions either side in each term's date-ordered list.
# A shared term that appears in thousands of briefings then costs O(window), not O(n), per briefing.
RELATED_WINDOW = 60

PARALLEL_RELATED = 4000  # briefings; smaller sites score their related lists in one process


def assemble(
    config: Config,
    files: Iterable[BriefingFile],
    pages: Iterable[Page] = (),
    term_infos: Mapping[tuple[str, str], TermInfo] | None = None,
    *,
    now: datetime | None = None,
    drafts: bool = False,
    future: bool = False,
    related_memo: dict[str, Any] | None = None,
    jobs: int = 1,
    previous: Site | None = None,
    published: Mapping[str, str] | None = None,
) -> Site:
    """Order briefings newest first, build taxonomies and neighbours; reject URL collisions.

    Everything but the bodies is a function of the skeleton (config, visible briefings in order, pages, term
    descriptions); when it equals `previous`'s, that site is reused with the new bodies (a body edit in
    `serve` skips the taxonomies and related lists)."""
    shown, withdrawn = [], []
    for f in files:
        state = visibility(f.briefing, now, drafts=drafts, future=future)
        if state == "shown":
            shown.append(f)
        elif state == "withdrawn":
            withdrawn.append(f.briefing)
    ordered = tuple(sorted((f.briefing for f in shown), key=lambda b: b.sort_key, reverse=True))
    gone = tuple(sorted(withdrawn, key=lambda b: b.sort_key, reverse=True))
    bodies = {f.briefing.slug: f.body for f in shown}
    pages = tuple(sorted(pages, key=lambda p: p.slug))
    infos = dict(sorted((term_infos or {}).items()))
    published = dict(sorted((published or {}).items()))
    news = in_the_news(ordered, now)
    skeleton = Fingerprints()((config, ordered, gone, pages, infos, published, news))
    if (
        previous is not None
        and previous.skeleton == skeleton
        and _same_briefings(previous.briefings + previous.withdrawn, ordered + gone)
    ):
        return dataclasses.replace(previous, bodies=bodies, now=now)
    links = config.links
    taxonomies = {
        name: _taxonomy(name, ordered, infos, links, config.base_path) for name in config.taxonomies
    }
    _check_collisions(ordered + gone, pages, taxonomies, config)
    neighbours = _neighbours(ordered, config, related_memo, jobs)
    return Site(
        config=config,
        briefings=ordered,
        pages=pages,
        taxonomies=taxonomies,
        neighbours=neighbours,
        bodies=bodies,
        withdrawn=gone,
        skeleton=skeleton,
        published=published,
        now=now,
        news=news,
    )


def _same_briefings(before: tuple[Briefing, ...], now: tuple[Briefing, ...]) -> bool:
    """Whether two lists of the same briefings (equal skeletons) are equal: the skeleton leaves out what
    pages show of them (titles, reading times: model.LISTED), but a site reused must hold them as they are."""
    return all(a is b or a == b for a, b in zip(before, now, strict=True))


NEWS_WINDOW = timedelta(hours=48)  # Google News: articles published in the last two days


def appeared(briefing: Briefing) -> datetime:
    """When the briefing became public: its date, or the end of its embargo if later."""
    return max(briefing.date, briefing.publish or briefing.date)


def in_the_news(ordered: tuple[Briefing, ...], now: datetime | None) -> tuple[Briefing, ...]:
    """The briefings that appeared in the window before `now`, newest first (none without a clock)."""
    if now is None:
        return ()
    cutoff = now - NEWS_WINDOW
    fresh = [b for b in ordered if cutoff < appeared(b) <= now]
    return tuple(sorted(fresh, key=lambda b: (appeared(b), b.slug), reverse=True))


def visibility(
    briefing: Briefing, now: datetime | None, *, drafts: bool = False, future: bool = False
) -> str:
    """'shown', 'hidden' (a draft, dated in the future or under embargo) or 'withdrawn' (past `expires:`)
    at the moment `now` (None: no clock, everything not a draft is shown)."""
    if briefing.draft and not drafts:
        return "hidden"
    if now is None:
        return "shown"
    if briefing.expires is not None and briefing.expires <= now:
        return "withdrawn"
    if not future and (briefing.date > now or (briefing.publish or briefing.date) > now):
        return "hidden"
    return "shown"


def next_change(
    briefings: Iterable[Briefing], now: datetime, *, drafts: bool = False, future: bool = False
) -> tuple[datetime, Briefing, str] | None:
    """The next moment after `now` at which a briefing appears or is withdrawn: (when, briefing, what)."""
    due: list[tuple[datetime, str, Briefing, str]] = []
    for b in briefings:
        if b.draft and not drafts:
            continue
        appears = max(b.date, b.publish or b.date)
        if not future and appears > now:
            due.append((appears, b.slug, b, "publishes"))
        if b.expires is not None and b.expires > now:
            due.append((b.expires, b.slug, b, "expires"))
    if not due:
        return None
    when, _, briefing, what = min(due, key=lambda d: (d[0], d[1]))
    return when, briefing, what


def _check_collisions(
    briefings: tuple[Briefing, ...],
    pages: tuple[Page, ...],
    taxonomies: Mapping[str, Taxonomy],
    config: Config,
) -> None:
    """Two claims on one output path is an error naming both files, never a silent overwrite: briefings,
    standalone pages, term pages and aliases; and none of them in a folder the generator writes itself."""
    owners: dict[str, str] = {}
    problems = []
    reserved = urls.RESERVED | set(config.taxonomies)
    # reserved folders an alias may be below (never be): old briefing URLs, old term pages
    below = {urls.first_segment(urls.BRIEFINGS), *config.taxonomies}

    def claim(path: str, owner: str, source: Path, line: int, what: str) -> None:
        first = owners.setdefault(path, owner)
        if first != owner:
            problems.append(Problem(source, line, f"{what} /{path} is also claimed by {first}"))

    # the first file keeps its URL; sorted by the paths' parts, their order (Path's own < costs ~1.5 us)
    for briefing in sorted(briefings, key=lambda b: b.path.parts):
        if config.links.folder_led_by_slug() and urls.first_segment(briefing.url) in reserved:
            message = f"URL /{briefing.url} is reserved for generated pages; give the briefing another `slug`"
            problems.append(Problem(briefing.path, 1, message))
            continue
        claim(briefing.url, str(briefing.path), briefing.path, 1, "URL")
    for page in pages:
        if page.slug in reserved:
            message = (
                f"page slug '{page.slug}' is reserved for generated pages; choose another slug"
            )
            problems.append(Problem(page.path, 1, message))
            continue
        claim(page.url, str(page.path), page.path, 1, "URL")
    for taxonomy in taxonomies.values():
        for term in taxonomy.terms:
            owners.setdefault(term.url, f"the page of {term.name} ({taxonomy.name})")
    with_aliases: list[Briefing | Page] = [b for b in briefings if b.aliases]
    with_aliases += [p for p in pages if p.aliases]
    for item in sorted(with_aliases, key=lambda item: item.path.parts):
        for alias in item.aliases:
            folder = urls.first_segment(alias.path)
            if alias.path == item.url:
                message = f"alias /{alias.path} is this page's own URL; remove it"
                problems.append(Problem(item.path, alias.line, message))
            elif folder in reserved and (alias.path == folder + "/" or folder not in below):
                message = f"alias /{alias.path} is in /{folder}/, which the generator writes itself"
                problems.append(Problem(item.path, alias.line, message))
            else:
                claim(alias.path, str(item.path), item.path, alias.line, "alias")
    if problems:
        raise SiteError(problems)


def _taxonomy(
    name: str,
    briefings: tuple[Briefing, ...],
    infos: Mapping[tuple[str, str], TermInfo],
    links: urls.Permalinks,
    base_path: str,
) -> Taxonomy:
    by_slug: dict[str, list[Briefing]] = defaultdict(list)
    names: dict[str, str] = {}
    for briefing in briefings:  # already newest first, so each term's list is too
        for term_name in briefing.terms.get(name, ()):
            slug = slug_from(term_name)
            # Spellings that slug alike ("U.S." / "US") are one term, named by its first use.
            names.setdefault(slug, term_name)
            if not by_slug[slug] or by_slug[slug][-1] is not briefing:
                by_slug[slug].append(briefing)
    terms = [
        Term(
            taxonomy=name,
            name=names[slug],
            slug=slug,
            _briefings=tuple(items),
            url=links.term(name, slug),
            info=infos.get((name, slug)),
            ref=base_path + links.term(name, slug),
        )
        for slug, items in by_slug.items()
    ]
    terms.sort(key=lambda t: (-t.count, t.name.casefold()))
    return Taxonomy(name=name, _terms=tuple(terms), ref=base_path + urls.taxonomy(name))


def _neighbours(
    briefings: tuple[Briefing, ...], config: Config, memo: dict[str, Any] | None, jobs: int
) -> dict[str, Neighbours]:
    related = _related(briefings, config, memo, jobs)
    result = {}
    for index, briefing in enumerate(briefings):
        newer = briefings[index - 1] if index > 0 else None
        older = briefings[index + 1] if index + 1 < len(briefings) else None
        result[briefing.slug] = Neighbours(
            previous=older, next=newer, related=related.get(briefing.slug, ())
        )
    return result


def _related(
    briefings: tuple[Briefing, ...], config: Config, memo: dict[str, Any] | None, jobs: int
) -> dict[str, tuple[Briefing, ...]]:
    """related_briefings, reused from `memo` (the Builder's, kept across builds) when no briefing's place
    or terms changed.

    Related lists depend only on the order of the briefings and their terms, so an edit to a body, title or
    summary (most edits) costs a hash of the term lists instead of a second of scoring at 10,000 briefings.
    """
    if memo is None:
        return related_briefings(briefings, config.taxonomies, config.related_count, jobs)
    h = hashlib.sha256(f"{RELATED_WINDOW} {config.related_count} {config.taxonomies}".encode())
    for b in briefings:
        h.update(b.slug.encode())
        for name in config.taxonomies:
            h.update(b"\0" + "\1".join(b.terms.get(name, ())).encode())
        h.update(b"\n")
    key = h.hexdigest()
    by_slug = {b.slug: b for b in briefings}
    if memo.get("key") != key:
        computed = related_briefings(briefings, config.taxonomies, config.related_count, jobs)
        memo.clear()
        memo.update(
            key=key,
            related={slug: tuple(b.slug for b in items) for slug, items in computed.items()},
        )
        return computed
    return {slug: tuple(by_slug[s] for s in slugs) for slug, slugs in memo["related"].items()}


def related_briefings(
    briefings: tuple[Briefing, ...], taxonomies: Iterable[str], count: int, jobs: int = 1
) -> dict[str, tuple[Briefing, ...]]:
    """For each briefing, the `count` others sharing the most terms, a rare shared term weighing more (idf).

    Each term's briefings are kept in date order and only RELATED_WINDOW neighbours either side are
    scored, so the cost is O(n · terms · window) rather than O(n²) even for terms every briefing has.
    Ties go to the nearer briefing in date order, then to the smaller slug.
    """
    if count <= 0 or len(briefings) < 2:
        return {}
    total = len(briefings)
    keys_of = [term_keys(b, taxonomies) for b in briefings]
    postings: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, keys in enumerate(keys_of):
        for key in keys:
            postings[key].append(i)
    # Integer weights (idf in millionths) make sums exact, so equal scores tie exactly on every machine.
    weight = {
        key: round(1_000_000 * math.log(1 + total / len(items)))
        for key, items in postings.items()
        if len(items) > 1
    }
    where = {key: {b: k for k, b in enumerate(postings[key])} for key in weight}
    # One int per candidate orders it by (score, nearness, slug): heapq.nlargest then compares ints in C.
    span = 1 << max(1, total.bit_length())
    by_slug = sorted(range(total), key=lambda j: briefings[j].slug)
    slug_rank = [0] * total
    for rank, j in enumerate(by_slug):
        slug_rank[j] = rank

    def best(i: int) -> tuple[int, ...]:
        scores: dict[int, int] = defaultdict(int)
        for key in keys_of[i]:
            w = weight.get(key)
            if w is None:
                continue
            items = postings[key]
            k = where[key][i]
            for j in items[max(0, k - RELATED_WINDOW) : k + RELATED_WINDOW + 1]:
                scores[j] += w
        scores.pop(i, None)
        packed = [
            (score * span + span - 1 - abs(j - i)) * span + span - 1 - slug_rank[j]
            for j, score in scores.items()
        ]
        return tuple(by_slug[span - 1 - p % span] for p in heapq.nlargest(count, packed))

    # Each briefing's list is independent of the others': large sites score them in forked processes.
    tops = fork_map(best, range(total), jobs if total >= PARALLEL_RELATED else 1)
    return {
        b.slug: tuple(briefings[j] for j in top) for b, top in zip(briefings, tops, strict=False)
    }


def term_keys(briefing: Briefing, taxonomies: Iterable[str]) -> set[tuple[str, str]]:
    """(taxonomy, term slug) pairs a briefing carries."""
    return {(t, slug_from(name)) for t in taxonomies for name in briefing.terms.get(t, ())}


def paginate(items: tuple, size: int) -> list[tuple]:
    """Split items into pages of `size`; an empty list still has one (empty) page."""
    if not items:
        return [()]
    return [items[i : i + size] for i in range(0, len(items), size)]
