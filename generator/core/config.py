"""Site configuration: `site.yaml` loaded once into a frozen, validated `Config`."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.core import urls
from generator.core.errors import Problem, SiteError
from generator.core.images import ImageSettings, image_settings
from generator.core.languages import Language, languages

CONFIG_FILE = "site.yaml"
_THEME_NAME = re.compile(r"(?!\.\.?$)[A-Za-z0-9_.][A-Za-z0-9_.-]*")

DEFAULT_MARKDOWN_EXTENSIONS = (
    "extra",  # tables, footnotes, attr_list, fenced code, abbreviations, definition lists
    "toc",
    "smarty",
    "admonition",  # callouts: !!! note "Title" (note, warning, assessment, key-judgement)
    "sane_lists",
)

DEFAULT_TAXONOMIES = ("countries", "people", "organisations", "topics")


ENTITY_TAXONOMIES = ("people", "organisations", "countries")


@dataclass(frozen=True)
class TermCorrections:
    """An editor's corrections to entity names (`content/_data/entities.yaml`, read by
    read/corrections.py), applied to the people, organisations and countries of every briefing."""

    names: tuple[
        tuple[str, str, str], ...
    ] = ()  # (name as written, its taxonomy, the name to show)
    ignore: tuple[str, ...] = ()  # names dropped

    def apply(self, terms: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Terms by taxonomy with the corrections made: renamed, merged, moved to the taxonomy of their
        kind (when the site has it), ignored names dropped; order kept, duplicates gone."""
        if not self.names and not self.ignore:
            return dict(terms)
        names = {written: (taxonomy, name) for written, taxonomy, name in self.names}
        out = {t: list(v) if t not in ENTITY_TAXONOMIES else [] for t, v in terms.items()}
        moved: list[tuple[str, str]] = []  # after the names the taxonomy had: (taxonomy, name)
        for taxonomy, values in terms.items():
            if taxonomy not in ENTITY_TAXONOMIES:
                continue
            for value in values:
                if value in self.ignore:
                    continue
                target, name = names.get(value, (taxonomy, value))
                target = target if target in out else taxonomy
                if target == taxonomy:
                    out[target].append(name)
                else:
                    moved.append((target, name))
        for target, name in moved:
            out[target].append(name)
        return {
            t: tuple(dict.fromkeys(v)) if t in ENTITY_TAXONOMIES else tuple(v)
            for t, v in out.items()
        }


@dataclass(frozen=True)
class Config:
    """Everything `site.yaml` can say, with defaults; read-only after load."""

    title: str = "Briefings"
    description: str = "Geopolitical briefings"
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    author: str = ""
    publisher: str = ""
    paginate: int = 10
    markdown_extensions: tuple[str, ...] = DEFAULT_MARKDOWN_EXTENSIONS
    markdown_extension_configs: dict[str, Any] = field(default_factory=dict)
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMIES
    feed_entries: int = 20
    feed_full_content: bool = True
    related_count: int = 4
    # `briefings check` reports every source without an archived copy (archive_url)
    require_archive: bool = False
    # Output path patterns: 'briefings' and taxonomy names -> pattern (urls.Permalinks)
    permalinks: dict[str, str] = field(default_factory=dict)
    # a generated social preview image (og:image) for every briefing without an `image:` of its own
    preview_images: bool = True
    # How images are published: widths, formats, quality, location metadata (core/images.py)
    images: ImageSettings = field(default_factory=ImageSettings)
    # Free-form values for templates (colours, logo, social links...); never read by the generator.
    params: dict[str, Any] = field(default_factory=dict)
    # The weekly digest e-mail (`briefings digest`): from, recipients, unsubscribe, smtp {host, port, user}.
    # Never shown on a page, so left out of `digest()`: changing it renders nothing again.
    email: dict[str, Any] = field(default_factory=dict)
    # `languages:` (core/languages.py): empty for a site in one language
    languages: tuple[Language, ...] = ()
    # Where site.yaml was found; everything else is relative to it.
    root: Path = Path(".")
    # Line of each key in site.yaml by dotted path ('params.colors.accent'), for errors; not a setting.
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    # Not from site.yaml: the editor's content/_data/entities.yaml, set by the builder
    # (read/corrections.py); in the digest, so an edit of it renders every page again.
    term_corrections: TermCorrections = TermCorrections()

    @property
    def tz(self) -> ZoneInfo:
        """The site's local timezone, for dates written without an offset."""
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or '/sub/path/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def site_origin(self) -> str:
        """scheme://host[:port] of base_url, without the path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str) -> str:
        """Site-internal link for an output path such as 'briefings/x/': '/sub/briefings/x/'."""
        return self.base_path + path.lstrip("/")

    def absolute_url(self, path: str) -> str:
        """Absolute URL (for feeds, sitemap, canonical links)."""
        return self.site_origin + self.url(path)

    @functools.cached_property  # asked for every briefing parsed and every term link rendered
    def links(self) -> urls.Permalinks:
        """Where briefings and term pages live, from `permalinks:`."""
        terms = {k: v for k, v in self.permalinks.items() if k != "briefings"}
        briefings = self.permalinks.get("briefings", urls.DEFAULT_BRIEFING_PERMALINK)
        return urls.Permalinks(briefings=briefings, terms=terms)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def themes_dir(self) -> Path:
        return self.root / "themes"

    def digest(self) -> str:
        """A hash of every setting that can change the output (a change of any renders every page again)."""
        values = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("root", "lines", "email")
        }
        return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:16]

    @functools.cached_property
    def fingerprint(self) -> str:
        """What a page context holding the config contributes to the page's key (see generator.fingerprint):
        computed once per Config (frozen), not once for each of the 40,000 pages holding it at 20,000
        briefings."""
        return self.digest()


T = TypeVar("T")

# Answers that hold for one build, looked up once in it: where the theme's files are, their versions, the
# fonts loaded from them. Forgotten whenever a Config is loaded, which every build does first, so a
# long-lived process (`serve`; a kept Jinja environment holding an earlier build's equal Config) finds
# files added or replaced since. Keys name what their answer depends on (the project, the theme).
_LOOKUPS: dict[Any, Any] = {}


def looked_up(key: tuple[Any, ...], find: Callable[[], T]) -> T:
    """`find()`, asked once per build for `key` (see _LOOKUPS)."""
    if key not in _LOOKUPS:
        _LOOKUPS[key] = find()
    found: T = _LOOKUPS[key]
    return found


# key -> (accepted python types, human description)
_SCHEMA: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "a string"),
    "description": ((str,), "a string"),
    "base_url": ((str,), "an absolute URL such as https://example.org/briefings/"),
    "language": ((str,), "a language tag such as en or fr-CA"),
    "timezone": ((str,), "an IANA timezone such as Europe/Berlin"),
    "theme": ((str,), "a folder name under themes/"),
    "author": ((str,), "a string"),
    "publisher": ((str,), "a string"),
    "paginate": ((int,), "a whole number of briefings per page (1 or more)"),
    "markdown": ((dict,), "a mapping with 'extensions' and/or 'extension_configs'"),
    "taxonomies": ((list,), "a list of front matter field names, such as [countries, topics]"),
    "feed_entries": ((int,), "a whole number of entries per feed (1 or more)"),
    "feed_full_content": ((bool,), "true or false"),
    "related_count": ((int,), "a whole number of related briefings (0 to 10)"),
    "require_archive": ((bool,), "true or false"),
    "permalinks": ((dict,), "a mapping such as {briefings: /:year/:month/:slug/}"),
    "preview_images": ((bool,), "true or false"),
    "params": ((dict,), "a mapping of values for templates"),
    "email": ((dict,), "a mapping with from, recipients, unsubscribe and smtp (host, port, user)"),
    "images": ((dict,), "a mapping such as {widths: [480, 960, 1600], keep_location: false}"),
    "languages": (
        (list,),
        "a list of languages such as [{code: en, name: English, default: true}]",
    ),
}


# site.yaml's text parsed: its mapping, the line of each key, its control characters as problems
Parsed = tuple[dict[str, Any], dict[str, int], list[Problem]]


def parse_site_yaml(path: Path, text: str) -> Parsed:
    """site.yaml's text parsed; SiteError if it is not YAML or not a mapping."""
    # imported here: PyYAML costs 12-16 ms to import, and a no-op build that finds site.yaml's text
    # unchanged takes its parse from the last build's (core/memo.py)
    from generator.core.yamltext import control_characters, key_lines, load_yaml

    loaded = load_yaml(path, text)
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise SiteError.at(path, 1, "site.yaml must be a mapping of `key: value` lines")
    lines = key_lines(text)
    return loaded, lines, control_characters(path, loaded, lines)


def load_config(
    root: Path,
    *,
    base_url: str | None = None,
    parse: Callable[[Path, str], Parsed] = parse_site_yaml,
) -> Config:
    """Read `root/site.yaml` (if any) into a Config; every problem is reported with file and line.
    `parse`: parse_site_yaml or one that remembers its results."""
    _LOOKUPS.clear()  # a new build begins
    root = root.resolve()
    path = root / CONFIG_FILE
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    control: list[Problem] = []
    if path.exists():
        if not path.is_file():  # a FIFO would block the read
            raise SiteError.at(path, None, "not a regular file; site.yaml must be a text file")
        raw, lines, control = parse(path, path.read_text(encoding="utf-8-sig"))
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = lines.get(str(key))
        if key not in _SCHEMA:
            known = ", ".join(sorted(_SCHEMA))
            problems.append(Problem(path, line, f"unknown key '{key}'; known keys are: {known}"))
            continue
        types, wanted = _SCHEMA[key]
        if value is None:
            continue
        # bool is an int in Python; 'paginate: true' is still wrong.
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            problems.append(
                Problem(
                    path, line, f"'{key}' must be {wanted}, not {type(value).__name__} {value!r}"
                )
            )
            continue
        values[key] = value
    problems += control
    problems += _check_values(path, lines, values)
    if problems:
        raise SiteError(problems)
    markdown = values.pop("markdown", {})
    if "extensions" in markdown:
        values["markdown_extensions"] = tuple(str(e) for e in markdown["extensions"])
    if "extension_configs" in markdown:
        values["markdown_extension_configs"] = dict(markdown["extension_configs"])
    if "taxonomies" in values:
        values["taxonomies"] = tuple(values["taxonomies"])
    if "images" in values:
        values["images"] = image_settings(
            values["images"], lambda key, msg: problems.append(Problem(path, lines.get(key), msg))
        )
        if problems:
            raise SiteError(problems)
    if "languages" in values:
        taxonomies = values.get("taxonomies", DEFAULT_TAXONOMIES)
        values["languages"] = languages(path, lines, values["languages"], taxonomies)
        values["language"] = next(lang.code for lang in values["languages"] if lang.default)
    if base_url is not None:
        values["base_url"] = base_url
    if "base_url" in values and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    config = Config(root=root, lines=lines, **values)
    if base_url is not None:
        _check_base_url(Path("--base-url"), None, base_url)
    return config


def _check_base_url(path: Path, line: int | None, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteError.at(
            path,
            line,
            f"base_url must be an absolute http(s) URL such as https://example.org/briefings/, not {value!r}",
        )


def _check_values(path: Path, lines: dict[str, int], values: dict[str, Any]) -> list[Problem]:
    """Checks beyond the type: ranges, URL shape, timezone names, markdown sub-keys."""
    problems = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(path, lines.get(key), message))

    if "base_url" in values:
        try:
            _check_base_url(path, lines.get("base_url"), values["base_url"])
        except SiteError as exc:
            problems += exc.problems
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            bad(
                "timezone",
                f"unknown timezone {values['timezone']!r}; use an IANA name such as UTC or Europe/Paris",
            )
    for key, low, high in (
        ("paginate", 1, 10_000),
        ("feed_entries", 1, 10_000),
        ("related_count", 0, 10),
    ):
        if key in values and not low <= values[key] <= high:
            bad(key, f"'{key}' must be between {low} and {high}, not {values[key]}")
    if "markdown" in values:
        for sub in values["markdown"]:
            if sub not in ("extensions", "extension_configs"):
                bad(
                    f"markdown.{sub}",
                    f"unknown key 'markdown.{sub}'; use 'extensions' or 'extension_configs'",
                )
        exts = values["markdown"].get("extensions", [])
        if not isinstance(exts, list) or not all(isinstance(e, str) for e in exts):
            bad("markdown.extensions", "'markdown.extensions' must be a list of extension names")
        cfgs = values["markdown"].get("extension_configs", {})
        if not isinstance(cfgs, dict):
            bad("markdown.extension_configs", "'markdown.extension_configs' must be a mapping")
    if "theme" in values and not _THEME_NAME.fullmatch(values["theme"]):
        # a path ('/abs', '../x') would read templates and publish static files from outside the project
        bad(
            "theme",
            f"theme {values['theme']!r} must name a folder in themes/ "
            "(letters, digits, '-', '_' and '.', not a path)",
        )
    if "taxonomies" in values:
        for name in values["taxonomies"]:
            if not isinstance(name, str) or not name.isidentifier():
                bad("taxonomies", f"taxonomy names must be simple lowercase words, not {name!r}")
    if "permalinks" in values:
        problems += _check_permalinks(path, lines, values["permalinks"], values.get("taxonomies"))
    if "language" in values and not values["language"].replace("-", "").isalnum():
        bad("language", f"'language' must be a tag such as en or pt-BR, not {values['language']!r}")
    return problems


def _check_permalinks(
    path: Path, lines: dict[str, int], patterns: dict[Any, Any], taxonomies: list[Any] | None
) -> list[Problem]:
    """`permalinks:` maps 'briefings' and taxonomy names to valid patterns; two taxonomies never share one."""
    problems = []
    known = ("briefings", *(taxonomies or DEFAULT_TAXONOMIES))
    seen: dict[str, str] = {}
    for key, pattern in patterns.items():
        line = lines.get(f"permalinks.{key}", lines.get("permalinks"))
        if key not in known:
            message = f"unknown key 'permalinks.{key}'; use {', '.join(map(str, known))}"
            problems.append(Problem(path, line, message))
            continue
        if not isinstance(pattern, str):
            message = f"'permalinks.{key}' must be a pattern such as /:year/:slug/, not {pattern!r}"
            problems.append(Problem(path, line, message))
            continue
        places = urls.BRIEFING_PLACEHOLDERS if key == "briefings" else urls.TERM_PLACEHOLDERS
        first = pattern.strip("/").split("/")[0]
        if first in known and first not in (key, "briefings"):
            why: str | None = f"starts in the folder of the {first} taxonomy"
        else:
            why = urls.check_permalink(pattern, places)
        if why:
            problems.append(Problem(path, line, f"'permalinks.{key}' {pattern!r} {why}"))
            continue
        if key != "briefings":
            shared = pattern if ":taxonomy" not in pattern else None
            if shared and shared in seen:
                message = f"'permalinks.{key}' {pattern!r} is also {seen[shared]}'s; add :taxonomy"
                problems.append(Problem(path, line, message))
            elif shared:
                seen[shared] = str(key)
    return problems
