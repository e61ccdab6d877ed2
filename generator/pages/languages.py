"""The pages of a multilingual site: every language's pages under its folder, each page told its language, its
versions in the other languages (hreflang, the language switcher) and, for a translation, whether its source
changed since; and the /translations/ status page. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from generator.core import urls
from generator.core.model import Briefing, OutputPage, Site
from generator.pages.page import html_page
from generator.site.languages import Group, changed_on

TRANSLATIONS = "translations/"
# written once, at the site's root, whatever the language
ROOT_ONLY = frozenset({urls.NOT_FOUND, urls.HEADERS, urls.LOGO})


@dataclass(frozen=True)
class Alternate:
    """A version of a page in a language: `<link rel="alternate" hreflang>` and the sitemap's xhtml:link."""

    hreflang: str  # a language code, or x-default
    href: str  # absolute URL


@dataclass(frozen=True)
class Switch:
    """One entry of the language switcher: the page in that language, else that language's home."""

    code: str
    name: str
    url: str  # site-internal URL
    current: bool
    translated: bool  # the page exists in that language (else the link goes to its home)


@dataclass(frozen=True)
class Notice:
    """What a translation's page says when its source changed since it was made."""

    state: str  # stale | unknown
    source_lang: str
    source_language: str  # its name, in its own language
    source_url: str
    source: (
        Briefing  # its title is read when the page renders (a plan-time copy would be in no trace)
    )
    changed: datetime | None

    @property
    def source_title(self) -> str:
        return self.source.title


def localize(
    site: Site, pages: list[OutputPage], kinds: Iterable[Callable[[Site], Iterable[OutputPage]]]
) -> list[OutputPage]:
    """The default language's `pages` and every other language's pages (its site through `kinds`), each under
    its language's folder, with hreflang alternates, switcher and translation notice in their contexts."""
    kinds = tuple(kinds)
    made = [(site, pages)] + [
        (other, [p for kind in kinds for p in kind(other) if p.path not in ROOT_ONLY])
        for other in site.every_language[1:]
    ]
    # (language, path inside it) of every HTML page, to pair a page with its versions elsewhere
    have = {
        (s.lang.code, p.path) for s, ps in made for p in ps if p.data is None and p.make is None
    }
    out = [_localized(site, s, page, have) for s, ps in made for page in ps]
    if site.lang.prefix:  # the default language in a folder too: the root sends readers to its home
        context = {"title": site.config.title, "target": site.lang.prefix, "kind": "redirect"}
        out.append(OutputPage(path="index.html", template="redirect.html", context=context))
    return out


def localize_briefing_page(site: Site, s: Site, page: OutputPage) -> OutputPage:
    """A briefing page of the language site `s` (one of `site.every_language`) as `localize` makes it: its
    versions are its translation group's, so no other page need be known (serve's fast render)."""
    return _localized(site, s, page, set())


def _localized(site: Site, s: Site, page: OutputPage, have: set[tuple[str, str]]) -> OutputPage:
    """`page` of the language site `s` under its folder, with its language, versions and notice."""
    path = page.path if page.path in ROOT_ONLY else s.lang.prefix + page.path
    if page.data is not None or page.make is not None:
        return dataclasses.replace(page, path=path)
    languages = [other.lang for other in site.every_language]
    config = site.config
    versions = _versions(site, s, page, have)
    switcher = tuple(
        Switch(
            lang.code,
            lang.name,
            config.url(_folder(versions.get(lang.code, lang.prefix))),
            lang.code == s.lang.code,
            lang.code in versions,
        )
        for lang in languages
    )
    alternates: tuple[Alternate, ...] = ()
    if len(versions) > 1:
        alternates = tuple(
            Alternate(code, config.absolute_url(_folder(versions[code])))
            for code in (lang.code for lang in languages)
            if code in versions
        )
        default = versions.get(languages[0].code) or next(iter(versions.values()))
        alternates += (Alternate("x-default", config.absolute_url(_folder(default))),)
    context = {
        **page.context,
        "lang": s.lang,
        "alternates": alternates,
        "switcher": switcher,
        "notice": _notice(site, s, page),
    }
    if s is not site:
        context["nav_pages"] = s.nav
    return dataclasses.replace(page, path=path, context=context)


def _folder(path: str) -> str:
    """The folder of an output page ('fr/x/index.html' -> 'fr/x/')."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def _versions(site: Site, s: Site, page: OutputPage, have: set[tuple[str, str]]) -> dict[str, str]:
    """Output paths of this page in every language it exists in (its own included): a briefing's translations;
    any other page, the page at the same place in each language's site."""
    briefing = page.context.get("briefing") if page.context.get("kind") == "briefing" else None
    if briefing is not None:
        group = site.translations.of(s.lang.code, briefing.slug)
        if group is None:
            return {s.lang.code: s.lang.prefix + page.path}
        by_code = {o.lang.code: o for o in site.every_language}
        return {
            v.lang: by_code[v.lang].lang.prefix + urls.page_path(v.briefing.url)
            for v in group.versions
        }
    return {
        other.lang.code: other.lang.prefix + page.path
        for other in site.every_language
        if (other.lang.code, page.path) in have
    }


def _notice(site: Site, s: Site, page: OutputPage) -> Notice | None:
    """A translation's notice when its source changed since (or it does not record which version it was
    made from)."""
    briefing = page.context.get("briefing") if page.context.get("kind") == "briefing" else None
    if briefing is None or briefing.translation is None:
        return None
    group = site.translations.of(s.lang.code, briefing.slug)
    member = group.get(s.lang.code) if group else None
    if group is None or member is None or member.state not in ("stale", "unknown"):
        return None
    source = next(o for o in site.every_language if o.lang.code == group.source_lang)
    return Notice(
        member.state,
        source.lang.code,
        source.lang.name,
        site.config.url(source.lang.prefix + group.source.url),
        group.source,
        changed_on(group),
    )


def translation_pages(site: Site) -> Iterable[OutputPage]:
    """/translations/: every briefing with a translation, and the state of each (current, stale, unknown)."""
    if site.translations is None:
        return
    groups: tuple[Group, ...] = site.translations.groups
    prefixes = {s.lang.code: s.lang.prefix for s in site.every_language}
    rows = tuple(
        (
            group,
            tuple(
                (lang.code, group.get(lang.code), prefixes[lang.code])
                for lang in (s.lang for s in site.every_language)
            ),
        )
        for group in groups
    )
    yield html_page(
        TRANSLATIONS,
        "translations.html",
        title="Translations",
        description=f"Every translated briefing of {site.config.title} and whether it is current.",
        rows=rows,
        languages=tuple(s.lang for s in site.every_language),
        kind="translations",
        noindex=True,
    )
