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
        # One problem, one line: a newline-like character from content (\x85, \u2028...) is shown escaped.
        message = "".join(
            c if (c + "x").splitlines() == [c + "x"] else c.encode("unicode_escape").decode()
            for c in self.message
        )
        return f"{where}: {message}"


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
