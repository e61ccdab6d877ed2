"""Entities: precision and recall on hand-labelled texts, the traps, country facts, the editor's registry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.core.errors import SiteError
from generator.core.urls import slug_from
from generator.read.countries import country_info
from generator.read.entities import (
    Entities,
    find_entities,
    load_registry,
)

DATA = Path(__file__).parent / "data" / "entities"
KINDS = ("countries", "people", "organisations")


@pytest.fixture(scope="module")
def registry():
    return load_registry(None)


def find(text: str, registry, headline: str = "") -> Entities:
    return find_entities(text, headline, registry)


def test_precision_and_recall_on_labelled_texts(registry):
    labels = yaml.safe_load((DATA / "labels.yaml").read_text(encoding="utf-8"))
    assert len(labels) >= 15
    tp = fp = fn = 0
    for name, truth in labels.items():
        headline, _, body = (DATA / name).read_text(encoding="utf-8").partition("\n")
        found = find_entities(body, headline, registry)
        for kind in KINDS:
            got, want = set(getattr(found, kind)), set(truth[kind])
            tp += len(got & want)
            fp += len(got - want)
            fn += len(want - got)
            for extra in sorted(got - want):
                print(f"  false positive {name} {kind}: {extra}")
            for missed in sorted(want - got):
                print(f"  missed {name} {kind}: {missed}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"entities on {len(labels)} labelled texts: precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.9
    assert recall >= 0.8


def test_shipped_seed(registry):
    text = (Path(__file__).parent / "data" / "seeds" / "000_3e7346ba372a76a7.txt").read_text(
        encoding="utf-8"
    )
    headline, _, body = text.partition("\n")
    found = find(body, registry, headline)
    assert {"Russia", "Ukraine", "United States"} <= set(found.countries)
    assert {"Vladimir Putin", "Donald Trump", "Volodymyr Zelenskyy"} <= set(found.people)
    assert set(found.people) == {"Vladimir Putin", "Donald Trump", "Volodymyr Zelenskyy"}
    assert set(found.countries) == {"Russia", "Ukraine", "United States"}
    assert found.organisations == ()
    assert "Conflict" in found.topics and "Diplomacy" in found.topics


@pytest.mark.parametrize(
    "text, kind, name",
    [
        ("The Kremlin said talks would resume.", "countries", "Russia"),
        ("Officials in Kyiv said so.", "countries", "Ukraine"),
        ("The White House declined to comment.", "countries", "United States"),
        ("U.S. officials and US diplomats met.", "countries", "United States"),
        ("Beijing protested.", "countries", "China"),
        ("The Russian Federation objected.", "countries", "Russia"),
        ("Türkiye hosted the talks.", "countries", "Turkey"),
        ("Papua New Guinea signed the pact.", "countries", "Papua New Guinea"),
        ("Troops left Equatorial Guinea.", "countries", "Equatorial Guinea"),
        ("Nigeria and Niger share a border.", "countries", "Niger"),
        ("Ships sailed the South China Sea.", "countries", "China"),
        ("President Erdoğan spoke.", "people", "Recep Tayyip Erdogan"),
        ("Zelensky and Zelenskiy are one man.", "people", "Volodymyr Zelenskyy"),
        ("Foreign Minister Jane Okafor of Ruritania said.", "people", "Jane Okafor"),
        ("NATO and the EU met the IAEA.", "organisations", "IAEA"),
        ("The European Union said.", "organisations", "European Union"),
    ],
)
def test_finds(registry, text, kind, name):
    assert name in getattr(find(text, registry), kind)


@pytest.mark.parametrize(
    "text, kind, name",
    [
        ("Let us meet them.", "countries", "United States"),  # lower-case "us"
        ("Michael Jordan visited.", "countries", "Jordan"),
        ("Chad Wolf testified in Congress.", "countries", "Chad"),
        ("We ate turkey on Thanksgiving.", "countries", "Turkey"),
        ("Rallies in Atlanta, Georgia drew crowds.", "countries", "Georgia"),
        ("Latin American leaders met.", "countries", "United States"),
        ("Papua New Guinea signed the pact.", "countries", "Guinea"),
        ("Nigeria voted.", "countries", "Niger"),
        ("The USAID budget and UNHCR staff.", "countries", "United States"),
        ("Hunter Biden was in court.", "people", "Joe Biden"),
        ("Eric Trump spoke.", "people", "Donald Trump"),
    ],
)
def test_does_not_find(registry, text, kind, name):
    assert name not in getattr(find(text, registry), kind)


def test_never_people(registry):
    text = (
        "Key Takeaways\nOn Saturday, Western Mediation resumed. President Saturday Morning was not there. "
        "Analysts said Secretary General Office said. The Prime Minister Said nothing."
    )
    assert find(text, registry).people == ()


def test_unknown_surname_only_after_full_name(registry):
    text = "Foreign Minister Jane Okafor arrived. Okafor said the talks were useful."
    found = find(text, registry)
    assert found.people == ("Jane Okafor",)
    assert find("Okafor said the talks were useful.", registry).people == ()


def test_salience_order(registry):
    found = find(
        "Germany said. Germany and France agreed. Germany again.", registry, "Germany and France"
    )
    assert found.countries == ("Germany", "France")


def test_topics_need_two_hits(registry):
    assert "Sanctions" not in find("One sanction was mentioned.", registry).topics
    assert "Sanctions" in find("New sanctions and an embargo were imposed.", registry).topics


@pytest.mark.parametrize(
    "name, alpha2, slug, region",
    [
        ("Russia", "RU", "russia", "Eastern Europe"),
        ("Russian Federation", "RU", "russia", "Eastern Europe"),
        ("United States", "US", "united-states", "Northern America"),
        ("Turkey", "TR", "turkey", "Western Asia"),
        ("Türkiye", "TR", "turkey", "Western Asia"),
        ("South Korea", "KR", "south-korea", "Eastern Asia"),
        ("Iran", "IR", "iran", "Southern Asia"),
        ("Kosovo", "XK", "kosovo", "Southern Europe"),
        ("Czechia", "CZ", "czechia", "Eastern Europe"),
        ("Vietnam", "VN", "vietnam", "South-eastern Asia"),
        ("GB", "GB", "united-kingdom", "Northern Europe"),
    ],
)
def test_country_info(name, alpha2, slug, region):
    info = country_info(name)
    assert info is not None
    assert (info.alpha2, info.slug, info.region) == (alpha2, slug, region)
    assert len(info.flag) == 2


def test_country_info_canonical_names():
    for name in (
        "Russia",
        "Iran",
        "Syria",
        "South Korea",
        "North Korea",
        "Vietnam",
        "Taiwan",
        "Bolivia",
        "Venezuela",
        "Tanzania",
        "Laos",
        "Moldova",
        "Czechia",
        "Turkey",
        "United Kingdom",
        "United States",
    ):
        assert country_info(name).name == name
    assert country_info("Narnia") is None
    assert country_info("United States").numeric == "840"


def test_slug_from():
    assert slug_from("Vladimir Putin") == "vladimir-putin"
    assert slug_from("United States") == "united-states"
    assert slug_from("Recep Tayyip Erdoğan") == "recep-tayyip-erdogan"


def test_editor_registry_is_merged(tmp_path):
    extra = tmp_path / "entities.yaml"
    extra.write_text(
        "people:\n  - name: Jane Okafor\n    aliases: [Okafor]\n    role: Foreign Minister\n"
        "organisations:\n  - name: Atrocity Crimes Advisory Group\n    aliases: [ACA]\n"
        "topics:\n  - name: Cyber\n    keywords: [cyber*, ransomware]\n"
        "countries:\n  - name: Russia\n    aliases: [Rossiya]\n"
        "ignore: [Vladimir Putin]\n",
        encoding="utf-8",
    )
    registry = load_registry(extra)
    found = find_entities(
        "Okafor met the ACA in Rossiya after a ransomware cyberattack. Vladimir Putin.",
        "",
        registry,
    )
    assert found.people == ("Jane Okafor",)
    assert found.organisations == ("Atrocity Crimes Advisory Group",)
    assert found.countries == ("Russia",)
    assert "Cyber" in found.topics
    assert load_registry(tmp_path / "missing.yaml") is load_registry(None)


def test_editor_registry_errors_name_the_file(tmp_path):
    bad = tmp_path / "entities.yaml"
    bad.write_text("people: [1, 2]\n", encoding="utf-8")
    with pytest.raises(SiteError) as exc:
        load_registry(bad)
    assert str(bad) in str(exc.value)
    bad.write_text("peeple: []\n", encoding="utf-8")
    with pytest.raises(SiteError, match="unknown keys"):
        load_registry(bad)
    bad.write_text("countries:\n  - name: Narnia\n", encoding="utf-8")
    with pytest.raises(SiteError, match="unknown country"):
        load_registry(bad)


def test_the_iso_table_read_from_pycountrys_file_is_pycountrys_own():
    """Country facts read pycountry's database file directly (its import costs 30 ms); they must be what
    pycountry itself gives, field for field."""
    import pycountry

    from generator.read.countries import ISO_FIELDS, iso_countries

    ours = [{k: v for k, v in row.items() if k in ISO_FIELDS} for row in iso_countries()]
    theirs = [{k: v for k in ISO_FIELDS if (v := getattr(c, k, None))} for c in pycountry.countries]
    assert len(ours) > 240 and ours == theirs
