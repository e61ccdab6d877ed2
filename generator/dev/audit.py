"""Editorial audit of the content, for `briefings check`: citations and the sources they point at.

The build refuses what it cannot publish (a malformed source URL is an error there too); this reports what it
can publish but an editor should fix: a `[^id]` naming no source, a source never cited, and, when site.yaml
sets `require_archive: true`, a source without an archived copy. Each problem names the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.model import Document
from generator.read import editorial
from generator.read.content import content_files, parse_datetime, read_document
from generator.read.media import alt_warnings


def audit_content(config: Config) -> list[Problem]:
    """Every editorial problem in the site's briefings, in file order."""
    problems: list[Problem] = []
    for path in content_files(config.content_dir, "briefings"):
        try:
            doc = read_document(path)
        except SiteError as exc:
            problems += exc.problems
        except OSError as exc:
            problems.append(Problem(path, None, f"cannot read: {exc.strerror}"))
        else:
            problems += _audit(doc, config)
            problems += [Problem(path, line, message) for line, message in alt_warnings(doc)]
    return problems


def _audit(doc: Document, config: Config) -> list[Problem]:
    path = doc.path
    start = doc.meta_lines.get("sources", 1)
    text_lines = _front_matter_lines(path)
    problems: list[Problem] = []

    def fail(key: str, message: str) -> None:
        problems.append(Problem(path, start, message))

    refs = editorial.sources(doc.meta.get("sources"), config.tz, parse_datetime, fail)
    known = {ref.id for ref in refs}
    cited = editorial.cited_ids(doc.body, doc.body_line)
    for line, source_id in cited:
        if source_id not in known:
            problems.append(
                Problem(
                    path,
                    line,
                    f"citation [^{source_id}] names no source; add it under `sources:` "
                    "or fix the id",
                )
            )
    used = {source_id for _, source_id in cited}
    for ref in refs:
        line = _line_of_id(text_lines, start, ref.id)
        if ref.id not in used:
            problems.append(
                Problem(
                    path,
                    line,
                    f"source {ref.id} is never cited; cite it with [^{ref.id}] where it is used "
                    "or remove it",
                )
            )
        if config.require_archive and not ref.archive_url:
            problems.append(
                Problem(
                    path,
                    line,
                    f"source {ref.id} has no archive_url; site.yaml asks for an archived copy of "
                    "every source (require_archive: true): save it to the Wayback Machine or "
                    "perma.cc and add `archive_url:`",
                )
            )
    return problems


def _front_matter_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def _line_of_id(lines: list[str], start: int, source_id: str) -> int:
    """The line of `id: <source_id>` at or after the `sources:` key, else that key's line."""
    pattern = re.compile(r"^\s*(?:-\s*)?id:\s*['\"]?" + re.escape(source_id) + r"['\"]?\s*$")
    for number in range(start, len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return start
