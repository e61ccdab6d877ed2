"""YAML read the one way every input file is: errors as `path:line: message`, and the line of each top-level key."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.core.errors import Problem, SiteError

if TYPE_CHECKING:
    import yaml

# C0 control characters but tab and newline, and DEL: not allowed in XML 1.0 (the feeds), invisible on a
# page. YAML refuses them written raw, but its escapes ("\v", "\x01") make them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.cache
def _loader() -> Any:
    """libyaml's loader (and composer) when PyYAML was built with it: six to ten times faster than the
    pure-Python ones (the entity registry, 42 KB, parses in 0.03 s instead of 0.18 s in every build that
    renders a term page), and these run for the front matter of every content file a build parses.
    PyYAML is imported here, at the first parse: 12-16 ms, which a build that reads no YAML (a no-op, a
    text edit's render: core/memo.py) does without."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(
    path: Path, text: str, *, first_line: int = 1, loader: Any = None, what: str = "YAML"
) -> Any:
    """Parse `text` (found at line `first_line` of `path`); a syntax error names the file and line."""
    import yaml

    try:
        return yaml.load(text, Loader=loader or _loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        # where the parser gave up can be far from the slip: say where what it was reading began (an
        # unclosed quote on line 2 is found missing at the end of the front matter)
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start and start.line != getattr(mark, "line", None):
            problem += f" {context} (from line {start.line + first_line})"
        raise SiteError.at(path, line, f"invalid {what}: {problem}; fix the syntax") from None


def key_lines(text: str, *, first_line: int = 1) -> dict[str, int]:
    """The line of every mapping key, by dotted path ('title', 'params.colors.accent'), for errors about a
    value; {} if the text does not parse (the caller reports that)."""
    import yaml

    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                path = f"{prefix}{key_node.value}"
                lines.setdefault(path, key_node.start_mark.line + first_line)
                walk(value_node, path + ".")

    if node is not None:
        walk(node, "")
    return lines


def control_characters(path: Path, value: Any, lines: dict[str, int]) -> list[Problem]:
    """A problem for every text in loaded YAML (keys too) holding a control character, with its key and line.

    Refused rather than dropped: in front matter and settings they would end up in titles, slugs and term
    names, and only the editor knows what the text should say."""
    problems: list[Problem] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                inner = f"{key}.{k}" if key else str(k)
                walk(k, inner)
                walk(v, inner)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and (found := CONTROL_CHARS.search(value)):
            top = key.split(".", 1)[0]
            problems.append(
                Problem(
                    path,
                    lines.get(key) or lines.get(top),
                    f"control character U+{ord(found.group()):04X} in {key!r}; remove it",
                )
            )

    walk(value, "")
    return problems
