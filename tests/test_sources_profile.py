"""Mapping profiles: the shipped ones load, and a broken one lists every problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

import scoring.sources
from scoring.errors import ConfigError, MappingError
from scoring.sources import available_profiles, load_profile, profile_from_text

SHIPPED = [
    "canonical",
    "hubspot_contacts",
    "hubspot_deals",
    "olist_marketing_funnel",
    "sales_pipeline",
    "salesforce_leads",
    "salesforce_opportunities",
    "uci_bank_marketing",
]


def _problems(text: str) -> list[str]:
    with pytest.raises(MappingError) as caught:
        profile_from_text(text, "broken.yaml")
    return [str(p) for p in caught.value.problems]


def test_public_api_of_sources_is_exactly_what_is_listed() -> None:
    assert scoring.sources.__all__ == [
        "PROFILES_DIR",
        "CanonicalFrames",
        "ImportResult",
        "Profile",
        "Written",
        "assign_files",
        "available_profiles",
        "import_files",
        "load_profile",
        "profile_from_text",
        "read_canonical",
        "read_sources",
        "transform",
        "write_canonical_csv",
    ]
    for name in scoring.sources.__all__:
        assert hasattr(scoring.sources, name), name


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profiles_load(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.actor == f"import:{name}"


def test_every_shipped_profile_is_listed() -> None:
    assert available_profiles() == SHIPPED


def test_uci_declares_call_duration_as_known_only_after_the_outcome() -> None:
    profile = load_profile("uci_bank_marketing")
    assert profile.post_outcome_columns == (("calls", "duration"),)
    assert profile.post_outcome_fields == ("attributes.duration",)


def test_olist_declares_every_closed_deal_column_as_post_outcome() -> None:
    profile = load_profile("olist_marketing_funnel")
    deal_columns = set(profile.files["deals"].columns)
    assert {column for _, column in profile.post_outcome_columns} == deal_columns
    assert "outcome.closed_at" in profile.post_outcome_fields
    assert "attributes.landing_page_id" not in profile.post_outcome_fields


def test_a_profile_can_be_loaded_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("files:\n  leads:\n    templates: {contact.external_id: 'x:{id}'}\n")
    assert load_profile(path).name == "mine"


def test_an_unknown_profile_name_is_a_config_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="uci_bank_marketing"):
        load_profile("no_such_profile")


def test_structural_problems_are_all_listed_with_their_lines() -> None:
    problems = _problems(
        "name: broken\n"  # 1
        "files:\n"  # 2
        "  leads:\n"  # 3
        "    delimitr: ';'\n"  # 4
        "    templates: {contact.external_id: 'x:{id}'}\n"  # 5
        "    columns:\n"  # 6
        "      Email: contact.emial\n"  # 7
        "      Created: {to: contact.created_at, format: yyyy-mm-dd}\n"  # 8
        "      Stage: {to: contact.lifecycle_stage, values: {Hot: hot}}\n"  # 9
        "      Won: {to: outcome.won, values: {yes: true}}\n"  # 10
        "      Paid: {to: attributes.paid, type: money}\n"  # 11
    )
    assert len(problems) == 6, problems
    text = "\n".join(problems)
    assert (
        "broken.yaml:4: files.leads: unknown option 'delimitr' (did you mean 'delimiter'?)" in text
    )
    assert (
        "broken.yaml:7: files.leads.columns.Email.to: unknown canonical field 'contact.emial'"
        in text
    )
    assert "(did you mean 'contact.email'" in text
    assert "broken.yaml:8:" in text and "date format 'yyyy-mm-dd' has no % directives" in text
    assert (
        "broken.yaml:9:" in text
        and "value map for contact.lifecycle_stage: 'hot' is not one of" in text
    )
    assert "broken.yaml:10:" in text and "quote the key" in text
    assert "broken.yaml:11:" in text and "type" in text


def test_whole_profile_problems_are_all_listed_with_their_lines() -> None:
    problems = _problems(
        "name: broken\n"  # 1
        "files:\n"  # 2
        "  leads:\n"  # 3
        "    templates: {contact.external_id: 'x:{id'}\n"  # 4
        "    constants:\n"  # 5
        "      contact.lifecycle_stage: hot\n"  # 6
        "    columns:\n"  # 7
        "      mail: contact.email\n"  # 8
        "      email: contact.email\n"  # 9
        "    post_outcome: [duration]\n"  # 10
        "  deals:\n"  # 11
        "    join: {file: nowhere, key: id}\n"  # 12
        "    matched: contact.email\n"  # 13
        "    columns: {amount: outcome.amount}\n"  # 14
        "  touches:\n"  # 15
        "    columns: {kind: touch.kind}\n"  # 16
    )
    text = "\n".join(problems)
    assert "broken.yaml:4: template 'x:{id' has an unbalanced brace" in text
    assert "broken.yaml:6: constant for contact.lifecycle_stage: 'hot' is not one of" in text
    assert "broken.yaml:9: contact.email is set twice in one record (also at broken.yaml:8)" in text
    assert "broken.yaml:10: post_outcome column 'duration' is not mapped" in text
    assert "broken.yaml:12: join to unknown file 'nowhere'" in text
    assert "broken.yaml:13: `matched` must name a true/false field" in text
    assert "broken.yaml:15: records with touch fields need touch.external_id" in text
    assert "broken.yaml:15: touches need touch.contact" in text


def test_a_value_map_cannot_send_values_to_a_stage_outside_the_model() -> None:
    problems = _problems(
        "files:\n"
        "  leads:\n"
        "    templates: {contact.external_id: 'x:{id}'}\n"
        "    columns:\n"
        "      Status: {to: contact.lifecycle_stage, values: {Lost: lost, Dead: dead}}\n"
    )
    assert problems == [
        "broken.yaml:5: files.leads.columns.Status: value map for contact.lifecycle_stage: "
        "'lost' is not one of: subscriber, lead, mql, sal, sales_qualified, opportunity, customer, "
        "disqualified, nurture; 'dead' is not one of: subscriber, lead, mql, sal, sales_qualified, "
        "opportunity, customer, disqualified, nurture"
    ]


def test_yaml_syntax_errors_name_the_line() -> None:
    [problem] = _problems("files:\n  leads: [\n")
    assert problem.startswith("broken.yaml:3: invalid YAML: ")
