"""Translations for editors: which are stale (`briefings check`, `briefings translations`) and marking one
current again (`briefings translations --mark-current FILE`: its `translated_from:` set to the source's
current version)."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.build.builder import Builder
from generator.build.options import BuildOptions
from generator.core.atomic import write_atomic
from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.model import Site
from generator.site.languages import Group, Version

_FIELD_RE = re.compile(r"^translated_from:.*$", re.MULTILINE)
_OF_RE = re.compile(r"^translation_of:.*$", re.MULTILINE)


@dataclass(frozen=True)
class Row:
    """One translation and its state, for the editor."""

    group: Group
    version: Version

    def line(self) -> str:
        b = self.version.briefing
        return (
            f"{b.path}: {self.version.state}: {self.version.lang} translation of "
            f"{self.group.source.slug!r} ({self.group.source_lang}, version {self.group.version})"
        )


def load(root: Path) -> Site:
    """The site as a build would assemble it (content only: nothing is rendered or written)."""
    builder = Builder(root.resolve(), BuildOptions(run_import=False))
    return builder.load_site(builder.load_config())


def rows(site: Site) -> list[Row]:
    """Every translation of the site (sources left out), stale ones first."""
    if site.translations is None:
        return []
    found = [Row(g, v) for g in site.translations.groups for v in g.versions if v.state != "source"]
    order = {"stale": 0, "unknown": 1, "current": 2}
    return sorted(found, key=lambda r: (order[r.version.state], str(r.version.briefing.path)))


def stale_problems(site: Site) -> list[Problem]:
    """A line per stale translation, for `briefings check`."""
    return [
        Problem(
            r.version.briefing.path,
            r.version.briefing.translation.line if r.version.briefing.translation else None,
            f"stale translation: {r.group.source.slug!r} changed since it was translated; update "
            f"the text, then `briefings translations --mark-current {r.version.briefing.path}` "
            f"(or set `translated_from: {r.group.version}`)",
        )
        for r in rows(site)
        if r.version.state == "stale"
    ]


def list_stale(root: Path, config: Config) -> None:
    """Print the stale translations of a multilingual site (`briefings check`)."""
    if config.languages:
        for problem in stale_problems(load(root)):
            print(f"warning: {problem}")


def mark_current(site: Site, path: Path) -> str:
    """Set a translation's `translated_from:` to its source's current version; the version written."""
    path = path.resolve()
    for row in rows(site):
        if row.version.briefing.path.resolve() == path:
            _write_field(path, row.group.version)
            return row.group.version
    raise SiteError.at(
        path,
        None,
        "not a translation of a shown briefing; give it `translation_of:` (the source's slug) or "
        "put it in a language's folder under the source's file name",
    )


def _write_field(path: Path, version: str) -> None:
    """`translated_from: <version>` in the file's front matter, replacing the one there or added after
    `translation_of:` (else at the end of the front matter)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise SiteError.at(path, 1, "no front matter (a first line of ---)")
    end = text.find("\n---", 3)
    if end < 0:
        raise SiteError.at(path, 1, "front matter is not closed by a line of ---")
    head, rest = text[:end], text[end:]
    line = f"translated_from: {version}"
    if _FIELD_RE.search(head):
        head = _FIELD_RE.sub(line, head, count=1)
    elif match := _OF_RE.search(head):
        head = head[: match.end()] + "\n" + line + head[match.end() :]
    else:
        head = head + "\n" + line
    write_atomic(path, (head + rest).encode("utf-8"))


def command(args: argparse.Namespace) -> int:
    """`briefings translations`: every translation's state; with --mark-current, mark files current."""
    try:
        site = load(Path(args.project).resolve())
        for name in args.mark_current or ():
            path = Path(name)
            if not path.is_absolute() and not path.exists():  # relative to the project, then
                path = Path(args.project) / path
            version = mark_current(site, path)
            print(f"{name}: translated_from: {version} (current)")
    except SiteError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    if not args.mark_current:
        found = rows(site)
        for row in found:
            print(row.line())
        stale = sum(1 for r in found if r.version.state == "stale")
        print(f"{len(found)} translation{'s' if len(found) != 1 else ''}, {stale} stale")
    return 0
