"""Facts about countries: canonical names, ISO codes, regions and flags, from pycountry and
`generator/data/countries.yaml`.

Its own module, apart from the entity finder, because every page that shows a country asks it: rendering
needs these facts and nothing of the finder's patterns (importing the finder costs a text-edit build 40 ms).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.memo import file_stamp, remembered
from generator.core.urls import slug_from

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def forget_data() -> None:
    """Drop the tables read from generator/data, so a long-lived process (`serve`) sees an edit to
    countries.yaml."""
    for value in list(globals().values()):
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            clear()


@dataclass(frozen=True)
class CountryInfo:
    """Facts for a country page."""

    name: str
    slug: str
    alpha2: str
    alpha3: str
    numeric: str
    region: str  # UN M49 subregion ('Eastern Europe'), from generator/data/countries.yaml
    flag: str  # the flag emoji: two regional indicator letters


@functools.lru_cache(maxsize=1)
def _data_text() -> str:
    return (DATA_DIR / "countries.yaml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def country_data() -> dict[str, Any]:
    # imported here: a build whose country facts are remembered (countries_by_code) needs no PyYAML
    import yaml

    # libyaml when PyYAML has it: the pure-Python loader took 0.26 s, in every process that needs a
    # country's region
    return yaml.load(_data_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


ISO_FIELDS = ("alpha_2", "alpha_3", "name", "common_name", "official_name", "numeric")


@functools.lru_cache(maxsize=1)
def iso_countries() -> tuple[dict[str, str], ...]:
    """ISO 3166-1 as pycountry ships it, each country's fields by pycountry's names.

    Its database file is read directly: importing pycountry looks its own version up among every installed
    package's metadata, 30 ms of each process that shows a flag (a text-edit build renders one page). Where
    the file is not where pycountry keeps it today, pycountry is imported after all.
    """
    database = _iso_database()
    if database is not None:
        with (
            contextlib.suppress(OSError, ValueError, KeyError),
            open(database, encoding="utf-8") as f,
        ):
            return tuple(json.load(f)["3166-1"])
    import pycountry

    return tuple(
        {k: v for k in ISO_FIELDS if (v := getattr(c, k, None))} for c in pycountry.countries
    )


@functools.lru_cache(maxsize=1)
def _iso_database() -> Path | None:
    spec = importlib.util.find_spec("pycountry")
    folders = (spec.submodule_search_locations or []) if spec else []
    return Path(folders[0]) / "databases" / "iso3166-1.json" if folders else None


def _iso_stamp() -> str:
    """pycountry's database as installed (an upgrade makes the facts anew)."""
    database = _iso_database()
    return file_stamp(database) if database is not None else "pycountry imported"


def countries_by_code() -> dict[str, CountryInfo]:
    """Every country by alpha-2 code, with the project's canonical name and region."""
    return _facts()[0]


@functools.lru_cache(maxsize=1)
def _facts() -> tuple[dict[str, CountryInfo], dict[str, str]]:
    """The countries by code and by every name (`_country_lookup`), remembered within a build by the text of
    countries.yaml and pycountry's database (core/memo.py): a text edit's build renders a page with
    flags, and making these took it PyYAML's import, the YAML's parse and a slug for each country."""
    return remembered("countries", _data_text() + _iso_stamp(), _make_facts)


def _make_facts() -> tuple[dict[str, CountryInfo], dict[str, str]]:
    by_code = _countries_by_code()
    lookup = {n.casefold(): a for n, a in _names(by_code).items()}
    for alpha2, info in by_code.items():
        lookup[info.name.casefold()] = alpha2
        lookup[info.slug] = alpha2
        if info.alpha3:
            lookup.setdefault(info.alpha3.casefold(), alpha2)
    return by_code, lookup


def _countries_by_code() -> dict[str, CountryInfo]:
    data = country_data()
    region_of = {
        code: region for region, codes in data["regions"].items() for code in codes.split()
    }
    result: dict[str, CountryInfo] = {}
    rows = [
        (
            c["alpha_2"],
            c.get("common_name") or c["name"],
            c.get("alpha_3", ""),
            c.get("numeric", ""),
        )
        for c in iso_countries()
    ]
    rows += [
        (code, e["name"], e.get("alpha3", ""), str(e.get("numeric", "")))
        for code, e in data.get("extra", {}).items()
    ]
    for alpha2, name, alpha3, numeric in rows:
        name = data["names"].get(alpha2, name)
        flag = "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in alpha2)
        result[alpha2] = CountryInfo(
            name, slug_from(name), alpha2, alpha3, numeric, region_of.get(alpha2, ""), flag
        )
    return result


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Every name a country goes by (ISO names, aliases) -> alpha-2, for matching in text."""
    return _names(countries_by_code())


def _names(by_code: dict[str, CountryInfo]) -> dict[str, str]:
    data = country_data()
    never = set(data.get("never", ()))
    names: dict[str, str] = {}
    for c in iso_countries():
        for attr in ("name", "common_name", "official_name"):
            value = c.get(attr)
            if value and "," not in value and "(" not in value and value not in never:
                names[value] = c["alpha_2"]
    for alpha2, info in by_code.items():
        names[info.name] = alpha2
    for alpha2, aliases in data["aliases"].items():
        for alias in aliases:
            names[str(alias)] = alpha2
    return names


@functools.lru_cache(maxsize=4096)
def country_info(name: str) -> CountryInfo | None:
    """Facts about a country by canonical name, any alias ('Russian Federation', 'Türkiye') or ISO code;
    None if unknown."""
    key = name.strip()
    countries = countries_by_code()
    if key.upper() in countries and len(key) == 2:
        return countries[key.upper()]
    by_name = _country_lookup()
    alpha2 = by_name.get(key.casefold())
    if alpha2 is None:  # ISO's formal names that text matching leaves out ('Korea, Republic of')
        import pycountry

        try:
            alpha2 = pycountry.countries.lookup(key).alpha_2
        except LookupError:
            return None
    return countries.get(alpha2)


def _country_lookup() -> dict[str, str]:
    return _facts()[1]
