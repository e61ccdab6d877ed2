"""Editorial front matter: the sources a briefing cites and the citations pointing at them, its corrections
log, and its publishing window (embargo and expiry). Pure: values in, model objects or problems out.

Every function reports problems through `fail(key, message)`, the caller's checker, which turns them into
`path:line: message` errors at the line of the front matter key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from generator.core.model import Citation, Correction, SourceRef

Fail = Callable[[str, str], None]
ParseDate = Callable[[Any, ZoneInfo], datetime]

SOURCE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
# An Admiralty (NATO STANAG 2511) grade: source reliability A-F, information credibility 1-6, either or both.
RELIABILITY_RE = re.compile(r"^(?:[A-F][1-6]?|[1-6])$")
SOURCE_FIELDS = (
    "id",
    "title",
    "publisher",
    "url",
    "date",
    "accessed",
    "archive_url",
    "kind",
    "reliability",
)
CORRECTION_KINDS = ("correction", "clarification", "update")
# `[^s1]` in the text cites the source with id s1 (the footnote syntax, so editors already know it).
CITATION_RE = re.compile(r"\[\^([A-Za-z0-9][A-Za-z0-9_.-]{0,39})\]")
_HOST_RE = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[\w.-]+)(:\d{1,5})?$")


def clean_url(url: str) -> str | None:
    """A well-formed absolute http(s) URL with quotes, spaces and angle brackets percent-encoded, or None."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    parts = urlsplit(url)
    if not parts.netloc or not _HOST_RE.fullmatch(parts.netloc):
        return None
    safe = "/:@!$&'()*+,;=-._~%?"
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc,
            quote(parts.path, safe),
            quote(parts.query, safe),
            quote(parts.fragment, safe),
        )
    )


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def sources(value: Any, tz: ZoneInfo, parse_date: ParseDate, fail: Fail) -> tuple[SourceRef, ...]:
    """The `sources:` list: each a mapping with at least an id and a title (or a URL to show instead)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        fail("sources", "'sources' must be a list of mappings, each with `id:` and `title:`")
        return ()
    found: list[SourceRef] = []
    seen: set[str] = set()
    for n, entry in enumerate(value, start=1):
        where = f"sources entry {n}"
        if not isinstance(entry, dict):
            fail("sources", f"{where} must be a mapping like `{{id: s1, title: ..., url: ...}}`")
            continue
        unknown = sorted(str(k) for k in entry if k not in SOURCE_FIELDS)
        if unknown:
            fail(
                "sources",
                f"{where} has unknown field(s) {', '.join(unknown)}; "
                f"known: {', '.join(SOURCE_FIELDS)}",
            )
        source_id = _text(entry.get("id"))
        if not SOURCE_ID_RE.fullmatch(source_id):
            fail(
                "sources",
                f"{where} needs an `id:` of letters, digits, '-', '_' or '.' (like s1), "
                f"not {entry.get('id')!r}",
            )
            continue
        where = f"source {source_id}"
        if source_id in seen:
            fail("sources", f"{where} is listed twice; give each source its own id")
            continue
        seen.add(source_id)
        urls = {}
        for key in ("url", "archive_url"):
            raw = _text(entry.get(key))
            urls[key] = (clean_url(raw) or "") if raw else ""
            if raw and not urls[key]:
                fail(
                    "sources",
                    f"{where}: {key} {raw!r} is not a web address; write it as https://host/path",
                )
        title = _text(entry.get("title")) or _text(entry.get("publisher")) or urls["url"]
        if not title:
            fail("sources", f"{where} needs a `title:` (or at least a publisher or url)")
        dates: dict[str, datetime | None] = {}
        for key in ("date", "accessed"):
            dates[key] = None
            if entry.get(key) is not None:
                try:
                    dates[key] = parse_date(entry[key], tz)
                except ValueError:
                    fail("sources", f"{where}: {key} {entry[key]!r} is not a date like 2026-11-22")
        reliability = _text(entry.get("reliability")).upper()
        if reliability and not RELIABILITY_RE.fullmatch(reliability):
            fail(
                "sources",
                f"{where}: reliability {entry.get('reliability')!r} is not an Admiralty grade "
                "(a letter A-F for the source, a digit 1-6 for the information, e.g. B2)",
            )
            reliability = ""
        found.append(
            SourceRef(
                id=source_id,
                title=title,
                publisher=_text(entry.get("publisher")),
                url=urls["url"],
                date=dates["date"],
                accessed=dates["accessed"],
                archive_url=urls["archive_url"],
                kind=_text(entry.get("kind")),
                reliability=reliability,
            )
        )
    return tuple(found)


def corrections(
    value: Any, tz: ZoneInfo, parse_date: ParseDate, fail: Fail
) -> tuple[Correction, ...]:
    """The `corrections:` log, oldest first: each {date, kind (correction | clarification | update), note}."""
    if value is None:
        return ()
    if not isinstance(value, list):
        fail("corrections", "'corrections' must be a list of mappings with `date:` and `note:`")
        return ()
    found = []
    for n, entry in enumerate(value, start=1):
        where = f"corrections entry {n}"
        if not isinstance(entry, dict):
            fail("corrections", f"{where} must be a mapping like `{{date: ..., note: ...}}`")
            continue
        kind = _text(entry.get("kind") or "correction").lower()
        if kind not in CORRECTION_KINDS:
            fail(
                "corrections",
                f"{where}: kind must be one of {', '.join(CORRECTION_KINDS)}, not {kind!r}",
            )
            continue
        note = _text(entry.get("note"))
        if not note:
            fail("corrections", f"{where} needs a `note:` saying what changed")
            continue
        try:
            when = parse_date(entry.get("date"), tz)
        except ValueError:
            fail("corrections", f"{where} needs a `date:` like 2026-11-22 10:30")
            continue
        found.append(Correction(date=when, kind=kind, note=note))
    return tuple(sorted(found, key=lambda c: c.date))


def expiry(
    value: Any, tz: ZoneInfo, parse_date: ParseDate, fail: Fail
) -> tuple[datetime | None, str]:
    """`expires:` as a date, or as {date, reason}: (when, reason)."""
    if value is None:
        return None, ""
    reason = ""
    if isinstance(value, dict):
        reason = _text(value.get("reason"))
        value = value.get("date")
    try:
        return parse_date(value, tz), reason
    except ValueError:
        fail(
            "expires",
            "'expires' must be a date (2027-01-31) or {date: 2027-01-31, reason: ...}",
        )
        return None, ""


def _text_runs(html: str) -> Iterator[tuple[str, bool]]:
    """(piece, is_text) over rendered HTML: tags, and the text between them outside <code>/<pre>/<a>."""
    depth = 0
    for piece in re.split(r"(<[^>]*>)", html):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            if name and name.group(1).lower() in ("code", "pre", "a"):
                depth += -1 if piece.startswith("</") else 1
            yield piece, False
        elif piece:
            yield piece, depth <= 0


def link_citations(html: str, refs: tuple[SourceRef, ...]) -> tuple[str, tuple[Citation, ...]]:
    """Turn `[^id]` in the rendered text into numbered links to the Sources list, and that list's entries.

    Sources are numbered in the order they are first cited; each place citing one gets an anchor the list
    links back to. Sources never cited follow, numbered on (`briefings check` reports them); `[^x]` naming
    no source stays as written (check reports that too). Code, preformatted text and links are left alone.
    """
    by_id = {s.id: s for s in refs}
    cited: dict[str, list[str]] = {}
    numbers: dict[str, int] = {}

    def cite(match: re.Match[str]) -> str:
        source_id = match.group(1)
        if source_id not in by_id:
            return match.group(0)
        anchors = cited.setdefault(source_id, [])
        number = numbers.setdefault(source_id, len(numbers) + 1)
        anchor = f"cite-{source_id}-{len(anchors) + 1}"
        anchors.append(anchor)
        # U+2060 WORD JOINER: the marker never wraps to a line of its own after the sentence it cites
        return (
            f'\u2060<sup class="citation" id="{anchor}"><a href="#source-{source_id}" '
            f'title="{_attr(by_id[source_id].title)}">[{number}]</a></sup>'
        )

    if refs and "[^" in html:
        html = "".join(
            CITATION_RE.sub(cite, piece) if is_text else piece
            for piece, is_text in _text_runs(html)
        )
    ordered = [by_id[i] for i in numbers] + [s for s in refs if s.id not in numbers]
    return html, tuple(
        Citation(number=n, source=s, refs=tuple(cited.get(s.id, ())))
        for n, s in enumerate(ordered, start=1)
    )


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def cited_ids(body: str, body_line: int) -> list[tuple[int, str]]:
    """(line, id) of every `[^id]` in the Markdown text that is not a footnote (outside code)."""
    found = []
    footnotes = set(re.findall(r"(?m)^ {0,3}\[\^([^\]]+)\]:", body))
    fenced = False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        for match in CITATION_RE.finditer(re.sub(r"`[^`]*`", "", line)):
            if match.group(1) not in footnotes:
                found.append((body_line + offset, match.group(1)))
    return found
