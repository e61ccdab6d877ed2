"""Social preview images: a 1200x630 PNG per briefing (headline, date, the site's name, its countries on a
map), a site card and a square logo, drawn at build time with Pillow.

Each image is an output page made by a function of its context (what it shows: headline, dateline,
countries, colours), so its key changes only when that does; the map data and the fonts are theme files
read through `theme_file`, so editing them renders the images again. Pillow draws the polygons and the
text itself: no system library (cairo, librsvg) and no browser is needed to rasterise.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageColor, ImageDraw, ImageFont, ImagePath

try:  # ISA-L's deflate: about 8x zlib's speed at level 1, with smaller output on these images
    from isal import isal_zlib as deflate
except ImportError:  # a platform without its wheel: the same stream format, slower
    import zlib as deflate  # type: ignore[no-redef]

from generator.core import urls
from generator.core.config import Config
from generator.core.model import OutputPage, Shown, Site
from generator.read.countries import country_info
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
    st = path.stat()
    return str(path), (st.st_mtime_ns, st.st_size)


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
    if path is None:
        return ImageFont.load_default(size)
    st = path.stat()  # a font file replaced (serve's process lives on): loaded again
    return _load_font(str(path), (st.st_mtime_ns, st.st_size), size)


@lru_cache(maxsize=64)
def _load_font(path: str, _stamp: tuple[int, int], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    """Words in lines no wider than `width` pixels (a single long word gets a line of its own); measured
    as `_text` sets them: word by word where it can."""
    lines: list[str] = []
    if not _by_words(text):
        for word in text.split():
            if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        return lines
    space = _advance(font, "")
    used = 0.0  # the last line's advance, with a space after it
    for word in text.split():
        advance = _advance(font, word)
        if lines and used + advance - space <= width:
            lines[-1] += f" {word}"
            used += advance
        else:
            lines.append(word)
            used = advance
    return lines


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
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines:
            return font, lines, size
    lines = lines[:max_lines]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines, size


class _Palette:
    """The exact colours an image may use, as palette indices: the theme's colours, the 35 blends of a
    map pixel (2x2 subpixels of sea, land, highlighted land and border) and 16-step anti-aliasing ramps of
    text over its background. Images are drawn straight into indices (an "L" image of index values), so
    no image is analysed or approximated (quantizing an RGB image cost ~7 ms and shifted colours)."""

    TEXT_STEPS = 16
    # text colour over its background, the pairs the images draw
    TEXT_PAIRS = (
        ("ink", "paper"),
        ("ink-soft", "paper"),
        ("accent", "paper"),
        ("accent-ink", "accent"),
    )

    def __init__(self, colors: tuple[tuple[str, str], ...]):
        rgb = {k: ImageColor.getrgb(v)[:3] for k, v in colors}
        self.entries: list[tuple[int, int, int]] = []
        self._index: dict[tuple[int, int, int], int] = {}
        self.named = {name: self._add(value) for name, value in sorted(rgb.items())}
        # map pixels: the value of a reduced subpixel-class image (n_land + 5 n_hl + 25 n_border) -> index
        self.map_lut = [self.named["map-sea"]] * 256
        layers = (rgb["map-sea"], rgb["map-land"], rgb["map-hl"], rgb["paper"])
        for land in range(5):
            for hl in range(5 - land):
                for border in range(5 - land - hl):
                    counts = (4 - land - hl - border, land, hl, border)
                    mixed = tuple(
                        round(sum(n * c[i] for n, c in zip(counts, layers, strict=True)) / 4)
                        for i in range(3)
                    )
                    self.map_lut[land + 5 * hl + 25 * border] = self._add(mixed)  # type: ignore[arg-type]
        self.ramps: dict[tuple[str, str], list[int]] = {}
        steps = self.TEXT_STEPS - 1
        for fg, bg in self.TEXT_PAIRS:
            levels = [
                self._add(
                    tuple(
                        round(rgb[bg][i] + (rgb[fg][i] - rgb[bg][i]) * k / steps) for i in range(3)
                    )  # type: ignore[arg-type]
                )
                for k in range(self.TEXT_STEPS)
            ]
            self.ramps[(fg, bg)] = [levels[round(c * steps / 255)] for c in range(256)]
        self.flat = bytes(c for rgb in self.entries for c in rgb)  # the PNG's PLTE chunk

    def _add(self, rgb: tuple[int, int, int]) -> int:
        if rgb not in self._index:
            self._index[rgb] = len(self.entries)
            self.entries.append(rgb)
        return self._index[rgb]

    def png(self, canvas: Image.Image) -> bytes:
        """PNG bytes of an index image: a palette PNG, a third of the bytes of an RGB one."""
        return _palette_png(canvas, self.flat)


def _palette_png(canvas: Image.Image, palette: bytes) -> bytes:
    """An 8-bit palette PNG of an "L" image of indices, written here so that ISA-L's deflate compresses it:
    0.5 ms and ~34 KB a briefing's image where Pillow's encoder (zlib, level 1, run-length) took 2.0 ms for
    ~37 KB, a third of a cold build's preview time. Every row has filter type 0 (none): the image is flat
    colour, which deflate's matches find without a filter."""
    width, height = canvas.size
    rows = Image.new("L", (width + 1, height), 0)  # column 0: each row's filter byte
    rows.paste(canvas, (1, 0))
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8 bits, palette, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette),
            _chunk(b"IDAT", deflate.compress(rows.tobytes(), 1)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
    )


@lru_cache(maxsize=8)
def _palette(colors: tuple[tuple[str, str], ...]) -> _Palette:
    return _Palette(colors)


_COVERED = [0] + [
    255
] * 255  # coverage -> paste mask: every pixel a glyph touches takes the ramp's index


def _text(
    canvas: Image.Image,
    lines: Sequence[tuple[tuple[float, float], str, Any]],
    ramp: Sequence[int],
    anchor: str = "la",
) -> None:
    """Anti-aliased lines of text ((x, y), text, font) in one colour, drawn into an index image: their
    coverage is made alone, then mapped through `ramp` (one mapping per block: Pillow's `point` costs
    ~60 us a call in Python before any pixel). Text set left to right in scripts without shaping is laid
    word by word from a cache of words already rendered (`_word`): an archive's headlines repeat their
    words, and FreeType rendering them was most of an image's text time."""
    placed: list[tuple[int, int, Image.Image]] = []
    for (x, y), text, font in lines:
        if anchor == "la" and _by_words(text):
            pen = x
            for word in text.split(" "):
                mask, left, top, advance = _word(font, word)
                if mask is not None:
                    placed.append((round(pen) + left, round(y) + top, mask))
                pen += advance
        else:
            left, top, right, bottom = font.getbbox(text, anchor=anchor)
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor=anchor)
            placed.append((round(x) + left, round(y) + top, mask))
    if not placed:
        return
    x0, y0 = min(px for px, _, _ in placed), min(py for _, py, _ in placed)
    x1 = max(px + mask.width for px, _, mask in placed)
    y1 = max(py + mask.height for _, py, mask in placed)
    if x1 <= x0 or y1 <= y0:
        return
    coverage = Image.new("L", (x1 - x0, y1 - y0), 0)
    for px, py, mask in placed:
        coverage.paste(mask, (px - x0, py - y0))  # words' ink boxes never overlap: a space between
    canvas.paste(coverage.point(list(ramp)), (x0, y0), coverage.point(_COVERED))


def _by_words(text: str) -> bool:
    """Whether `text` can be set word by word: no character of a script written right to left or shaped
    (Hebrew, Arabic and beyond, U+0590 on), whose words raqm lays out as a whole line."""
    return all(c < "\u0590" for c in text)


@lru_cache(maxsize=8192)
def _advance(font: Any, word: str) -> float:
    """The advance of a word and the space after it."""
    return float(font.getlength(f"{word} "))


@lru_cache(maxsize=2048)  # tight boxes of ~7 KB at the headline's size: ~15 MB a process at most
def _word(font: Any, word: str) -> tuple[Image.Image | None, int, int, float]:
    """A word's coverage cut to its ink (None for none), where that box starts from the pen (x, y), and the
    advance of the word and the space after it."""
    advance = _advance(font, word)
    if not word:
        return None, 0, 0, advance
    # drawn with room for overhangs, then cut to its ink: one layout fewer than asking for its box first
    ascent, descent = font.getmetrics()
    pad = font.size // 4 + 2
    drawn = Image.new("L", (int(advance) + 2 * pad, ascent + descent + 2 * pad), 0)
    ImageDraw.Draw(drawn).text((pad, pad), word, font=font, fill=255, anchor="la")
    ink = drawn.getbbox()
    if ink is None:
        return None, 0, 0, advance
    return drawn.crop(ink), ink[0] - pad, ink[1] - pad, advance


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
    pen = ImageDraw.Draw(classes)
    to_panel = (sx, 0.0, -vx * sx, 0.0, sy, -vy * sy)  # map units -> supersampled pixels
    edges = []
    for country in world:
        fill = 20 if (country.id or country.name) in highlight else 4
        for ring, (bx0, by0, bx1, by1) in zip(country.rings, country.boxes, strict=True):
            if bx1 < vx or bx0 > vx + vw or by1 < vy or by0 > vy + vh:
                continue
            # a copy transformed in C: a comprehension over the points was a sixth of a panel's time
            points = ImagePath.Path(ring)
            points.transform(to_panel)
            pen.polygon(points, fill=fill)  # its closing point repeats the first: filled the same
            edges.append(points)
    # borders as lines: a polygon outline wider than 1 px makes Pillow fill a whole-image mask per ring
    for line in edges:
        pen.line(line, fill=100, width=SUPERSAMPLE)
    return classes.reduce(SUPERSAMPLE).point(_palette(colors).map_lut)


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
    pal = _palette(colors)
    canvas = Image.new("L", (WIDTH, HEIGHT), pal.named["paper"])
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 16, HEIGHT), fill=pal.named["accent"])
    version = _world_version(config)
    lit = _matches(_world(version), countries)
    _draw_map(canvas, MAP_BOX, version, lit, colors, whole=not lit)
    draw.rectangle(MAP_BOX, outline=pal.named["rule"], width=2)
    text_left, text_width = 64, MAP_BOX[0] - 64 - 40
    site_name = ((text_left, 64), site_title.upper(), _font(config, BOLD_FONT, 26))
    _text(canvas, [site_name], pal.ramps[("accent", "paper")])
    font, lines, size = _fit(draw, config, title, text_width, 5, (60, 54, 48, 43, 38, 34))
    step = int(size * 1.22)
    headline = [((text_left, 130 + i * step), line, font) for i, line in enumerate(lines)]
    _text(canvas, headline, pal.ramps[("ink", "paper")])
    y = 130 + len(lines) * step
    soft = [((text_left, max(y + 24, 470)), dateline, _font(config, _regular(dateline), 26))]
    shown = list(names or countries)
    places = ", ".join(shown[:4]) + (f" +{len(shown) - 4}" if len(shown) > 4 else "")
    if places:
        small = _font(config, _regular(places), 24)
        label = _wrap(draw, places, small, MAP_BOX[2] - MAP_BOX[0])[0]
        soft.append(((MAP_BOX[0], MAP_BOX[3] + 18), label, small))
    _text(canvas, soft, pal.ramps[("ink-soft", "paper")])
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
    pal = _palette(colors)
    canvas = Image.new("L", (WIDTH, HEIGHT), pal.named["paper"])
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, WIDTH, 399), fill=pal.named["map-sea"])
    version = _world_version(config)
    lit = _matches(_world(version), countries)
    _draw_map(canvas, (100, 10, 1100, 396), version, lit, colors, whole=True)
    draw.rectangle((0, 400, WIDTH, 410), fill=pal.named["accent"])
    font, lines, size = _fit(draw, config, title, WIDTH - 128, 1, (72, 60, 48, 40))
    _text(canvas, [((64, 440), lines[0], font)], pal.ramps[("ink", "paper")])
    small = _font(config, REGULAR_FONT, 30)
    wrapped = _wrap(draw, description, small, WIDTH - 128)[:2]
    below = [((64, 440 + size + 24 + i * 40), line, small) for i, line in enumerate(wrapped)]
    if below:
        _text(canvas, below, pal.ramps[("ink-soft", "paper")])
    return pal.png(canvas)


def draw_logo(config: Config, title: str, colors: Sequence[tuple[str, str]]) -> bytes:
    """A square logo for structured data (search engines want a raster image): the site's initials."""
    colors = tuple(colors)
    pal = _palette(colors)
    canvas = Image.new("L", (LOGO_SIZE, LOGO_SIZE), pal.named["accent"])
    initials = "".join(w[0] for w in title.split()[:2]).upper() or "B"
    font = _font(config, BOLD_FONT, 300 if len(initials) == 1 else 220)
    ramp = pal.ramps[("accent-ink", "accent")]
    _text(canvas, [((LOGO_SIZE / 2, LOGO_SIZE / 2), initials, font)], ramp, anchor="mm")
    return pal.png(canvas)
