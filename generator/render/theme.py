"""The theme: one Jinja environment over site theme -> default theme, plus fingerprinted static files."""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from generator.core import urls
from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.images import MIME, srcset
from generator.core.themes import DEFAULT_THEME_DIR, find_theme_file, theme_dirs
from generator.core.trace import record
from generator.core.urls import is_utf8_name, slug_from
from generator.read.countries import country_info
from generator.read.facts import KINDS as ENTITY_KINDS
from generator.read.facts import entity_facts
from generator.render import locale, maps, social
from generator.render.components import expand_body
from generator.render.data import DataProblem, data_digest, load_data
from generator.site.dossier import chronology

# The pages' Content-Security-Policy, in base.html's <meta http-equiv>; render/hosting.py sends the same
# policy as a header (plus frame-ancestors, which only a header can carry). https: images: remote lead images.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)

FINGERPRINTED = (".css", ".js")


@dataclass(frozen=True)
class StaticFile:
    """A theme file copied to the output; css/js get a content hash in their name so hosts can cache forever."""

    source: Path
    name: str  # path under static/, e.g. 'style.css'
    output: str  # output path, e.g. 'static/style.3f2a9c1d.css'
    data: bytes


def static_files(config: Config) -> dict[str, StaticFile]:
    """Every static file of the theme chain, the site's own winning over the default's."""
    files: dict[str, StaticFile] = {}
    check_theme_files(config)
    for theme in reversed(theme_dirs(config)):
        base = theme / "static"
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.name.endswith("~"):
                continue
            name = path.relative_to(base).as_posix()
            if name in locale.LANGUAGE_ASSETS and not config.languages:
                continue  # a site in one language publishes what it did before languages existed
            data = path.read_bytes()
            output = "static/" + name
            if path.suffix in FINGERPRINTED:
                digest = hashlib.sha256(data).hexdigest()[:10]
                output = f"static/{name[: -len(path.suffix)]}.{digest}{path.suffix}"
            files[name] = StaticFile(source=path, name=name, output=output, data=data)
    css = params_css(config)
    if css:
        data = css.encode()
        digest = hashlib.sha256(data).hexdigest()[:10]
        files[PARAMS_CSS] = StaticFile(
            source=config.root / "site.yaml",
            name=PARAMS_CSS,
            output=f"static/site-params.{digest}.css",
            data=data,
        )
    return files


def check_theme_files(config: Config) -> None:
    """Refuse what the site's theme could publish or include from outside the project: a symlink whose target
    is outside it (templates, static and data files are read through symlinks); and file names that are
    not UTF-8, FIFOs, devices and sockets. The built-in default theme is the generator's own."""
    site_theme = theme_dirs(config)[0]
    if site_theme == DEFAULT_THEME_DIR:
        return
    root = config.root.resolve()
    problems = []
    for folder, dirs, names in os.walk(site_theme):  # does not descend into symlinked folders
        for name in dirs + names:
            path = os.path.join(folder, name)
            if not is_utf8_name(path):
                problems.append(
                    Problem(path, None, "file name is not valid UTF-8; rename the file")
                )
            elif os.path.islink(path) and not Path(path).resolve().is_relative_to(root):
                problems.append(
                    Problem(
                        path, None, "symlink points outside the project; copy the file in instead"
                    )
                )
            elif not (os.path.isdir(path) or os.path.isfile(path)):
                # a FIFO, device or socket: reading it as a template would block
                problems.append(Problem(path, None, "not a regular file; remove it"))
    if problems:
        raise SiteError(problems)


# generated from site.yaml `params` (colours, fonts); loaded after style.css
PARAMS_CSS = "site-params.css"
# params.colors / params.dark_colors keys -> the CSS custom properties of style.css they set.
THEME_COLORS = (
    "ink",
    "ink-soft",
    "paper",
    "rule",
    "accent",
    "accent-ink",
    "box",
    "link",
    "map-land",
    "map-hl",
)
THEME_FONTS = {"body": "--serif", "ui": "--sans"}
_SAFE_CSS = re.compile(r"^[#\w\s\-(),.%\"'/]+$")


def params_css(config: Config) -> str:
    """CSS custom properties from `params.colors`, `params.dark_colors` and `params.fonts` of site.yaml ('' if none)."""
    params = config.params or {}

    def declarations(group: str, allowed: dict[str, str]) -> str:
        values = params.get(group) or {}
        site_yaml = config.root / "site.yaml"
        if not isinstance(values, dict):
            raise SiteError.at(
                site_yaml,
                config.lines.get(f"params.{group}"),
                f"params.{group} must be a mapping such as {{accent: '#9b1c1c'}}",
            )
        out = []
        for key, value in values.items():
            if key not in allowed:
                raise SiteError.at(
                    site_yaml,
                    config.lines.get(f"params.{group}.{key}"),
                    f"unknown params.{group} key '{key}'; use one of: {', '.join(allowed)}",
                )
            if not isinstance(value, str) or not _SAFE_CSS.match(value):
                raise SiteError.at(
                    site_yaml,
                    config.lines.get(f"params.{group}.{key}"),
                    f"params.{group}.{key} must be a CSS value such as '#0b4a8b' or 'Georgia, serif', not {value!r}",
                )
            out.append(f"{allowed[key]}:{value.strip()}")
        return ";".join(out)

    colors = {c: f"--{c}" for c in THEME_COLORS}
    light = ";".join(
        d for d in (declarations("colors", colors), declarations("fonts", THEME_FONTS)) if d
    )
    dark = declarations("dark_colors", colors)
    css = ""
    if light:
        css += f":root{{{light}}}\n"
    if dark:
        css += (
            f":root[data-theme=dark]{{{dark}}}\n"
            f"@media (prefers-color-scheme:dark){{:root:not([data-theme=light]){{{dark}}}}}\n"
        )
    return css


WORLD_MAP = "data/countries-110m.json"


def theme_file(config: Config, name: str) -> Path | None:
    """A file of the theme chain by its path inside a theme ('data/x.json'), the site's theme first; recorded
    as an input of the page being rendered."""
    record("theme", name)
    return find_theme_file(config, name)


def world_map(config: Config) -> maps.WorldMap | None:
    """The theme chain's world map (data/countries-110m.json), or None if no theme ships one."""
    path = theme_file(config, WORLD_MAP)
    return maps.load_world(path) if path else None


class TracingEnvironment(jinja2.Environment):
    """A Jinja environment that records every template a rendering loads (extends, include, import, macros),
    dynamic names included, so a page is rendered again when any of them changes."""

    def _load_template(
        self, name: str, globals: MutableMapping[str, Any] | None
    ) -> jinja2.Template:
        # Every get_template/select_template goes through here (Jinja 3.x), on a cache hit too.
        record("template", name if isinstance(name, str) else name.name or "")
        return super()._load_template(name, globals)


def input_digests(
    env: jinja2.Environment, config: Config, statics: dict[str, StaticFile]
) -> dict[str, Any]:
    """How to find the current digest of each kind of input a rendering can record (see trace.Digests)."""

    def template(name: str) -> str:
        try:
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return "missing"
        return hashlib.sha256(f"{filename}\0{source}".encode()).hexdigest()

    def theme(name: str) -> str:
        path = find_theme_file(config, name)
        if path is None:
            return "missing"
        try:
            return f"{path}:{_file_digest(path)}"
        except OSError:
            return "missing"

    def asset(name: str) -> str:
        static = statics.get(name)
        return f"{static.output}:{bool(static.data.strip())}" if static else "missing"

    return {
        "template": template,
        "theme": theme,
        "asset": asset,
        "data": lambda name: data_digest(config, name),
        "catalog": lambda code: locale.catalog_digest(theme_dirs(config), code),
    }


ENTITIES_FILE = (
    "entities.yaml"  # content/_data/entities.yaml: the editor's part of the entity registry
)


_file_digests: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    """SHA-256 of a file, remembered while its size and mtime stay the same (a 700 KB map is hashed once)."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _file_digests:
        _file_digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _file_digests[key]


def make_environment(
    config: Config, statics: dict[str, StaticFile], bytecode: Path | None = None
) -> jinja2.Environment:
    """The one Jinja environment of a build: autoescaping on, undefined names are errors. `bytecode`: a
    folder for compiled templates (Jinja's bytecode cache, keyed by each template's source), so a new
    process does not compile them again (~50 ms a page template); it must be this environment's alone,
    as compiled code also depends on the environment's settings."""
    loader = jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs(config)])
    env = TracingEnvironment(
        loader=loader,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode)) if bytecode else None,
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def asset(name: str) -> str:
        record("asset", name)
        if name not in statics:
            raise jinja2.TemplateRuntimeError(
                f"asset '{name}' is not in any theme's static/ folder"
            )
        return config.url(statics[name].output)

    def has_asset(name: str) -> bool:
        record("asset", name)
        return name in statics and bool(statics[name].data.strip())

    def locator(name: str) -> maps.Locator | None:
        world = world_map(config)
        info = country_info(name)
        shape = world.find(info.numeric if info else None, name) if world else None
        return world.locator(shape) if world and shape else None

    def coverage(terms: Any) -> Any:
        world = world_map(config)
        return maps.coverage(world, terms) if world else None

    def data(name: str) -> Any:
        try:
            return load_data(config, name)
        except DataProblem as exc:
            raise jinja2.TemplateRuntimeError(str(exc)) from None

    def trend_map(rows: Any) -> Any:
        world = world_map(config)
        return maps.trend_map(world, rows) if world else None

    def entity(taxonomy: str, name: str) -> Any:
        if taxonomy not in ENTITY_KINDS:
            return None
        record("data", ENTITIES_FILE)
        return entity_facts(config.content_dir / "_data" / ENTITIES_FILE, taxonomy, str(name))

    env.globals.update(
        content_security_policy=PAGE_CSP,
        data=data,  # data('refugees') -> content/_data/refugees.yaml|json|csv, parsed
        # the body's HTML with its shortcodes drawn: {{ render_body(body, briefing) }}
        render_body=lambda body, briefing: expand_body(
            env, config, body, briefing.path, lambda: world_map(config)
        ),
        srcset=lambda pic, fmt: srcset(pic, fmt, config.base_path),  # '<url> 480w, ...'
        image_mime=MIME,
        config=config,
        url=config.url,
        term_url=lambda taxonomy, name: config.url(
            config.links.term_of(taxonomy, str(name))
        ),  # term_url('people', 'Vladimir Putin')
        year_url=lambda year: config.url(urls.year(year)),
        absolute_url=config.absolute_url,
        asset=asset,
        has_asset=has_asset,
        country=country_info,  # country('Russia') -> .name, .alpha2 'RU', .numeric '643', .region, .flag, or None
        world_map=lambda: world_map(config),  # .view_box, .shapes (each .id, .name, .path)
        locator=locator,  # locator('Russia') -> .view_box, .target, .neighbours, .marker, or None
        coverage=coverage,  # coverage(taxonomy.terms) -> (covered, other shapes, names not on the map)
        coverage_bins=maps.COVERAGE_BINS,
        trend_map=trend_map,  # trend_map(rows) -> (assessed shapes with .direction, other shapes, names not on it)
        entity=entity,
        # chronology(briefings, 'countries', 'Mali') -> months (.key, .label, .year) of .entries (.briefing,
        # .trend, .mention): a pure function of what it is given, so page keys still cover what it shows
        chronology=lambda briefings, taxonomy, name: chronology(
            config.tz, taxonomy, name, briefings
        ),  # entity('people', 'Kaja Kallas') -> .role, .country, .wikidata, .wikidata_url, or None
        months=maps.months,  # months(dates) -> rows with .key '2026-11', .label 'Nov 2026', .count
        **social.template_globals(
            config
        ),  # social() -> Open Graph, Twitter and JSON-LD of the page
    )
    env.filters.update(
        date=format_date,
        isodate=lambda d: d.isoformat() if d else "",
        unescape=html.unescape,
        termslug=slug_from,
        plural=lambda n, one, many=None: one if n == 1 else (many or one + "s"),
        flag=lambda name: c.flag if (c := country_info(str(name))) else "",
        iso2=lambda name: c.alpha2 if (c := country_info(str(name))) else "",
    )
    # UI strings, and for a multilingual site the language of the page being rendered (render/locale.py)
    locale.install(env, config, theme_dirs(config), format_date, social.template_globals)
    return env


def format_date(value: datetime | None, style: str = "long") -> str:
    """'22 November 2026' (long), '22 Nov 2026' (short), 'November 2026' (month)."""
    if value is None:
        return ""
    if style == "short":
        return f"{value.day} {value:%b %Y}"
    if style == "month":
        return f"{value:%B %Y}"
    if style == "time":
        return f"{value.day} {value:%B %Y, %H:%M %Z}".strip()
    return f"{value.day} {value:%B %Y}"
