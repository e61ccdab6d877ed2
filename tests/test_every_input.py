"""Incremental builds equal a clean build, byte for byte, after random changes to every kind of input.

Each step changes one kind of input at random but validly (a briefing, its `aliases:` too, a seed, a page
template, a partial, a theme static file, the theme's map data, site.yaml keys, `permalinks:` too, a term
description, a standalone page, the import registry content/_data/entities.yaml, an image of a page bundle or
of content/images/, a data file a chart shortcode reads; a checkout, which rewrites files with the bytes they
hold and edits one briefing among them), rebuilds, and compares every
output file except the writer's marker with a clean build of a fresh copy of the project (no cache, no output,
a new Builder; the URL record published-urls.txt is copied: it is an input). The same steps go to
two copies of the project, one per way of rebuilding: one Builder kept alive across builds, fast render first
(as `serve` runs it), and a new Builder per build that finds its state in .cache/ (as the CLI runs it).
A mismatch is recorded with the mode, the step's kind, the change and the differing output paths; that copy's
output and cache are then rebuilt from nothing, so that later steps test the other kinds from a sound state.
Briefings imported from seeds created in a step are left out of the clean copy: the clean build imports them
itself, so the import registry and generator/data are checked as well as the rendering.

generator/data (countries.yaml, actors.yaml) is read once per process, so its edits are tested on a copy of
the package in tmp_path, built in subprocesses (PYTHONPATH), never on the installed files.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageChops

from generator.build.builder import Builder, BuildOptions, build
from generator.build.once import build_project
from generator.render.theme import THEME_COLORS
from tests.conftest import ROOT, briefing_md
from tests.test_incremental import COUNTRIES, TOPICS, WORDS, tree

SEED = 4
MODES = ("kept-builder", "fresh-builder-with-cache")
DEFAULT_THEME = ROOT / "themes/default"
MAP_DATA = "data/countries-110m.json"

# Steps of each kind of input (both modes see the same steps); the order is shuffled by the seeded generator.
STEPS = {
    "briefing": 10,
    "seed": 3,
    "template": 3,
    "partial": 3,
    "static file": 2,
    "theme data": 3,
    "site.yaml": 6,
    "term description": 2,
    "page": 2,
    "entities.yaml": 2,
    "image": 5,
    "data file": 3,
    "checkout": 2,
}
CONFIG_KEYS = (
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "theme",
    "author",
    "publisher",
    "paginate",
    "markdown",
    "taxonomies",
    "feed_entries",
    "feed_full_content",
    "related_count",
    "permalinks",
    "params",
    "preview_images",
)  # three a step, each in turn
PLACES = [*COUNTRIES, "Singapore"]  # Singapore: too small for the 1:110m map, listed under it
PEOPLE = ["Jane Quill", "Omar Bell"]
ORGANISATIONS = ["NATO", "Andean Council"]
REGIONS = ["Andes", "Pacific Rim"]
TERMS = {
    "countries": PLACES,
    "people": PEOPLE,
    "organisations": ORGANISATIONS,
    "topics": [*TOPICS, "Fisheries"],
    "regions": REGIONS,
}
FIRST_NAMES = ["Ilse", "Tomas", "Marta", "Kofi", "Aiko", "Bruno"]
SURNAMES = ["Varga", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva"]
CLOSING_TAG = re.compile(
    r"</(?:h1|h2|h3|p|li|a|span|figcaption|figure|strong|em|time|td|th|dt|dd|small|label|button|"
    r"caption|picture|title|text|div|article|section|header|footer|nav|main|aside)>"
)

# Template text that reads what a page's key leaves out (model.LISTED), so the build records the read: a
# term's whole list of briefings, a taxonomy's terms, the reading times of the briefings a list shows.
READS_LISTED = {
    "term.html": "{{ term.briefings[-1].title }}",
    "taxonomy.html": "{% for t in taxonomy.terms %}{{ t.briefings[0].title }}{% endfor %}",
    "home.html": "{% for b in briefings %}{{ b.reading_time }}{% endfor %}",
}
COLOR_KEYS = THEME_COLORS  # the params.colors keys the theme knows


@dataclass
class Change:
    """One step: what kind of input changed and how, the files it touched, seeds it created."""

    kind: str
    what: str
    touched: set[Path] = field(
        default_factory=set
    )  # as the watcher would report them, for Builder.quick
    fresh_seeds: set[str] = field(default_factory=set)  # seeds first imported by this step's build


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a Markdown content file."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front) or {}, body


def source_seed(path: Path) -> str | None:
    """The seed a briefing was imported from (front matter `seed.file`, or `source.name` before it), if any."""
    try:
        meta, _ = front_matter(path)
    except (ValueError, yaml.YAMLError):
        return None
    seed, source = meta.get("seed"), meta.get("source")
    if isinstance(seed, dict) and seed.get("file"):
        return str(seed["file"])
    return str(source.get("name")) if isinstance(source, dict) and source.get("name") else None


def fresh_copy(root: Path, scratch: Path, fresh_seeds: set[str]) -> Path:
    """A copy of the project's inputs without output/ and .cache/; briefings imported from `fresh_seeds` are left
    out so the clean build imports those seeds itself (with the registry and generator data it sees)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("output", ".cache"))
    for path in (scratch / "content/briefings").rglob("*.md"):
        if source_seed(path) in fresh_seeds:
            path.unlink()
    return scratch


def clean_tree(root: Path, scratch: Path, fresh_seeds: set[str]) -> dict[str, bytes]:
    """Every output file of a clean build (no cache, no output, a new Builder) of a copy of the project."""
    copy = fresh_copy(root, scratch, fresh_seeds)
    Builder(
        copy, BuildOptions(run_import=True, cache=False, jobs=1)
    ).build()  # serial: the same bytes, sooner
    return tree(copy / "output")


def differences(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    """Output paths whose bytes differ, each marked when only one side has it."""
    paths = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
    return [
        p + (" (only incremental)" if p not in want else " (only clean)" if p not in got else "")
        for p in paths
    ]


def describe(number: int, change: Change, paths: list[str], note: str = "") -> str:
    """`step 3 [kind] change: N output files differ from a clean build: paths` for an assertion message."""
    shown = ", ".join(paths[:40]) + (f" ... and {len(paths) - 40} more" if len(paths) > 40 else "")
    differ = f"{len(paths)} output files differ from a clean build"
    return f"step {number} [{change.kind}] {change.what}{note}: {differ}: {shown}"


def inspect(
    got: dict[str, bytes],
    want: dict[str, bytes],
    paths: list[str],
    written: frozenset[str] | None,
    kept: Path,
) -> str:
    """How the first differing files differ (sizes; for an image, the box of pixels that differ; whether the
    rebuild wrote the file), both versions kept under `kept` to look at (pytest keeps the last runs' tmp
    folders): a rare difference is then understood from the run that met it."""
    lines = []
    for shown in paths[:5]:
        rel = shown.split(" (only")[0]
        mine, theirs = got.get(rel), want.get(rel)
        for side, data in (("incremental", mine), ("clean", theirs)):
            if data is not None:
                (kept / side / rel).parent.mkdir(parents=True, exist_ok=True)
                (kept / side / rel).write_bytes(data)
        line = f"\n    {rel}: {len(mine or b'')} bytes incremental, {len(theirs or b'')} clean"
        if written is not None:
            line += ", written by the rebuild" if rel in written else ", left by the rebuild"
        if mine and theirs and rel.endswith(".png"):
            try:
                a, b = Image.open(io.BytesIO(mine)), Image.open(io.BytesIO(theirs))
                box = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox()
                line += f"; images {a.size} and {b.size}, pixels differ in {box}"
                if box is None:
                    line += png_streams(mine, theirs)
            except (OSError, ValueError) as exc:
                line += f"; not both images: {exc}"
        lines.append(line)
    return "".join(lines) + f"\n    (both versions kept in {kept})"


def png_streams(mine: bytes, theirs: bytes) -> str:
    """Where two PNGs of the same pixels differ: their chunks, and for their deflate streams the first byte
    that differs and how many bytes of rows decode before it (a preview image's compressed bytes once
    differed between an incremental and a clean build with the same rows and palette)."""

    def chunks(data: bytes) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        at = 8
        while at + 8 <= len(data):
            (size,) = struct.unpack(">I", data[at : at + 4])
            kind = data[at + 4 : at + 8]
            found[kind] = found.get(kind, b"") + data[at + 8 : at + 8 + size]
            at += 12 + size
        return found

    a, b = chunks(mine), chunks(theirs)
    same = [kind.decode() for kind in a if a.get(kind) == b.get(kind)]
    ours, clean = a.get(b"IDAT", b""), b.get(b"IDAT", b"")
    pairs = enumerate(zip(ours, clean, strict=False))
    first = next((i for i, (x, y) in pairs if x != y), min(len(ours), len(clean)))
    try:
        rows = zlib.decompress(ours) == zlib.decompress(clean)
        before = len(zlib.decompressobj().decompress(ours[:first]))
    except zlib.error as exc:
        return f"; chunks alike {same}, IDAT not deflate: {exc}"
    return (
        f"; chunks alike {same}; rows {'alike' if rows else 'differ'}; IDAT {len(ours)} and "
        f"{len(clean)} bytes, first differing at {first}, after {before} bytes of rows"
    )


class Inputs:
    """Random but valid changes to every kind of input of one project, from one seeded generator."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng, self.count = root, rng, 0
        # the briefing retitled last: a later text edit goes to it more often (the store a CLI text edit
        # loads it from must hold its new title)
        self.retitled: Path | None = None
        self.config: dict[str, Any] = {
            "title": "Every Input",
            "description": "Briefings for the property test.",
            "base_url": "https://example.org/sub/",
            "theme": "site",
            "paginate": 4,
            "related_count": 2,
            "feed_entries": 5,
            "taxonomies": ["countries", "people", "organisations", "topics", "regions"],
        }
        self.registry: dict[str, list[Any]] = {
            "people": [
                {"name": "Jane Quill", "aliases": ["Quill"], "role": "Envoy", "country": "Chile"}
            ],
            "organisations": [{"name": "Andean Council", "aliases": ["ACO"]}],
            "topics": [{"name": "Fisheries", "keywords": ["fish*", "trawler*"]}],
            "countries": [],
            "ignore": [],
        }
        self._queues: dict[str, list[str]] = {}
        self._keys: list[str] = []

    # --- helpers ---------------------------------------------------------------------------------------

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def next(self) -> int:
        self.count += 1
        return self.count

    def pick(self, name: str, options: list[str]) -> str:
        """The next variant of a change: every option once, in random order, before any repeats."""
        queue = self._queues.setdefault(name, [])
        if not queue:
            queue.extend(self.rng.sample(options, len(options)))
        return queue.pop()

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(low, high)))

    def body(self) -> str:
        text = self.words(6, 30).capitalize() + "."
        if self.rng.random() < 0.5:  # headings (toc ids), quotes and dashes (smarty)
            text += f'\n\n## {self.words(2, 3).capitalize()}\n\n"{self.words(3, 6)}" -- {self.words(4, 9)}...'
        return text

    def day(self) -> str:
        """A past day of 2026; half of them in late November, the top of the lists, which then show that date."""
        if self.rng.random() < 0.5:
            return f"2026-11-{self.rng.randint(20, 28)}"
        return f"2026-{self.rng.randint(1, 11):02d}-{self.rng.randint(1, 28):02d}"

    def date(self) -> str:
        rng = self.rng
        day = self.day()
        hour = rng.randint(0, 23)
        roll = rng.random()
        if roll < 0.25:
            return f"{day} {hour:02d}:30"  # no offset: the site's timezone
        if roll < 0.35:
            return day
        if roll < 0.42:
            return f"2031-0{rng.randint(1, 9)}-10T09:00:00+00:00"  # in the future: left out of the site
        return f"{day}T{hour:02d}:00:00+0{rng.randint(0, 5)}:00"

    def terms(self) -> dict[str, list[str]]:
        rng = self.rng
        return {
            "countries": rng.sample(PLACES, rng.randint(0, 3)),
            "people": rng.sample(PEOPLE, rng.randint(0, 2)),
            "organisations": rng.sample(ORGANISATIONS, rng.randint(0, 1)),
            "topics": rng.sample(TERMS["topics"], rng.randint(0, 2)),
            "regions": rng.sample(REGIONS, rng.randint(0, 1)),
        }

    def title(self) -> str:
        return f"{self.words(3, 5).capitalize()} {self.next()}"

    def new_briefing(self) -> str:
        extra: dict[str, Any] = (
            {"summary": self.words(4, 10).capitalize() + "."} if self.rng.random() < 0.7 else {}
        )
        if self.rng.random() < 0.1:
            extra["draft"] = True
        if self.rng.random() < 0.5:  # a slug of its own: a retitle keeps its URL, and lists keep it
            extra["slug"] = f"kept-{self.next()}"
        return briefing_md(self.title(), self.date(), body=self.body(), **extra, **self.terms())

    def seed_names(self) -> list[str]:
        return [*PLACES, "Vladimir Putin", "NATO", "the Kremlin"] + [
            e["name"] for e in self.registry["people"] + self.registry["organisations"]
        ]

    def seed_paragraph(self, names: list[str] | None = None) -> str:
        names = names or self.rng.sample(self.seed_names(), 3)
        fish = " Fish stocks and trawler fleets were discussed." if self.rng.random() < 0.4 else ""
        return f"{names[0]} said on Tuesday that {self.words(8, 20)}, according to {' and '.join(names[1:])}.{fish}"

    def seed_text(self, names: list[str] | None = None) -> str:
        n = self.next()
        headline = f"Seed report {n}: {self.words(3, 5).capitalize()}"
        dateline = (
            f"{self.day()}\n" if self.rng.random() < 0.8 else ""
        )  # else dated by the file's mtime
        paragraphs = [self.seed_paragraph(names) for _ in range(self.rng.randint(1, 3))]
        return f"{headline}\n{dateline}\n" + "\n\n".join(paragraphs) + "\n"

    def add_seed(self, names: list[str] | None = None) -> tuple[Path, str]:
        name = f"s{self.next():03d}.txt"
        return self.write(f"seeds/{name}", self.seed_text(names)), name

    def write_config(self) -> Path:
        return self.write(
            "site.yaml", yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True)
        )

    def write_registry(self) -> Path:
        return self.write(
            "content/_data/entities.yaml",
            yaml.safe_dump(self.registry, sort_keys=False, allow_unicode=True),
        )

    # --- the project before the first build ---------------------------------------------------------

    def setup(self) -> None:
        self.write_config()
        self.write_registry()
        for i in range(6):
            self.write(
                f"content/briefings/{'2026/' if i % 3 == 0 else ''}b{i}.md", self.new_briefing()
            )
        for _ in range(2):
            self.add_seed()
        self.write(
            "content/pages/about.md",
            "---\ntitle: About\ndescription: Who we are.\n---\n\nWe write briefings.\n",
        )
        self.write(
            "content/countries/france.md",
            "---\ntitle: France\nregion: Western Europe\n---\n\nA founding member of the EU.\n",
        )
        self.write(
            "content/topics/trade.yaml",
            "title: Trade\ndescription: Tariffs, deals and *supply chains*.\n",
        )
        self.write("themes/site/static/custom.css", ":root { --measure: 68ch; }\n")
        # the taxonomy pages show each list's newest briefing: they depend on every term's whole list
        taxonomy = (DEFAULT_THEME / "templates/taxonomy.html").read_text(encoding="utf-8")
        self.write(
            "themes/site/templates/taxonomy.html",
            taxonomy.replace("{% endblock %}", READS_LISTED["taxonomy.html"] + "{% endblock %}", 1),
        )
        # and the home pages each briefing's reading time: an edit that moves one re-renders them
        home = (DEFAULT_THEME / "templates/home.html").read_text(encoding="utf-8")
        self.write(
            "themes/site/templates/home.html",
            home.replace("{% endblock %}", READS_LISTED["home.html"] + "{% endblock %}", 1),
        )
        self.write(
            "themes/site/static/logo.svg",
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>\n',
        )

        self.write_bundle(["photo.jpg"])
        self.write("content/briefings/photo-story/photo.jpg", self.image_bytes("JPEG"))
        self.write("content/images/shared.png", self.image_bytes("PNG"))
        self.write("content/_data/series.csv", self.series())

    def image_bytes(self, fmt: str) -> bytes:
        """A small random image (with a GPS tag in JPEGs, which the build strips)."""
        size = (self.rng.randint(300, 700), self.rng.randint(200, 500))
        colour = tuple(self.rng.randrange(256) for _ in range(3))
        image = Image.new("RGB", size, colour)
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (12.0, 30.0, 0.0)}
        out = io.BytesIO()
        image.save(out, fmt, **({"exif": exif} if fmt == "JPEG" else {}))
        return out.getvalue()

    def series(self) -> str:
        rows = [
            f"{m},{self.rng.randint(0, 5000)}"
            for m in ("Jan", "Feb", "Mar", "Apr")[: self.rng.randint(2, 4)]
        ]
        return "month,arrivals\n" + "\n".join(rows) + "\n"

    def write_bundle(self, images: list[str]) -> Path:
        """The page bundle briefings/photo-story/index.md, showing `images` (its own) and content/images/shared.png."""
        figures = "\n\n".join(
            f'![Photo {i}]({name} "Caption {i}"){{: credit="Photo: Test"}}'
            for i, name in enumerate(images)
        )
        return self.write(
            "content/briefings/photo-story/index.md",
            "---\ntitle: Photo story\ndate: 2026-11-10\nimage: photo.jpg\ncountries: [Chile]\n---\n\n"
            f"{figures}\n\nShared: ![A chart](shared.png)\n\n"
            '{{< chart data="series.csv" x="month" y="arrivals" >}}\n\n!!! note "Watch"\n    More soon.\n',
        )

    def image(self) -> Change:
        folder = self.root / "content/briefings/photo-story"
        extra = sorted(p.name for p in folder.glob("extra*.png"))
        action = self.pick("image", ["replace", "replace shared", "add", "delete"])
        if action == "delete" and not extra:
            action = "add"
        touched = set()
        if action == "replace":
            touched.add(
                self.write("content/briefings/photo-story/photo.jpg", self.image_bytes("JPEG"))
            )
        elif action == "replace shared":
            touched.add(self.write("content/images/shared.png", self.image_bytes("PNG")))
        elif action == "add":
            name = f"extra{self.next()}.png"
            touched.add(
                self.write(f"content/briefings/photo-story/{name}", self.image_bytes("PNG"))
            )
            extra.append(name)
        else:
            gone = folder / extra.pop(0)
            gone.unlink()
            touched.add(gone)
        if action in (
            "add",
            "delete",
        ):  # a replaced image leaves index.md as it was: its parse must notice
            touched.add(self.write_bundle(["photo.jpg", *extra]))
        return Change("image", f"{action} ({', '.join(extra) or 'no extra images'})", touched)

    def data_file(self) -> Change:
        path = self.write("content/_data/series.csv", self.series())
        return Change("data file", "content/_data/series.csv: new figures", {path})

    def checkout(self) -> Change:
        """Files of every kind rewritten with the bytes they hold, at a later mtime (as a checkout or a
        restored cache leaves them), and one briefing's text edited among them: the build must tell it
        from the rest, whose stamps moved as its did."""
        files = sorted(
            path
            for top in ("content", "themes", "seeds")
            for path in (self.root / top).rglob("*")
            if path.is_file()
        )
        rewritten = [*sorted(self.rng.sample(files, len(files) // 2)), self.root / "site.yaml"]
        later = max(path.stat().st_mtime_ns for path in rewritten) + 10**9
        for path in rewritten:
            path.write_bytes(path.read_bytes())
            os.utime(path, ns=(later, later))
        edited = self.rng.choice(sorted((self.root / "content/briefings").rglob("*.md")))
        edited.write_text(
            edited.read_text(encoding="utf-8").rstrip("\n")
            + f"\n\nA sentence checked out with the rest, number {self.next()}.\n",
            encoding="utf-8",
        )
        os.utime(edited, ns=(later, later))
        rel = edited.relative_to(self.root)
        return Change(
            "checkout",
            f"{len(rewritten)} files rewritten as they were; {rel} edited",
            {*rewritten, edited},
        )

    def change(self, kind: str) -> Change:
        method: Callable[[], Change] = getattr(self, kind.replace(" ", "_").replace(".", "_"))
        return method()

    # --- one method per kind of input ----------------------------------------------------------------

    def briefing(self) -> Change:
        folder = self.root / "content/briefings"
        files = sorted(folder.rglob("*.md"))
        action = self.pick(
            "briefing",
            [
                "body",
                "paragraph",
                "title",
                "date",
                "terms",
                "editorial",
                "aliases",
                "add",
                "delete",
                "rename",
            ],
        )
        if len(files) < 4:
            action = "add"
        if action == "add":
            path = self.write(
                f"content/briefings/{self.rng.choice(['', '2026/', 'archive/old/'])}n{self.next()}.md",
                self.new_briefing(),
            )
            return Change("briefing", f"added {path.relative_to(self.root)}", {path})
        path = self.rng.choice(files)
        if action == "title" and self.rng.random() < 0.7:  # one whose URL stays: lists keep it
            path = self.rng.choice([f for f in files if "\nslug: " in f.read_text()] or files)
        if self.retitled in files and action != "add" and self.rng.random() < 0.8:
            path, action, self.retitled = self.retitled, "body", None
        if (
            action == "date" and self.rng.random() < 0.5
        ):  # the newest: its lists keep their order but show its date
            path = max(
                files,
                key=lambda f: (
                    day if (day := str(front_matter(f)[0].get("date"))[:10]) < "2027" else ""
                ),
            )
        rel = path.relative_to(self.root)
        if action == "rename" and path.name == "index.md":
            # a page bundle's text keeps its name: renamed, the bundle's next image write makes an
            # index.md again, and the two claim one URL (an error, rightly: seed 168)
            action = "body"
        if action == "delete":
            path.unlink()
            return Change("briefing", f"deleted {rel}", {path})
        if action == "rename":
            target = path.with_name(f"r{self.next()}-{path.name}")
            if self.rng.random() < 0.3:
                target = folder / "moved" / target.name
                target.parent.mkdir(exist_ok=True)
            path.rename(target)
            return Change(
                "briefing", f"renamed {rel} to {target.relative_to(self.root)}", {path, target}
            )
        meta, body = front_matter(path)
        if action in ("body", "paragraph"):
            # a sentence, or a paragraph long enough to move the reading time (220 words a minute)
            long = action == "paragraph"
            body = body.rstrip() + " " + self.words(*((450, 550) if long else (2, 8))) + ".\n"
            what = "appended to the body of"
            if (
                long
            ):  # an imported briefing's reading time is in its front matter: the text's from now on
                meta.pop("reading_time", None)
                what = "appended a paragraph (and dropped any `reading_time:`) to the body of"
        elif action == "title":
            meta["title"] = self.title()
            what = f"retitled {meta['title']!r}:"
            self.retitled = path
            if self.rng.random() < 0.5:
                meta["summary"] = self.words(4, 10).capitalize() + "."
                what = f"retitled {meta['title']!r} with a new summary:"
        elif action == "date":
            meta["date"] = self.date()
            what = f"redated {meta['date']}:"
        elif action == "editorial":
            what = self.editorial(meta)
            if meta.get("sources") and "[^" not in body:
                body = body.rstrip() + f" As reported.[^{meta['sources'][0]['id']}]\n"
        elif action == "aliases":
            n = self.next()
            meta["aliases"] = self.rng.choice(
                [[f"/old/{n}/"], [f"/briefings/was-{n}/", f"/legacy/{n}.html"], None]
            )
            meta = {k: v for k, v in meta.items() if v is not None}
            what = f"aliases {meta.get('aliases')} for"
        else:
            meta.update(self.terms())
            what = "new countries/people/organisations/topics/regions for"
        path.write_text(briefing_md(body=body, **meta), encoding="utf-8")
        return Change("briefing", f"{what} {rel}", {path})

    def editorial(self, meta: dict[str, Any]) -> str:
        """Random sources, corrections, embargo or expiry (past or future) on a briefing's front matter."""
        rng = self.rng
        what = rng.choice(["sources", "corrections", "publish", "expires", "clear"])
        if what == "sources":
            meta["sources"] = [
                {"id": f"s{n}", "title": self.words(2, 5).capitalize(), "publisher": "Wire"}
                | ({"url": f"https://example.net/{self.next()}"} if rng.random() < 0.6 else {})
                for n in range(1, rng.randint(1, 3) + 1)
            ]
        elif what == "corrections":
            meta["corrections"] = [
                {
                    "date": f"{self.day()} 1{n}:00",
                    "kind": rng.choice(["correction", "clarification", "update"]),
                    "note": self.words(3, 8).capitalize() + ".",
                }
                for n in range(rng.randint(1, 2))
            ]
        elif what == "publish":
            meta["publish"] = rng.choice([f"{self.day()} 08:00", "2031-03-01T09:00:00+00:00"])
        elif what == "expires":
            meta.pop("publish", None)
            meta["date"] = "2026-10-01"
            meta["expires"] = rng.choice(
                ["2026-11-01", {"date": "2031-01-01", "reason": "Superseded."}]
            )
        else:
            for key in ("sources", "corrections", "publish", "expires"):
                meta.pop(key, None)
        return f"editorial ({what}) on"

    def seed(self) -> Change:
        seeds = sorted((self.root / "seeds").glob("*.txt"))
        action = self.pick("seed", ["add", "body", "headline", "dateline", "rename", "delete"])
        if len(seeds) < 2:
            action = "add"
        if action == "add":
            path, name = self.add_seed()
            return Change("seed", f"added seeds/{name}", {path}, {name})
        path = self.rng.choice(seeds)
        if action == "delete":
            path.unlink()
            return Change("seed", f"deleted seeds/{path.name} (its briefing stays)", {path})
        if action == "rename":
            target = path.with_name(f"s{self.next():03d}-renamed.txt")
            path.rename(target)
            return Change(
                "seed",
                f"renamed seeds/{path.name} to {target.name} (imported anew)",
                {path, target},
                {target.name},
            )
        lines = path.read_text(encoding="utf-8").split("\n")
        has_dateline = bool(re.fullmatch(r"\d{4}-\d\d-\d\d", lines[1]))
        if action == "body":
            lines.insert(len(lines) - 1, "\n" + self.seed_paragraph())
        elif action == "headline":
            lines[0] = f"Seed report {self.next()}: {self.words(3, 5).capitalize()}"
        elif has_dateline:
            lines[1] = self.day()
        else:
            lines.insert(1, self.day())
        path.write_text("\n".join(lines), encoding="utf-8")
        return Change("seed", f"edited the {action} of seeds/{path.name}", {path})

    def _template(self, kind: str, folder: str) -> Change:
        names = sorted(p.name for p in (DEFAULT_THEME / folder).glob("*.html"))
        overrides = sorted(p.name for p in (self.root / "themes/site" / folder).glob("*.html"))
        name = self.rng.choice(
            overrides if overrides and self.rng.random() < 0.5 else names
        )  # new and existing ones
        target = self.root / "themes/site" / folder / name
        rel = target.relative_to(self.root)
        if target.exists() and self.rng.random() < 0.25:
            target.unlink()
            return Change(kind, f"removed {rel} (the default's applies again)", {target})
        what = "edited"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DEFAULT_THEME / folder / name, target)
            what = "copied the default's and edited"
        text = target.read_text(encoding="utf-8")
        mark = f"Edit{self.next()}"
        if name in READS_LISTED and self.rng.random() < 0.5:
            mark += " " + READS_LISTED[name]  # its pages then follow what the read names
        spots = [m.start() for m in CLOSING_TAG.finditer(text)]
        # a partial of head elements only (social.html) gets a comment, which renders nothing
        if not spots:
            target.write_text(text + f"{{# {mark} #}}\n", encoding="utf-8")
            return Change(kind, f"{what} {rel}: comment {mark!r} appended", {target})
        at = self.rng.choice(spots)
        target.write_text(text[:at] + f" {mark}" + text[at:], encoding="utf-8")
        line = text.count("\n", 0, at) + 1
        return Change(kind, f"{what} {rel}: text {mark!r} inserted on line {line}", {target})

    def template(self) -> Change:
        return self._template("template", "templates")

    def partial(self) -> Change:
        return self._template("partial", "templates/partials")

    def static_file(self) -> Change:
        name = self.pick(
            "static",
            [
                "custom.css",
                "style.css",
                "theme.js",
                "search.js",
                "extra.js",
                "logo.svg",
                "img/mark.svg",
            ],
        )
        target = self.root / "themes/site/static" / name
        rel = target.relative_to(self.root)
        n = self.next()
        if target.exists() and name not in ("logo.svg", "custom.css") and self.rng.random() < 0.3:
            target.unlink()
            return Change("static file", f"deleted {rel}", {target})
        what = "edited"
        if not target.exists():
            default = DEFAULT_THEME / "static" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if default.exists():
                shutil.copyfile(default, target)
                what = "copied the default's and edited"
            else:
                target.write_text("", encoding="utf-8")
                what = "added"
        text = target.read_text(encoding="utf-8")
        if name.endswith(".css"):
            text += f"\n.edit-{n} {{ color: #{self.rng.randrange(0x1000000):06x}; }}\n"
        elif name.endswith(".js"):
            text += f"\n// edit {n}\n"
        else:
            circle = f'<circle cx="4" cy="4" r="{n % 4 + 1}"/>'
            text = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">{circle}</svg>\n'
        target.write_text(text, encoding="utf-8")
        return Change("static file", f"{what} {rel}", {target})

    def theme_data(self) -> Change:
        target = self.root / "themes/site" / MAP_DATA
        rel = target.relative_to(self.root)
        if target.exists() and self.rng.random() < 0.2:
            target.unlink()
            return Change("theme data", f"deleted {rel} (the default map applies again)", {target})
        what = "" if target.exists() else "copied the default's, then "
        topology = json.loads(
            (target if target.exists() else DEFAULT_THEME / MAP_DATA).read_text(encoding="utf-8")
        )
        geometries = topology["objects"]["countries"]["geometries"]
        on_map = [g for g in geometries if g.get("properties", {}).get("name") in PLACES]
        others = [g for g in geometries if g not in on_map]
        shape = self.rng.choice(on_map if on_map and self.rng.random() < 0.8 else others)
        name = shape["properties"]["name"]
        if self.pick("theme data", ["drop", "shift"]) == "drop":
            geometries.remove(shape)
            what += f"dropped {name}'s geometry"
        else:
            index = int(
                self.rng.choice(re.findall(r"-?\d+", json.dumps(shape["arcs"])))
            )  # ~i: arc i reversed
            arc = topology["arcs"][index if index >= 0 else ~index]
            point = arc[self.rng.randrange(1, len(arc))] if len(arc) > 1 else arc[0]
            dx, dy = (
                self.rng.choice([-1, 1]) * self.rng.randint(300, 3000),
                self.rng.choice([-1, 1]) * self.rng.randint(300, 3000),
            )
            point[0] += dx
            point[1] += dy
            what += f"moved a point of {name}'s border by ({dx}, {dy})"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(topology, separators=(",", ":")), encoding="utf-8")
        return Change("theme data", f"{rel}: {what}", {target})

    def site_yaml(self) -> Change:
        keys = []
        if (
            self.config.get("theme") == "default"
        ):  # back to the site theme, so theme edits show again
            keys.append("theme")
        while len(keys) < 3:
            if not self._keys:
                self._keys = self.rng.sample(CONFIG_KEYS, len(CONFIG_KEYS))
            key = self._keys.pop()
            if key not in keys:
                keys.append(key)
        notes = []
        for key in keys:
            before = self.config.get(key)
            for _ in range(10):
                value = self.config_value(key)
                if value != before:
                    break
            if value is None:
                self.config.pop(key, None)
            else:
                self.config[key] = value
            notes.append(f"{key}: {json.dumps(value)}")
        if self.config.get("theme") == "default" and "logo" in self.config.get("params", {}):
            del self.config["params"]["logo"]  # the default theme has no logo.svg
            notes.append("(params.logo removed with the default theme)")
        return Change("site.yaml", "set " + "; ".join(notes), {self.write_config()})

    def config_value(self, key: str) -> Any:
        """A valid random value for a site.yaml key (None: leave it out, i.e. the default)."""
        rng = self.rng
        if key == "title":
            return f"{self.words(1, 2).title()} Desk {self.next()}"
        if key == "description":
            return rng.choice([None, self.words(4, 9).capitalize() + "."])
        if key == "base_url":
            return rng.choice(
                [
                    "https://example.org/",
                    "https://example.org/sub/",
                    "http://localhost:8000/",
                    "https://news.example.com/a/b/",
                ]
            )
        if key == "language":
            return rng.choice([None, "en", "fr", "pt-BR", "de"])
        if key == "timezone":
            return rng.choice(
                [None, "Europe/Paris", "America/Santiago", "Asia/Tokyo", "Pacific/Auckland"]
            )
        if key == "theme":
            return "default" if self.config.get("theme") == "site" else "site"
        if key in ("author", "publisher"):
            return rng.choice([None, "Ana Ruiz", f"Desk {self.next()}"])
        if key == "paginate":
            return rng.randint(1, 6)
        if key == "markdown":
            return rng.choice(
                [
                    None,
                    {"extensions": ["extra", "toc", "sane_lists"]},
                    {"extensions": ["extra", "toc", "smarty", "sane_lists", "nl2br"]},
                ]
            )
        if key == "taxonomies":
            others = rng.sample(["people", "organisations", "topics", "regions"], rng.randint(0, 4))
            return rng.sample(["countries", *others], len(others) + 1)
        if key == "feed_entries":
            return rng.randint(1, 8)
        if key == "feed_full_content":
            return not self.config.get("feed_full_content", True)
        if key == "related_count":
            return rng.randint(0, 5)
        if key == "permalinks":  # each change leaves redirects from every URL published before
            return rng.choice(
                [
                    None,
                    {"briefings": "/:year/:month/:slug/"},
                    {"briefings": "/news/:year/:slug/", "countries": "/country/:slug/"},
                    {"countries": "/:taxonomy/:slug/", "briefings": "/:year/:month/:day/:slug/"},
                ]
            )
        if key == "preview_images":
            return not self.config.get("preview_images", True)
        params: dict[
            str, Any
        ] = {}  # colours and fonts become site-params.css; logo and tagline go to templates
        if rng.random() < 0.8:
            params["colors"] = {
                k: f"#{rng.randrange(0x1000000):06x}"
                for k in rng.sample(COLOR_KEYS, rng.randint(1, 3))
            }
        optional = {
            "dark_colors": {"accent": f"#{rng.randrange(0x1000000):06x}"},
            "fonts": {"body": "Georgia, serif"},
            "logo": "logo.svg",
            "tagline": self.words(2, 4),
        }
        params.update({k: v for k, v in optional.items() if rng.random() < 0.4})
        if self.config.get("theme") == "default":
            params.pop("logo", None)
        return params or None

    def term_description(self) -> Change:
        taxonomy = self.rng.choice(list(TERMS))
        name = self.rng.choice(TERMS[taxonomy])
        slug = name.lower().replace(" ", "-")
        md, yml = (
            self.root / f"content/{taxonomy}/{slug}.md",
            self.root / f"content/{taxonomy}/{slug}.yaml",
        )
        existing = md if md.exists() else yml if yml.exists() else None
        action = self.pick("term", ["write", "delete", "format"])
        if action == "delete" and existing:
            existing.unlink()
            return Change(
                "term description", f"deleted {existing.relative_to(self.root)}", {existing}
            )
        target = (md if taxonomy == "countries" else yml) if existing is None else existing
        if action == "format" and existing:
            existing.unlink()
            target = yml if existing == md else md
        fields: dict[str, Any] = {"title": name}
        if taxonomy == "countries" and self.rng.random() < 0.6:
            fields["region"] = self.rng.choice([*REGIONS, "Western Europe", "East Asia"])
        description = f"{self.words(5, 15).capitalize()}. *{self.words(1, 3)}*."
        if target.suffix == ".md":
            text = (
                "---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n\n" + description + "\n"
            )
        else:
            text = yaml.safe_dump({**fields, "description": description}, sort_keys=False)
        self.write(str(target.relative_to(self.root)), text)
        before = (
            f"{existing.relative_to(self.root)} replaced by "
            if existing and existing != target
            else ""
        )
        return Change(
            "term description",
            f"wrote {before}{target.relative_to(self.root)} ({fields})",
            {target} | ({existing} if existing else set()),
        )

    def page(self) -> Change:
        files = sorted((self.root / "content/pages").glob("*.md"))
        action = self.pick("page", ["add", "body", "title", "description", "rename", "delete"])
        if not files:
            action = "add"
        if action == "add":
            n = self.next()
            fields = {"title": f"Page {n} {self.words(1, 2)}", "description": self.words(3, 6)}
            if self.rng.random() < 0.5:
                fields["slug"] = f"p{n}"
            path = self.write(
                f"content/pages/page{n}.md",
                "---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n\n" + self.body() + "\n",
            )
            return Change("page", f"added {path.relative_to(self.root)} ({fields})", {path})
        path = self.rng.choice(files)
        rel = path.relative_to(self.root)
        if action == "delete":
            path.unlink()
            return Change("page", f"deleted {rel}", {path})
        if action == "rename":
            target = path.with_name(f"renamed{self.next()}.md")
            path.rename(target)
            return Change("page", f"renamed {rel} to {target.name}", {path, target})
        meta, body = front_matter(path)
        if action == "body":
            body = body.rstrip() + "\n\n" + self.body() + "\n"
        elif action == "title":
            meta["title"] = f"{self.words(1, 3).capitalize()} {self.next()}"
        else:
            meta["description"] = self.words(3, 8)
        path.write_text(
            "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + body, encoding="utf-8"
        )
        return Change("page", f"edited the {action} of {rel}", {path})

    def entities_yaml(self) -> Change:
        """An edit of the import registry, and a new seed naming what it changed, so that the import uses it."""
        rng = self.rng
        action = self.pick(
            "entities", ["person", "organisation", "topic", "country alias", "ignore", "remove"]
        )
        known = {e["name"] for e in self.registry["people"]}
        if action == "person":
            name = next(
                (
                    f"{f} {s}"
                    for f, s in rng.sample([(f, s) for f in FIRST_NAMES for s in SURNAMES], 36)
                    if f"{f} {s}" not in known
                )
            )
            self.registry["people"].append(
                {
                    "name": name,
                    "aliases": [name.split()[1]],
                    "role": "Minister",
                    "country": rng.choice(PLACES),
                }
            )
            named, what = [name, rng.choice(PLACES), name.split()[1]], f"added person {name}"
        elif action == "organisation":
            place = rng.choice(["Baltic", "Sahel", "Arctic", "Andean"])
            name = f"{place} {rng.choice(['Compact', 'Forum', 'Accord'])} {self.next()}"
            self.registry["organisations"].append({"name": name, "aliases": []})
            named, what = [name, rng.choice(PLACES), "NATO"], f"added organisation {name}"
        elif action == "topic":
            topic = rng.choice(
                [
                    ("Shipping", ["ship*", "tanker*"]),
                    ("Mining", ["mine*", "lithium"]),
                    ("Fisheries", ["fish*", "trawler*", "quota*"]),
                ]
            )
            self.registry["topics"] = [
                t for t in self.registry["topics"] if t["name"] != topic[0]
            ] + [{"name": topic[0], "keywords": topic[1]}]
            named, what = (
                [f"{topic[1][0].rstrip('*')}s", f"{topic[1][1].rstrip('*')}s", rng.choice(PLACES)],
                f"topic {topic[0]} keywords {topic[1]}",
            )
        elif action == "country alias":
            country, alias = rng.choice(
                [
                    ("Peru", "Tawantinsuyu"),
                    ("Japan", "Nihon"),
                    ("Kenya", "Jamhuri"),
                    ("Chile", "Chilenia"),
                ]
            )
            self.registry["countries"] = [
                c for c in self.registry["countries"] if c["name"] != country
            ] + [{"name": country, "aliases": [alias]}]
            named, what = [alias, f"{alias}'s government", "NATO"], f"alias {alias} for {country}"
        elif action == "ignore":
            phrase = rng.choice(
                [e["name"] for e in self.registry["people"] + self.registry["organisations"]]
            )
            self.registry["ignore"] = sorted(set(self.registry["ignore"]) | {phrase})
            named, what = [phrase, rng.choice(PLACES), "NATO"], f"ignore {phrase!r}"
        else:
            group = rng.choice(["people", "organisations", "topics"])
            if self.registry[group]:
                gone = self.registry[group].pop(rng.randrange(len(self.registry[group])))
                named, what = (
                    [gone["name"], rng.choice(PLACES), "NATO"],
                    f"removed {gone['name']} from {group}",
                )
            else:
                named, what = (
                    [rng.choice(PLACES), "NATO", "Vladimir Putin"],
                    f"no {group} left to remove",
                )
        registry = self.write_registry()
        seed, name = self.add_seed(named)
        return Change(
            "entities.yaml", f"{what}; new seeds/{name} names {named}", {registry, seed}, {name}
        )


def inputs_of(root: Path) -> dict[str, bytes]:
    """Every input file of a project (all but output/ and .cache/), to check that two copies still agree."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in ("output", ".cache")
    }


def mirror(touched: set[Path], source: Path, target: Path) -> set[Path]:
    """Repeat a change of `source`'s files in `target` (mtimes kept: seeds import alike); the paths changed there."""
    paths = set()
    for path in touched:
        twin = target / path.relative_to(source)
        paths.add(twin)
        if twin == path:
            continue
        if path.exists():
            twin.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, twin)
        else:
            twin.unlink(missing_ok=True)
    return paths


class Rebuilds:
    """Rebuilds a project in one of the two modes: one Builder kept alive (serve), or a fresh one per build (CLI)."""

    def __init__(self, root: Path, mode: str):
        self.root, self.mode = root, mode
        self.builder: Builder | None = None
        self.written: frozenset[str] | None = None  # what the last rebuild wrote and removed
        self.reset()

    def __call__(self, touched: set[Path]) -> str:
        """Rebuild after a change; returns a note on the fast render, if it ran."""
        if self.builder is None:  # the CLI: `briefings build`, state from .cache/
            report = build_project(self.root, BuildOptions(run_import=True))
            self.written = report.stats.changed_paths
            return f" ({report.shortcut})" if report.shortcut else ""
        fast = (
            self.builder.quick(touched) if touched else None
        )  # serve writes an edited briefing's page first
        full = self.builder._build
        ran = []
        self.builder._build = lambda surveyed: ran.append(1) or full(surveyed)  # type: ignore[method-assign]
        try:
            report = self.builder.build(touched)  # serve hands over what its watcher saw
            # with the fast render's writes, which the full rebuild then finds current
            self.written = report.stats.changed_paths | (
                fast.changed_paths if fast else frozenset()
            )
        finally:
            del self.builder._build
        note = " (fast render first)" if fast is not None else ""
        return note + ("" if ran else " (text-only settle)")

    def reset(self) -> None:
        """Forget everything: no output, no cache, a new Builder; then build."""
        shutil.rmtree(self.root / "output", ignore_errors=True)
        shutil.rmtree(self.root / ".cache", ignore_errors=True)
        if (
            self.mode == "kept-builder"
        ):  # serve's options: in-place writes, seeds imported before each build
            self.builder = Builder(self.root, BuildOptions(run_import=True, swap=False))
        self(set())


def test_incremental_builds_equal_a_clean_build_after_random_changes_to_every_input(tmp_path):
    """The same seeded changes go to two copies of a project, one per mode; a clean build follows each step."""
    run_steps(tmp_path, Inputs, STEPS)


def test_incremental_builds_equal_a_clean_build_after_translations_and_languages_change(tmp_path):
    """The same, on a site in several languages: translations added, edited and deleted (by `translation_of:`
    or a language's folder), `languages:` changed, sources edited."""
    run_steps(tmp_path, LanguageInputs, LANGUAGE_STEPS)


def run_steps(tmp_path: Path, make: Callable[..., Inputs], steps: dict[str, int]) -> None:
    """Every kind of step of `steps`, shuffled, to two copies of one project; each compared with a clean build."""
    rng = random.Random(SEED)
    roots = {mode: (tmp_path / mode).resolve() for mode in MODES}
    first = roots[MODES[0]]
    inputs = make(first, rng)
    inputs.setup()
    for mode in MODES[1:]:
        shutil.copytree(first, roots[mode])
    rebuilds = {mode: Rebuilds(roots[mode], mode) for mode in MODES}
    notes = dict.fromkeys(
        MODES, ""
    )  # what each mode's last rebuild did: ran the fast render, raised
    failures: list[str] = []

    def check(number: int, change: Change) -> None:
        """Compare each copy's output with a clean build; record the copies that differ and rebuild them anew."""
        try:
            want = clean_tree(first, tmp_path / "clean", change.fresh_seeds)
        except Exception as exc:
            exc.add_note(
                f"clean build after step {number} [{change.kind}] {change.what}: the change is not valid input"
            )
            raise
        for mode, root in roots.items():
            if notes[mode].startswith(" raised"):
                failures.append(
                    f"{mode}: step {number} [{change.kind}] {change.what}: "
                    f"the build{notes[mode]}; a clean build did not"
                )
            else:
                expected = (
                    want
                    if inputs_of(root) == inputs_of(first)
                    else clean_tree(root, tmp_path / "clean", change.fresh_seeds)
                )
                got = tree(root / "output")
                if not (paths := differences(got, expected)):
                    continue
                kept = tmp_path / "differing" / f"step-{number}-{mode}"
                failures.append(
                    f"{mode}: "
                    + describe(number, change, paths, notes[mode])
                    + inspect(got, expected, paths, rebuilds[mode].written, kept)
                )
            rebuilds[mode].reset()

    check(0, Change("initial", "first build, seeds imported"))
    queue = [kind for kind, count in steps.items() for _ in range(count)]
    rng.shuffle(queue)
    kinds, number = set(), 0
    while queue:
        if (
            inputs.config.get("theme") == "default" and "site.yaml" in steps
        ):  # the site theme again next, so that theme edits show
            if "site.yaml" in queue:
                queue.remove("site.yaml")
            queue.insert(0, "site.yaml")
        kind, number = queue.pop(0), number + 1
        change = inputs.change(kind)
        kinds.add(kind)
        for mode, root in roots.items():
            try:
                notes[mode] = rebuilds[mode](mirror(change.touched, first, root))
            except (
                Exception
            ) as exc:  # reported with the step (a clean build raising too fails the test)
                notes[mode] = f" raised {exc!r}"
        check(number, change)
    assert kinds == set(steps)
    assert not failures, (
        f"{len(failures)} rebuilds of {number} steps differ from a clean build:\n"
        + "\n".join(failures)
    )


LANGUAGES = [
    {"code": "en", "name": "English", "default": True},
    {"code": "fr", "name": "Français", "title": "Bureau"},
    {"code": "uk", "name": "Українська"},
    {"code": "ar", "name": "العربية"},
]
LANGUAGE_STEPS = {
    "translation": 8,
    "languages": 3,
    "briefing": 3,
    "template": 1,
    "term translation": 2,
}


class LanguageInputs(Inputs):
    """Inputs of a site in several languages, with translations of some of its briefings."""

    def setup(self) -> None:
        self.config["languages"] = [dict(lang) for lang in LANGUAGES]
        super().setup()
        sources = sorted((self.root / "content/briefings").glob("b*.md"))
        self.write("content/briefings/fr/" + sources[0].name, self.new_briefing())  # by folder
        self.translate(sources[1], "uk")  # by translation_of:

    def codes(self) -> list[str]:
        return [lang["code"] for lang in self.config["languages"] if not lang.get("default")]

    def translations(self) -> list[Path]:
        """Every translation file: in a language's folder, or naming its source."""
        found = []
        for path in sorted((self.root / "content/briefings").rglob("*.md")):
            parts = path.relative_to(self.root / "content/briefings").parts
            if parts[0] in self.codes() or "translation_of" in front_matter(path)[0]:
                found.append(path)
        return found

    def sources(self) -> list[Path]:
        """Briefings of the default language that may be translated (not page bundles or seeds' imports)."""
        folder = self.root / "content/briefings"
        return [
            p
            for p in sorted(folder.rglob("*.md"))
            if p.relative_to(folder).parts[0] not in [lang["code"] for lang in LANGUAGES]
            and p.name != "index.md"
            and "translation_of" not in front_matter(p)[0]
            and "lang" not in front_matter(p)[0]
        ]

    def translated(self, source: Path) -> set[str]:
        """The languages `source` already has a translation in."""
        folder = self.root / "content/briefings"
        rel = source.relative_to(folder)
        slug = source_slug(source)
        have = {code for code in self.codes() if (folder / code / rel).exists()}
        for path in self.translations():
            meta = front_matter(path)[0]
            if meta.get("translation_of") == slug:
                have.add(str(meta.get("lang")))
        return have

    def translate(self, source: Path, code: str) -> Path:
        meta = {
            "title": f"{self.words(2, 4).capitalize()} ({code}) {self.next()}",
            "date": str(front_matter(source)[0]["date"]),
            "lang": code,
            "translation_of": source_slug(source),
            **self.terms(),
        }
        if self.rng.random() < 0.5:
            meta["translated_from"] = self.rng.choice(["0123456789ab", "deadbeefcafe"])
        return self.write(
            f"content/briefings/t{self.next()}.md", briefing_md(body=self.body(), **meta)
        )

    def translation(self) -> Change:
        action = self.pick("translation", ["add", "add-folder", "edit", "mark", "delete"])
        existing = self.translations()
        if action in ("edit", "mark", "delete") and existing:
            path = self.rng.choice(existing)
            rel = path.relative_to(self.root)
            if action == "delete":
                path.unlink()
                return Change("translation", f"deleted {rel}", {path})
            meta, body = front_matter(path)
            if action == "mark":
                meta["translated_from"] = self.rng.choice(["", "0123456789ab"])
                meta = {k: v for k, v in meta.items() if v != ""}
                what = f"translated_from {meta.get('translated_from')!r} in"
            else:
                meta["title"] = self.title()
                body = body.rstrip() + " " + self.words(2, 6) + ".\n"
                what = "retitled and extended"
            path.write_text(briefing_md(body=body, **meta), encoding="utf-8")
            return Change("translation", f"{what} {rel}", {path})
        options = [
            (s, c) for s in self.sources() for c in self.codes() if c not in self.translated(s)
        ]
        if not options:
            return Change("translation", "nothing left to translate")
        source, code = self.rng.choice(options)
        if action == "add-folder" and source.parent == self.root / "content/briefings":
            path = self.write(f"content/briefings/{code}/{source.name}", self.new_briefing())
        else:
            path = self.translate(source, code)
        return Change("translation", f"added {path.relative_to(self.root)} ({code})", {path})

    def term_translation(self) -> Change:
        """A term's description in a language's folder (content/countries/fr/france.md): added, edited or
        deleted."""
        code = self.rng.choice(self.codes())
        path = self.root / f"content/countries/{code}/france.md"
        if path.exists() and self.rng.random() < 0.4:
            path.unlink()
            return Change("term translation", f"deleted {path.relative_to(self.root)}", {path})
        text = f"---\ntitle: France\n---\n\n{self.words(4, 9).capitalize()} ({code}).\n"
        self.write(path.relative_to(self.root).as_posix(), text)
        return Change("term translation", f"wrote {path.relative_to(self.root)}", {path})

    def languages(self) -> Change:
        action = self.pick("languages", ["drop", "rename", "retitle"])
        langs = self.config["languages"]
        touched = set()
        if action == "drop" and len(langs) > 2:
            # found while the language is still the site's: afterwards its folder is no language's, and a
            # folder translation left there with `translated_from:` is an error (found by seed 145)
            translations = self.translations()
            gone = langs.pop()
            for path in translations:
                parts = path.relative_to(self.root / "content/briefings").parts
                if parts[0] == gone["code"] or front_matter(path)[0].get("lang") == gone["code"]:
                    path.unlink()
                    touched.add(path)
            for path in sorted((self.root / "content/countries" / gone["code"]).glob("*.md")):
                path.unlink()
                touched.add(path)
            what = f"dropped {gone['code']} and its translations"
        elif action == "rename":
            lang = self.rng.choice(langs[1:])
            lang["name"] = f"{lang['name']} {self.next()}"
            lang["path"] = self.rng.choice([lang["code"], f"{lang['code']}-x"])
            what = f"{lang['code']} named {lang['name']!r} at /{lang['path']}/"
        else:
            missing = [lang for lang in LANGUAGES if lang["code"] not in [x["code"] for x in langs]]
            if missing:
                langs.append(dict(missing[0]))
                what = f"added {missing[0]['code']}"
            else:
                langs[1]["title"] = f"Bureau {self.next()}"
                what = f"{langs[1]['code']} titled {langs[1]['title']!r}"
        touched.add(self.write_config())
        return Change("languages", what, touched)


def source_slug(path: Path) -> str:
    """The slug of a briefing file, as the generator derives it (front matter `slug:`, else its title)."""
    from generator.core.urls import slug_from

    meta = front_matter(path)[0]
    return str(meta.get("slug") or slug_from(str(meta["title"])))


def test_editing_the_site_themes_map_data_rebuilds_country_pages_with_the_cache(
    make_site, tmp_path
):
    """Reported: after an edit of themes/<site>/data/countries-110m.json a cached build kept the old maps."""
    project = make_site(config="title: Maps\nbase_url: https://example.org/\ntheme: site\n")
    project.write(
        {
            f"content/briefings/b{i}.md": briefing_md(
                f"Briefing {i}", f"2026-10-{i + 1:02d}T09:00:00+00:00", countries=[country]
            )
            for i, country in enumerate(["France", "Chile", "Kenya", "Peru"])
        }
    )
    data = project.root / "themes/site" / MAP_DATA
    data.parent.mkdir(parents=True)
    shutil.copyfile(DEFAULT_THEME / MAP_DATA, data)
    build(project.root, BuildOptions(run_import=False))
    topology = json.loads(data.read_text(encoding="utf-8"))
    geometries = topology["objects"]["countries"]["geometries"]
    geometries.remove(
        next(g for g in geometries if g["properties"]["name"] == "Chile")
    )  # no locator map for Chile
    france = next(g for g in geometries if g["properties"]["name"] == "France")
    index = france["arcs"][1][0][
        0
    ]  # mainland France (~i: arc i reversed): move one point of its border
    arc = topology["arcs"][index if index >= 0 else ~index]
    arc[len(arc) // 2][0] += 900
    data.write_text(json.dumps(topology, separators=(",", ":")), encoding="utf-8")
    build(
        project.root, BuildOptions(run_import=False)
    )  # a fresh Builder, as the CLI runs, with .cache/
    got, want = tree(project.output), clean_tree(project.root, tmp_path / "clean", set())
    countries = sorted(p for p in want if p.startswith("countries/"))
    assert {
        "countries/index.html",
        "countries/chile/index.html",
        "countries/france/index.html",
    } <= set(countries)
    stale = [p for p in countries if got.get(p) != want[p]]
    assert not stale, f"country pages not rebuilt after an edit of themes/site/{MAP_DATA}: {stale}"
    assert not (paths := differences(got, want)), f"output differs from a clean build: {paths}"


def test_redating_the_newest_briefing_rebuilds_the_later_pages_of_its_terms(make_site, tmp_path):
    """Found by the random steps (a seed's new dateline): every page of a term shows the term's latest date."""
    project = make_site(config="title: Pages\nbase_url: https://example.org/\npaginate: 2\n")
    project.write(
        {
            f"content/briefings/b{i}.md": briefing_md(
                f"B {i}", f"2026-10-{i + 1:02d}T09:00:00+00:00", countries=["Chile"]
            )
            for i in range(5)
        }
    )
    build(project.root, BuildOptions(run_import=False))
    project.write(
        {
            "content/briefings/b4.md": briefing_md(
                "B 4", "2026-11-20T09:00:00+00:00", countries=["Chile"]
            )
        }
    )  # still the newest
    build(project.root, BuildOptions(run_import=False))
    paths = differences(tree(project.output), clean_tree(project.root, tmp_path / "clean", set()))
    assert not paths, (
        f"output differs from a clean build after the newest briefing's date changed: {paths}"
    )


# --- generator/data, on a copy of the package ---------------------------------------------------------

DRIVER = """
import sys
from pathlib import Path

import generator
from generator.build.builder import Builder, BuildOptions

package = Path(sys.argv[1]).resolve()
assert Path(generator.__file__).resolve().is_relative_to(package), generator.__file__
if sys.argv[2] == "kept-builder":  # serve: one Builder, a build per line read
    builder = Builder(Path(sys.argv[3]).resolve(), BuildOptions(run_import=True, swap=False))
    for _ in sys.stdin:
        try:
            builder.build()
            print("ok", flush=True)
        except Exception as exc:
            print("error", repr(exc).replace("\\n", " "), flush=True)
else:  # mode=root ...: a new Builder for each, in this new process (the CLI, or clean builds)
    for spec in sys.argv[2:]:
        mode, _, root = spec.partition("=")
        clean = mode == "clean"
        Builder(Path(root).resolve(), BuildOptions(run_import=True, cache=not clean, jobs=1 if clean else 0)).build()
"""


class KeptProcess:
    """A Builder kept alive in a subprocess running a copy of the generator package, as `serve` keeps one."""

    def __init__(self, command: list[str], env: dict[str, str], root: Path):
        self.command, self.env, self.root = command, env, root
        self.process: subprocess.Popen[str] | None = None

    def build(self) -> None:
        if self.process is None:
            self.process = subprocess.Popen(
                [*self.command, "kept-builder", str(self.root)],
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("build\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer == "ok", f"kept builder: {answer or 'no answer'}"

    def stop(self) -> None:
        if self.process is not None:
            assert self.process.stdin
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process = None


def _edit_lines(path: Path, edit: Callable[[str], str]) -> None:
    path.write_text(
        "\n".join(edit(line) for line in path.read_text(encoding="utf-8").split("\n")),
        encoding="utf-8",
    )


def test_generator_data_edits_rebuild_like_a_clean_build(tmp_path):
    """countries.yaml and actors.yaml: the names the import finds in new seeds, and regions on country pages.

    A process reads generator/data once, so the edits are made to a copy of the package, built in subprocesses
    (PYTHONPATH): a kept one for serve's Builder; a new one per step for the CLI's build and the clean builds."""
    package, driver = tmp_path / "package", tmp_path / "driver.py"
    shutil.copytree(
        ROOT / "generator", package / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        DEFAULT_THEME, package / "themes/default"
    )  # the package finds its default theme next to itself
    driver.write_text(DRIVER, encoding="utf-8")
    command, env = (
        [sys.executable, str(driver), str(package)],
        {**os.environ, "PYTHONPATH": str(package)},
    )
    data = package / "generator/data"
    roots = {mode: (tmp_path / mode).resolve() for mode in MODES}
    first, second = roots.values()
    inputs = Inputs(first, random.Random(SEED))
    inputs.config["theme"] = "default"
    inputs.write_config()
    for i, country in enumerate(["Kenya", "Peru", "Chile", "France"]):
        inputs.write(
            f"content/briefings/b{i}.md",
            briefing_md(
                f"Briefing {i}",
                f"2026-10-{i + 1:02d}T09:00:00+00:00",
                countries=[country],
                body=inputs.body(),
            ),
        )
    inputs.add_seed(["Peru", "NATO", "Vladimir Putin"])
    shutil.copytree(first, second)
    kept = KeptProcess(command, env, first)

    def run(*specs: str) -> None:
        done = subprocess.run(
            [*command, *specs], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{specs} failed: {done.stderr[-2000:]}"

    def add_person() -> set[Path]:
        path = data / "actors.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "people:\n",
                "people:\n  - {name: Ilse Varga, aliases: [Varga], role: Envoy, country: Peru}\n",
                1,
            ),
            encoding="utf-8",
        )
        return {inputs.add_seed(["Ilse Varga", "Peru", "Varga"])[0]}

    def add_alias() -> set[Path]:
        _edit_lines(
            data / "countries.yaml",
            lambda line: (
                line.replace("[Peruvian,", "[Tawantinsuyu, Peruvian,", 1)
                if line.startswith("  PE:")
                else line
            ),
        )
        return {inputs.add_seed(["Tawantinsuyu", "NATO", "Tawantinsuyu"])[0]}

    def move_kenya() -> set[Path]:
        _edit_lines(
            data / "countries.yaml",
            lambda line: (
                line.replace(" KE", "")
                if line.startswith("  Eastern Africa:")
                else line + " KE"
                if line.startswith("  Middle Africa:")
                else line
            ),
        )
        return set()

    # actors.yaml first: the kept process read it importing the first seed (a reset starts a new process)
    steps = [
        ("actors.yaml: new person Ilse Varga; a new seed names her", add_person),
        ("countries.yaml: alias Tawantinsuyu for Peru; a new seed uses it", add_alias),
        ("countries.yaml: Kenya (KE) moved from Eastern Africa to Middle Africa", move_kenya),
    ]
    failures = []
    try:
        kept.build()
        run(f"{MODES[1]}={second}")
        for number, (what, edit) in enumerate(steps, start=1):
            seeds = edit()
            mirror(seeds, first, second)
            # Clean copies now: this step's build imports only its new seeds, whose briefings they leave out anyway.
            clean = {first: fresh_copy(first, tmp_path / "clean-1", {p.name for p in seeds})}
            clean[second] = (
                fresh_copy(second, tmp_path / "clean-2", {p.name for p in seeds})
                if inputs_of(first) != inputs_of(second)
                else clean[first]
            )
            kept.build()
            run(f"{MODES[1]}={second}", *dict.fromkeys(f"clean={c}" for c in clean.values()))
            for mode, root in roots.items():
                got, want = tree(root / "output"), tree(clean[root] / "output")
                if paths := differences(got, want):
                    failures.append(
                        f"{mode}: "
                        + describe(
                            number, Change("generator/data", f"generator/data/{what}"), paths
                        )
                        + inspect(
                            got, want, paths, None, tmp_path / "differing" / f"{number}-{mode}"
                        )
                    )
                    if number == len(steps):
                        continue
                    shutil.rmtree(root / "output")
                    shutil.rmtree(root / ".cache", ignore_errors=True)
                    if root == first:
                        kept.stop()
                        kept.build()
                    else:
                        run(f"{MODES[1]}={second}")
    finally:
        kept.stop()
    assert not failures, (
        f"{len(failures)} rebuilds of {len(steps)} edits differ from a clean build:\n"
        + "\n".join(failures)
    )
