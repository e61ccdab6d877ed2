"""What every page kind makes: an output page at a folder, its key being the fingerprint of its context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.core import urls
from generator.core.model import OutputPage


def html_page(folder: str, template: str, **context: Any) -> OutputPage:
    """A page at `folder/index.html` ('' for the site root); its key is the fingerprint of `context`."""
    context.setdefault("canonical", folder)
    return OutputPage(path=f"{folder}index.html", template=template, context=context)


def feed_page(
    site: Any, make: Callable[..., bytes], path: str, title: str, link: str, **context: Any
) -> OutputPage:
    """A feed at `path`, written by `make` from its context (the site's config, its title, the page it
    stands for, its own path and what it carries); its key is the fingerprint of that context."""
    return OutputPage(
        path=path,
        template="",
        make=make,
        context={"config": site.config, "title": title, "link": link, "feed_path": path, **context},
    )


def pagination(base: str, number: int, total: int) -> dict[str, Any]:
    return {
        "number": number,
        "total": total,
        "previous": urls.paginated(base, number - 1) if number > 1 else None,
        "next": urls.paginated(base, number + 1) if number < total else None,
    }
