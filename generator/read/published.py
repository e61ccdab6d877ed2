"""The URL record (`published-urls.txt` next to site.yaml): every path the site has published, by the content
that published it last, so that a page that moves leaves a redirect behind.

It lives in the project, not in `.cache/`: `briefings clean` and a fresh CI checkout keep it, and editors
commit it with the content. `briefings build` adds to it; nothing else writes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from generator.core.config import Config
from generator.core.errors import Problem, SiteError

RECORD_FILE = "published-urls.txt"
HEADER = """\
# Every URL this site has published, from the site root (base_url's path left out), and the content that
# published it last: a file, or taxonomy:term[:feed]. `briefings build` adds to it: commit it with the
# content. A URL no page has any more redirects to where its content lives now (README: "Redirects").
"""
_PATH_RE = re.compile(r"/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/?)*")


def read_record(path: Path, text: str) -> dict[str, str]:
    """Output path ('briefings/x/') -> source, from the record's text; every malformed line is reported."""
    record: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url, _, source = line.partition(" ")
        source = source.strip()
        if not source or not _PATH_RE.fullmatch(url) or "/../" in url + "/":
            message = "expected `/path/from/site/root/ source`; fix or delete this line"
            problems.append(Problem(path, number, message))
            continue
        record[url[1:]] = source
    if problems:
        raise SiteError(problems)
    return record


def format_record(record: Mapping[str, str]) -> str:
    """The record's text: the header, then one `/path source` line per URL, sorted (small diffs, easy merges)."""
    return HEADER + "".join(f"/{url} {source}\n" for url, source in sorted(record.items()))


def record_text(config: Config) -> str:
    """The URL record's text ('' when there is none yet)."""
    path = config.root / RECORD_FILE
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError.at(path, None, f"cannot read the URL record: {exc}") from None
