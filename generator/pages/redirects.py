"""Redirects: every old path of a page sends readers on to where it lives now. Pure.

Old paths come from `aliases:` in front matter and from the URL record (`Site.published`: every path the
site has published, by the content that published it). Each old page path gets a small HTML page (meta
refresh, canonical link, a visible link; noindex, not in the sitemap); every old path, term feeds too, gets a
rule in `_redirects` (Netlify, Cloudflare Pages) and in `nginx-redirects.map` (an nginx `map` include).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from generator.core import urls
from generator.core.errors import Problem, SiteError
from generator.core.model import Briefing, OutputPage, Page, Redirect, Shown, Site
from generator.pages.dossier import changes_feed_path
from generator.pages.feeds import term_feed_path

TITLE = ("title",)


def source_id(site: Site, path: Path) -> str:
    """How the URL record names a content file: its path from the project root ('content/briefings/x.md')."""
    # a string test: Path.relative_to costs ~50 us, and this runs for every briefing twice a build
    root, text = str(site.config.root), path.as_posix()
    return text[len(root) + 1 :] if text.startswith(root + "/") else text


def current(site: Site, now: datetime | None = None) -> dict[str, tuple[str, str | Shown]]:
    """Source -> (its output path, title) for every page the site shows; with `now`, only what a build without
    --drafts and --future shows (what the URL record keeps). A briefing's title is read when its redirect
    page renders (`Shown`): this runs for every build, and a retitle must not change what it plans."""

    def shown(briefings: Iterable) -> bool:
        return now is None or any(
            not b.draft and max(b.date, b.publish or b.date) <= now for b in briefings
        )

    found: dict[str, tuple[str, str | Shown]] = {}
    # a multilingual site: every language's pages, under its folder; its terms named with its code
    for one in site.every_language:
        at = one.lang.prefix if one.lang else ""
        code = f"{one.lang.code}:" if one is not site else ""
        for b in one.briefings:
            if shown((b,)):
                found[source_id(site, b.path)] = (at + b.url, Shown(b, TITLE))
        for b in one.withdrawn:  # its notice stays at its URL: old URLs lead there too
            found[source_id(site, b.path)] = (at + b.url, Shown(b, TITLE))
        for page in one.pages:
            found[source_id(site, page.path)] = (at + page.url, page.title)
        for taxonomy in one.taxonomies.values():
            for term in taxonomy.terms:
                if shown(term.briefings):
                    name = f"{code}{taxonomy.name}:{term.slug}"
                    found[name] = (at + term.url, term.name)
                    if feed := term_feed_path(one, taxonomy, term):
                        found[f"{name}:feed"] = (at + feed, term.name)
                    if changes := changes_feed_path(one, taxonomy, term):
                        found[f"{name}:changes"] = (at + changes, term.name)
    return found


def record(site: Site, now: datetime) -> dict[str, str]:
    """The URL record after this build: what it held, plus every path published now (by its new owner)."""
    updated = dict(site.published)
    updated.update({path: source for source, (path, _) in current(site, now).items()})
    return updated


def redirects(site: Site, pages: Iterable[OutputPage]) -> list[Redirect]:
    """Every old path that no page claims, with where it leads: aliases first, then the URL record's paths whose
    content lives elsewhere now. An alias on a path a generated page takes is an error naming both."""
    live = {page.path for page in pages}
    found: dict[str, Redirect] = {}
    problems = []
    for one in site.every_language:
        at = one.lang.prefix if one.lang else ""
        items: tuple[Briefing | Page, ...] = (*one.briefings, *one.withdrawn, *one.pages)
        for item in items:
            for alias in item.aliases:
                if urls.page_path(alias.path) in live:
                    message = f"alias /{alias.path} is also claimed by a page the generator makes"
                    problems.append(Problem(item.path, alias.line, message))
                moved = Redirect(alias.path, at + item.url, Shown(item, TITLE), str(item.path))
                found.setdefault(alias.path, moved)
    if problems:
        raise SiteError(problems)
    now = current(site)
    for path, source in site.published.items():
        if path in found or urls.page_path(path) in live or source not in now:
            continue
        target, title = now[source]
        found[path] = Redirect(path, target, title, source)
    return [found[path] for path in sorted(found)]


def redirect_pages(site: Site, moved: list[Redirect]) -> Iterable[OutputPage]:
    """An HTML page at each old page path (folders and .html files; feeds only get server rules)."""
    for redirect in moved:
        path = urls.page_path(redirect.path)
        if path.endswith((".html", ".htm")):
            context = {"title": redirect.title, "target": redirect.target, "kind": "redirect"}
            yield OutputPage(path=path, template="redirect.html", context=context)


def server_rules(site: Site, moved: list[Redirect]) -> Iterable[OutputPage]:
    """`_redirects` (`/old /new 301` lines) and `nginx-redirects.map` (`/old /new;` lines), under base_url's
    path; both written even when empty, so a server's config can always include them."""
    pairs = [(site.config.url(r.path), site.config.url(r.target)) for r in moved]
    netlify = (
        "# Redirects of moved pages (Netlify, Cloudflare Pages), written by briefings build.\n"
    )
    netlify += "".join(f"{old} {new} 301\n" for old, new in pairs)
    nginx = "# Redirects of moved pages: entries of an nginx `map $uri $new_uri { ... }`, see the README.\n"
    nginx += "".join(f"{old} {new};\n" for old, new in pairs)
    yield OutputPage(path=urls.REDIRECTS, template="", context={}, data=netlify.encode())
    yield OutputPage(path=urls.NGINX_MAP, template="", context={}, data=nginx.encode())
