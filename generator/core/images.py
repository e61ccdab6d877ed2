"""Responsive images: the site's settings (`images:` in site.yaml) and the names of derived files. No I/O.

A published image is never the file an editor saved: it is re-encoded at a few widths, in modern formats
(AVIF where Pillow has it, WebP) and in its own format as the fallback, with location metadata stripped. The
names of those files carry a digest of the source bytes and of the settings that made them, so a replaced
image, or new settings, gets new URLs (hosts may cache them forever) and an unchanged one keeps its files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if (
    TYPE_CHECKING
):  # annotations only: site.yaml is read before the model is needed (a no-op build never is)
    from generator.core.model import Picture

IMAGE_FOLDER = "static/img"  # output folder of every derived image
DEFAULT_WIDTHS = (480, 800, 1200, 1600)
# what each source format is published as when no modern format is understood
FALLBACK = {
    "jpeg": "jpeg",
    "png": "png",
    "gif": "png",
    "webp": "jpeg",
    "tiff": "jpeg",
    "bmp": "png",
}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
    "gif": "image/gif",
}


@dataclass(frozen=True)
class ImageSettings:
    """How images are published (`images:` in site.yaml)."""

    widths: tuple[int, ...] = DEFAULT_WIDTHS
    quality: int = 78  # JPEG/WebP quality; AVIF uses an equivalent
    avif: bool = True  # also AVIF, where the installed Pillow can write it
    webp: bool = True
    keep_location: bool = False  # keep EXIF GPS tags in published files (default: strip them)
    max_megapixels: int = 100  # larger sources are refused (decompression bombs)
    # the `sizes` attribute: how wide the image shows (the reading column, else the screen)
    sizes: str = "(min-width: 46rem) 44rem, calc(100vw - 2.5rem)"

    @property
    def key(self) -> str:
        """What the derived bytes depend on besides the source: part of every derived file's name."""
        return hashlib.sha256(
            repr((self.quality, self.avif, self.webp, self.keep_location, 2)).encode()
        ).hexdigest()[:8]

    def formats(self, picture: Picture, avif_available: bool) -> tuple[str, ...]:
        """Formats a picture is published in, best first; the last is the fallback."""
        out = []
        if self.avif and avif_available:
            out.append("avif")
        if self.webp:
            out.append("webp")
        out.append(FALLBACK.get(picture.format, "jpeg"))
        return tuple(dict.fromkeys(out))


_KEYS: dict[str, Callable[[Any], bool]] = {
    "widths": lambda v: (
        isinstance(v, list)
        and bool(v)
        and all(isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8000 for w in v)
    ),
    "quality": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100,
    "avif": lambda v: isinstance(v, bool),
    "webp": lambda v: isinstance(v, bool),
    "keep_location": lambda v: isinstance(v, bool),
    "max_megapixels": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000,
    "sizes": lambda v: isinstance(v, str) and bool(v.strip()) and "<" not in v and '"' not in v,
}
_WANTED = {
    "widths": "a list of pixel widths between 16 and 8000, such as [480, 960, 1600]",
    "quality": "a whole number from 1 to 100",
    "avif": "true or false",
    "webp": "true or false",
    "keep_location": "true or false",
    "max_megapixels": "a whole number from 1 to 1000",
    "sizes": "a CSS sizes value such as '(min-width: 46rem) 44rem, 100vw'",
}


def image_settings(raw: dict[str, Any], bad: Callable[[str, str], None]) -> ImageSettings:
    """Settings from the `images:` mapping of site.yaml; `bad(key, message)` hears of each problem."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            bad(f"images.{key}", f"unknown key 'images.{key}'; known keys are: {', '.join(_KEYS)}")
        elif not _KEYS[key](value):
            bad(f"images.{key}", f"'images.{key}' must be {_WANTED[key]}, not {value!r}")
        else:
            values[key] = tuple(sorted(set(value))) if key == "widths" else value
    return ImageSettings(**values)


def widths_for(source_width: int, settings: ImageSettings) -> tuple[int, ...]:
    """The widths a source is published at: the configured ones below its own width, and its own width when it
    is narrower than the largest (never upscaled)."""
    below = [w for w in settings.widths if w < source_width]
    top = min(source_width, max(settings.widths))
    return tuple(sorted({*below, top}))


def derived_path(picture: Picture, width: int, fmt: str) -> str:
    """Output path of one derived file: static/img/<name>.<digest>-<width>.<ext>."""
    return f"{picture.stem}-{width}.{EXTENSIONS[fmt]}"


def srcset(pic: Picture, fmt: str, base_path: str) -> str:
    """'<url> 480w, <url> 800w, ...' for one format of a picture."""
    return ", ".join(f"{base_path}{derived_path(pic, w, fmt)} {w}w" for w in pic.widths)


def derived_files(picture: Picture) -> list[tuple[str, int, str]]:
    """(output path, width, format) of every file made from a picture (none for SVG or a remote image)."""
    return [
        (derived_path(picture, w, fmt), w, fmt) for fmt in picture.formats for w in picture.widths
    ]
