"""The theme: one Jinja environment over site theme -> default theme, plus fingerprinted static files."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from . import maps
from .config import Config
from .content import slug_from
from .errors import SiteError

DEFAULT_THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "default"
FINGERPRINTED = (".css", ".js")


@dataclass(frozen=True)
class StaticFile:
    """A theme file copied to the output; css/js get a content hash in their name so hosts can cache forever."""

    source: Path
    name: str  # path under static/, e.g. 'style.css'
    output: str  # output path, e.g. 'static/style.3f2a9c1d.css'
    data: bytes


def theme_dirs(config: Config) -> list[Path]:
    """Theme folders in lookup order: the site's theme first, then the built-in default."""
    dirs = []
    site_theme = config.themes_dir / config.theme
    if site_theme.is_dir():
        dirs.append(site_theme)
    elif config.theme != "default":
        raise SiteError.at(config.root / "site.yaml", None, f"theme '{config.theme}' not found: create themes/{config.theme}/ or set `theme: default`")
    if DEFAULT_THEME_DIR.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(DEFAULT_THEME_DIR)
    return dirs


def static_files(config: Config) -> dict[str, StaticFile]:
    """Every static file of the theme chain, the site's own winning over the default's."""
    files: dict[str, StaticFile] = {}
    for theme in reversed(theme_dirs(config)):
        base = theme / "static"
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.name.endswith("~"):
                continue
            name = path.relative_to(base).as_posix()
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
        files[PARAMS_CSS] = StaticFile(source=config.root / "site.yaml", name=PARAMS_CSS, output=f"static/site-params.{digest}.css", data=data)
    return files


PARAMS_CSS = "site-params.css"  # generated from site.yaml `params` (colours, fonts); loaded after style.css
# params.colors / params.dark_colors keys -> the CSS custom properties of style.css they set.
THEME_COLORS = ("ink", "ink-soft", "paper", "rule", "accent", "accent-ink", "box", "link", "map-land", "map-hl")
THEME_FONTS = {"body": "--serif", "ui": "--sans"}
_SAFE_CSS = re.compile(r"^[#\w\s\-(),.%\"'/]+$")


def params_css(config: Config) -> str:
    """CSS custom properties from `params.colors`, `params.dark_colors` and `params.fonts` of site.yaml ('' if none)."""
    params = config.params or {}

    def declarations(group: str, allowed: dict[str, str]) -> str:
        values = params.get(group) or {}
        site_yaml = config.root / "site.yaml"
        if not isinstance(values, dict):
            raise SiteError.at(site_yaml, _line_of(site_yaml, group), f"params.{group} must be a mapping such as {{accent: '#9b1c1c'}}")
        out = []
        for key, value in values.items():
            if key not in allowed:
                raise SiteError.at(site_yaml, _line_of(site_yaml, str(key)), f"unknown params.{group} key '{key}'; use one of: {', '.join(allowed)}")
            if not isinstance(value, str) or not _SAFE_CSS.match(value):
                raise SiteError.at(site_yaml, _line_of(site_yaml, str(key)), f"params.{group}.{key} must be a CSS value such as '#0b4a8b' or 'Georgia, serif', not {value!r}")
            out.append(f"{allowed[key]}:{value.strip()}")
        return ";".join(out)

    colors = {c: f"--{c}" for c in THEME_COLORS}
    light = ";".join(d for d in (declarations("colors", colors), declarations("fonts", THEME_FONTS)) if d)
    dark = declarations("dark_colors", colors)
    css = ""
    if light:
        css += f":root{{{light}}}\n"
    if dark:
        css += f":root[data-theme=dark]{{{dark}}}\n@media (prefers-color-scheme:dark){{:root:not([data-theme=light]){{{dark}}}}}\n"
    return css


def _line_of(path: Path, key: str) -> int | None:
    """Line of the first `key:` in a YAML file (for nested keys the config loader does not track)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if line.strip().startswith(f"{key}:"):
                return number
    except OSError:
        pass
    return None


def world_map(config: Config) -> maps.WorldMap | None:
    """The theme chain's world map (data/countries-110m.json), or None if no theme ships one."""
    for theme in theme_dirs(config):
        path = theme / "data" / "countries-110m.json"
        if path.is_file():
            return maps.load_world(path)
    return None


def make_environment(config: Config, statics: dict[str, StaticFile]) -> jinja2.Environment:
    """The one Jinja environment of a build: autoescaping on, undefined names are errors."""
    loader = jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs(config)])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def asset(name: str) -> str:
        if name not in statics:
            raise jinja2.TemplateRuntimeError(f"asset '{name}' is not in any theme's static/ folder")
        return config.url(statics[name].output)

    def locator(name: str) -> maps.Locator | None:
        world = world_map(config)
        info = maps.country(name)
        shape = world.find(info.numeric if info else None, name) if world else None
        return world.locator(shape) if world and shape else None

    def coverage(terms: Any) -> Any:
        world = world_map(config)
        return maps.coverage(world, terms) if world else None

    env.globals.update(
        config=config,
        url=config.url,
        absolute_url=config.absolute_url,
        asset=asset,
        has_asset=lambda name: name in statics and bool(statics[name].data.strip()),
        country=maps.country,  # country('Russia') -> .alpha2 'RU', .numeric '643', .flag, or None
        world_map=lambda: world_map(config),  # .view_box, .shapes (each .id, .name, .path)
        locator=locator,  # locator('Russia') -> .view_box, .target, .neighbours, .marker, or None
        coverage=coverage,  # coverage(taxonomy.terms) -> (covered, other shapes, names not on the map)
        coverage_bins=maps.COVERAGE_BINS,
        months=maps.months,  # months(dates) -> rows with .key '2026-11', .label 'Nov 2026', .count
    )
    env.filters.update(
        date=format_date,
        isodate=lambda d: d.isoformat() if d else "",
        unescape=html.unescape,
        termslug=slug_from,
        plural=lambda n, one, many=None: one if n == 1 else (many or one + "s"),
        flag=lambda name: (c.flag if (c := maps.country(str(name))) else ""),
        iso2=lambda name: (c.alpha2 if (c := maps.country(str(name))) else ""),
    )
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


class TemplateDigests:
    """Digest of each template together with everything it extends, includes or imports.

    A page's cache key uses the digest of its own template's closure, so editing `term.html`
    re-renders term pages only, while editing `base.html` re-renders everything.
    """

    def __init__(self, env: jinja2.Environment):
        self._env = env
        self._own: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._closure: dict[str, str] = {}

    def _read(self, name: str) -> tuple[str, tuple[str, ...]]:
        if name not in self._own:
            try:
                source, filename, _ = self._env.loader.get_source(self._env, name)  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                self._own[name] = ("missing", ())
                return self._own[name]
            try:
                refs = tuple(sorted(r for r in meta.find_referenced_templates(self._env.parse(source)) if r))
            except jinja2.TemplateSyntaxError:
                refs = ()
            digest = hashlib.sha256(f"{filename}\0{source}".encode()).hexdigest()
            self._own[name] = (digest, refs)
        return self._own[name]

    def __call__(self, name: str) -> str:
        """Digest of `name` and every template it pulls in."""
        if name not in self._closure:
            seen: set[str] = set()
            todo = [name]
            h = hashlib.sha256()
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                digest, refs = self._read(current)
                h.update(f"{current}:{digest};".encode())
                todo.extend(refs)
            self._closure[name] = h.hexdigest()[:16]
        return self._closure[name]


def statics_digest(statics: dict[str, StaticFile]) -> str:
    """A hash of the static files' output names (which carry their content hashes for css/js)."""
    return hashlib.sha256(repr(sorted((f.name, f.output) for f in statics.values())).encode()).hexdigest()[:16]
