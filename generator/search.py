"""Full-text search: the /search/ page and a Pagefind index of the briefing pages, built in memory.

Pagefind (https://pagefind.app) indexes the rendered HTML into a static bundle (`pagefind/`: WASM, index
chunks, its UI) that the browser queries without any server code. Its Python API drives the binary that
the `pagefind[extended]` wheel ships. The index files go into the same {path: bytes} the writer gets, so
they are written atomically and never pruned as stale.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import struct
import concurrent.futures
import hashlib
import tempfile
import time
from collections.abc import Iterable, Mapping
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SiteError
from .model import OutputPage, Site
from .outputs import html_page

BUNDLE = "pagefind"  # output folder of the index


def search_pages(site: Site) -> Iterable[OutputPage]:
    """/search/: Pagefind's UI, started by static/search.js (the CSP allows no inline script)."""
    yield html_page(
        "search/", "search.html", (tuple(site.config.taxonomies),),
        title="Search", description=f"Search every briefing of {site.config.title}.", kind="search",
    )


def indexed_paths(site: Site) -> list[str]:
    """Output paths of the pages that are searchable: one per briefing."""
    return [f"{b.url}index.html" for b in site.briefings]


def index_html(pages: Mapping[str, bytes], language: str) -> dict[str, bytes]:
    """Run Pagefind over {output path: html}; return the bundle as {'pagefind/...': bytes}."""
    try:
        from pagefind.index import PagefindIndex
    except ImportError:
        raise SiteError.at("site.yaml", None, "search needs Pagefind: pip install 'pagefind[extended]'") from None

    async def run() -> dict[str, bytes]:
        index = PagefindIndex({"force_language": language.split("-")[0].lower() or "en"})
        await index._start()  # not `async with`: its exit writes to the working directory
        try:
            # Pagefind's own directory walk is multithreaded and ~100x faster than add_html_file per page
            # (~3 ms a page against ~100 ms), so the pages go to a scratch folder first.
            with tempfile.TemporaryDirectory(prefix="pagefind-src-") as src, tempfile.TemporaryDirectory(prefix="pagefind-") as tmp:
                for rel, data in pages.items():
                    target = Path(src, rel)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                if pages:
                    await index.add_directory(src)
                await index.write_files(output_path=tmp)
                root = Path(tmp)
                files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
                return {f"{BUNDLE}/{name}": data for name, data in canonical_bundle(files).items()}
        finally:
            if index._service is not None:
                await index._service.close()

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(run())
        # Called from inside an event loop (a dev server, Playwright's sync API): give Pagefind its own thread.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(run())).result()
    except FileNotFoundError as exc:
        raise SiteError.at("site.yaml", None, f"search needs the Pagefind binary ({exc}): pip install 'pagefind[extended]'") from None


@dataclass
class SearchIndex:
    """The last bundle built, kept by the Builder: re-indexing happens only when a briefing page changed."""

    key: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0  # time of the last real indexing run
    runs: int = 0

    def update(self, site: Site, rendered: Mapping[str, bytes]) -> dict[str, bytes]:
        """The bundle for the briefing pages in `rendered`, from memory when none of them changed."""
        paths = indexed_paths(site)
        h = hashlib.sha256(site.config.language.encode())
        for path in paths:
            h.update(path.encode() + b"\0" + hashlib.sha256(rendered[path]).digest())
        key = h.hexdigest()
        if key != self.key:
            started = time.perf_counter()
            self.files = index_html({p: rendered[p] for p in paths}, site.config.language)
            self.seconds = time.perf_counter() - started
            self.runs += 1
            self.key = key
        return dict(self.files)


# --- a byte-identical bundle for identical input --------------------------------------------------------
# Pagefind writes each filter's values (and the list of filters) in Rust HashMap order, which is seeded at
# random per process: two builds of the same site would differ in those files, their content-hashed names,
# the language's meta file and pagefind-entry.json. Rewriting them sorted, under names hashed from the
# sorted bytes, makes the bundle deterministic (habit 8: rebuilds are byte-identical, incremental = full).
# The files are gzip("pagefind_dcd" + CBOR); the few CBOR types Pagefind uses are decoded below.

_MAGIC = b"pagefind_dcd"


def canonical_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with filter values and filter lists sorted and the affected files renamed by content."""
    try:
        entry = json.loads(files["pagefind-entry.json"])
        renamed: dict[str, str] = {}  # old hash -> new hash
        out = dict(files)
        for name, data in files.items():
            if name.startswith("filter/") and name.endswith(".pf_filter"):
                filter_name, values = _load(data)
                blob = _dump([filter_name, sorted(values, key=lambda v: v[0])])
                old = name[len("filter/") : -len(".pf_filter")]
                new = f"{old.split('_')[0]}_{hashlib.sha256(blob).hexdigest()[:7]}"
                renamed[old] = new
                del out[name]
                out[f"filter/{new}.pf_filter"] = blob
        for language, info in entry["languages"].items():
            meta_name = f"pagefind.{info['hash']}.pf_meta"
            meta = _load(files[meta_name])
            filters = next(i for i, part in enumerate(meta) if isinstance(part, list) and part and all(
                isinstance(f, list) and len(f) == 2 and f[1] in renamed for f in part))
            meta[filters] = sorted([[f[0], renamed[f[1]]] for f in meta[filters]])
            blob = _dump(meta)
            new = f"{info['hash'].split('_')[0]}_{hashlib.sha256(blob).hexdigest()[:10]}"
            del out[meta_name]
            out[f"pagefind.{new}.pf_meta"] = blob
            out["pagefind-entry.json"] = out["pagefind-entry.json"].replace(f'"{info["hash"]}"'.encode(), f'"{new}"'.encode())
        return out
    except (KeyError, ValueError, StopIteration, IndexError, TypeError, EOFError, gzip.BadGzipFile):
        return files  # a Pagefind whose format we don't know: keep its bundle as it is (still correct)


def _load(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(_MAGIC):
        raise ValueError("not a Pagefind file")
    value, end = _decode(raw, len(_MAGIC))
    if end != len(raw):
        raise ValueError("trailing bytes")
    return value


def _dump(value: Any) -> bytes:
    out = bytearray(_MAGIC)
    _encode(value, out)
    return gzip.compress(bytes(out), mtime=0)


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    """One CBOR item at `pos` (definite lengths; ints, strings, arrays, maps, simple values, floats)."""
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if major == 7:
        if info in (20, 21, 22):
            return (False, True, None)[info - 20], pos
        if info == 25:
            return struct.unpack(">e", data[pos : pos + 2])[0], pos + 2
        if info == 26:
            return struct.unpack(">f", data[pos : pos + 4])[0], pos + 4
        if info == 27:
            return struct.unpack(">d", data[pos : pos + 8])[0], pos + 8
        raise ValueError(f"CBOR simple value {info}")
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise ValueError("indefinite CBOR lengths")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        chunk = data[pos : pos + arg]
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, pos = _decode(data, pos)
            mapping[key], pos = _decode(data, pos)
        return mapping, pos
    raise ValueError(f"CBOR major type {major}")


def _head(major: int, arg: int, out: bytearray) -> None:
    if arg < 24:
        out.append(major << 5 | arg)
    else:
        size = 1 if arg < 256 else 2 if arg < 65536 else 4 if arg < 2**32 else 8
        out.append(major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[size])
        out += arg.to_bytes(size, "big")


def _encode(value: Any, out: bytearray) -> None:
    if value is False or value is True or value is None:
        out.append(0xE0 | {False: 20, True: 21, None: 22}[value])
    elif isinstance(value, int):
        _head(0, value, out) if value >= 0 else _head(1, -1 - value, out)
    elif isinstance(value, float):
        out.append(0xFB)
        out += struct.pack(">d", value)
    elif isinstance(value, bytes):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, str):
        encoded = value.encode("utf-8")
        _head(3, len(encoded), out)
        out += encoded
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise TypeError(type(value).__name__)
