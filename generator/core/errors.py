"""Errors a user can cause, each pointing at a file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: printed as `path:line: message`."""

    path: Path | str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line:
            where += f":{self.line}"
        return f"{printable(where)}: {printable(self.message)}"


def printable(text: str) -> str:
    """`text` safe to print as one line on any terminal: control and newline-like characters from content
    (\x1b, \x85, \u2028...) escaped, and the undecodable bytes of a file name shown as \xe9."""
    try:
        raw = text.encode("utf-8", "surrogateescape")  # how os.listdir gives a non-UTF-8 name
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    return "".join(
        c.encode("unicode_escape").decode()
        if ord(c) < 32 or ord(c) == 127 or (c + "x").splitlines() != [c + "x"]
        else c
        for c in raw.decode("utf-8", "backslashreplace")
    )


class SiteError(Exception):
    """One or more problems that stop a build; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: Path | str, line: int | None, message: str) -> SiteError:
        """A SiteError holding one problem."""
        return cls(Problem(path, line, message))


class TooComplex(Exception):
    """Markdown this generator will not render: too big, too deep, or too slow; `line` counts from the body's
    first line where one line is to blame. The reader adds the file."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
