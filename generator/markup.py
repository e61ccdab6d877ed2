"""Markdown to HTML: Python-Markdown configured once per site, reset between documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from .config import Config
from .errors import SiteError
from .model import TocEntry

# Defaults for the built-in extensions; a site's `markdown.extension_configs` overrides them per key.
_DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {
        "permalink": "#",
        "permalink_class": "anchor",
        "permalink_title": "Link to this section",
        "slugify": slugify_unicode,
        "toc_depth": "2-4",
    },
    "smarty": {"smart_angled_quotes": False},
}


class Markup:
    """A configured Markdown converter: `render(text) -> (html, toc)`."""

    def __init__(self, extensions: tuple[str, ...], configs: Mapping[str, Any], base_path: str = "/"):
        merged: dict[str, dict[str, Any]] = {}
        for name in extensions:
            short = name.rsplit(".", 1)[-1]
            merged[name] = {**_DEFAULT_CONFIGS.get(short, {}), **dict(configs.get(name) or {})}
        try:
            self._md = markdown.Markdown(extensions=list(extensions), extension_configs=merged, output_format="html")
        except (ImportError, AttributeError, KeyError, TypeError) as exc:
            raise SiteError.at("site.yaml", None, f"cannot load Markdown extensions {list(extensions)}: {exc}") from None
        if base_path != "/":
            self._md.treeprocessors.register(_SiteLinks(self._md, base_path), "site_links", 1)

    @classmethod
    def for_config(cls, config: Config) -> "Markup":
        return cls(config.markdown_extensions, config.markdown_extension_configs, config.base_path)

    def render(self, text: str) -> tuple[str, tuple[TocEntry, ...]]:
        """HTML and table of contents of one Markdown document."""
        md = self._md.reset()
        html = sanitize(md.convert(text))
        tokens = getattr(md, "toc_tokens", [])
        return html, tuple(_toc_entry(t) for t in tokens)


# Content is text from seeds and editors, never code: Markdown passes raw HTML through, so the rendered
# body is cleaned to an allowlist (no script/style/iframe/object, no on* attributes, no javascript: URLs).
# Inline style attributes go too: the theme's Content-Security-Policy (style-src 'self') blocks them anyway.
_TAGS = set(nh3.ALLOWED_TAGS) | {"section", "figure", "figcaption"}
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"id", "class", "title", "lang", "dir"}
_ATTRIBUTES["a"] = _ATTRIBUTES.get("a", set()) | {"rel"}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize(html: str) -> str:
    """Rendered content HTML reduced to safe elements, attributes and URL schemes (relative URLs kept)."""
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES, link_rel=None)


class _SiteLinks(Treeprocessor):
    """A root-relative link in content ('/about/') means the site's root: under a subpath it gets the base path."""

    def __init__(self, md: markdown.Markdown, base_path: str):
        super().__init__(md)
        self.base_path = base_path

    def run(self, root: Any) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and value.startswith("/") and not value.startswith("//"):
                    element.set(attribute, self.base_path + value[1:])


def _toc_entry(token: Mapping[str, Any]) -> TocEntry:
    return TocEntry(
        level=int(token["level"]),
        id=str(token["id"]),
        name=str(token["name"]),
        children=tuple(_toc_entry(c) for c in token.get("children", ())),
    )
