"""Pages in the reader's language: the theme's UI strings from gettext catalogs (Jinja2's i18n extension over
Babel's .po reader), dates and numbers in the language's conventions (Babel/CLDR), and the configuration a
page of a language's site sees.

A page of a multilingual site carries its `lang` (pages/languages.py); rendering it sets the language for
the whole render, macros and includes too (a context variable), and every catalog read is recorded
(`trace.record('catalog', code)`), so editing a .po file renders again exactly the pages in that language.
A site without `languages:` renders the English msgids as they are: its pages do not change.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import hashlib
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_interval
from babel.numbers import format_decimal
from jinja2.ext import Extension
from markupsafe import Markup

from generator.core import urls
from generator.core.config import Config
from generator.core.errors import SiteError
from generator.core.languages import Language, language_config
from generator.core.trace import record
from generator.read.countries import country_info
from generator.read.facts import KINDS as ENTITY_KINDS
from generator.read.facts import entity_facts
from generator.render.search_strings import search_strings

CATALOG = "messages.po"  # <theme>/locales/<code>/LC_MESSAGES/messages.po, the layout pybabel uses
ENGLISH = "en"
ENTITIES_FILE = (
    "entities.yaml"  # content/_data/: the editor's registry (render/theme.py reads it too)
)
LANGUAGE_ASSETS = ("i18n.css", "languages.js")  # the default theme's files for a multilingual site
_current: ContextVar[Language | None] = ContextVar("briefings_language", default=None)
_messages: ContextVar[Messages | None] = ContextVar("briefings_messages", default=None)
# Babel patterns for the date filter's styles (the English ones stay format_date's, as before languages)
DATE_PATTERNS = {
    "long": "d MMMM y",
    "short": "d MMM y",
    "month": "LLLL y",
    "time": "d MMMM y, HH:mm zzz",
}


def catalog_paths(theme_dirs: list[Path], code: str) -> list[Path]:
    """The catalogs of a language in the theme chain, the site's theme first."""
    name = code.replace("-", "_")
    paths = []
    for theme in theme_dirs:
        for folder in dict.fromkeys((name, code, code.split("-")[0])):
            path = theme / "locales" / folder / "LC_MESSAGES" / CATALOG
            if path.is_file():
                paths.append(path)
                break
    return paths


def catalog_digest(theme_dirs: list[Path], code: str) -> str:
    """What a page in language `code` read of the catalogs: their paths and bytes."""
    h = hashlib.sha256()
    for path in catalog_paths(theme_dirs, code):
        h.update(f"{path}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class Messages:
    """One language's UI strings: the theme chain's catalogs merged (the site's theme wins), then site.yaml's
    `strings:`."""

    singular: dict[str, str] = field(default_factory=dict)
    plural: dict[str, tuple[str, ...]] = field(default_factory=dict)
    form: Callable[[int], int] = lambda n: int(n != 1)

    @classmethod
    def load(cls, paths: list[Path], language: Language) -> Messages:
        # Imported with a catalog: a site in one language reads none, and the import costs 10 ms.
        from babel.messages.pofile import read_po

        messages = cls()
        for path in reversed(paths):  # the default theme first, then the site's over it
            try:
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=language.babel)
            except (OSError, ValueError) as exc:
                raise SiteError.at(path, None, f"cannot read this catalog: {exc}") from None
            messages.form = stdlib_gettext.c2py(catalog.plural_expr)
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                if isinstance(message.id, tuple) and isinstance(message.string, tuple):
                    if any(message.string):
                        messages.plural[message.id[0]] = message.string
                elif isinstance(message.id, str) and message.string:
                    messages.singular[message.id] = str(message.string)
        messages.singular.update(language.strings)
        return messages


class LocalizedTemplate(jinja2.Template):
    """A template whose render sets the page's language (its context's `lang`), and that language's UI
    strings, for everything it calls."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        values = dict(*args, **kwargs)
        lang = values.get("lang")
        if lang is None:
            return super().render(values)
        load = getattr(self.environment, "language_messages", None)
        token = _current.set(lang)
        strings = _messages.set(load(lang) if load else None)
        try:
            return super().render(values)
        finally:
            _messages.reset(strings)
            _current.reset(token)


class FoldedMessages(Extension):
    """For a site in one language: `{{ _('Latest') }}` compiled as the text itself, since it shows its
    msgids as they are (a call per string per page would cost seconds at 10,000 briefings)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _FOLDABLE.sub(lambda m: m.group(2), source)


# `{{ _('text') }}` without variables, '%' or braces: the same output as the call, Markup(text)
_FOLDABLE = re.compile(r"""\{\{ _\((['"])([^'"%{}\\\n]*)\1\) \}\}""")


def _gettext(message: str, **variables: Any) -> Markup:
    """`_()`: the page's language's translation (or the msgid), %-formatted with its variables escaped, as
    Jinja's newstyle gettext does, without its per-call wrapper."""
    found = _messages.get()
    text = Markup(found.singular.get(message, message) if found else message)
    return text % variables if variables else text


class ConfigView:
    """The configuration as a page of the language being rendered sees it (`config` in templates): that
    language's title, description, language code and base URL. Static files and the logo stay at the root."""

    def __init__(self, config: Config):
        self._root = config
        self._by_code = {lang.code: language_config(config, lang) for lang in config.languages}

    def _config(self) -> Config:
        lang = _current.get()
        return self._by_code[lang.code] if lang is not None else self._root

    def __getattr__(self, name: str) -> Any:
        return getattr(self._config(), name)

    def _for(self, path: str) -> Config:
        at_root = path.startswith(urls.STATIC) or path == urls.LOGO
        return self._root if at_root else self._config()

    def url(self, path: str) -> str:
        return self._for(path).url(path)

    def absolute_url(self, path: str) -> str:
        return self._for(path).absolute_url(path)

    @property
    def fingerprint(self) -> str:
        return self._config().digest()


def localized_country(name: str, lang: Language) -> str:
    """A country's name in `lang`: CLDR's (Babel: 'Russie'), else the ISO 3166 catalog pycountry ships,
    else the name as written."""
    info = country_info(name)
    if info is None:
        return name
    try:
        found = Locale.parse(lang.babel).territories.get(info.alpha2)
    except (ValueError, UnknownLocaleError):
        found = None
    if found:
        return str(found)
    import pycountry  # only for what CLDR leaves out; its import (15 ms) would slow every build

    try:
        catalog = stdlib_gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[lang.babel]
        )
    except OSError:
        return name
    return catalog.gettext(info.name)


def localized_term(config: Config, taxonomy: str, name: str, lang: Language | None) -> str:
    """A term's name as the pages of `lang` show it: the editor's `names:` in entities.yaml, else (a country)
    CLDR's; a topic keeps its name."""
    if lang is None or lang.code == ENGLISH or taxonomy not in ENTITY_KINDS:
        return name
    record("data", ENTITIES_FILE)  # the editor's `names:` come first
    facts = entity_facts(config.content_dir / "_data" / ENTITIES_FILE, taxonomy, name)
    if facts is not None and (found := dict(facts.names).get(lang.code)):
        return str(found)
    return localized_country(name, lang) if taxonomy == "countries" else name


def language_date(value: datetime, lang: Language, style: str = "long") -> str:
    """A date in a language other than English, as the pages show it ('2 грудня 2026 р.')."""
    pattern = DATE_PATTERNS.get(style, DATE_PATTERNS["long"])
    return format_datetime(value, pattern, tzinfo=value.tzinfo, locale=lang.babel)


def language_messages(theme_dirs: list[Path], lang: Language) -> Messages:
    """A language's UI strings outside a page render (a preview image's kicker)."""
    return Messages.load(catalog_paths(theme_dirs, lang.code), lang)


def install(
    env: jinja2.Environment,
    config: Config,
    theme_dirs: list[Path],
    english_date: Callable[..., str],
    template_globals: Callable[[Any], dict[str, Any]],
) -> None:
    """Jinja's i18n extension on `env` (`{{ _('Latest') }}`, `{% trans %}`), and for a multilingual site
    the language-aware configuration, URLs, dates and numbers."""
    env.template_class = LocalizedTemplate
    env.add_extension("jinja2.ext.i18n")
    env.globals.update(
        text_direction=lambda: "ltr",
        ui=str,  # a text from the content or code (a page title, a taxonomy's name), in the catalog or not
        term_name=lambda taxonomy, name: str(name),  # a term's name in the page's language
        root_url=config.url,  # a file at the site's root whatever the language (sitemap.xml)
        month_label=lambda month: (
            month.label
        ),  # a month (.key '2026-11', .label) in the page's language
        week_label=lambda week: week.label,  # 'Week 48, 2026' in the page's language
        week_span=lambda week: week.span,  # '23–29 November 2026' in the page's language
    )
    if not config.languages:
        env.add_extension(FoldedMessages)
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
        env.globals["_"] = _gettext
        env.filters["number"] = lambda n: str(n)
        return
    view = ConfigView(config)
    loaded: dict[str, tuple[str, Messages]] = {}

    def language_messages(lang: Language) -> Messages | None:
        """A language's strings, read once per page render (and recorded as its input)."""
        record("catalog", lang.code)
        paths = catalog_paths(theme_dirs, lang.code)
        if not paths and not lang.strings:  # English, unless a theme or site.yaml renames a string
            return None
        stamp = repr([(p, p.stat().st_mtime_ns, p.stat().st_size) for p in paths])
        if lang.code not in loaded or loaded[lang.code][0] != stamp:
            loaded[lang.code] = (stamp, Messages.load(paths, lang))
        return loaded[lang.code][1]

    env.language_messages = language_messages  # type: ignore[attr-defined]

    def gettext(message: str) -> str:
        found = _messages.get()
        return found.singular.get(message, message) if found else message

    def ngettext(singular: str, plural: str, n: int) -> str:
        found = _messages.get()
        forms = found.plural.get(singular) if found else None
        if not found or not forms:
            return singular if n == 1 else plural
        return forms[min(found.form(n), len(forms) - 1)]

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _gettext

    def ui(text: Any) -> str:
        # gettext without %-formatting: a title may hold '%'
        found = _messages.get()
        return found.singular.get(str(text), str(text)) if found else str(text)

    def term_name(taxonomy: str, name: Any) -> str:
        return localized_term(config, taxonomy, str(name), _current.get())

    def localized_date(value: datetime | None, style: str = "long") -> str:
        lang = _current.get()
        if value is None or lang is None or lang.code == ENGLISH:
            return english_date(value, style)
        return language_date(value, lang, style)

    def number(value: Any) -> str:
        lang = _current.get()
        return (
            str(value)
            if lang is None or lang.code == ENGLISH
            else format_decimal(value, locale=lang.babel)
        )

    def direction() -> str:
        lang = _current.get()
        return lang.direction if lang else "ltr"

    def month_label(month: Any) -> str:
        lang = _current.get()
        if lang is None or lang.code == ENGLISH:
            return str(month.label)
        year, month_number = (int(part) for part in str(month.key).split("-")[:2])
        return format_date(date(year, month_number, 1), "LLLL y", locale=lang.babel).capitalize()

    def week_label(week: Any) -> str:
        lang = _current.get()
        if lang is None or lang.code == ENGLISH:
            return str(week.label)
        return str(_gettext("Week %(week)s, %(year)s", week=week.week, year=week.year))

    def week_span(week: Any) -> str:
        lang = _current.get()
        if lang is None or lang.code == ENGLISH:
            return str(week.span)
        return format_interval(week.monday, week.sunday, "yMMMMd", locale=lang.babel)

    def search_block() -> dict[str, Any]:
        lang = _current.get() or config.languages[0]
        labels = {name: ui(name.replace("_", " ").capitalize()) for name in config.taxonomies}
        return search_strings(_messages.get(), lang.babel, lang.code, labels)

    env.filters.update(date=localized_date, number=number)
    env.globals.update(
        config=view,
        url=view.url,
        absolute_url=view.absolute_url,
        term_url=lambda taxonomy, name: view.url(view.links.term_of(taxonomy, str(name))),
        year_url=lambda year: view.url(urls.year(year)),
        text_direction=direction,
        ui=ui,
        term_name=term_name,
        month_label=month_label,
        week_label=week_label,
        week_span=week_span,
        search_strings=search_block,  # search.html's data block for static/search.js
        language_name=lambda code: Locale.parse(code.replace("-", "_")).get_display_name(
            (_current.get() or config.languages[0]).babel
        ),
        **template_globals(view),
    )
