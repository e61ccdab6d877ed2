"""The languages of a multilingual site (`languages:` in site.yaml): parsed and checked, and the view of the
configuration each language's pages are made with."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from generator.core import urls
from generator.core.errors import Problem, SiteError

_CODE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
DIRECTIONS = ("ltr", "rtl")
RTL_LANGUAGES = ("ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb")
_KEYS = ("code", "name", "direction", "path", "title", "description", "default", "strings")


@dataclasses.dataclass(frozen=True)
class Language:
    """One language of a multilingual site."""

    code: str  # a tag such as fr or pt-BR: html lang, hreflang, catalogs, Babel's locale
    name: str  # as its readers write it: Français, Українська, العربية
    direction: str = "ltr"  # or rtl
    prefix: str = ""  # output folder of its pages ('fr/'); '' for the default language at the root
    title: str = ""  # its own site title ('': the site's)
    description: str = ""
    default: bool = False
    # single UI strings overriding the theme's catalog: English msgid -> translation
    strings: tuple[tuple[str, str], ...] = ()

    @property
    def babel(self) -> str:
        """The locale name Babel knows this language by ('pt_BR')."""
        return self.code.replace("-", "_")


def languages(
    path: Path, lines: dict[str, int], raw: list[Any], taxonomies: tuple[str, ...] = ()
) -> tuple[Language, ...]:
    """`languages:` of site.yaml as Languages, the default first; SiteError naming the line otherwise."""
    line = lines.get("languages")
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(path, line, f"languages: {message}"))

    out: list[Language] = []
    for index, item in enumerate(raw, start=1):
        if isinstance(item, str):
            item = {"code": item}
        if not isinstance(item, dict):
            bad(f"entry {index} must be a mapping such as {{code: fr, name: Français}}")
            continue
        if unknown := [k for k in item if k not in _KEYS]:
            bad(f"entry {index}: unknown key {unknown[0]!r}; use {', '.join(_KEYS)}")
            continue
        code = str(item.get("code") or "")
        if not _CODE_RE.fullmatch(code):
            bad(f"entry {index}: code {code!r} is not a language tag such as fr, uk or pt-BR")
            continue
        direction = str(item.get("direction") or ("rtl" if code[:2] in RTL_LANGUAGES else "ltr"))
        if direction not in DIRECTIONS:
            bad(f"{code}: direction must be ltr or rtl, not {direction!r}")
        default = item.get("default") is True
        prefix = str(item.get("path", "" if default else code) or "").strip("/")
        if prefix and not _PREFIX_RE.fullmatch(prefix):
            bad(f"{code}: path {prefix!r} must be one folder name such as {code}")
        elif prefix in urls.RESERVED or prefix in taxonomies:
            bad(f"{code}: path {prefix!r} is a folder the site writes itself; use {code}")
        strings = item.get("strings") or {}
        if not isinstance(strings, dict):
            bad(f"{code}: strings must map English UI strings to their translation")
            strings = {}
        out.append(
            Language(
                code=code,
                name=str(item.get("name") or _native_name(code)),
                direction=direction,
                prefix=f"{prefix}/" if prefix else "",
                title=str(item.get("title") or ""),
                description=str(item.get("description") or ""),
                default=default,
                strings=tuple(sorted((str(k), str(v)) for k, v in strings.items())),
            )
        )
    defaults = [lang for lang in out if lang.default]
    if out and len(defaults) != 1:
        bad("mark exactly one language `default: true` (its pages are at the root)")
    codes = [lang.code for lang in out]
    prefixes = [lang.prefix for lang in out]
    if len(set(codes)) != len(codes) or len(set(prefixes)) != len(prefixes):
        bad("two languages share a code or a path; give each its own")
    if not out:
        bad("list at least one language, such as [{code: en, name: English, default: true}]")
    if problems:
        raise SiteError(problems)
    return tuple(sorted(out, key=lambda lang: not lang.default))


def _native_name(code: str) -> str:
    """The language's name in itself ('français'), from Babel's CLDR data, else the code."""
    # imported here: only a site with `languages:` needs Babel to read its site.yaml (a no-op build of
    # one that has none reads site.yaml and nothing of Babel)
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name()
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def language_config(config: Any, language: Language) -> Any:
    """The configuration a language's pages are made with: its own title and description, and its base URL
    (the site's plus its folder), so that every path of its pages is relative to its home."""
    return dataclasses.replace(
        config,
        base_url=config.base_url + language.prefix,
        title=language.title or config.title,
        description=language.description or config.description,
        language=language.code,
    )


def language_of(config: Any, code: str) -> Language | None:
    """A configured language by code."""
    return next((lang for lang in config.languages if lang.code == code), None)
