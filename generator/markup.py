"""Markdown to HTML: Python-Markdown configured once per site, reset between documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import markdown
from markdown.extensions.toc import slugify_unicode

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

    def __init__(self, extensions: tuple[str, ...], configs: Mapping[str, Any]):
        merged: dict[str, dict[str, Any]] = {}
        for name in extensions:
            short = name.rsplit(".", 1)[-1]
            merged[name] = {**_DEFAULT_CONFIGS.get(short, {}), **dict(configs.get(name) or {})}
        try:
            self._md = markdown.Markdown(extensions=list(extensions), extension_configs=merged, output_format="html")
        except (ImportError, AttributeError, KeyError, TypeError) as exc:
            raise SiteError.at("site.yaml", None, f"cannot load Markdown extensions {list(extensions)}: {exc}") from None

    @classmethod
    def for_config(cls, config: Config) -> "Markup":
        return cls(config.markdown_extensions, config.markdown_extension_configs)

    def render(self, text: str) -> tuple[str, tuple[TocEntry, ...]]:
        """HTML and table of contents of one Markdown document."""
        md = self._md.reset()
        html = md.convert(text)
        tokens = getattr(md, "toc_tokens", [])
        return html, tuple(_toc_entry(t) for t in tokens)


def _toc_entry(token: Mapping[str, Any]) -> TocEntry:
    return TocEntry(
        level=int(token["level"]),
        id=str(token["id"]),
        name=str(token["name"]),
        children=tuple(_toc_entry(c) for c in token.get("children", ())),
    )
