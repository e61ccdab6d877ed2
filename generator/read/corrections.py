"""An editor's corrections to entity names (`content/_data/entities.yaml`), applied to every briefing.

The importer reads the same file when it finds the entities of new seeds. The build applies it again to
the people, organisations and countries of every briefing as the briefing is read, so a rename, a merge
or an ignore shows on the whole site (term pages, chips, feeds, search) without re-importing:

- a name listed as an editor's person or organisation, or as one of its aliases, becomes that entry's
  name (a rename; two names given as aliases of one entry merge) in the taxonomy of its kind ("Boinas
  Rojas" listed as an alias of an organisation leaves people for organisations);
- a country alias becomes its country's name;
- a name under `ignore:` is dropped.

The corrections travel in `Config.term_corrections`, which the config digest covers: an edit of the file
renders every page again, as an edit of site.yaml does. Names are matched exactly, as the importer's
registry matches them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from generator.core.config import Config, TermCorrections

ENTITIES_FILE = Path("_data") / "entities.yaml"


def load_term_corrections(content_dir: Path) -> TermCorrections:
    """The corrections in `content_dir/_data/entities.yaml` (none without the file); SiteError, with the
    importer's messages, if it is malformed."""
    path = content_dir / ENTITIES_FILE
    if not path.is_file():
        return TermCorrections()
    # The importer's checks: a file it refuses is refused here too. Imported here, with the file, because
    # the entity finder's patterns cost every build 40 ms to import and most sites have no such file.
    from generator.read.countries import country_info
    from generator.read.entities import load_registry
    from generator.read.entities_file import read_entities_yaml, yaml_entries, yaml_strings

    load_registry(path)
    data = read_entities_yaml(path)
    names: dict[str, tuple[str, str]] = {}
    for taxonomy in ("people", "organisations"):
        for entry in yaml_entries(data, taxonomy, path):
            name = entry["name"].strip()
            for written in (name, *yaml_strings(entry.get("aliases"), path, f"aliases of {name}")):
                names[written] = (taxonomy, name)
    for entry in yaml_entries(data, "countries", path):
        info = country_info(entry["name"])
        for alias in yaml_strings(entry.get("aliases"), path, f"aliases of {entry['name']}"):
            if info is not None:  # load_registry refuses an unknown country
                names[alias] = ("countries", info.name)
    return TermCorrections(
        names=tuple(sorted((written, t, name) for written, (t, name) in names.items())),
        ignore=tuple(sorted(set(yaml_strings(data.get("ignore"), path, "ignore")))),
    )


def with_term_corrections(
    config: Config, load: Callable[[Path], TermCorrections] = load_term_corrections
) -> Config:
    """The config with its content folder's corrections (`load`: load_term_corrections or one that
    remembers its results)."""
    return dataclasses.replace(config, term_corrections=load(config.content_dir))
