"""Drawing into images of palette indices, and writing them as PNG: the exact colours an image may use
(`Palette`), anti-aliased text laid into it word by word (`draw_text`), a reusable sheet to draw on
(`sheet`) and its PNG (`palette_png`), compressed by ISA-L's deflate where it is installed."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, ImageColor, ImageDraw

try:  # ISA-L's deflate: about 8x zlib's speed at level 1, with smaller output on these images
    from isal import isal_zlib as deflate
except ImportError:  # a platform without its wheel: the same stream format, slower
    import zlib as deflate  # type: ignore[no-redef]


def wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    """Words in lines no wider than `width` pixels (a single long word gets a line of its own); measured
    as `draw_text` sets them: word by word where it can."""
    lines: list[str] = []
    if not by_words(text):
        for word in text.split():
            if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        return lines
    space = word_advance(font, "")
    used = 0.0  # the last line's advance, with a space after it
    for word in text.split():
        advance = word_advance(font, word)
        if lines and used + advance - space <= width:
            lines[-1] += f" {word}"
            used += advance
        else:
            lines.append(word)
            used = advance
    return lines


class Palette:
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
        self.ramps: dict[tuple[str, str], Ramp] = {}
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
            self.ramps[(fg, bg)] = Ramp([levels[round(c * steps / 255)] for c in range(256)])
        self.flat = bytes(c for rgb in self.entries for c in rgb)  # the PNG's PLTE chunk

    def _add(self, rgb: tuple[int, int, int]) -> int:
        if rgb not in self._index:
            self._index[rgb] = len(self.entries)
            self.entries.append(rgb)
        return self._index[rgb]

    def png(self, drawn: Image.Image) -> bytes:
        """PNG bytes of a sheet of indices (`sheet`): a palette PNG, a third of the bytes of an RGB one."""
        return palette_png(drawn, self.flat)


# hashed by identity: made once per palette, a cache key for inked words
@dataclass(frozen=True, eq=False)
class Ramp:
    """Coverage (0-255) -> palette index of one text colour over its background."""

    lut: list[int]


_sheets = threading.local()


def sheet(width: int, height: int, index: int) -> Image.Image:
    """This thread's sheet for a `width` x `height` image, filled with palette `index`: an "L" image one
    column wider than the picture, whose last column `palette_png` clears to be the PNG rows' filter
    bytes. Kept from one image to the next: a fresh 750 KB image each time cost more in page faults (this
    machine's: ~5 us each, 185 of them) than drawing on it."""
    sheets: dict[tuple[int, int], Image.Image] = _sheets.__dict__.setdefault("by_size", {})
    kept = sheets.get((width, height))
    if kept is None:
        kept = sheets[(width, height)] = Image.new("L", (width + 1, height), index)
    else:
        kept.paste(index, (0, 0, width + 1, height))
    return kept


def palette_png(drawn: Image.Image, palette: bytes) -> bytes:
    """An 8-bit palette PNG of a sheet of indices, compressed here by ISA-L's deflate: 0.5 ms and ~34 KB a
    briefing's image where Pillow's encoder (zlib, level 1, run-length) took 2.0 ms for ~37 KB. Every row
    has filter type 0 (none): the image is flat colour, which deflate's matches find without a filter.

    A PNG row is its filter byte, then its pixels. The sheet's raw bytes, row after row, are each row's
    pixels followed by its spare column, cleared to 0 here: with one 0 byte before them and the last
    dropped, they are the PNG's rows as they are. They are compressed in one call, whole, from a buffer of
    our own with zeros after the rows: streamed chunk by chunk into a compressor object, a few images' bytes
    came out different from one process to another with the same rows (the first block's Huffman table
    differed), so a kept image and a clean build's could differ."""
    width, height = drawn.width - 1, drawn.height
    drawn.paste(0, (width, 0, width + 1, height))
    rows = bytearray(b"\x00")
    rows += drawn.tobytes()
    size = len(rows) - 1  # the last byte (the last row's spare column) is not the image's
    rows += bytes(64)  # and what follows the rows is ours, and zeros
    compressed = deflate.compress(memoryview(rows)[:size], 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8 bits, palette, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette),
            _chunk(b"IDAT", compressed),
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
def palette_of(colors: tuple[tuple[str, str], ...]) -> Palette:
    return Palette(colors)


# coverage -> paste mask: every pixel a glyph touches takes the ramp's index
_COVERED = [0] + [255] * 255


def draw_text(
    canvas: Image.Image,
    lines: Sequence[tuple[tuple[float, float], str, Any]],
    ramp: Ramp,
    anchor: str = "la",
) -> None:
    """Anti-aliased lines of text ((x, y), text, font) in one colour, drawn into an index image: each piece's
    coverage mapped through `ramp` and pasted where it has ink. Text set left to right in scripts without
    shaping is laid word by word from a cache of words already inked in the ramp (`inked`): an archive's
    headlines repeat their words, and FreeType rendering them, then mapping them (Pillow's `point` costs
    ~60 us a call in Python before any pixel), was most of an image's text time."""
    for (x, y), text, font in lines:
        if anchor == "la" and by_words(text):
            pen = x
            for word in text.split(" "):
                shade, covered, left, top, advance = inked(font, word, ramp)
                if shade is not None:
                    canvas.paste(shade, (round(pen) + left, round(y) + top), covered)
                pen += advance
        else:
            left, top, right, bottom = font.getbbox(text, anchor=anchor)
            if right <= left or bottom <= top:
                continue
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor=anchor)
            shade, covered = _in_ramp(mask, ramp)
            canvas.paste(shade, (round(x) + left, round(y) + top), covered)


def by_words(text: str) -> bool:
    """Whether `text` can be set word by word: no character of a script written right to left or shaped
    (Hebrew, Arabic and beyond, U+0590 on), whose words raqm lays out as a whole line."""
    return all(c < "\u0590" for c in text)


@lru_cache(maxsize=8192)
def word_advance(font: Any, word: str) -> float:
    """The advance of a word and the space after it."""
    return float(font.getlength(f"{word} "))


# two tight boxes of ~7 KB at the headline's size: ~15 MB a process at most
@lru_cache(maxsize=1024)
def inked(
    font: Any, word: str, ramp: Ramp
) -> tuple[Image.Image | None, Image.Image | None, int, int, float]:
    """A word in a ramp's colour, cut to its ink: its indices and its paste mask (None for no ink), where
    that box starts from the pen (x, y), and the advance of the word and the space after it."""
    advance = word_advance(font, word)
    if not word:
        return None, None, 0, 0, advance
    # drawn with room for overhangs, then cut to its ink: one layout fewer than asking for its box first
    ascent, descent = font.getmetrics()
    pad = font.size // 4 + 2
    drawn = Image.new("L", (int(advance) + 2 * pad, ascent + descent + 2 * pad), 0)
    ImageDraw.Draw(drawn).text((pad, pad), word, font=font, fill=255, anchor="la")
    ink = drawn.getbbox()
    if ink is None:
        return None, None, 0, 0, advance
    return *_in_ramp(drawn.crop(ink), ramp), ink[0] - pad, ink[1] - pad, advance


def _in_ramp(mask: Image.Image, ramp: Ramp) -> tuple[Image.Image, Image.Image]:
    """Coverage as the ramp's indices, and the paste mask of the pixels it touches."""
    return mapped(mask, ramp.lut), mapped(mask, _COVERED)


def mapped(image: Image.Image, lut: list[int]) -> Image.Image:
    """An "L" image mapped through a table of 256 whole numbers: `Image.point` without its Python
    pass rounding every entry of the table on every call."""
    return image._new(image.im.point(lut, None))
