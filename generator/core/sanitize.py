"""The HTML allowlist every rendered body passes through: once when its Markdown is converted
(read/markup.py), again in feeds, whose links it makes absolute (pages/feeds.py).

Its own module, without Python-Markdown, so that a build re-making a feed after a text edit does not
import the converter (build/text_pages.py).
"""

from __future__ import annotations

from typing import Any

import nh3


# Content is text from seeds and editors, never code: Markdown passes raw HTML through, so the rendered
# body is cleaned to an allowlist (no script/style/iframe/object, no on* attributes, no javascript: URLs).
# Inline style attributes go too: the theme's Content-Security-Policy (style-src 'self') blocks them anyway.
def _policy() -> dict[str, Any]:
    attributes = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"id", "class", "title", "lang", "dir"}
    attributes["a"] = attributes.get("a", set()) | {"rel"}
    # responsive images (read/media.py): <picture>, <source>, srcset, sizes, lazy loading, fixed dimensions
    attributes["img"] = attributes.get("img", set()) | {"srcset", "sizes", "loading", "decoding"}
    attributes["img"] |= {"width", "height"}
    attributes["source"] = {"srcset", "sizes", "type", "media", "width", "height"}
    return {
        "tags": set(nh3.ALLOWED_TAGS) | {"section", "figure", "figcaption", "picture", "source"},
        "attributes": attributes,
        "url_schemes": {"http", "https", "mailto", "tel"},
        "link_rel": None,
    }


SANITIZE_POLICY: dict[str, Any] = _policy()  # nh3.clean keyword arguments


def sanitize(html: str, **options: Any) -> str:
    """Rendered content HTML reduced to safe elements, attributes and URL schemes (relative URLs kept);
    `options` are further nh3.clean arguments (feeds pass an attribute_filter that absolutizes links)."""
    return nh3.clean(html, **SANITIZE_POLICY, **options)
