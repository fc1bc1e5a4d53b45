"""Custom field names become SQL columns (custom_features, the `rules sql` feature table): one
check for profiles, the feature dictionary and rulebooks refuses, with its file and line, every
name two backends would store differently: case twins, `contact_id`, names beyond PostgreSQL's 63
characters, a trailing newline, more than MAX_FIELDS fields (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from scoring.db.models import Contact
from scoring.errors import DefinitionError, ImportRejected, RulebookError
from scoring.features.custom import CustomField
from scoring.features.dictionary import parse_feature_dictionary
from scoring.features.names import MAX_FIELDS
from scoring.rules import parse_rulebook
from scoring.sources import import_files, load_profile
from scoring.store.custom import read_custom_fields, read_custom_values

HOSTILE = {
    "contact_id": (["contact_id"], "field name 'contact_id' is reserved"),
    "case twins": (["Visits", "visits"], "field name 'visits' differs from field 'Visits'"),
    "64 characters": (["v" * 64], "is longer than 63 characters"),
    "63-character twins": (["v" * 63 + "a", "v" * 63 + "b"], "is longer than 63 characters"),
    "250 characters": (["x" * 250], "(250 characters) is longer than 63 characters"),
    "trailing newline": (["visits\n"], "field name 'visits\\n' must be letters, digits and _"),
    "too many": ([f"f{i}" for i in range(2001)], f"a data set may declare at most {MAX_FIELDS}"),
}


def _export(folder: Path, names: list[str], profile: str = "p") -> tuple[Path, Path]:
    columns = "".join(
        f'      C{i}: {{to: "attributes.{n.encode("unicode_escape").decode()}", type: integer}}\n'
        for i, n in enumerate(names)
    )
    (folder / f"{profile}.yaml").write_text(
        f"name: {profile}\nfiles:\n  leads:\n    format: csv\n    columns:\n"
        f"      Id: contact.external_id\n{columns}"
    )
    header = ",".join(["Id", *[f"C{i}" for i in range(len(names))]])
    rows = [",".join([f"P{r}", *[str(r * 10 + i) for i in range(len(names))]]) for r in range(2)]
    (folder / "leads.csv").write_text("\n".join([header, *rows]) + "\n")
    return folder / f"{profile}.yaml", folder / "leads.csv"


def _contacts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Contact)) or 0)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_attribute_name_is_refused_with_its_line(
    engine: Engine, tmp_path: Path, case: str
) -> None:
    names, expected = HOSTILE[case]
    profile, leads = _export(tmp_path, names)
    with pytest.raises(DefinitionError) as caught:
        import_files(engine, load_profile(str(profile)), [str(leads)])
    problems = [str(p) for p in caught.value.problems]
    assert any(expected in p and p.startswith(f"{profile}:") for p in problems), problems
    assert len(str(caught.value)) < 5_000
    assert _contacts(engine) == 0 and read_custom_fields(engine) == {}


def test_a_63_character_name_is_stored_and_read_back_on_every_backend(
    engine: Engine, tmp_path: Path
) -> None:
    name = "v" * 63
    profile, leads = _export(tmp_path, [name, "visits"])
    import_files(engine, load_profile(str(profile)), [str(leads)])
    fields = read_custom_fields(engine)
    values = read_custom_values(engine, fields)
    assert sorted(values[f"custom.{name}"]) == [0.0, 10.0]
    assert sorted(values["custom.visits"]) == [1.0, 11.0]


def test_a_case_twin_of_a_recorded_field_is_refused_before_any_write(
    engine: Engine, tmp_path: Path
) -> None:
    first, leads = _export(tmp_path, ["visits"], "first")
    import_files(engine, load_profile(str(first)), [str(leads)])
    second, leads = _export(tmp_path, ["Visits"], "second")
    with pytest.raises(ImportRejected) as caught:
        import_files(engine, load_profile(str(second)), [str(leads)])
    assert "field name 'Visits' differs from recorded field 'visits' only in case" in str(
        caught.value
    )
    assert list(read_custom_fields(engine)) == ["visits"] and _contacts(engine) == 2


def test_the_dictionary_reports_every_bad_name_at_once_with_its_line() -> None:
    text = (
        "fields:\n"
        "  Visits: {type: number}\n"
        "  visits: {type: number}\n"
        "  Contact_ID: {type: number}\n"
        f"  {'w' * 64}: {{type: number}}\n"
        '  "origin\\n": {type: category}\n'
    )
    with pytest.raises(DefinitionError) as caught:
        parse_feature_dictionary(text, "features.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "features.yaml:4: field name 'Contact_ID' is reserved (a column of the custom_features table)",
        f"features.yaml:5: field name '{'w' * 39}... (64 characters) is longer than 63 characters",
        "features.yaml:6: field name 'origin\\n' must be letters, digits and _",
        "features.yaml:3: field name 'visits' differs from field 'Visits' only in case",
    ]


def test_a_dictionary_of_too_many_fields_gets_one_problem() -> None:
    text = "fields:\n" + "".join(f"  f{i}: {{type: number}}\n" for i in range(10_000))
    with pytest.raises(DefinitionError) as caught:
        parse_feature_dictionary(text, "features.yaml")
    [problem] = caught.value.problems
    assert str(problem).startswith(f"features.yaml:{MAX_FIELDS + 2}: more than {MAX_FIELDS}")


RULES = """version: t
mql: {threshold: 5}
fields:
  Visits: {type: number}
  visits: {type: number}
rules:
  - {id: many, group: engagement, when: {column: custom.visits, op: gte, value: 5}, points: 10}
"""


def test_a_rulebook_refuses_case_twins_in_its_fields_and_against_known_fields() -> None:
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(RULES, "book.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "book.yaml:5: field name 'visits' differs from field 'Visits' only in case"
    ]
    known = {"VISITS": CustomField("VISITS", "number")}
    own = RULES.replace("  Visits: {type: number}\n", "")
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(own, "book.yaml", custom=known)
    assert [str(p) for p in caught.value.problems] == [
        "book.yaml:4: field name 'visits' differs from field 'VISITS' only in case"
    ]
