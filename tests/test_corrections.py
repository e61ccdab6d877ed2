"""An editor's entities.yaml applied at build time: renames, merges, moves and ignores reach every page."""

from __future__ import annotations

import pytest

from generator.build.builder import Builder, BuildOptions
from generator.core.config import TermCorrections
from generator.core.errors import SiteError
from generator.core.urls import Permalinks
from generator.read.corrections import load_term_corrections
from tests.conftest import briefing_md
from tests.test_cache import tree

LINKS = Permalinks()  # the default URL patterns

ENTITIES = """\
people:
  - name: Jean-Yves Le Drian
    aliases: [Jean-Yves Le, Le Drian]
organisations:
  - name: Tropas de Prevención
    aliases: [Boinas Rojas, Red Berets]
countries:
  - name: Myanmar
    aliases: [Burma]
ignore: [Joint Statement]
"""


def test_apply_renames_merges_moves_and_ignores():
    fixes = TermCorrections(
        names=(
            ("Boinas Rojas", "organisations", "Tropas de Prevención"),
            ("Burma", "countries", "Myanmar"),
            ("Le Drian", "people", "Jean-Yves Le Drian"),
        ),
        ignore=("Joint Statement",),
    )
    terms = {
        "countries": ("Burma", "Myanmar", "France"),
        "people": ("Jean-Yves Le Drian", "Le Drian", "Boinas Rojas", "Joint Statement"),
        "organisations": ("NATO",),
        "topics": ("Security", "Security"),
    }
    assert fixes.apply(terms) == {
        "countries": ("Myanmar", "France"),
        "people": ("Jean-Yves Le Drian",),
        "organisations": ("NATO", "Tropas de Prevención"),
        "topics": ("Security", "Security"),  # not an entity taxonomy: left as written
    }
    assert TermCorrections().apply(terms) == terms
    # a site without an organisations taxonomy keeps the name where it was, renamed
    assert fixes.apply({"people": ("Boinas Rojas",)}) == {"people": ("Tropas de Prevención",)}


def test_load_from_the_editors_file(tmp_path):
    assert load_term_corrections(tmp_path) == TermCorrections()
    (tmp_path / "_data").mkdir()
    (tmp_path / "_data" / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    fixes = load_term_corrections(tmp_path)
    assert ("Boinas Rojas", "organisations", "Tropas de Prevención") in fixes.names
    assert ("Burma", "countries", "Myanmar") in fixes.names
    assert fixes.ignore == ("Joint Statement",)
    (tmp_path / "_data" / "entities.yaml").write_text("people: Jean\n", encoding="utf-8")
    with pytest.raises(SiteError):
        load_term_corrections(tmp_path)


def test_an_edit_of_entities_yaml_reaches_the_built_site_without_reimporting(make_site, tmp_path):
    files = {
        "content/briefings/a.md": briefing_md(
            "Cuban units",
            "2026-03-01T09:00:00+00:00",
            people=["Boinas Rojas", "Joint Statement"],
            countries=["Cuba"],
        ),
        "content/briefings/b.md": briefing_md(
            "Paris talks",
            "2026-03-02T09:00:00+00:00",
            people=["Jean-Yves Le", "Le Drian"],
            countries=["Burma"],
        ),
    }
    project = make_site(files)
    builder = Builder(project.root, BuildOptions(run_import=False))
    builder.build()
    assert project.files() >= {LINKS.term_of("people", "Boinas Rojas") + "index.html"}
    project.write({"content/_data/entities.yaml": ENTITIES})
    builder.build()  # incremental, the same builder: nothing re-imported
    built = project.files()
    assert LINKS.term_of("organisations", "Tropas de Prevención") + "index.html" in built
    assert LINKS.term_of("people", "Jean-Yves Le Drian") + "index.html" in built
    assert LINKS.term_of("countries", "Myanmar") + "index.html" in built
    for gone in ("Boinas Rojas", "Joint Statement", "Jean-Yves Le", "Le Drian"):
        assert LINKS.term_of("people", gone) + "index.html" not in built
    page = project.read("briefings/paris-talks/index.html")
    assert "Jean-Yves Le Drian" in page and "/people/le-drian/" not in page  # the chips
    filters = project.read("search/filters.json")  # the search page's filters
    assert "Tropas de Prevención" in filters and "Boinas Rojas" not in filters
    assert "Boinas Rojas" not in project.read("feed.xml")
    clean = tmp_path / "clean"
    Builder(project.root, BuildOptions(run_import=False, cache=False, output=clean)).build()
    assert tree(project.output) == tree(clean)
