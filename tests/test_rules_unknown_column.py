"""An unknown column in a rulebook gets a bounded message (the closest name, a few custom fields,
the counts and how to list every column), and at most UNKNOWN_REPORTED of them are listed per file:
thousands of custom fields and hundreds of typos answer with a small error."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.errors import RulebookError
from scoring.features.custom import CustomField
from scoring.rules import parse_rulebook
from scoring.rules.reading import UNKNOWN_REPORTED

FIELDS = {f"field_{i:05d}": CustomField(f"field_{i:05d}", "number") for i in range(10_000)}


def _rules(columns: list[str]) -> str:
    rules = "".join(
        f"  - {{id: r{i}, group: fit, when: {{column: {c}, op: gte, value: 1}}, points: 1}}\n"
        for i, c in enumerate(columns)
    )
    return f"version: x\nmql: {{threshold: 5}}\nrules:\n{rules}"


def test_hundreds_of_typos_among_thousands_of_fields_give_a_small_error() -> None:
    typos = [f"custom.feld_{i:05d}" for i in range(500)]
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(_rules(typos), "book.yaml", custom=FIELDS)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == UNKNOWN_REPORTED + 1
    assert problems[-1] == (
        f"book.yaml:1: and {500 - UNKNOWN_REPORTED} more unknown column(s), not listed one by one"
    )
    assert len(str(caught.value)) < 20_000
    first = problems[0]
    assert first.startswith("book.yaml:4: unknown column 'custom.feld_00000' (did you mean")
    assert "custom.field_00019 and 9,980 more;" in first
    assert "custom.field_00020" not in first
    assert "built-in columns (docs/rulebook.md#feature-columns)" in first
    assert "list every column with `smarketing rules columns`" in first


@pytest.mark.parametrize(
    ("typo", "closest"),
    [("custom.fild_00001", "custom.field_00001"), ("employes", "employees")],
)
def test_the_message_names_the_closest_column(typo: str, closest: str) -> None:
    few = dict(list(FIELDS.items())[:3])
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(_rules([typo]), "book.yaml", custom=few)
    [problem] = caught.value.problems
    assert f"(did you mean {closest!r}?)" in str(problem)


def test_rules_columns_lists_built_in_and_custom_columns(tmp_path) -> None:
    features = tmp_path / "features.yaml"
    features.write_text("fields:\n  total_visits: {type: number, label: website visits}\n")
    listed = CliRunner().invoke(app, ["rules", "columns", "--features", str(features)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split("\t") == ["lead_id", "id", "lead"]
    assert lines[-1].split("\t") == ["custom.total_visits", "number", "website visits"]
    assert "employees\tnumber\temployees" in lines
