"""What the entity registry says about a person or organisation, for their page: role, country, Wikidata id.

The registry is `generator/data/actors.yaml` merged with an editor's `content/_data/entities.yaml` (its shape
is in read/entities.py). The importer compiles it to find names in seeds; pages need only these few facts,
read here without compiling anything. Pages read them through a template helper that records the editor's
file as an input (render/theme.py), so editing it renders again just the pages that show its facts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.errors import Problem, SiteError
from generator.core.memo import remembered
from generator.core.yamltext import load_yaml

BUILT_IN = Path(__file__).resolve().parent.parent / "data" / "actors.yaml"
KINDS = ("people", "organisations", "countries")  # taxonomies the registry describes
WIKIDATA_ID = re.compile(r"Q[1-9]\d*")


@dataclass(frozen=True)
class EntityFacts:
    """A registry entry as a page shows it."""

    name: str
    role: str = ""
    country: str = ""
    wikidata: str = ""  # e.g. 'Q7747': links out and tells namesakes apart
    names: tuple[tuple[str, str], ...] = ()  # (language code, name) from `names:`

    def name_in(self, code: str) -> str:
        """The name in language `code` (`names:`), else the canonical one."""
        return next((n for c, n in self.names if c == code), self.name)

    @property
    def wikidata_url(self) -> str:
        return f"https://www.wikidata.org/wiki/{self.wikidata}" if self.wikidata else ""


def _entries(path: Path, text: str | None) -> dict[str, list[dict[str, Any]]]:
    if text is None:
        return {}
    data = load_yaml(path, text) or {}
    if not isinstance(data, dict):
        return {}  # the importer reports a malformed registry with its position
    return {k: [e for e in data.get(k) or () if isinstance(e, dict)] for k in KINDS}


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


@functools.lru_cache(maxsize=4)
def _facts(extra: Path | None, stamps: tuple[int, ...]) -> dict[tuple[str, str], EntityFacts]:
    """Remembered within a build by the files' texts (core/memo.py): a retitle's build renders term pages,
    and parsing actors.yaml (42 KB) for them was most of the 28 ms this and the kept map shapes saved
    a retitle at 2,000 briefings."""
    texts = tuple((path, _text(path)) for path in (BUILT_IN, *([extra] if extra else [])))
    return remembered("entity-facts", repr(texts), lambda: _facts_of(texts))


def _facts_of(texts: tuple[tuple[Path, str | None], ...]) -> dict[tuple[str, str], EntityFacts]:
    facts: dict[tuple[str, str], EntityFacts] = {}
    for path, text in texts:
        for kind, entries in _entries(path, text).items():
            for e in entries:
                name = str(e.get("name") or "").strip()
                if not name:
                    continue
                old = facts.get((kind, name), EntityFacts(name))
                wikidata = str(e.get("wikidata") or "").strip()
                if wikidata and not WIKIDATA_ID.fullmatch(wikidata):
                    raise SiteError(
                        Problem(
                            path,
                            None,
                            f"wikidata id of {name!r} must look like Q7747, not {wikidata!r}",
                        )
                    )
                given = e.get("names")
                names: dict[Any, Any] = given if isinstance(given, dict) else {}
                facts[(kind, name)] = EntityFacts(
                    name,
                    str(e.get("role") or old.role),
                    str(e.get("country") or old.country),
                    wikidata or old.wikidata,
                    tuple(
                        sorted(
                            {
                                **dict(old.names),
                                **{str(k): str(v) for k, v in names.items()},
                            }.items()
                        )
                    ),
                )
    return facts


def entity_facts(extra: Path | None, taxonomy: str, name: str) -> EntityFacts | None:
    """The registry's facts about `name` of `taxonomy` (people, organisations, countries), if any."""
    if taxonomy not in KINDS:
        return None
    stamps: list[int] = []
    for path in (BUILT_IN, extra):
        try:
            st = path.stat() if path else None
        except OSError:
            st = None
        stamps += (st.st_mtime_ns, st.st_size) if st else (0, 0)
    return _facts(extra if stamps[2] else None, tuple(stamps)).get((taxonomy, name))
