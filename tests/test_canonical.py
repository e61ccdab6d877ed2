"""Canonical people and organisations from the NER model, one real sentence per rule."""

from __future__ import annotations

import pytest

from generator.read.canonical import looks_like_organisation
from generator.read.entities import entity_text, find_entities, load_registry
from generator.read.ner import find_mentions


@pytest.fixture(scope="module")
def registry():
    return load_registry(None)


def find(body: str, registry, headline: str = "Talks in London"):
    mentions = find_mentions([entity_text(body, headline)])[0]
    return find_entities(body, headline, registry, mentions)


def test_surname_resolves_to_the_full_name(registry):
    body = (
        "Foreign Secretary Jack Straw has said the UK will not be drawn into a war with Iran. "
        "Mr Straw told MPs that diplomacy was the only route. Straw added that talks would go on."
    )
    found = find(body, registry)
    assert "Jack Straw" in found.people
    assert not {"Straw", "Mr Straw", "Foreign Secretary Jack Straw"} & set(found.people)


def test_possessive_is_not_part_of_the_name(registry):
    body = "Mr Straw's speech was welcomed. Jack Straw's aides said he would travel to Tehran."
    found = find(body, registry)
    assert found.people == ("Jack Straw",)
    found = find(
        "Vladimir Putin's envoy arrived on Monday. Putin's aides said talks would resume.", registry
    )
    assert found.people == ("Vladimir Putin",)


def test_newspaper_quoted_as_a_source_is_not_an_organisation(registry):
    body = (
        "The Times said the minister would resign. Officials told the Guardian that the plan was dead. "
        "The European Commission declined to comment."
    )
    found = find(body, registry)
    assert not {"Times", "The Times", "Guardian", "The Guardian"} & set(found.organisations)
    assert "European Commission" in found.organisations


def test_generic_phrases_are_not_organisations(registry):
    body = (
        "The government said the state would not pay. The Department said the Ministry had no plan, "
        "and the Treasury Committee asked the Government to explain."
    )
    found = find(body, registry)
    assert not {"government", "Government", "state", "State", "Department", "Ministry"} & set(
        found.organisations
    )


def test_abbreviation_and_expansion_are_one_organisation(registry):
    body = (
        "The Counterterrorism Law Enforcement Forum (CTLEF) met in Berlin. The CTLEF will meet again "
        "next spring with the UN Office on Drugs and Crime (UNODC)."
    )
    found = find(body, registry)
    assert "Counterterrorism Law Enforcement Forum" in found.organisations
    assert "CTLEF" not in found.organisations
    assert "United Nations" not in found.organisations


def test_title_case_lines_do_not_make_people(registry):
    found = find(
        "Russian President Vladimir Putin said Moscow would press on.",
        registry,
        headline="Putin Signals Resolve as Ukraine Peace Talks Stall",
    )
    assert found.people == ("Vladimir Putin",)


def test_unknown_people_get_found(registry):
    found = find(
        "Cambodian-American lawyer Theary Seng was sentenced on Tuesday. Seng has said she will appeal.",
        registry,
    )
    assert "Theary Seng" in found.people and "Seng" not in found.people


def test_organisations_must_look_like_bodies(registry):
    body = (
        "The Secretary discussed the Fulbright Program and the Indo-Pacific Economic Framework with the "
        "Croatian Ministry of Foreign and European Affairs and the Central Bank of Nicaragua. "
        "The Government of Panama welcomed the Summit of the Americas."
    )
    found = find(body, registry)
    assert {
        "Croatian Ministry of Foreign and European Affairs",
        "Central Bank of Nicaragua",
    } <= set(found.organisations)
    assert not {
        "Fulbright Program",
        "Indo-Pacific Economic Framework",
        "Government of Panama",
        "Summit of the Americas",
    } & set(found.organisations)


def test_company_forms_and_expanded_abbreviations_count(registry):
    body = (
        "IRA operated through several Russian entities, including Internet Research LLC and MediaSintez "
        "LLC. The sanctions cover the Joint Comprehensive Plan of Action (JCPOA) and the Cambodia National "
        "Rescue Party (CNRP)."
    )
    found = find(body, registry)
    assert "Cambodia National Rescue Party" in found.organisations
    assert looks_like_organisation("Internet Research", "Internet Research LLC")
    assert looks_like_organisation("Central Bank of Nicaragua", "the Central Bank of Nicaragua")
    assert not looks_like_organisation("Concord Management", "Concord Management")
    assert not {"JCPOA", "Joint Comprehensive Plan of Action"} & set(found.organisations)


def test_unbalanced_bracket_is_cut(registry):
    body = (
        "The United States will launch the U.S.-ASEAN Smart Cities Partnership (USASCP) with the "
        "U.S. Department of Health and Human Services (HHS) Office of Refugee Resettlement."
    )
    names = " ".join(find(body, registry).organisations)
    assert "(" not in names and ")" not in names


def test_people_cut_at_a_particle_or_patronymic_are_completed(registry):
    body = (
        "Secretary of State Antony J. Blinken met with French Foreign Minister Jean-Yves Le Drian today. "
        "The Department designated Gleb Sergeevich Frank, the son of Gennady Nikolayevich Timchenko."
    )
    people = set(find(body, registry).people)
    assert {"Jean-Yves Le Drian", "Gleb Sergeevich Frank"} <= people
    assert not {"Jean-Yves Le", "Sergeevich Frank"} & people


def test_titles_and_statements_are_not_people(registry):
    body = (
        "The Joint Statement was read by the Sheikh. Fulbright Scholars from India met "
        "Ambassador to Armenia Lynne Tracy in Yerevan."
    )
    people = set(find(body, registry).people)
    assert not {"Joint Statement", "Sheikh", "Fulbright Scholars", "Armenia Lynne Tracy"} & people


def test_one_person_under_one_name_whichever_rule_found_it(registry):
    body = (
        "Secretary Blinken will meet with President Laurentino Cortizo Cohen and Foreign Minister Erika "
        "Mouynes. Laurentino Cortizo thanked the Secretary. The assassination of President Jovenel Moïse "
        "was condemned; Moïse's widow attended."
    )
    people = set(find(body, registry, headline="Secretary Blinken's Trip to Panama").people)
    assert {"Laurentino Cortizo Cohen", "Jovenel Moïse"} <= people
    assert not {"Laurentino Cortizo", "Moïse"} & people
