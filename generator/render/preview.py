"""Social preview images: a 1200x630 PNG per briefing (headline, date, the site's name, its countries on a
map), a site card and a square logo, drawn at build time with Pillow.

Each image is an output page made by a function of its context (what it shows: headline, dateline,
countries, colours), so its key changes only when that does; the map data and the fonts are theme files
read through `theme_file`, so editing them renders the images again. Pillow draws the polygons and the
text itself: no system library (cairo, librsvg) and no browser is needed to rasterise.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from generator.core import urls
from generator.core.config import Config
from generator.core.model import OutputPage, Site
from generator.read.entities import country_info
from generator.render import maps
from generator.render.social import own_image
from generator.render.theme import WORLD_MAP, format_date, theme_file

WIDTH, HEIGHT = 1200, 630
LOGO_SIZE = 512
BOLD_FONT = "fonts/DejaVuSans-Bold.ttf"
ARABIC_BOLD_FONT = (
    "fonts/DejaVuSans-Bold-Arabic.ttf"  # for a title in Arabic script (shaped by raqm)
)
REGULAR_FONT = "fonts/DejaVuSans.ttf"
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
    for b in site.briefings:
        if own_image(config, b):
            continue
        kicker = b.topics[0] if b.topics else "Briefing"
        yield OutputPage(
            path=urls.preview(b.slug),
            template="",
            make=draw_briefing,
            context={
                "config": config,
                "title": b.title,
                "dateline": f"{format_date(b.date)} · {kicker}",
                "site_title": config.title,
                "countries": b.countries,
                "colors": colors,
            },
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


@dataclass(frozen=True)
class _Country:
    id: str
    name: str
    rings: tuple[tuple[maps.Point, ...], ...]
    boxes: tuple[
        tuple[float, float, float, float], ...
    ]  # bbox of each ring, to skip those out of view
    main: tuple[float, float, float, float]  # bbox of its larger polygons, in map units


@lru_cache(maxsize=2)
def _countries(path: str, stamp: tuple[int, int]) -> tuple[_Country, ...]:
    """Every country of the TopoJSON as projected rings (map units), decoded once per file version."""
    import json

    with open(path, encoding="utf-8") as handle:
        topology = json.load(handle)
    arcs = [maps.simplify(a, maps.SIMPLIFY_DEGREES) for a in maps.decode_arcs(topology)]
    found = []
    for feature in maps.decode_features(topology, "countries", arcs):
        if feature.id in maps.LEFT_OUT:
            continue
        rings: list[tuple[maps.Point, ...]] = []
        outers: list[tuple[maps.Point, ...]] = []
        for polygon in feature.polygons:
            for index, ring in enumerate(polygon):
                for piece in maps.cut_antimeridian(ring):
                    projected = tuple(
                        maps.to_map(lon, max(lat, maps.SOUTH_LIMIT)) for lon, lat in piece
                    )
                    if len(projected) >= 3:
                        rings.append(projected)
                        if index == 0:
                            outers.append(projected)
        if not outers:
            continue
        areas = [_area(r) for r in outers]
        main = [r for r, a in zip(outers, areas, strict=True) if a >= 0.25 * max(areas)]
        xs = [p[0] for r in main for p in r]
        ys = [p[1] for r in main for p in r]
        found.append(
            _Country(
                feature.id,
                feature.name,
                tuple(rings),
                tuple(_bbox(r) for r in rings),
                (min(xs), min(ys), max(xs), max(ys)),
            )
        )
    return tuple(found)


def _bbox(ring: Sequence[maps.Point]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _area(ring: Sequence[maps.Point]) -> float:
    return (
        abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)))
        / 2
    )


def _world(config: Config) -> tuple[_Country, ...]:
    path = theme_file(config, WORLD_MAP)
    if path is None:
        return ()
    st = path.stat()
    return _countries(str(path), (st.st_mtime_ns, st.st_size))


def _matches(world: tuple[_Country, ...], names: Sequence[str]) -> set[str]:
    """Ids (or names, for shapes without an id) of the countries named, as the map knows them."""
    wanted_ids = {
        info.numeric.zfill(3) for n in names if (info := country_info(n)) and info.numeric
    }
    wanted_names = {n.casefold() for n in names}
    return {
        c.id or c.name for c in world if c.id in wanted_ids or c.name.casefold() in wanted_names
    }


def _font(config: Config, name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = theme_file(config, name)
    return _load_font(str(path), size) if path else ImageFont.load_default(size)


@lru_cache(maxsize=64)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    """Words in lines no wider than `width` pixels (a single long word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fit(
    draw: ImageDraw.ImageDraw,
    config: Config,
    text: str,
    width: int,
    max_lines: int,
    sizes: Sequence[int],
) -> tuple[Any, list[str], int]:
    """The largest of `sizes` at which `text` fits in `max_lines` lines; else the smallest, cut with '…'."""
    bold = ARABIC_BOLD_FONT if any("\u0600" <= c <= "\u06ff" for c in text) else BOLD_FONT
    for size in sizes:
        font = _font(config, bold, size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines:
            return font, lines, size
    lines = lines[:max_lines]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines, size


def _draw_map(
    image: Image.Image,
    box: tuple[int, int, int, int],
    world: tuple[_Country, ...],
    highlight: set[str],
    colors: dict[str, str],
    whole: bool,
) -> None:
    """The countries in `box`: around the highlighted ones (or the whole world), highlighted in the accent."""
    x0, y0, x1, y1 = box
    w, h = (x1 - x0) * SUPERSAMPLE, (y1 - y0) * SUPERSAMPLE
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
        height = maps.to_map(0, maps.SOUTH_LIMIT)[1]
        scale = max(maps.WIDTH / w, height / h)
        view = (maps.WIDTH / 2 - w * scale / 2, height / 2 - h * scale / 2, w * scale, h * scale)
    vx, vy, vw, vh = view
    sx, sy = w / vw, h / vh
    panel = Image.new("RGB", (w, h), colors["map-sea"])
    pen = ImageDraw.Draw(panel)
    edges = []
    for country in world:
        lit = (country.id or country.name) in highlight
        fill = colors["map-hl"] if lit else colors["map-land"]
        for ring, (bx0, by0, bx1, by1) in zip(country.rings, country.boxes, strict=True):
            if bx1 < vx or bx0 > vx + vw or by1 < vy or by0 > vy + vh:
                continue
            points = [((x - vx) * sx, (y - vy) * sy) for x, y in ring]
            pen.polygon(points, fill=fill)
            edges.append([*points, points[0]])
    # borders as lines: a polygon outline wider than 1 px makes Pillow fill a whole-image mask per ring
    for line in edges:
        pen.line(line, fill=colors["paper"], width=SUPERSAMPLE)
    image.paste(panel.reduce(SUPERSAMPLE), (x0, y0))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # A palette image is a third of the size of an RGB one and as sharp for flat colours and text.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=False, compress_level=6
    )
    return out.getvalue()


def draw_briefing(
    config: Config,
    title: str,
    dateline: str,
    site_title: str,
    countries: Sequence[str],
    colors: Sequence[tuple[str, str]],
) -> bytes:
    """A briefing's 1200x630 preview: site name, headline, dateline, its countries on a map (PNG bytes)."""
    palette = dict(colors)
    image = Image.new("RGB", (WIDTH, HEIGHT), palette["paper"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=palette["accent"])
    world = _world(config)
    lit = _matches(world, countries)
    _draw_map(image, MAP_BOX, world, lit, palette, whole=not lit)
    draw.rectangle(MAP_BOX, outline=palette["rule"], width=2)
    text_left, text_width = 64, MAP_BOX[0] - 64 - 40
    draw.text(
        (text_left, 64),
        site_title.upper(),
        font=_font(config, BOLD_FONT, 26),
        fill=palette["accent"],
    )
    font, lines, size = _fit(draw, config, title, text_width, 5, (60, 54, 48, 43, 38, 34))
    y = 130
    for line in lines:
        draw.text((text_left, y), line, font=font, fill=palette["ink"])
        y += int(size * 1.22)
    draw.text(
        (text_left, max(y + 24, 470)),
        dateline,
        font=_font(config, REGULAR_FONT, 26),
        fill=palette["ink-soft"],
    )
    names = ", ".join(countries[:4]) + (f" +{len(countries) - 4}" if len(countries) > 4 else "")
    if names:
        small = _font(config, REGULAR_FONT, 24)
        label = _wrap(draw, names, small, MAP_BOX[2] - MAP_BOX[0])[0]
        draw.text((MAP_BOX[0], MAP_BOX[3] + 18), label, font=small, fill=palette["ink-soft"])
    draw.line((text_left, HEIGHT - 48, WIDTH - 40, HEIGHT - 48), fill=palette["rule"], width=2)
    return _png(image)


def draw_site_card(
    config: Config,
    title: str,
    description: str,
    countries: Sequence[str],
    colors: Sequence[tuple[str, str]],
) -> bytes:
    """The site's 1200x630 card for pages other than briefings: its name and description over its coverage."""
    palette = dict(colors)
    image = Image.new("RGB", (WIDTH, HEIGHT), palette["paper"])
    world = _world(config)
    image.paste(palette["map-sea"], (0, 0, WIDTH, 400))
    _draw_map(image, (100, 10, 1100, 396), world, _matches(world, countries), palette, whole=True)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 400, WIDTH, HEIGHT), fill=palette["paper"])
    draw.rectangle((0, 400, WIDTH, 410), fill=palette["accent"])
    font, lines, size = _fit(draw, config, title, WIDTH - 128, 1, (72, 60, 48, 40))
    draw.text((64, 440), lines[0], font=font, fill=palette["ink"])
    small = _font(config, REGULAR_FONT, 30)
    for index, line in enumerate(_wrap(draw, description, small, WIDTH - 128)[:2]):
        draw.text((64, 440 + size + 24 + index * 40), line, font=small, fill=palette["ink-soft"])
    return _png(image)


def draw_logo(config: Config, title: str, colors: Sequence[tuple[str, str]]) -> bytes:
    """A square logo for structured data (search engines want a raster image): the site's initials."""
    palette = dict(colors)
    image = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), palette["accent"])
    draw = ImageDraw.Draw(image)
    initials = "".join(w[0] for w in title.split()[:2]).upper() or "B"
    font = _font(config, BOLD_FONT, 300 if len(initials) == 1 else 220)
    draw.text(
        (LOGO_SIZE / 2, LOGO_SIZE / 2), initials, font=font, fill=palette["accent-ink"], anchor="mm"
    )
    return _png(image)
