"""Audit a built site: links and anchors, assets, required head elements, sitemap, feeds, valid HTML.

`check_site(output, base_url)` reads the output folder only (never the content) and returns every
problem as a `Problem(file, line, message)`, the file relative to the output folder. It knows the
site's base_url so it can tell a link that resolves from one that escapes the site's subpath.
"""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from generator.build.write import MARKER
from generator.core.errors import Problem
from generator.dev.hreflang import hreflang_problems
from generator.dev.moved import redirect_problems
from generator.dev.safety import safety_problems
from generator.dev.validate import Validation

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FEED_TYPES = (
    "application/atom+xml",
    "application/rss+xml",
    "application/feed+json",
    "application/json",
)
WELL_KNOWN_FEEDS = ("feed.xml", "rss.xml", "atom.xml", "feed.json")
# Attributes holding one URL, by element; srcset and CSS url() are handled apart.
URL_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "form": ("action",),
}
IGNORED_SCHEMES = ("mailto", "tel", "data", "sms", "geo")
CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


@dataclass
class HtmlFacts:
    """What the checks need from one HTML file, gathered in one parse."""

    lang: str | None = None
    titles: list[str] = field(default_factory=list)
    description: str | None = None
    canonicals: list[str] = field(default_factory=list)
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> absolute URL
    robots: str = ""
    refresh: str | None = None  # a redirect page's meta refresh
    ids: set[str] = field(default_factory=set)
    # (line, tag, attribute, url)
    urls: list[tuple[int, str, str, str]] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    csp: str | None = None
    unsafe: list[tuple[int, str]] = field(default_factory=list)  # (line, what) for CSP/XSS hazards
    inline_scripts: list[int] = field(default_factory=list)
    inline_styles: list[int] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = HtmlFacts()
        self._title: list[str] | None = None
        # depth inside <svg>, whose <title> elements are tooltips, not the page's title
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        facts = self.facts
        line = self.getpos()[0]
        a = {k: (v or "") for k, v in attrs}
        # a <meta> content is text (article:tag "javascript:x" names a tag), unless it holds a URL
        key = (a.get("property") or a.get("name") or a.get("http-equiv") or "").lower()
        text_meta = tag == "meta" and not key.endswith(("url", "image", "refresh"))
        for name, value in a.items():
            if name.startswith("on"):
                facts.unsafe.append((line, f"inline event handler {name}= on <{tag}>"))
            if not (text_meta and name == "content") and (
                value.strip()
                .lower()
                .replace("\t", "")
                .replace("\n", "")
                .startswith(("javascript:", "vbscript:"))
            ):
                facts.unsafe.append((line, f"script URL in {name}= on <{tag}>"))
        if a.get("id"):
            facts.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            facts.ids.add(a["name"])
        if "style" in a:
            facts.inline_styles.append(line)
        if tag == "html":
            facts.lang = a.get("lang", "")
        elif tag == "svg":
            self._svg += 1
        elif tag == "title" and not self._svg:
            self._title = []
        elif tag == "meta":
            name = a.get("name", "").lower()
            if name == "description":
                facts.description = a.get("content", "")
            elif name == "robots":
                facts.robots = a.get("content", "").lower()
            if a.get("http-equiv", "").lower() == "content-security-policy":
                facts.csp = a.get("content", "")
            elif a.get("http-equiv", "").lower() == "refresh":
                facts.refresh = a.get("content", "")
        elif tag == "link":
            rel = a.get("rel", "").lower().split()
            if "canonical" in rel:
                facts.canonicals.append(a.get("href", ""))
            if "alternate" in rel and a.get("hreflang"):
                facts.alternates[a["hreflang"]] = a.get("href", "")
            if "alternate" in rel and a.get("type", "").lower() in FEED_TYPES and a.get("href"):
                facts.feeds.append(a["href"])
        elif tag == "script":
            if not a.get("src") and a.get("type", "").lower() not in (
                "application/ld+json",
                "application/json",
                "importmap",
            ):
                facts.inline_scripts.append(line)
        elif tag == "style":
            facts.inline_styles.append(line)
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            if a.get(attribute):
                facts.urls.append((line, tag, attribute, a[attribute]))
        if a.get("srcset"):
            for candidate in a["srcset"].split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    facts.urls.append((line, tag, "srcset", url))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("svg", "title"):  # <svg/> or <title/> opens nothing
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._svg:
            self._svg -= 1
        elif tag == "title" and self._title is not None:
            self.facts.titles.append(" ".join("".join(self._title).split()))
            self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)


def html_facts(text: str) -> HtmlFacts:
    """Parse one HTML document into the facts the checks use."""
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.facts


@dataclass
class CheckReport:
    """The outcome of `check_site`: every problem, what was looked at, how long each part took."""

    problems: list[Problem]
    pages: int = 0
    links: int = 0
    feeds: int = 0
    sitemap_urls: int = 0
    validated: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())

    def summary(self) -> str:
        parts = ", ".join(f"{name} {secs:.2f} s" for name, secs in self.timings.items())
        verdict = (
            "no problems"
            if not self.problems
            else f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        )
        return (
            f"checked {self.pages} pages, {self.links} links, {self.feeds} feeds, {self.sitemap_urls} sitemap URLs, "
            f"{self.validated} validated in {self.seconds:.2f} s ({parts}): {verdict}"
        )


class _Site:
    """The output folder seen as a web server would serve it under base_url."""

    def __init__(self, output: Path, base_url: str):
        self.output = output
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        path = parts.path or "/"
        self.base_path = path if path.endswith("/") else path + "/"
        self.files: set[str] = set()
        self.folders: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(output):
            prefix = Path(dirpath).relative_to(output).as_posix()
            prefix = "" if prefix == "." else prefix + "/"
            self.folders.update(prefix + name for name in dirnames)
            self.files.update(prefix + name for name in filenames if prefix + name != MARKER)
        self.facts: dict[str, HtmlFacts] = {}

    def url_of(self, rel: str) -> str:
        """Site-absolute URL path of an output file: index.html files are served as their folder."""
        if rel == "index.html":
            return self.base_path
        if rel.endswith("/index.html"):
            return self.base_path + rel[: -len("index.html")]
        return self.base_path + rel

    def resolve(self, url_path: str) -> tuple[str | None, str | None]:
        """(file, None) for a URL path under base_path that a static host serves, else (None, why)."""
        if not url_path.startswith(self.base_path):
            return None, f"escapes the site's base path {self.base_path}"
        rel = unquote(url_path[len(self.base_path) :])
        if rel == "" or rel.endswith("/"):
            target = rel + "index.html"
            return (target, None) if target in self.files else (None, "does not exist")
        if rel in self.files:
            return rel, None
        if rel in self.folders and rel + "/index.html" in self.files:
            return (
                None,
                "points at a folder without its trailing slash (a redirect on most hosts, a 404 on some)",
            )
        return None, "does not exist"


def check_site(
    output: Path, base_url: str, *, html_validation: bool = True, vnu: list[str] | None = None
) -> CheckReport:
    """Audit the built site in `output` as it will be served at `base_url`; return every problem found."""
    output = Path(output).resolve()
    report = CheckReport(problems=[])
    if not output.is_dir():
        report.problems.append(
            Problem(output, None, "no such folder; run `briefings build` first or pass --output")
        )
        return report
    started = time.perf_counter()
    site = _Site(output, base_url)
    html_files = sorted(f for f in site.files if f.endswith((".html", ".htm")))
    validation = Validation(output, html_files, vnu) if html_validation else None
    for rel in html_files:
        try:
            text = (output / rel).read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            report.problems.append(Problem(rel, None, f"not valid UTF-8 at byte {exc.start}"))
            text = (output / rel).read_bytes().decode("utf-8", "replace")
        site.facts[rel] = html_facts(text)
    report.pages = len(html_files)
    report.timings["parse"] = time.perf_counter() - started
    home = site.facts.get("index.html")
    if home and len(home.canonicals) == 1 and home.canonicals[0] != site.origin + site.base_path:
        # Every link would look broken; one clear problem says why instead.
        built_for = home.canonicals[0]
        report.problems.append(
            Problem(
                "index.html",
                None,
                f"the site was built for {built_for}, not {base_url}; check it with --base-url {built_for}",
            )
        )
        if validation:
            validation.finish()
        return report

    started = time.perf_counter()
    for rel in html_files:
        report.problems += _check_head(site, rel)
        report.problems += safety_problems(site.facts[rel], rel)
        problems, count = _check_links(site, rel)
        report.problems += problems
        report.links += count
    for rel in sorted(f for f in site.files if f.endswith(".css")):
        report.problems += _check_css(site, rel)
    report.problems += hreflang_problems(site.facts, site.origin, site.url_of, site.resolve)
    report.timings["links"] = time.perf_counter() - started

    started = time.perf_counter()
    problems, report.sitemap_urls = _check_sitemap(site)
    report.problems += problems
    report.problems += _check_robots(site)
    feeds = _feed_files(site)
    for rel in feeds:
        report.problems += _check_feed(site, rel)
    report.feeds = len(feeds)
    report.timings["sitemap+feeds"] = time.perf_counter() - started

    if validation:
        started = time.perf_counter()
        problems, report.validated = validation.finish()
        report.problems += problems
        report.timings["vnu (rest)"] = time.perf_counter() - started
    report.problems.sort(key=lambda p: (str(p.path), p.line or 0, p.message))
    return report


def _check_head(site: _Site, rel: str) -> list[Problem]:
    facts = site.facts[rel]
    problems = []

    def bad(message: str) -> None:
        problems.append(Problem(rel, None, message))

    if not facts.lang:
        bad("<html> has no lang attribute (screen readers need the page's language)")
    if not facts.titles or not facts.titles[0]:
        bad("no <title> (or an empty one)")
    elif len(facts.titles) > 1:
        bad(f"{len(facts.titles)} <title> elements; a page has exactly one")
    if facts.refresh is not None:  # an old path of a moved page: its target is what matters
        moved = redirect_problems(site.origin + site.url_of(rel), facts, site.resolve, site.facts)
        return problems + [Problem(rel, None, message) for message in moved]
    if not facts.description or not facts.description.strip():
        bad('no <meta name="description"> (or an empty one)')
    if not facts.canonicals:
        bad('no <link rel="canonical">')
    elif len(facts.canonicals) > 1:
        bad(f"{len(facts.canonicals)} canonical links; a page has exactly one")
    else:
        expected = site.origin + site.url_of(rel)
        if facts.canonicals[0] != expected:
            bad(
                f"canonical link {facts.canonicals[0]} should be {expected} "
                "(was the site built with another --base-url?)"
            )
    return problems


def _check_links(site: _Site, rel: str) -> tuple[list[Problem], int]:
    facts = site.facts[rel]
    page_url = site.origin + site.url_of(rel)
    problems = []
    count = 0
    for line, tag, attribute, raw in facts.urls:
        url = raw.strip()
        if not url or (url.startswith("#") and len(url) == 1):
            continue
        scheme = urlsplit(url).scheme.lower()
        # javascript: and vbscript: URLs are reported by safety.safety_problems
        if scheme in IGNORED_SCHEMES or scheme in ("javascript", "vbscript"):
            continue
        absolute = urljoin(page_url, url)
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != site.origin:
            continue  # another site
        count += 1
        target, why = site.resolve(parts.path or "/")
        kind = "link" if tag in ("a", "area") else f"<{tag} {attribute}>"
        if target is None:
            problems.append(Problem(rel, line, f"{kind} {raw} {why}"))
            continue
        if parts.fragment and target.endswith((".html", ".htm")):
            fragment = unquote(parts.fragment)
            ids = site.facts[target].ids if target in site.facts else set()
            if fragment not in ids and fragment != "top":
                problems.append(
                    Problem(rel, line, f"{kind} {raw}: no element with id '{fragment}' in {target}")
                )
    return problems, count


def _check_css(site: _Site, rel: str) -> list[Problem]:
    """url(...) references in a stylesheet resolve (relative to the stylesheet)."""
    text = (site.output / rel).read_text(encoding="utf-8", errors="replace")
    css_url = site.origin + site.url_of(rel)
    problems = []
    for match in CSS_URL_RE.finditer(text):
        url = match.group(2).strip()
        if url.startswith(("data:", "#")):
            continue
        parts = urlsplit(urljoin(css_url, url))
        if f"{parts.scheme}://{parts.netloc}" != site.origin:
            continue
        target, why = site.resolve(parts.path)
        if target is None:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(Problem(rel, line, f"url({url}) {why}"))
    return problems


def _check_sitemap(site: _Site) -> tuple[list[Problem], int]:
    """sitemap.xml lists every page (not 404.html, not noindex pages) and nothing else, by absolute URL."""
    rel = "sitemap.xml"
    if rel not in site.files:
        return [Problem(rel, None, "missing: search engines need a sitemap")], 0
    try:
        root = ET.parse(site.output / rel).getroot()
    except ET.ParseError as exc:
        return [Problem(rel, exc.position[0], f"not well-formed XML: {exc}")], 0
    if root.tag != f"{SITEMAP_NS}urlset":
        return [Problem(rel, 1, f"root element is {root.tag}, not a sitemaps.org <urlset>")], 0
    problems = []
    listed: dict[str, str] = {}
    locs = [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")]
    for loc in locs:
        parts = urlsplit(loc)
        if f"{parts.scheme}://{parts.netloc}" != site.origin:
            problems.append(
                Problem(rel, None, f"<loc>{loc}</loc> is not on the site's origin {site.origin}")
            )
            continue
        target, why = site.resolve(parts.path or "/")
        if target is None:
            problems.append(Problem(rel, None, f"<loc>{loc}</loc> {why}"))
        elif target in listed:
            problems.append(Problem(rel, None, f"<loc>{loc}</loc> is listed twice"))
        else:
            listed[target] = loc
    for page in sorted(site.facts):
        indexable = page != "404.html" and "noindex" not in site.facts[page].robots
        if indexable and page not in listed:
            problems.append(
                Problem(rel, None, f"does not list {site.origin + site.url_of(page)} ({page})")
            )
        elif not indexable and page in listed:
            problems.append(
                Problem(
                    rel, None, f"lists {listed[page]}, which is not meant to be indexed ({page})"
                )
            )
    for target, loc in listed.items():
        if target not in site.facts:
            problems.append(Problem(rel, None, f"lists {loc}, which is not an HTML page"))
    return problems, len(locs)


def _check_robots(site: _Site) -> list[Problem]:
    if "robots.txt" not in site.files:
        return []
    names = ("sitemap.xml", "sitemap-news.xml", "sitemap-index.xml")  # a sitemap the site has
    expected = [site.origin + site.base_path + n for n in names if n in site.files]
    text = (site.output / "robots.txt").read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip() not in expected:
            return [
                Problem("robots.txt", number, f"Sitemap: {value.strip()} should be {expected[0]}")
            ]
    return []


def _feed_files(site: _Site) -> list[str]:
    """Feeds announced by pages (<link rel=alternate>) plus the well-known feed file names anywhere."""
    found = {f for f in site.files if PurePosixPath(f).name in WELL_KNOWN_FEEDS}
    for rel, facts in site.facts.items():
        for href in facts.feeds:
            parts = urlsplit(urljoin(site.origin + site.url_of(rel), href))
            if f"{parts.scheme}://{parts.netloc}" == site.origin:
                target, _ = site.resolve(parts.path)
                if target:  # an unresolved one is already reported as a broken link
                    found.add(target)
    return sorted(found)


def _check_feed(site: _Site, rel: str) -> list[Problem]:
    if rel.endswith(".json"):
        return _check_json_feed(site, rel)
    try:
        import feedparser  # only `check` needs it: pip install 'briefings[check]'
    except ImportError:
        return [
            Problem(
                rel,
                None,
                "cannot check feeds: feedparser is not installed (pip install 'briefings[check]')",
            )
        ]

    parsed = feedparser.parse((site.output / rel).read_bytes())
    problems = []
    if parsed.bozo:
        exc = parsed.bozo_exception
        line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
        return [Problem(rel, line, f"feed does not parse: {exc}")]
    version = parsed.version or ""
    if not version.startswith(("atom", "rss")):
        return [
            Problem(rel, None, f"not an Atom or RSS feed (feedparser says {version or 'unknown'})")
        ]
    feed = parsed.feed
    required = (
        ("title", "id", "updated", "link")
        if version.startswith("atom")
        else ("title", "link", "subtitle")
    )
    for key in required:
        if not feed.get(key):
            name = {"subtitle": "description", "updated": "updated"}.get(key, key)
            problems.append(Problem(rel, None, f"feed has no <{name}>"))
    for number, entry in enumerate(parsed.entries, start=1):
        wanted = (
            ("title", "id", "link", "updated") if version.startswith("atom") else ("title", "link")
        )
        for key in wanted:
            if not entry.get(key):
                problems.append(
                    Problem(
                        rel, None, f"entry {number} ({entry.get('title', '?')[:60]}) has no <{key}>"
                    )
                )
        problems += _check_feed_link(site, rel, f"entry {number} link", entry.get("link", ""))
    for link in feed.get("links", []):
        problems += _check_feed_link(
            site, rel, f"feed link rel={link.get('rel')}", link.get("href", "")
        )
    return problems


def _check_json_feed(site: _Site, rel: str) -> list[Problem]:
    """JSON Feed 1.1: version, title, items each with an id and content."""
    try:
        data = json.loads((site.output / rel).read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        return [Problem(rel, getattr(exc, "lineno", None), f"not valid JSON: {exc}")]
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/1"
    ):
        return [Problem(rel, None, "not a JSON Feed: no version https://jsonfeed.org/version/1.1")]
    problems = []
    if not data.get("title"):
        problems.append(Problem(rel, None, "JSON Feed has no title"))
    for key in ("home_page_url", "feed_url"):
        if data.get(key):
            problems += _check_feed_link(site, rel, key, data[key])
    items = data.get("items")
    if not isinstance(items, list):
        return [*problems, Problem(rel, None, "JSON Feed has no items list")]
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("id"):
            problems.append(Problem(rel, None, f"item {number} has no id"))
            continue
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(
                Problem(rel, None, f"item {number} has neither content_html nor content_text")
            )
        if item.get("url"):
            problems += _check_feed_link(site, rel, f"item {number} url", item["url"])
    return problems


def _check_feed_link(site: _Site, rel: str, what: str, url: str) -> list[Problem]:
    """Feed readers need absolute URLs; internal ones must resolve."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return [Problem(rel, None, f"{what} {url!r} is not an absolute URL")]
    if f"{parts.scheme}://{parts.netloc}" != site.origin:
        return []
    _, why = site.resolve(parts.path or "/")
    return [Problem(rel, None, f"{what} {url} {why}")] if why else []
