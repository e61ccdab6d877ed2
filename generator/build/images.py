"""Derived images: every picture of the visible briefings encoded at its widths and formats, once.

Derived files are cached in .cache/images/, named by the source's digest, the width, the format and the
settings key (core/images.py): an image is encoded again only when its bytes or those settings change, never
because a briefing using it was edited. `index.json` there keeps each derived file's SHA-256 and size, so the
writer can tell an unchanged output file without reading it. Sources are decoded and encoded in one process
per core. A source that cannot be decoded (truncated, corrupt) is one `path:line: message` error per use and
nothing is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from generator.build.write import Content, Kept
from generator.core.atomic import write_atomic
from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.images import EXTENSIONS, ImageSettings, derived_files, derived_path
from generator.core.model import Body, Briefing, Picture, Site
from generator.core.parallel import fork_map

CACHE_FOLDER = "images"
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112


@dataclass(frozen=True)
class _Job:
    picture: Picture
    todo: tuple[tuple[str, int, str], ...]  # (cache name, width, format) to encode
    uses: tuple[tuple[str, int | None], ...]  # (content file, line) naming it, for errors


def pictures_of(site: Site) -> dict[str, tuple[Picture, list[tuple[str, int | None]]]]:
    """Every local picture the site shows (lead images and images of the text), by output stem, with its uses."""
    found: dict[str, tuple[Picture, list[tuple[str, int | None]]]] = {}
    for briefing, body in _shown(site):
        for pic in [briefing.image, *(body.images if body else ())]:
            if pic is not None and not pic.remote:
                found.setdefault(pic.stem, (pic, []))[1].append((str(briefing.path), pic.line))
    return found


def _shown(site: Site) -> list[tuple[Briefing, Body | None]]:
    """Every visible briefing with its body, in every language of the site."""
    return [(b, s.bodies.get(b.slug)) for s in site.every_language for b in s.briefings]


def cache_name(pic: Picture, width: int, fmt: str, settings: ImageSettings) -> str:
    """A derived file's name in the cache: what its bytes depend on, and nothing else."""
    return f"{pic.digest[:32]}-{settings.key}-{width}.{EXTENSIONS[fmt]}"


def derive_images(
    site: Site,
    config: Config,
    cache_root: Path | None,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, Content], int]:
    """The derived files of every picture (output path -> content) and how many were encoded now; without a
    cache folder (--no-cache) they are encoded in a temporary one and handed over as bytes."""
    if cache_root is None:
        with tempfile.TemporaryDirectory(prefix="briefings-images-") as temp:
            kept, encoded = derive_images(site, config, Path(temp), jobs, progress)
            return {k: v.load() if isinstance(v, Kept) else v for k, v in kept.items()}, encoded
    folder = cache_root / CACHE_FOLDER
    index = _read_index(folder)
    files: dict[str, Content] = {}
    todo: list[_Job] = []
    for pic, uses in pictures_of(site).values():
        if pic.format == "svg":
            files[pic.url] = Path(pic.source).read_bytes()
            continue
        missing = []
        for out, width, fmt in derived_files(pic):
            name = cache_name(pic, width, fmt, config.images)
            known = index.get(name)
            if known and (folder / name).is_file():
                files[out] = Kept(known[0], _loader(folder / name))
            else:
                missing.append((name, width, fmt))
        if missing:
            todo.append(_Job(pic, tuple(missing), tuple(uses)))
    if not todo:
        return files, 0
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[Problem] = []
    encoded = 0
    work = _Work(folder, config.images)
    for job, result in zip(
        todo, fork_map(work, todo, jobs, progress=progress, min_items=2), strict=True
    ):
        if isinstance(result, str):
            problems += [Problem(path, line, result) for path, line in job.uses]
            continue
        for (name, width, fmt), (digest, size) in zip(job.todo, result, strict=True):
            index[name] = (digest, size)
            files[derived_path(job.picture, width, fmt)] = Kept(digest, _loader(folder / name))
            encoded += 1
    with contextlib.suppress(OSError):  # a read-only cache costs time next build, never this one
        write_atomic(folder / "index.json", json.dumps(index, sort_keys=True).encode())
    if problems:
        raise SiteError(problems)
    return files, encoded


def _loader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def _read_index(folder: Path) -> dict[str, tuple[str, int]]:
    try:
        raw = json.loads((folder / "index.json").read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: (v[0], v[1]) for k, v in raw.items() if isinstance(v, list) and len(v) == 2}


@dataclass(frozen=True)
class _Work:
    """Encodes one source's missing derived files into the cache (run in a worker: returns, never raises)."""

    folder: Path
    settings: ImageSettings

    def __call__(self, job: _Job) -> list[tuple[str, int]] | str:
        pic = job.picture
        name = Path(pic.source).name
        try:
            data = Path(pic.source).read_bytes()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as source:
                    # JPEG: decode at the smallest 1/2, 1/4 or 1/8 scale still as large as the widest file
                    largest = max(w for _, w, _ in job.todo)
                    turned = source.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8)
                    ratio = largest / (source.height if turned else source.width)
                    source.draft(
                        None, (math.ceil(source.width * ratio), math.ceil(source.height * ratio))
                    )
                    source.load()
                    exif = source.getexif()
                    image = ImageOps.exif_transpose(source)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            return f"image {name} cannot be decoded ({exc}); export it again"
        exif.pop(_ORIENTATION, None)  # the pixels are upright now
        if not self.settings.keep_location:
            exif.pop(_GPS_IFD, None)
        exif_bytes = exif.tobytes() if len(exif) else b""
        done = []
        by_width: dict[int, Image.Image] = {}
        # widest first, each width resized from the one before it: ~4x less work than from the source each time
        for width in sorted({w for _, w, _ in job.todo}, reverse=True):
            height = max(1, round(image.height * width / image.width))
            if width != image.width:
                image = image.resize((width, height), Image.Resampling.LANCZOS)
            by_width[width] = image
        for cache, width, fmt in job.todo:
            data = encode(by_width[width], fmt, self.settings.quality, exif_bytes)
            write_atomic(self.folder / cache, data)
            done.append((hashlib.sha256(data).hexdigest(), len(data)))
        return done


def encode(image: Image.Image, fmt: str, quality: int, exif: bytes) -> bytes:
    """One derived file's bytes."""
    alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if fmt == "jpeg" or not alpha:
        image = image.convert("RGB") if image.mode != "RGB" else image
    elif image.mode != "RGBA":
        image = image.convert("RGBA")
    options: dict[str, Any] = {"exif": exif} if exif else {}
    if fmt == "jpeg":
        options.update(quality=quality, optimize=True, progressive=True)
    elif fmt == "webp":
        options.update(quality=quality, method=3)
    elif fmt == "avif":
        options.update(quality=max(1, quality - 18), speed=9)
    buffer = io.BytesIO()
    image.save(buffer, fmt.upper(), **options)
    return buffer.getvalue()


def picture_files(pic: Picture) -> list[str]:
    """Output paths of a picture's files (tests, checks)."""
    return [pic.url] if pic.format == "svg" else [out for out, _, _ in derived_files(pic)]


_digests: dict[tuple[str, int, int], str] = {}


def inputs_current(item: object) -> bool:
    """Whether the files a cached parse read besides its content file (images) still have their digests."""
    for path, digest in getattr(item, "inputs", ()):
        try:
            st = os.stat(path)
            key = (path, st.st_mtime_ns, st.st_size)
            if key not in _digests:
                with open(path, "rb") as handle:
                    _digests[key] = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return False
        if _digests[key] != digest:
            return False
    return True


def content_warnings(site: Site) -> list[Problem]:
    """Warnings about the visible briefings' bodies (an image without alt text), in file order."""
    return sorted(
        (
            Problem(briefing.path, line, message)
            for briefing, body in _shown(site)
            if body
            for line, message in body.warnings
        ),
        key=lambda p: (str(p.path), p.line or 0),
    )
