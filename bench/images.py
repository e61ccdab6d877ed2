"""Images benchmark: N briefings with two 4000x3000 photos each, built cold, then after edits.

python -m bench.images [N] [DIR]   (default 200 briefings in a temporary folder)

Prints the wall time of each build and how many image files it encoded: cold; an edit of one briefing's
text (nothing is encoded); a no-op; one image replaced (only its files are encoded).
"""

from __future__ import annotations

import io
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from generator.build.builder import BuildOptions, build


def photo(rng: random.Random) -> bytes:
    """A photo-like 4000x3000 JPEG (smooth random texture, a tint) with an EXIF GPS position."""
    small = Image.effect_noise((160, 120), 60).convert("RGB")
    tint = Image.new("RGB", small.size, tuple(rng.randrange(60, 200) for _ in range(3)))
    image = Image.blend(small, tint, 0.5).resize((4000, 3000), Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (12.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def make(root: Path, count: int) -> None:
    rng = random.Random(16)
    (root / "site.yaml").write_text("title: Images bench\nbase_url: https://example.org/\n")
    for i in range(count):
        folder = root / f"content/briefings/b{i:04d}"
        folder.mkdir(parents=True)
        (folder / "a.jpg").write_bytes(photo(rng))
        (folder / "b.jpg").write_bytes(photo(rng))
        (folder / "index.md").write_text(
            f"---\ntitle: Briefing {i}\ndate: 2026-11-{1 + i % 28:02d}\nimage: a.jpg\n---\n\n"
            'Text.\n\n![First photo](a.jpg "Caption"){: credit="Photo: bench"}\n\nMore text.\n\n'
            "![Second photo](b.jpg)\n"
        )


def timed(root: Path, label: str) -> None:
    started = time.perf_counter()
    report = build(root, BuildOptions(run_import=False))
    print(
        f"{label:<28} {time.perf_counter() - started:8.2f} s  {report.images_derived:6d} image files encoded"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as temp:
        root = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(temp)
        started = time.perf_counter()
        make(root, count)
        print(
            f"{count} briefings, {2 * count} photos of 4000x3000 made in {time.perf_counter() - started:.1f} s"
        )
        timed(root, "cold")
        index = root / "content/briefings/b0000/index.md"
        index.write_text(index.read_text() + "\nAn edit.\n")
        timed(root, "one briefing's text edited")
        timed(root, "no-op")
        (root / "content/briefings/b0001/b.jpg").write_bytes(photo(random.Random(99)))
        timed(root, "one image replaced")


if __name__ == "__main__":
    main()
