"""YAML read the one way every input file is: errors as `path:line: message`, and the line of each top-level key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.core.errors import SiteError

# libyaml's composer when PyYAML was built with it: ten times faster than the pure-Python one, and this
# runs for the front matter of every content file a build parses.
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(
    path: Path, text: str, *, first_line: int = 1, loader: Any = yaml.SafeLoader, what: str = "YAML"
) -> Any:
    """Parse `text` (found at line `first_line` of `path`); a syntax error names the file and line."""
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SiteError.at(path, line, f"invalid {what}: {problem}; fix the syntax") from None


def key_lines(text: str, *, first_line: int = 1) -> dict[str, int]:
    """The line of every mapping key, by dotted path ('title', 'params.colors.accent'), for errors about a
    value; {} if the text does not parse (the caller reports that)."""
    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
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
