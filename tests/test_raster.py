"""Palette images and their PNGs (generator/render/raster.py), checked by decoding what was written."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image, ImageFont

from generator.core.themes import DEFAULT_THEME_DIR
from generator.render.raster import draw_text, palette_of, palette_png, sheet

COLORS = (
    ("accent", "#9b1c1c"),
    ("accent-ink", "#ffffff"),
    ("ink", "#1a1a1a"),
    ("ink-soft", "#4d4a45"),
    ("map-hl", "#9b1c1c"),
    ("map-land", "#d9d5cb"),
    ("map-sea", "#eef1f3"),
    ("paper", "#fdfcf9"),
    ("rule", "#d9d4c7"),
)


def chunks(png: bytes) -> dict[bytes, bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = {}, 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(data, zlib.crc32(kind)), kind
        found[kind] = found.get(kind, b"") + data
        at += 12 + length
    return found


@pytest.mark.parametrize("size", [(1200, 630), (7, 3), (1, 1), (512, 512), (300, 1000)])
def test_a_sheet_is_written_as_exactly_its_rows_each_with_a_filter_byte(size):
    width, height = size
    rng = random.Random(width * height)
    pal = palette_of(COLORS)
    drawn = sheet(width, height, pal.named["paper"])
    assert drawn.size == (width + 1, height)
    # anything in the spare column must not reach the file; the picture's pixels must, all of them
    drawn.putdata([rng.randrange(len(pal.entries)) for _ in range((width + 1) * height)])
    picture = drawn.crop((0, 0, width, height)).tobytes()

    png = palette_png(drawn, pal.flat)

    parts = chunks(png)
    assert struct.unpack(">IIBBBBB", parts[b"IHDR"]) == (width, height, 8, 3, 0, 0, 0)
    rows = zlib.decompress(parts[b"IDAT"])
    assert len(rows) == height * (width + 1)  # no byte more or less than the rows
    assert all(rows[r * (width + 1)] == 0 for r in range(height))
    assert b"".join(rows[r * (width + 1) + 1 : (r + 1) * (width + 1)] for r in range(height)) == (
        picture
    )
    decoded = Image.open(io.BytesIO(png))
    assert decoded.mode == "P" and decoded.size == (width, height)
    assert decoded.tobytes() == picture


def test_a_sheet_is_reused_and_filled_afresh():
    first = sheet(40, 20, 3)
    first.paste(9, (0, 0, 10, 10))
    again = sheet(40, 20, 5)
    assert again is first
    assert set(again.tobytes()) == {5}


def test_text_is_drawn_in_the_ramp_and_leaves_the_rest_untouched():
    pal = palette_of(COLORS)
    font = ImageFont.truetype(str(DEFAULT_THEME_DIR / "fonts/DejaVuSans-Bold.ttf"), 40)
    ramp = pal.ramps[("ink", "paper")]
    drawn = sheet(600, 120, pal.named["paper"])
    draw_text(drawn, [((20, 20), "Talks resume in Geneva", font)], ramp)
    used = set(drawn.tobytes())
    assert pal.named["paper"] in used and pal.named["ink"] in used
    assert used <= set(ramp.lut)  # only the ramp's shades of ink over paper
    # the same words twice come from the cache and land the same way
    inked = drawn.crop((0, 0, 600, 120)).tobytes()
    again = sheet(600, 120, pal.named["paper"])
    draw_text(again, [((20, 20), "Talks resume in Geneva", font)], ramp)
    assert again.crop((0, 0, 600, 120)).tobytes() == inked
    # nothing drawn left of the pen or above the line's top
    assert set(again.crop((0, 0, 18, 120)).tobytes()) == {pal.named["paper"]}
