"""Extract the default theme's UI strings into themes/default/locales/messages.pot and merge them into each
language's messages.po (pybabel's extract + update, in one step): `python scripts/catalogs.py`.

Dynamic strings (taxonomy names, revision labels, page titles made in code, shown through `ui()`) are not
seen by the extractor and are listed here, and so are the texts of static/search.js (render/search_strings.py)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from generator.render.search_strings import PLURAL as SEARCH_PLURAL
from generator.render.search_strings import SINGULAR as SEARCH_SINGULAR

THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
DYNAMIC = (
    "Countries",
    "People",
    "Organisations",
    "Topics",
    "Regions",
    "Updated",
    "Corrected",
    "Weekly digests",
    "Situation",
    "Corrections",
    "Page not found",
    "Translations",
    "Deteriorated",
    "Improved",
    "Unchanged",
    "Correction",
    "Clarification",
    "Update",
    "Week %(week)s, %(year)s",
)


def template() -> Catalog:
    """Every msgid of the default theme's templates, and the dynamic ones."""
    catalog = Catalog(project="briefings default theme", version="1")
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    found = extract_from_dir(
        THEME / "templates",
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": options},
    )
    for filename, line, message, _comments, context in found:
        catalog.add(message, locations=[(f"templates/{filename}", line)], context=context)
    for message in DYNAMIC:
        if message not in catalog:
            catalog.add(message, auto_comments=["ui(): a name made in code"])
    for message in SEARCH_SINGULAR.values():
        if message not in catalog:
            catalog.add(message, auto_comments=["static/search.js (render/search_strings.py)"])
    for pair in SEARCH_PLURAL.values():
        catalog.add(pair, auto_comments=["static/search.js (render/search_strings.py)"])
    return catalog


def main() -> None:
    pot = template()
    locales = THEME / "locales"
    with (locales / "messages.pot").open("wb") as handle:
        write_po(handle, pot, omit_header=False, sort_output=True, width=100)
    for po_path in sorted(locales.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        catalog.update(pot, no_fuzzy_matching=True)
        with po_path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, width=100, ignore_obsolete=True)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{po_path.relative_to(THEME)}: {len(missing)} untranslated")


if __name__ == "__main__":
    main()
