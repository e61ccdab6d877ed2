"""Data files (content/_data/*.yaml|json|csv) for templates and shortcodes, recorded as inputs of the page
that reads them: a page is rendered again when a data file it read changes, appears or goes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from generator.core.config import Config
from generator.core.errors import SiteError
from generator.core.trace import record
from generator.core.yamltext import load_yaml

DATA_FOLDER = "_data"
SUFFIXES = (".yaml", ".yml", ".json", ".csv")

_loaded: dict[tuple[str, int, int], Any] = {}


class DataProblem(Exception):
    """A data file that is missing or cannot be read; the message names it and says what to do."""


def data_path(config: Config, name: str) -> Path | None:
    """The data file `name` names: 'refugees' or 'refugees.csv', in content/_data/."""
    folder = config.content_dir / DATA_FOLDER
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    candidates = (
        [folder / name] if name.endswith(SUFFIXES) else [folder / (name + s) for s in SUFFIXES]
    )
    return next((p for p in candidates if p.is_file()), None)


def load_data(config: Config, name: str) -> Any:
    """A data file's contents (YAML/JSON: as parsed; CSV: a list of rows, each a dict of strings), recorded
    as an input of the page being rendered."""
    record("data", name)
    path = data_path(config, name)
    if path is None:
        raise DataProblem(
            f"no data file {name!r} in content/{DATA_FOLDER}/ (looked for {', '.join(SUFFIXES)})"
        )
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _loaded:
        try:
            text = path.read_text(encoding="utf-8-sig")
            if path.suffix == ".csv":
                value: Any = [dict(row) for row in csv.DictReader(io.StringIO(text))]
            elif path.suffix == ".json":
                value = json.loads(text)
            else:
                value = load_yaml(path, text)
        except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
            raise DataProblem(f"cannot read data file {path.name}: {exc}") from None
        except SiteError as exc:
            raise DataProblem(str(exc.problems[0])) from None
        _loaded[key] = value
    return _loaded[key]


def data_digest(config: Config, name: str) -> str:
    """The current digest of a data file (for trace.Digests): its path and bytes, or 'missing'."""
    path = data_path(config, name)
    if path is None:
        return "missing"
    try:
        return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    except OSError:
        return "missing"
