"""Palette images and their PNGs (generator/render/raster.py), checked by decoding what was written."""

from __future__ import annotations

import io
import json
import os
import random
import struct
import subprocess
import sys
import zlib
from typing import Any

import pytest
from PIL import Image, ImageFont

from generator.core.themes import DEFAULT_THEME_DIR
from generator.render.raster import draw_text, palette_of, palette_png, sheet
from tests.conftest import ROOT

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


# Drawn in a fresh process, then here after many other images in another order: render workers draw
# a build's images in whatever order they are handed them, after whatever they drew before (caches of
# fonts, inked words, map panels, the reused sheet), and a kept image must equal a clean build's.
DRAWN = """
import hashlib, json, sys
from pathlib import Path
from generator.build.current import load_site_config
from generator.build.options import BuildOptions
from generator.render import preview

def drawn(root, specs):
    config = load_site_config(Path(root), BuildOptions(run_import=False))
    colors = preview.palette(config)
    out = {}
    for kind, title, countries in specs:
        if kind == "card":
            png = preview.draw_site_card(config, title, "A desk of " + title, countries, colors)
        elif kind == "logo":
            png = preview.draw_logo(config, title, colors)
        else:
            png = preview.draw_briefing(config, title, "5 Dec 2026 · Energy", "Desk", countries, colors)
        out[f"{kind}|{title}|{','.join(countries)}"] = hashlib.sha256(png).hexdigest()
    return out

if __name__ == "__main__":
    print(json.dumps(drawn(sys.argv[1], json.loads(sys.argv[2]))))
"""

SPECS = [
    ("briefing", "Ceasefire talks resume in Doha as envoys meet", ["Qatar", "Israel"]),
    ("briefing", "Grain corridor reopens", ["Ukraine", "Türkiye", "Russia"]),
    ("briefing", "محادثات وقف إطلاق النار تستأنف في الدوحة", ["Qatar"]),
    ("briefing", "A very long headline " * 6, ["Chile", "Peru", "Bolivia", "Argentina", "Brazil"]),
    ("briefing", "No places named", []),
    ("card", "Bureau", ["Japan", "Kenya"]),
    ("card", "العربية", ["Japan", "Kenya"]),
    ("logo", "Desk Weekly", []),
]


def test_images_do_not_depend_on_what_the_process_drew_before(tmp_path):
    (tmp_path / "site.yaml").write_text("title: Desk\nbase_url: https://example.org/\n")
    (tmp_path / "content").mkdir()
    script = tmp_path / "drawn.py"
    script.write_text(DRAWN, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), json.dumps(SPECS)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    fresh = json.loads(done.stdout)
    namespace: dict[str, Any] = {}
    exec(compile(DRAWN, str(script), "exec"), namespace)
    rng = random.Random(7)
    places = ["France", "India", "China", "Japan", "Kenya", "Qatar", "Chile", "Fiji", "Peru"]
    words = ["Talks", "stall", "as", "envoys", "meet", "in", "وقف", "الدوحة"]
    others = [
        (
            rng.choice(["briefing", "briefing", "card", "logo"]),
            " ".join(rng.choice(words) for _ in range(rng.randrange(1, 14))),
            rng.sample(places, rng.randrange(0, 4)),
        )
        for _ in range(150)
    ]
    for before, order in ((others[:75], rng.sample(SPECS, len(SPECS))), (others[75:], SPECS)):
        here = namespace["drawn"](str(tmp_path), before + order)
        assert {key: here[key] for key in fresh} == fresh
