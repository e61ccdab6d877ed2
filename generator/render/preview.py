"""Social preview images: a 1200x630 PNG per briefing (headline, date, the site's name, its countries on a
map), a site card and a square logo, drawn at build time with Pillow.

Each image is an output page made by a function of its context (what it shows: headline, dateline,
countries, colours), so its key changes only when that does; the map data and the fonts are theme files
read through `theme_file`, so editing them renders the images again. Pillow draws the polygons and the
text itself: no system library (cairo, librsvg) and no browser is needed to rasterise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImagePath

from generator.core import urls
from generator.core.config import Config, looked_up
from generator.core.model import OutputPage, Shown, Site
from generator.read.countries import country_info
from generator.render import maps
from generator.render.raster import draw_text, mapped, palette_of, sheet, wrap
from generator.render.social import own_image
from generator.render.theme import WORLD_MAP, format_date, theme_file

WIDTH, HEIGHT = 1200, 630
LOGO_SIZE = 512
BOLD_FONT = "fonts/DejaVuSans-Bold.ttf"
ARABIC_BOLD_FONT = (
    "fonts/DejaVuSans-Bold-Arabic.ttf"  # for a title in Arabic script (shaped by raqm)
)
REGULAR_FONT = "fonts/DejaVuSans.ttf"
ARABIC_FONT = "fonts/DejaVuSans-Arabic.ttf"  # for a dateline or places in Arabic script
# The default theme's light colours (style.css); params.colors of site.yaml override them.
DEFAULT_PALETTE = {
    "ink": "#1a1a1a",
    "ink-soft": "#4d4a45",
    "paper": "#fdfcf9",
    "rule": "#d9d4c7",
    "accent": "#9b1c1c",
    "accent-ink": "#ffffff",
    "map-sea": "#eef1f3",
    "map-land": "#d9d5cb",
    "map-hl": "#9b1c1c",
}
MAP_BOX = (700, 70, 1160, 500)  # x0, y0, x1, y1 of the map panel on a briefing's image
SUPERSAMPLE = (
    2  # the map is drawn at twice the size and scaled down: Pillow's polygons have no anti-aliasing
)


def palette(config: Config) -> tuple[tuple[str, str], ...]:
    """The colours the images use: the default theme's, with `params.colors` of site.yaml applied."""
    colors = dict(DEFAULT_PALETTE)
    given = (config.params or {}).get("colors") or {}
    if isinstance(given, dict):
        colors.update(
            {k: str(v) for k, v in given.items() if k in colors and str(v).startswith("#")}
        )
    return tuple(sorted(colors.items()))


def preview_pages(site: Site) -> Iterable[OutputPage]:
    """A preview image per briefing without an image of its own, the site card and the logo."""
    config: Config = site.config
    if not config.preview_images:
        return
    colors = palette(config)
    lang = site.lang if site.lang is not None and site.lang.code.split("-")[0] != "en" else None
    in_language = _in_language(config, lang) if lang is not None else None
    # Grouped by their countries: render workers take runs of consecutive pages, so a set's map panel is
    # drawn by one worker, once, and found in its cache after (the benchmark's 2,000 briefings: 400 panels
    # drawn where briefing order drew 515, on two workers whose caches hold 256 each).
    for b in sorted(site.briefings, key=lambda b: sorted(b.countries)):
        if own_image(config, b):
            continue
        context = {
            "config": config,
            "title": Shown(b, ("title",)),
            "dateline": f"{format_date(b.date)} · {b.topics[0] if b.topics else 'Briefing'}",
            "site_title": config.title,
            "countries": b.countries,
            "colors": colors,
        }
        if (
            in_language is not None
        ):  # a language's briefing: its dateline and places as its pages show them
            context.update(in_language(b))
        yield OutputPage(
            path=urls.preview(b.slug),
            template="",
            make=draw_briefing,
            context=context,
        )
    covered = site.taxonomies.get("countries")
    yield OutputPage(
        path=urls.SITE_PREVIEW,
        template="",
        make=draw_site_card,
        context={
            "config": config,
            "title": config.title,
            "description": config.description,
            "countries": tuple(t.name for t in covered.terms) if covered else (),
            "colors": colors,
        },
    )
    yield OutputPage(
        path=urls.LOGO,
        template="",
        make=draw_logo,
        context={"config": config, "title": config.title, "colors": colors},
    )


def _in_language(config: Config, lang: Any) -> Callable[[Any], dict[str, Any]]:
    """For a briefing of a language other than English: the dateline (its date as the language writes it, and
    its first topic or 'Briefing' in the language) and its countries' names in the language."""
    from generator.core.themes import theme_dirs
    from generator.render.locale import language_date, language_messages, localized_term

    strings = language_messages(theme_dirs(config), lang).singular

    def context(b: Any) -> dict[str, Any]:
        kicker = (
            localized_term(config, "topics", b.topics[0], lang)
            if b.topics
            else strings.get("Briefing", "Briefing")
        )
        return {
            "dateline": f"{language_date(b.date, lang)} · {kicker}",
            "names": tuple(localized_term(config, "countries", c, lang) for c in b.countries),
        }

    return context


@dataclass(frozen=True)
class _Country:
    id: str
    name: str
    rings: tuple[ImagePath.Path, ...]  # each closed (its first point again at its end), map units
    boxes: tuple[
        tuple[float, float, float, float], ...
    ]  # bbox of each ring, to skip those out of view
    main: tuple[float, float, float, float]  # bbox of its larger polygons, in map units


@lru_cache(maxsize=2)
def _countries(path: str, stamp: tuple[int, int]) -> tuple[_Country, ...]:
    """Every country of the map data as rings to fill (map units) with their boxes, once per file version."""
    found = []
    for country in maps.countries_of(Path(path)):
        drawn = [(r, o) for r, o in zip(country.rings, country.outer, strict=True) if len(r) >= 3]
        outers = [r for r, outer in drawn if outer]
        if not outers:
            continue
        rings = tuple(r for r, _ in drawn)
        found.append(
            _Country(
                country.id,
                country.name,
                tuple(ImagePath.Path([*r, r[0]]) for r in rings),
                tuple(_bbox(r) for r in rings),
                maps.main_box(outers, [maps.ring_area(r) for r in outers]),
            )
        )
    return tuple(found)


def _bbox(ring: Sequence[maps.Point]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _world(version: tuple[str, tuple[int, int]]) -> tuple[_Country, ...]:
    """The countries of the map data at `version` (as `_world_version` gives it; none without map data)."""
    return _countries(*version) if version[0] else ()


def _world_version(config: Config) -> tuple[str, tuple[int, int]]:
    """(path, (mtime, size)) of the theme's map data, recorded as a read of the page: ('', (0, 0)) if none."""
    path = theme_file(config, WORLD_MAP)
    if path is None:
        return "", (0, 0)
    return _stamped(path)


def _stamped(path: Path) -> tuple[str, tuple[int, int]]:
    """A theme file's path and (mtime, size), once per build: a file replaced while `serve` runs is a new
    version (loaded again, not read through the old one's memory map) from the next build on."""

    def stamp() -> tuple[str, tuple[int, int]]:
        st = path.stat()
        return str(path), (st.st_mtime_ns, st.st_size)

    return looked_up(("stamp", path), stamp)


def _matches(version: tuple[str, tuple[int, int]], names: Sequence[str]) -> set[str]:
    """Ids (or names, for shapes without an id) of the countries named, as the map at `version` knows them."""
    by_id, by_name = _keys(version)
    found: set[str] = set()
    for name in names:
        if (info := country_info(name)) and info.numeric:
            found.update(by_id.get(info.numeric.zfill(3), ()))
        found.update(by_name.get(name.casefold(), ()))
    return found


@lru_cache(maxsize=2)
def _keys(
    version: tuple[str, tuple[int, int]],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The keys (`id or name`) of the map's countries by id and by case-folded name: looked up per
    preview, where a scan of every country was."""
    by_id: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for c in _world(version):
        by_id.setdefault(c.id, []).append(c.id or c.name)
        by_name.setdefault(c.name.casefold(), []).append(c.id or c.name)
    return by_id, by_name


def _font(config: Config, name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = theme_file(config, name)  # recorded as the page's input on every call
    if path is None:
        return ImageFont.load_default(size)
    return _load_font(*_stamped(path), size)


@lru_cache(maxsize=64)
def _load_font(path: str, _stamp: tuple[int, int], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _regular(text: str) -> str:
    """The regular font that has the glyphs of `text` (DejaVu Sans lacks Arabic; its subset has it)."""
    return ARABIC_FONT if _arabic(text) else REGULAR_FONT


def _fit(
    draw: ImageDraw.ImageDraw,
    config: Config,
    text: str,
    width: int,
    max_lines: int,
    sizes: Sequence[int],
) -> tuple[Any, list[str], int]:
    """The largest of `sizes` at which `text` fits in `max_lines` lines; else the smallest, cut with '…'."""
    bold = ARABIC_BOLD_FONT if _arabic(text) else BOLD_FONT
    for size in sizes:
        font = _font(config, bold, size)
        lines = wrap(draw, text, font, width)
        if len(lines) <= max_lines:
            return font, lines, size
    lines = lines[:max_lines]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines, size


# the steps from one corner of a 2x2 square to the next, from (0, 0) round to (0, 1)
_SQUARE = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0))


def _draw_map(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    world: tuple[str, tuple[int, int]],
    highlight: set[str],
    colors: tuple[tuple[str, str], ...],
    whole: bool,
) -> None:
    """The countries in `box`: around the highlighted ones (or the whole world), highlighted in the accent.
    `world` is the map data's (path, stamp), as `_world_version` gives it."""
    panel = _map_panel(box[2] - box[0], box[3] - box[1], world, frozenset(highlight), colors, whole)
    canvas.paste(panel, box[:2])


@lru_cache(maxsize=256)
def _map_panel(
    width: int,
    height: int,
    version: tuple[str, tuple[int, int]],
    highlight: frozenset[str],
    colors: tuple[tuple[str, str], ...],
    whole: bool,
) -> Image.Image:
    """The map panel of a set of countries as palette indices, drawn once per process for the same set,
    colours and map data: the polygons are most of an image's cost, and an archive names the same
    countries again and again.

    Pillow's polygons have no anti-aliasing, so the map is drawn at twice the size, each subpixel a class
    (sea 0, land 4, highlighted 20, border 100), and averaged 2x2: the mean n_land + 5 n_hl + 25 n_border
    names the exact blend, which the palette holds."""
    world = _world(version)
    w, h = width * SUPERSAMPLE, height * SUPERSAMPLE
    shown = [c for c in world if (c.id or c.name) in highlight]
    if shown and not whole:
        bx0 = min(c.main[0] for c in shown)
        by0 = min(c.main[1] for c in shown)
        bx1 = max(c.main[2] for c in shown)
        by1 = max(c.main[3] for c in shown)
        vw = max((bx1 - bx0) * 1.5, 90.0)
        vh = max((by1 - by0) * 1.5, vw * h / w)
        vw = max(vw, vh * w / h)
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        # keep the view on the world where it can (no empty band above the pole or below the crop line)
        bottom = maps.to_map(0, maps.SOUTH_LIMIT)[1]
        top = min(max(cy - vh / 2, 0.0), bottom - vh) if vh < bottom else (bottom - vh) / 2
        view = (cx - vw / 2, top, vw, vh)
    else:
        units = maps.to_map(0, maps.SOUTH_LIMIT)[1]
        scale = max(maps.WIDTH / w, units / h)
        view = (maps.WIDTH / 2 - w * scale / 2, units / 2 - h * scale / 2, w * scale, h * scale)
    vx, vy, vw, vh = view
    sx, sy = w / vw, h / vh
    classes = Image.new("L", (w, h), 0)
    # Pillow's drawing core, called as ImageDraw.polygon(fill=) and line(width=1) call it: their Python
    # wrappers (ink look-ups, options) were a tenth of a panel's time over ~700 calls a panel
    pen = ImageDraw.Draw(classes).draw
    land, lit, border = pen.draw_ink(4), pen.draw_ink(20), pen.draw_ink(100)
    to_panel = (sx, 0.0, -vx * sx, 0.0, sy, -vy * sy)  # map units -> supersampled pixels
    edges = []
    right, bottom = vx + vw, vy + vh
    for country in world:
        fill = lit if (country.id or country.name) in highlight else land
        for ring, (bx0, by0, bx1, by1) in zip(country.rings, country.boxes, strict=True):
            if bx1 < vx or bx0 > right or by1 < vy or by0 > bottom:
                continue
            # a copy transformed in C: a comprehension over the points was a sixth of a panel's time
            points = ImagePath.Path(ring)
            points.transform(to_panel)
            pen.draw_polygon(points, fill, 1)  # the closing point repeats the first: same fill
            edges.append(points)
    # Borders 2 subpixels wide, drawn as four 1-pixel lines over a 2x2 square: Pillow draws a wider line
    # as a polygon per segment, a third of a panel's time (a 1-pixel line is Bresenham's, in C; a polygon
    # outline wider than 1 px fills a whole-image mask per ring). The path is moved in place between them.
    for dx, dy in _SQUARE:
        step = (1.0, 0.0, dx, 0.0, 1.0, dy)
        for line in edges:
            line.transform(step)
            pen.draw_lines(line, border, 1)
    return mapped(classes.reduce(SUPERSAMPLE), palette_of(colors).map_lut)


def draw_briefing(
    config: Config,
    title: str,
    dateline: str,
    site_title: str,
    countries: Sequence[str],
    colors: Sequence[tuple[str, str]],
    names: Sequence[str] = (),
) -> bytes:
    """A briefing's 1200x630 preview: site name, headline, dateline, its countries on a map (PNG bytes);
    `names`: the countries as the briefing's language names them (default: as given)."""
    colors = tuple(colors)
    pal = palette_of(colors)
    canvas = sheet(WIDTH, HEIGHT, pal.named["paper"])
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 16, HEIGHT), fill=pal.named["accent"])
    version = _world_version(config)
    lit = _matches(version, countries)
    _draw_map(canvas, MAP_BOX, version, lit, colors, whole=not lit)
    draw.rectangle(MAP_BOX, outline=pal.named["rule"], width=2)
    text_left, text_width = 64, MAP_BOX[0] - 64 - 40
    site_name = ((text_left, 64), site_title.upper(), _font(config, BOLD_FONT, 26))
    draw_text(canvas, [site_name], pal.ramps[("accent", "paper")])
    font, lines, size = _fit(draw, config, title, text_width, 5, (60, 54, 48, 43, 38, 34))
    step = int(size * 1.22)
    headline = [((text_left, 130 + i * step), line, font) for i, line in enumerate(lines)]
    draw_text(canvas, headline, pal.ramps[("ink", "paper")])
    y = 130 + len(lines) * step
    soft = [((text_left, max(y + 24, 470)), dateline, _font(config, _regular(dateline), 26))]
    shown = list(names or countries)
    places = ", ".join(shown[:4]) + (f" +{len(shown) - 4}" if len(shown) > 4 else "")
    if places:
        small = _font(config, _regular(places), 24)
        label = wrap(draw, places, small, MAP_BOX[2] - MAP_BOX[0])[0]
        soft.append(((MAP_BOX[0], MAP_BOX[3] + 18), label, small))
    draw_text(canvas, soft, pal.ramps[("ink-soft", "paper")])
    draw.line((text_left, HEIGHT - 48, WIDTH - 40, HEIGHT - 48), fill=pal.named["rule"], width=2)
    return pal.png(canvas)


def draw_site_card(
    config: Config,
    title: str,
    description: str,
    countries: Sequence[str],
    colors: Sequence[tuple[str, str]],
) -> bytes:
    """The site's 1200x630 card for pages other than briefings: its name and description over its coverage."""
    colors = tuple(colors)
    pal = palette_of(colors)
    canvas = sheet(WIDTH, HEIGHT, pal.named["paper"])
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, WIDTH, 399), fill=pal.named["map-sea"])
    version = _world_version(config)
    lit = _matches(version, countries)
    _draw_map(canvas, (100, 10, 1100, 396), version, lit, colors, whole=True)
    draw.rectangle((0, 400, WIDTH, 410), fill=pal.named["accent"])
    font, lines, size = _fit(draw, config, title, WIDTH - 128, 1, (72, 60, 48, 40))
    draw_text(canvas, [((64, 440), lines[0], font)], pal.ramps[("ink", "paper")])
    small = _font(config, REGULAR_FONT, 30)
    wrapped = wrap(draw, description, small, WIDTH - 128)[:2]
    below = [((64, 440 + size + 24 + i * 40), line, small) for i, line in enumerate(wrapped)]
    if below:
        draw_text(canvas, below, pal.ramps[("ink-soft", "paper")])
    return pal.png(canvas)


def draw_logo(config: Config, title: str, colors: Sequence[tuple[str, str]]) -> bytes:
    """A square logo for structured data (search engines want a raster image): the site's initials."""
    colors = tuple(colors)
    pal = palette_of(colors)
    canvas = sheet(LOGO_SIZE, LOGO_SIZE, pal.named["accent"])
    initials = "".join(w[0] for w in title.split()[:2]).upper() or "B"
    font = _font(config, BOLD_FONT, 300 if len(initials) == 1 else 220)
    ramp = pal.ramps[("accent-ink", "accent")]
    draw_text(canvas, [((LOGO_SIZE / 2, LOGO_SIZE / 2), initials, font)], ramp, anchor="mm")
    return pal.png(canvas)
