"""What a content file may hold: its size, how deeply it nests, and the shapes Python-Markdown renders in
quadratic time, refused in milliseconds before conversion starts.

Python-Markdown scans from every unclosed `[` (and `](`) to the end of its paragraph, from every unclosed
tag start `<a` to the next `>`, re-reads a block once per nesting level of quotes and lists (recursing in
Python), and compares every footnote reference and abbreviation with all the earlier ones. Normal text
is far below every limit here; each limit sits where rendering would take about a second. Whatever this
misses is stopped by the render budget (core/budget.py).
"""

from __future__ import annotations

import re

from generator.core.errors import TooComplex

# Bytes of one content file: twice the largest seed the importer accepts (2 MB), so every imported seed
# builds, escaping included. About a second to render as ordinary Markdown.
MAX_CONTENT_BYTES = 4_000_000
# CPU seconds to render one file's Markdown: 4 MB of the shipped content's Markdown takes about 1.3 s.
RENDER_BUDGET = 2.0
# Levels of block quotes and lists: Python-Markdown recurses per level (300 exhausts Python's stack).
MAX_NESTING = 50
# Characters scanned from unclosed link brackets (about 0.5 µs each: 2,000,000 is about a second).
MAX_BRACKET_SCAN = 2_000_000
# Characters scanned from tag starts to their `>` (a few ns each, in a regular expression).
MAX_TAG_SCAN = 300_000_000
MAX_FOOTNOTE_REFS = 1_000
MAX_ABBREVIATIONS = 500

_PARAGRAPH_BREAK = r"\n[ \t]*\n"
_BRACKETS = re.compile(r"\]\(|[\[\]()]|" + _PARAGRAPH_BREAK)
_TAGS = re.compile(r"<[A-Za-z!/?]|>")
_DEEP = re.compile(rf"^[ \t>]{{{MAX_NESTING},}}", re.MULTILINE)
_LIST_MARKER = re.compile(r"([*+-]|\d+[.)])(\s|$)")
_ABBREVIATION = re.compile(r"^ {0,3}\*\[", re.MULTILINE)


def check_markdown(text: str) -> None:
    """Raise TooComplex (with the line, where there is one) if `text` would take too long to render."""
    for message, line in (_nesting(text), _brackets(text), _tags(text), _counts(text)):
        if message:
            raise TooComplex(message, line)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _nesting(text: str) -> tuple[str, int | None]:
    for match in _DEEP.finditer(
        text
    ):  # a line needs MAX_NESTING leading '>', tabs or spaces to nest so deep
        end = text.find("\n", match.start())
        line = text[match.start() : end if end >= 0 else len(text)]
        depth, columns, i = 0, 0, 0
        while i < len(line) and line[i] in " \t>":
            if line[i] == ">":
                depth, columns = depth + 1 + columns // 4, 0
            else:
                columns = (columns // 4 + 1) * 4 if line[i] == "\t" else columns + 1
            i += 1
        if _LIST_MARKER.match(line, i):  # indentation alone is a code block, not nesting
            depth += columns // 4 + 1
        if depth > MAX_NESTING:
            return (
                f"lists and quotes nested {depth} levels deep; at most {MAX_NESTING} render",
                _line_of(text, match.start()),
            )
    return "", None


def _brackets(text: str) -> tuple[str, int | None]:
    """Characters Python-Markdown's link patterns scan from unclosed '[' and '](' to the paragraph's end."""
    if "[" not in text and "](" not in text:
        return "", None
    cost = unclosed = 0
    opened: list[int] = []  # '[' not yet closed
    parens: list[
        tuple[int, bool]
    ] = []  # '(' not yet closed; True: opened a link's target '](' here
    first = -1
    for match in _BRACKETS.finditer(text + "\n\n"):
        token = match.group()
        if token == "[":
            opened.append(match.start())
        elif token in ("]", "]("):
            if opened:
                opened.pop()
            if token == "](":
                parens.append((match.start(), True))
        elif token == "(":
            parens.append((match.start(), False))
        elif token == ")":
            if parens:
                parens.pop()
        else:  # the paragraph ends: every scan started in it stops here
            starts = opened + [p for p, link in parens if link]
            if starts:
                first = min(starts) if first < 0 else first
                cost += len(starts) * match.start() - sum(starts)
                unclosed += len(starts)
                if cost > MAX_BRACKET_SCAN:
                    return (
                        f"{unclosed:,} unclosed '[' or '](' (link syntax that never ends); "
                        "close them or write \\[ for a literal bracket",
                        _line_of(text, first),
                    )
            opened, parens = [], []
    return "", None


def _tags(text: str) -> tuple[str, int | None]:
    """Characters the HTML parser scans from each tag start ('<a', '</', '<!') to the next '>'."""
    if "<" not in text:
        return "", None
    cost = count = 0
    pending: list[int] = []
    for match in _TAGS.finditer(text + ">"):
        if match.group() != ">":
            pending.append(match.start())
            continue
        if pending:
            cost += len(pending) * match.start() - sum(pending)
            count += len(pending) if len(pending) > 1 else 0
            if cost > MAX_TAG_SCAN:
                return (
                    f"{count:,} HTML tags opened with '<' and not closed with '>'; "
                    "close them or write &lt; for a literal '<'",
                    _line_of(text, pending[0]),
                )
            pending = []
    return "", None


def _counts(text: str) -> tuple[str, int | None]:
    refs = text.count("[^")
    if refs > MAX_FOOTNOTE_REFS:
        return f"{refs:,} footnote references; at most {MAX_FOOTNOTE_REFS:,} render", None
    abbreviations = len(_ABBREVIATION.findall(text)) if "*[" in text else 0
    if abbreviations > MAX_ABBREVIATIONS:
        return (
            f"{abbreviations:,} abbreviation definitions; at most {MAX_ABBREVIATIONS:,} render",
            None,
        )
    return "", None
