"""A multilingual site: one `Site` per language, and the translations that tie their briefings together. Pure.

Each language's site is assembled on its own (its home, lists, taxonomies and feeds hold its briefings only),
with a configuration whose base URL ends in the language's folder, so every path inside it is relative to its
home. The default language's site carries the others (`Site.others`) and the translation groups.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.fingerprint import Fingerprints
from generator.core.languages import Language, language_config
from generator.core.model import Body, Briefing, BriefingFile, Page, Site, TermInfo
from generator.site.assemble import assemble, next_change

# the builder's entry point to assembly: a site in one language or several, and what changes next
__all__ = [
    "assemble_site",
    "link_translations",
    "next_change",
    "page_language",
    "term_key",
    "version",
]

VERSION_CHARS = 12  # of a source's digest, as `translated_from:` records it


def version(body: Body) -> str:
    """The version of a briefing a translation records (`translated_from:`): the start of its file's digest."""
    return body.digest[:VERSION_CHARS]


@dataclass(frozen=True)
class Version:
    """One language's briefing in a translation group, and its state against the source."""

    lang: str
    briefing: Briefing
    state: str  # source | current | stale | unknown (no `translated_from:` recorded)


@dataclass(frozen=True)
class Group:
    """A source briefing and its translations, in site.yaml's language order."""

    source: Briefing
    source_lang: str
    version: str  # the source's current version
    versions: tuple[Version, ...]

    def get(self, lang: str) -> Version | None:
        return next((v for v in self.versions if v.lang == lang), None)


@dataclass(frozen=True)
class Translations:
    """Every translation group of a site, by (language, slug) of each member."""

    groups: tuple[Group, ...]
    # the default language's own skeleton, for reusing its site in the next build
    own_skeleton: str = ""

    def of(self, lang: str, slug: str) -> Group | None:
        """The group a language's briefing belongs to, if it has a translation or is one."""
        return self._by_member.get((lang, slug))

    @functools.cached_property
    def _by_member(self) -> dict[tuple[str, str], Group]:
        # `of` is asked for every page of every language: a scan of the groups each time made a build
        # quadratic in the translations (2,000 briefings with 200 translated: 0.46 s of a 1.6 s rebuild).
        # The first group wins, as the scan found it: a briefing in a language's folder may translate one
        # group's source and be another's.
        found: dict[tuple[str, str], Group] = {}
        for group in self.groups:
            for member in group.versions:
                found.setdefault((member.lang, member.briefing.slug), group)
        return found

    @property
    def stale(self) -> tuple[tuple[Group, Version], ...]:
        return tuple((g, v) for g in self.groups for v in g.versions if v.state == "stale")


def assemble_site(
    config: Config,
    files: Iterable[BriefingFile],
    pages: Iterable[Page] = (),
    term_infos: Mapping[tuple[str, str], TermInfo] | None = None,
    *,
    previous: Site | None = None,
    related_memo: dict[str, Any] | None = None,
    **options: Any,
) -> Site:
    """`assemble` for a site in one language; for a multilingual one, a site per language and the
    translation groups (SiteError for a translation naming no briefing, or two of one source in a language)."""
    files = list(files)
    pages = list(pages)
    if not config.languages:
        return assemble(
            config,
            files,
            pages,
            term_infos,
            previous=previous,
            related_memo=related_memo,
            **options,
        )
    before: dict[str, Site] = {}
    if previous is not None and previous.lang is not None:
        own = previous.translations.own_skeleton if previous.translations else ""
        before = {s.lang.code: s for s in previous.others}
        before[previous.lang.code] = dataclasses.replace(previous, skeleton=own)
    sites = []
    for lang in config.languages:
        mine = [f for f in files if f.briefing.lang == lang.code]
        site = assemble(
            language_config(config, lang),
            mine,
            [p for p in pages if page_language(config, p.path) == lang.code],
            language_infos(term_infos or {}, lang),
            previous=before.get(lang.code),
            related_memo=related_memo if lang.default else None,
            **options,
        )
        sites.append(dataclasses.replace(site, lang=lang, others=(), translations=None))
    translations = link_translations(
        config.languages, [f.briefing for f in files], sites, config.content_dir / "briefings"
    )
    first = sites[0]
    skeleton = Fingerprints()(([s.skeleton for s in sites], translations))
    translations = dataclasses.replace(translations, own_skeleton=first.skeleton)
    return dataclasses.replace(
        first, others=tuple(sites[1:]), translations=translations, skeleton=skeleton
    )


def term_key(config: Config, taxonomy: str, path: Path) -> tuple[str, str]:
    """The key of a term description file: (taxonomy, its term's slug), or for one in a language's folder
    (content/countries/fr/ukraine.md) (taxonomy, 'fr/ukraine'): that language's description of the term."""
    try:
        parts = path.relative_to(config.content_dir / taxonomy).parts
    except ValueError:
        parts = ()
    codes = [lang.code for lang in config.languages[1:]]
    if len(parts) > 1 and parts[0] in codes:
        return taxonomy, f"{parts[0]}/{path.stem}"
    return taxonomy, path.stem


def language_infos(
    infos: Mapping[tuple[str, str], TermInfo], lang: Language
) -> dict[tuple[str, str], TermInfo]:
    """The term descriptions a language's pages show: its own (term_key), else the default's."""
    own = f"{lang.code}/"
    shared = {k: v for k, v in infos.items() if "/" not in k[1]}
    if lang.default:
        return shared
    mine = {(t, s[len(own) :]): v for (t, s), v in infos.items() if s.startswith(own)}
    return {**shared, **mine}


def page_language(config: Config, path: Path) -> str:
    """A standalone page's language: that of its folder content/pages/<code>/, else the default."""
    try:
        parts = path.relative_to(config.content_dir / "pages").parts
    except ValueError:
        parts = ()
    codes = [lang.code for lang in config.languages]
    return parts[0] if len(parts) > 1 and parts[0] in codes else codes[0]


def _file_key(folder: Path, path: Path) -> str:
    """A default-language file's path under content/briefings/, as a translation's folder repeats it."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def link_translations(
    languages: tuple[Language, ...], every: list[Briefing], sites: list[Site], folder: Path
) -> Translations:
    """The translation groups of the briefings each language's site shows; `every` (drafts and future ones
    too) tells a source that is only not shown yet from a slug that names nothing."""
    order = [lang.code for lang in languages]
    shown = {(s.lang.code, b.slug): (b, s.bodies[b.slug]) for s in sites for b in s.briefings}
    # a source is found by its slug (translation_of:) or, for a file in a language's folder, by its file
    originals: dict[str, list[Briefing]] = {}
    for b in every:
        if b.translation is None or b.translation.implied:
            originals.setdefault(b.slug, []).append(b)
            if b.lang == order[0]:
                originals.setdefault(_file_key(folder, b.path), []).append(b)
    problems: list[Problem] = []
    members: dict[tuple[str, str], dict[str, Briefing]] = {}
    for b in sorted(every, key=lambda b: str(b.path)):
        t = b.translation
        if t is None:
            continue
        candidates = sorted(
            (o for o in originals.get(t.of, []) if o is not b and o.lang != b.lang),
            key=lambda o: order.index(o.lang),
        )
        if not candidates:
            if not t.implied:
                problems.append(
                    Problem(
                        b.path,
                        t.line,
                        f"translation_of: no briefing in another language has the slug {t.of!r}; "
                        "write the source briefing's slug (its URL's last folder)",
                    )
                )
            continue
        source = candidates[0]
        if (source.lang, source.slug) not in shown or (b.lang, b.slug) not in shown:
            continue  # a draft, a future or withdrawn briefing: no group until both are shown
        group = members.setdefault((source.lang, source.slug), {source.lang: source})
        if b.lang in group:
            first = group[b.lang].path
            problems.append(
                Problem(
                    b.path,
                    t.line,
                    f"{first} already translates {source.slug!r} into {b.lang}; keep one of the two "
                    "(or point this one's translation_of: at another briefing)",
                )
            )
            continue
        group[b.lang] = b
    if problems:
        raise SiteError(problems)
    groups = []
    for (source_lang, slug), found in sorted(members.items(), key=lambda kv: kv[0][1]):
        source, body = shown[(source_lang, slug)]
        current = version(body)
        versions = []
        for code in order:
            member = found.get(code)
            if member is None:
                continue
            member = shown[(code, member.slug)][0]  # as its language's site shows it
            made_from = member.translation.made_from if member.translation else ""
            state = (
                "source"
                if code == source_lang
                else "unknown"
                if not made_from
                else "current"
                if made_from[:VERSION_CHARS] == current
                else "stale"
            )
            versions.append(Version(code, member, state))
        groups.append(Group(source, source_lang, current, tuple(versions)))
    return Translations(tuple(groups))


def changed_on(group: Group) -> datetime | None:
    """When the source says it was last revised (`updated:` or a correction), if it says."""
    return group.source.revised
