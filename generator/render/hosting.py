"""What static hosts read besides the pages: `_headers` (Netlify, Cloudflare Pages) with the pages'
Content-Security-Policy and long cache lifetimes for fingerprinted assets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from generator.core import urls
from generator.core.model import OutputPage, Site
from generator.render.theme import FINGERPRINTED, PAGE_CSP, StaticFile

# The pages' policy as a header, where it can also forbid framing (frame-ancestors is ignored in a meta element).
CSP = f"{PAGE_CSP}; frame-ancestors 'none'"
IMMUTABLE = (
    "public, max-age=31536000, immutable"  # a year: the file's name changes with its content
)
SHORT = "public, max-age=300"  # five minutes: unfingerprinted files that may change under one name


def headers_text(base_path: str, statics: Iterable[StaticFile]) -> str:
    """The `_headers` file: security headers for every path, cache lifetimes per static file."""
    lines = [
        f"{base_path}*",
        f"  Content-Security-Policy: {CSP}",
        "  X-Content-Type-Options: nosniff",
        "  Referrer-Policy: strict-origin-when-cross-origin",
    ]
    for static in sorted(statics, key=lambda s: s.output):
        fingerprinted = (
            static.output.endswith(FINGERPRINTED) and static.output != f"static/{static.name}"
        )
        lines += [
            f"{base_path}{static.output}",
            f"  Cache-Control: {IMMUTABLE if fingerprinted else SHORT}",
        ]
    return "\n".join(lines) + "\n"


def headers_pages(site: Site, statics: Mapping[str, StaticFile]) -> Iterable[OutputPage]:
    """`_headers` at the root of the output (hosts read it there; other servers ignore it)."""
    text = headers_text(site.config.base_path, statics.values())
    yield OutputPage(path=urls.HEADERS, template="", context={}, data=text.encode())
