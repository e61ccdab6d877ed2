"""Images named by content: found (next to the briefing, else in content/images/), checked and measured.

Only the header of a raster image is read here (its size and format) and its bytes hashed; the derived files
are made by the build (build/images.py), which also reports an image that cannot be decoded. An SVG is
published as it is, so one that could run script or load other files is refused.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

from generator.core.images import IMAGE_FOLDER, ImageSettings, derived_path, widths_for
from generator.core.model import Picture
from generator.core.urls import slug_from

MAX_IMAGE_BYTES = 50_000_000
RASTER = ("jpeg", "png", "gif", "webp")
# EXIF orientations that turn the picture a quarter: width and height swap once it is upright
_QUARTER_TURNS = (5, 6, 7, 8)
_SVG_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


class ImageProblem(Exception):
    """An image that cannot be published; the message says why and what to do."""


@dataclass
class Found:
    """What reading one document's images found: the pictures and the files read (path -> digest)."""

    pictures: list[Picture] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)


def is_local(src: str) -> bool:
    """True for a path to a file of the site (not a URL with a scheme, nor a protocol-relative or data: one)."""
    return bool(src) and "://" not in src and not src.startswith(("//", "data:", "#", "mailto:"))


def locate(src: str, document: Path, content_dir: Path) -> Path:
    """The file an image path names: next to the document (a page bundle), else in content/images/."""
    name = unquote(src.split("#")[0].split("?")[0])
    root = content_dir.resolve()
    candidates = (
        [content_dir / name.lstrip("/")]
        if name.startswith("/")
        else [document.parent / name, content_dir / "images" / name]
    )
    for path in candidates:
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise ImageProblem(f"image {src!r} is outside content/; copy it into content/images/")
        if resolved.is_file():
            return path
    raise ImageProblem(
        f"image {src!r} not found next to {document.name} or in content/images/; add the file or fix the path"
    )


def picture(
    path: Path, settings: ImageSettings, *, alt: str = "", line: int | None = None
) -> Picture:
    """A Picture for an image file: measured, hashed, with the output names of its derived files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageProblem(f"cannot read image {path.name}: {exc.strerror}") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageProblem(f"image {path.name} is {len(data) / 1e6:.0f} MB; the limit is 50 MB")
    digest = hashlib.sha256(data).hexdigest()
    name = slug_from(path.stem)[:60] or "image"
    stem = (
        f"{IMAGE_FOLDER}/{name}.{hashlib.sha256((digest + settings.key).encode()).hexdigest()[:10]}"
    )
    if path.suffix.lower() == ".svg":
        width, height = svg_size(data, path.name)
        return Picture(
            url=stem + ".svg",
            width=width,
            height=height,
            alt=alt,
            source=str(path),
            digest=digest,
            format="svg",
            stem=stem,
            line=line,
        )
    fmt, width, height = measure(data, path.name, settings)
    base = Picture(url="", alt=alt, source=str(path), digest=digest, format=fmt, stem=stem)
    widths = widths_for(width, settings)
    formats = settings.formats(base, can_write_avif())
    top = widths[-1]
    return Picture(
        url=derived_path(Picture(url="", stem=stem), top, formats[-1]),
        width=top,
        height=max(1, round(height * top / width)),
        alt=alt,
        source=str(path),
        digest=digest,
        format=fmt,
        stem=stem,
        widths=widths,
        formats=formats,
        line=line,
    )


# Pillow is imported where an image is read: a build with no images (or a text edit) skips its 15 ms.
@functools.cache
def can_write_avif() -> bool:
    """Whether the installed Pillow was built with libavif."""
    from PIL import features

    return bool(features.check("avif"))


def measure(data: bytes, name: str, settings: ImageSettings) -> tuple[str, int, int]:
    """(format, width, height) of a raster image, upright, from its header; refuses what cannot be published."""
    from PIL import Image

    limit = settings.max_megapixels * 1_000_000
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = (image.format or "").lower()
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
    except Image.DecompressionBombError:
        raise ImageProblem(
            f"image {name} is too large to decode safely; the limit is {settings.max_megapixels} megapixels"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(
            f"image {name} is not a readable image ({exc}); export it again"
        ) from None
    if fmt not in RASTER:
        raise ImageProblem(
            f"image {name} is {fmt.upper() or 'of an unknown format'}; use JPEG, PNG, WebP, GIF or SVG"
        )
    if width * height > limit:
        raise ImageProblem(
            f"image {name} is {width * height / 1e6:.0f} megapixels; the limit is {settings.max_megapixels} "
            "(images.max_megapixels): scale it down"
        )
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return fmt, width, height


def svg_size(data: bytes, name: str) -> tuple[int, int]:
    """Width and height of an SVG (from its attributes or viewBox); refuses one that could run script or load
    other files, as it is published unchanged."""
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise ImageProblem(f"SVG {name} declares a DOCTYPE or entities; remove them")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImageProblem(f"SVG {name} is not well-formed XML ({exc})") from None
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject", "iframe", "embed", "object"):
            raise ImageProblem(
                f"SVG {name} contains <{tag}>; remove it (SVG images may not run script)"
            )
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise ImageProblem(f"SVG {name} has an event handler ({local}); remove it")
            if local == "href" and not value.strip().startswith("#"):
                raise ImageProblem(
                    f"SVG {name} links to {value[:60]!r}; SVG images may only link inside themselves"
                )
    size = [_svg_length(root.get(k)) for k in ("width", "height")]
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if not all(size) and len(box) == 4:
        try:
            size = [round(float(box[2])), round(float(box[3]))]
        except ValueError:
            pass
    return (size[0] or 0, size[1] or 0)


def _svg_length(value: str | None) -> int:
    match = _SVG_LENGTH.match(value or "")
    return round(float(match.group(1))) if match else 0
