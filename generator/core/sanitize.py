"""The HTML allowlist every rendered body passes through: once when its Markdown is converted
(read/markup.py), again in feeds, whose links it makes absolute (pages/feeds.py).

Its own module, without Python-Markdown, so that a build re-making a feed after a text edit does not
import the converter (build/text_pages.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
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


SANITIZE_POLICY: dict[str, Any] = _policy()  # nh3.Cleaner keyword arguments

# The policy built once: nh3.clean converts its arguments (80 tags, every tag's attributes) into the
# cleaner's own on every call, which was half the cost of cleaning a briefing's body.
_CLEANER = nh3.Cleaner(**SANITIZE_POLICY)

# the attribute filter of the `sanitize` call under way in this thread (feeds make links absolute with it)
_filtering: ContextVar[Callable[[str, str, str], str | None]] = ContextVar("_filtering")


def _current_filter(tag: str, attribute: str, value: str) -> str | None:
    return _filtering.get()(tag, attribute, value)


_FILTERING_CLEANER = nh3.Cleaner(**SANITIZE_POLICY, attribute_filter=_current_filter)


def sanitize(
    html: str, attribute_filter: Callable[[str, str, str], str | None] | None = None
) -> str:
    """Rendered content HTML reduced to safe elements, attributes and URL schemes (relative URLs kept);
    `attribute_filter(tag, attribute, value)` may rewrite each kept attribute's value (feeds make links
    absolute with it), or drop it (None)."""
    if attribute_filter is None:
        return _CLEANER.clean(html)
    token = _filtering.set(attribute_filter)
    try:
        return _FILTERING_CLEANER.clean(html)
    finally:
        _filtering.reset(token)
