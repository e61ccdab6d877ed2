"""`briefings check` on a multilingual site: every page's `<link rel="alternate" hreflang>` versions are
absolute, exist, list the page itself and an x-default, and list it back (reciprocal, as search engines
require)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import urlsplit

from generator.core.errors import Problem


class Facts(Protocol):
    alternates: dict[str, str]


def hreflang_problems(
    facts: Mapping[str, Facts],
    origin: str,
    url_of: Callable[[str], str],
    resolve: Callable[[str], tuple[str | None, str | None]],
) -> list[Problem]:
    """Every problem of the pages' hreflang links (`facts` by output file, as check.py gathers them)."""
    problems = []
    for rel, page in sorted(facts.items()):
        if not page.alternates:
            continue
        own = origin + url_of(rel)

        def bad(message: str, rel: str = rel) -> None:
            problems.append(Problem(rel, None, message))

        if own not in page.alternates.values():
            bad(f"its hreflang links do not list the page itself ({own})")
        if "x-default" not in page.alternates:
            bad("hreflang links without an x-default")
        for lang, href in sorted(page.alternates.items()):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                bad(f'hreflang="{lang}" href {href} is not an absolute URL of this site')
                continue
            target, why = resolve(parts.path)
            if target is None:
                bad(f'hreflang="{lang}" href {href} {why}')
            elif lang != "x-default" and href != own:
                back = facts[target].alternates if target in facts else {}
                if own not in back.values():
                    bad(f'hreflang="{lang}" page {href} does not link back to this page')
    return problems
