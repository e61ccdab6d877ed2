"""Rich bodies: images as responsive <picture>s and <figure>s, and shortcodes for theme components.

Images. `![Alt text](photo.jpg "Caption"){: credit="Photo: AFP" licence="CC BY 4.0"}` names a file next to
the briefing (a page bundle, content/briefings/<slug>/index.md) or in content/images/. The `Figures`
treeprocessor replaces each such <img> by a <picture> (AVIF, WebP, the original format) with srcset, sizes,
width and height; an image alone in its paragraph becomes a <figure> whose <figcaption> holds the title and
the credit line. Every image but the first loads lazily. A missing alt text is a warning with file and line.

Shortcodes. A line `{{< name key="value" ... >}}` (its own paragraph, outside code blocks) calls the theme
component `shortcodes/<name>.html`; it is drawn when the page renders (render/components.py), where the data
files it reads are recorded as inputs of the page. Here each call is checked and left as `<!--shortcode:N-->`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as etree

from markdown.treeprocessors import Treeprocessor

from generator.core.config import Config
from generator.core.errors import Problem
from generator.core.images import MIME, srcset
from generator.core.model import Document, Picture, Shortcode
from generator.read.images import Found, ImageProblem, is_local, locate, picture

SHORTCODE_RE = re.compile(
    r"^\s*\{\{<\s*([a-z][a-z0-9_-]*)((?:\s+[a-z][a-z0-9_]*=\"[^\"]*\")*)\s*>\}\}\s*$"
)
_ARG_RE = re.compile(r"([a-z][a-z0-9_]*)=\"([^\"]*)\"")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
# built-in components -> (required arguments, optional arguments)
BUILTIN = {
    "map": ({"countries"}, {"caption", "title"}),
    "chart": ({"data", "x", "y"}, {"type", "title", "caption", "unit", "source"}),
    "table": ({"data"}, {"columns", "caption", "source"}),
}
TOKEN = "briefingsshortcode{}x"


@dataclass
class _Scope:
    document: Path
    config: Config
    text: str
    body_line: int
    found: Found = field(default_factory=Found)
    problems: list[Problem] = field(default_factory=list)
    cursor: int = 0

    def line_of(self, needle: str) -> int:
        """The line of the content file where `needle` next appears in the body (for messages)."""
        at = self.text.find(needle, self.cursor)
        if at < 0:
            at = self.text.find(needle)
        if at < 0:
            return self.body_line
        self.cursor = at + len(needle)
        return self.body_line + self.text.count("\n", 0, at)


_scope: ContextVar[_Scope | None] = ContextVar("images_scope", default=None)


class Rich:
    """One body's shortcodes and images: `doc` is the body to render (shortcodes as tokens), `rendering()` lets
    Figures see the document, `place(html)` puts the shortcode markers in."""

    def __init__(self, doc: Document, config: Config):
        self.config = config
        self.problems: list[Problem] = []
        self.shortcodes: list[Shortcode] = []
        lines = doc.body.split("\n")
        fence = None
        for i, text in enumerate(lines):
            if m := _FENCE_RE.match(text):
                fence = None if fence == m.group(1) else (fence or m.group(1))
                continue
            if fence or "{{<" not in text:
                continue
            lines[i] = self._shortcode(text, doc.path, doc.body_line + i)
        self.doc = replace(doc, body="\n".join(lines))
        self.scope = _Scope(doc.path, config, doc.body, doc.body_line)

    def _shortcode(self, text: str, path: Path, line: int) -> str:
        match = SHORTCODE_RE.match(text)
        if not match:
            self.problems.append(
                Problem(
                    path,
                    line,
                    'malformed shortcode; write it alone on a line as {{< name key="value" >}}',
                )
            )
            return text
        name, args = match.group(1), tuple(_ARG_RE.findall(match.group(2)))
        keys = {k for k, _ in args}
        if name in BUILTIN:
            required, optional = BUILTIN[name]
            if missing := sorted(required - keys):
                self.problems.append(
                    Problem(
                        path,
                        line,
                        f"shortcode '{name}' needs {', '.join(f'{k}=...' for k in missing)}",
                    )
                )
            if unknown := sorted(keys - required - optional):
                known = ", ".join(sorted(required | optional))
                self.problems.append(
                    Problem(
                        path,
                        line,
                        f"shortcode '{name}' has no argument '{unknown[0]}'; it takes {known}",
                    )
                )
        self.shortcodes.append(Shortcode(name, args, line))
        return "\n" + TOKEN.format(len(self.shortcodes) - 1) + "\n"

    @contextlib.contextmanager
    def rendering(self) -> Iterator[Found]:
        token = _scope.set(self.scope)
        try:
            yield self.scope.found
        finally:
            _scope.reset(token)
        self.problems += self.scope.problems

    def place(self, html: str) -> str:
        """The rendered HTML with each shortcode's paragraph replaced by its marker."""
        for i in range(len(self.shortcodes)):
            token = TOKEN.format(i)
            html = html.replace(f"<p>{token}</p>", f"<!--shortcode:{i}-->").replace(
                token, f"<!--shortcode:{i}-->"
            )
        return html


class Figures(Treeprocessor):
    """<img> of a local file -> responsive <picture>; alone in a paragraph -> <figure> with its caption."""

    def run(self, root: etree.Element) -> None:
        scope = _scope.get()
        if scope is None:  # pages and term descriptions: images stay as written
            return
        found = [
            (parent, child) for parent in root.iter() for child in parent if child.tag == "img"
        ]
        for parent, img in found:
            src = img.get("src", "")
            if not is_local(src):
                continue
            line = scope.line_of(src)
            alt = (img.get("alt") or "").strip()
            try:
                path = locate(src, scope.document, scope.config.content_dir)
                pic = picture(path, scope.config.images, alt=alt, line=line)
            except ImageProblem as exc:
                scope.problems.append(Problem(scope.document, line, str(exc)))
                continue
            scope.found.inputs[str(path)] = pic.digest
            lazy = bool(scope.found.pictures)
            scope.found.pictures.append(pic)
            element = picture_element(pic, scope.config, lazy=lazy)
            element.tail = img.tail
            caption = (img.get("title") or "").strip()
            credit = " · ".join(
                v
                for v in (img.get("credit"), img.get("licence") or img.get("license"))
                if v and v.strip()
            )
            index = list(parent).index(img)
            parent.remove(img)
            parent.insert(index, element)
            alone = parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip()
            if alone and not (element.tail or "").strip():
                parent.tag = "figure"
                parent.text = None
                if caption or credit:
                    figcaption = etree.SubElement(parent, "figcaption")
                    figcaption.text = caption or None
                    if credit:
                        span = etree.SubElement(figcaption, "span", {"class": "credit"})
                        span.text = credit


_NO_ALT = re.compile(r"!\[\s*\]\s*[(\[]\s*<?([^)\s>\]]*)")


def alt_warnings(doc: Document) -> list[tuple[int | None, str]]:
    """(line, message) for each Markdown image without alt text, outside code blocks."""
    found: list[tuple[int | None, str]] = []
    fence = None
    for i, text in enumerate(doc.body.split("\n")):
        if m := _FENCE_RE.match(text):
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        if fence or "![" not in text:
            continue
        for match in _NO_ALT.finditer(text):
            src = match.group(1)
            found.append(
                (
                    doc.body_line + i,
                    f"image {src!r} has no alt text; describe what it shows: ![Alt text]({src})",
                )
            )
    return found


def picture_element(pic: Picture, config: Config, *, lazy: bool) -> etree.Element:
    """<picture> with a <source> per modern format and an <img> in the fallback format (an SVG: <img> alone)."""
    attrs = {"src": "/" + pic.url, "alt": pic.alt}
    if pic.width and pic.height:
        attrs.update(width=str(pic.width), height=str(pic.height))
    if lazy:
        attrs["loading"] = "lazy"
    attrs["decoding"] = "async"
    if pic.format == "svg":
        return etree.Element("img", attrs)
    element = etree.Element("picture")
    sizes = config.images.sizes
    for fmt in pic.formats[:-1]:
        etree.SubElement(
            element,
            "source",
            {"type": MIME[fmt], "srcset": srcset(pic, fmt, config.base_path), "sizes": sizes},
        )
    if len(pic.widths) > 1:
        attrs.update(srcset=srcset(pic, pic.formats[-1], config.base_path), sizes=sizes)
    etree.SubElement(element, "img", attrs)
    return element


def lead_image(
    doc: Document, config: Config, fail: Callable[[str, str], None]
) -> tuple[Picture | None, dict[str, str]]:
    """Front matter `image:` (a path, an absolute URL, or {src, alt}) as a Picture, and the file it read."""
    value: Any = doc.meta.get("image")
    if value is None:
        return None, {}
    alt = ""
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"src", "alt"})
        if unknown:
            fail("image", f"'image' has no key '{unknown[0]}'; use src and alt")
        alt, value = str(value.get("alt") or "").strip(), value.get("src")
    if not isinstance(value, str) or not value.strip():
        fail(
            "image",
            "'image' must be a path such as photo.jpg, an https:// URL, or {src: ..., alt: ...}",
        )
        return None, {}
    src = value.strip()
    line = doc.meta_lines.get("image")
    if src.startswith(("http://", "https://")):
        return Picture(url=src, alt=alt, line=line), {}
    if not is_local(src):
        fail("image", f"'image' must be a file of the site or an http(s) URL, not {src!r}")
        return None, {}
    try:
        path = locate(src, doc.path, config.content_dir)
        pic = picture(path, config.images, alt=alt, line=line)
    except ImageProblem as exc:
        fail("image", str(exc))
        return None, {}
    return pic, {str(path): pic.digest}
