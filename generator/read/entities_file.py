"""Reading an entities file (`generator/data/actors.yaml`, an editor's `content/_data/entities.yaml`):
its shape is checked here, its meaning in read/entities.py and read/corrections.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.core.errors import Problem, SiteError
from generator.core.yamltext import load_yaml


def read_entities_yaml(path: Path) -> dict[str, Any]:
    """An entities file (actors.yaml's shape) as a mapping; SiteError if unreadable or of another shape."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(Problem(path, None, f"cannot read: {exc}")) from None
    data = load_yaml(path, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError(
            Problem(
                path, 1, "must be a mapping with people/organisations/topics/countries/ignore lists"
            )
        )
    unknown = set(data) - {"people", "organisations", "topics", "countries", "ignore"}
    if unknown:
        raise SiteError(
            Problem(
                path,
                None,
                f"unknown keys {sorted(unknown)}; use people, organisations, topics, countries, ignore",
            )
        )
    return data


def yaml_entries(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    """The entries under `key`, each a mapping with a name; SiteError otherwise."""
    items = data.get(key) or []
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("name"), str) and i["name"].strip() for i in items
    ):
        raise SiteError(
            Problem(path, None, f"'{key}' must be a list of mappings, each with a 'name'")
        )
    return items


def yaml_strings(value: Any, path: Path, what: str) -> tuple[str, ...]:
    """A list of strings, stripped, empty ones left out; SiteError if it is something else."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SiteError(Problem(path, None, f"{what} must be a list of strings"))
    return tuple(v.strip() for v in value if v.strip())
