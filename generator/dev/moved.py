"""What `check` asks of a redirect page (an old path of a moved page): it leads somewhere real, at once.

A redirect page has no description and its canonical link names its target, not itself; it must carry
`noindex`, lead (meta refresh) to a page that exists and is not itself a redirect, and name that page as
canonical. Kept apart from `check` so that module stays about ordinary pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import urljoin, urlsplit


class Facts(Protocol):
    """What `check` parsed of an HTML page, as far as redirects go."""

    refresh: str | None
    canonicals: list[str]
    robots: str


# (path of a URL under the site's origin) -> (output file, None) or (None, why not)
Resolve = Callable[[str], tuple[str | None, str | None]]


def refresh_target(content: str) -> str | None:
    """The URL of a `<meta http-equiv="refresh" content="0; url=...">`, or None."""
    _, _, rest = content.partition(";")
    key, _, url = rest.strip().partition("=")
    return url.strip().strip("'\"") or None if key.strip().lower() == "url" else None


def redirect_problems(
    page_url: str, facts: Facts, resolve: Resolve, pages: Mapping[str, Facts]
) -> list[str]:
    """Problems of one redirect page at `page_url` (absolute), as messages; `pages`: every page's facts."""
    problems = []
    refresh, canonicals = facts.refresh or "", facts.canonicals
    target = refresh_target(refresh)
    if "noindex" not in facts.robots:
        problems.append('a redirect page needs <meta name="robots" content="noindex">')
    if target is None:
        return [*problems, f"meta refresh {refresh!r} names no url="]
    absolute = urljoin(page_url, target)
    parts = urlsplit(absolute)
    if f"{parts.scheme}://{parts.netloc}" != "{0.scheme}://{0.netloc}".format(urlsplit(page_url)):
        return problems  # leads to another site: nothing here to check
    found, why = resolve(parts.path or "/")
    if found is None:
        problems.append(f"redirects to {target}, which {why}")
    elif found in pages and pages[found].refresh is not None:
        problems.append(f"redirects to {target}, itself a redirect: lead straight to the page")
    if canonicals != [absolute]:
        problems.append(f"canonical link should be the target {absolute}, not {canonicals}")
    return problems
