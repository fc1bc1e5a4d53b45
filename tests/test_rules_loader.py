"""The rulebook file: the shipped one is valid and rich; mistakes are ALL reported with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import RulebookError
from scoring.rules import load_rulebook, parse_rulebook
from scoring.settings import PROJECT_ROOT
from scoring.warehouse.reference import rulebook_reference

THREE_MISTAKES = """\
version: "1"
mql: {threshold: 50}
rules:
  - id: industry_core
    group: fit
    when: {column: industry, op: in_list, value: [Software]}
    points: 10
  - id: industry_core
    group: fit
    when: {column: seniority, op: eq, value: vp}
    points: 5
  - id: pricing
    group: engagement
    when: {column: pricing_views_30d, op: at_least, value: 1}
    points: 4
    per: pricing_views_30d
    cap: -8
"""


FIT = "{id: a, group: fit, when: {column: industry, op: is_missing}, points: 1"
ENGAGEMENT = "{id: a, group: engagement, when: {column: industry, op: is_missing}, points: 1"


def test_shipped_rulebook_is_valid_and_rich() -> None:
    rulebook = load_rulebook()
    assert rulebook.version == "2026.11.1"
    assert len(rulebook.rules) >= 25
    for group in ("fit", "engagement"):
        points = [r.points for r in rulebook.rules if r.group == group]
        assert min(points) < 0 < max(points), group
    assert any(r.decay for r in rulebook.rules) and any(r.cap for r in rulebook.rules)
    assert {g.id for g in rulebook.gates} >= {"valid_email", "business_email", "not_competitor"}
    assert [name for name, _ in rulebook.grades] == ["A", "B", "C", "D"]


def test_three_mistakes_are_reported_together_with_their_lines() -> None:
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(THREE_MISTAKES, "book.yaml")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 3, problems
    assert problems[0].startswith("book.yaml:6: unknown operator 'in_list'")
    assert problems[1] == "book.yaml:8: duplicate rule id 'industry_core' (first at book.yaml:4)"
    assert problems[2] == "book.yaml:17: cap must be positive, got -8"
    assert "3 definition problems in book.yaml" in str(caught.value)


def _problems(text: str) -> list[str]:
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(text, "b.yaml")
    return [str(p) for p in caught.value.problems]


def _book(rule: str, extra: str = "") -> str:
    return f'version: "1"\nmql: {{threshold: 10}}\n{extra}rules:\n  - {rule}\n'


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{id: a, group: fit, when: {column: industy, op: eq, value: x}, points: 1}",
            "unknown column 'industy' (did you mean 'industry'?)",
        ),
        (
            "{id: a, group: fit, when: {column: employees, op: contains_any, value: [x]}, points: 1}",
            "contains_any does not apply to employees (number)",
        ),
        (
            "{id: a, group: fit, when: {column: employees, op: between, value: 5}, points: 1}",
            "between: expected [low, high] numbers",
        ),
        (
            "{id: a, group: fit, when: {column: employees, op: between, value: [9, 1]}, points: 1}",
            "low 9 is above high 1",
        ),
        (
            "{id: a, group: fit, when: {column: industry, op: in, value: Software}, points: 1}",
            "expected a non-empty list",
        ),
        (
            "{id: a, group: fit, when: {column: industry, op: eq, value: 3}, points: 1}",
            "expected a non-empty text",
        ),
        (
            "{id: a, group: fit, when: {column: employees, op: gte, value: '10'}, points: 1}",
            "expected a number",
        ),
        (
            "{id: a, group: fit, when: {column: email_valid, op: is_true, value: true}, points: 1}",
            "takes no value",
        ),
        (
            "{id: a, group: fit, when: {column: job_title, op: matches, value: '\\\\d+'}, points: 1}",
            "differ between engines",
        ),
        (
            "{id: a, group: fit, when: {column: industry, op: is_missing}, points: ten}",
            "points must be a number",
        ),
        (
            "{id: A-1, group: fit, when: {column: industry, op: is_missing}, points: 1}",
            "lower_snake_case",
        ),
        (
            "{id: a, group: sales, when: {column: industry, op: is_missing}, points: 1}",
            "group must be one of fit, engagement",
        ),
        (
            "{id: a, group: fit, when: {column: industry, op: is_missing}, points: 1, per: industry}",
            "industry is a category column; expected a count column",
        ),
        (
            "{id: a, group: fit, when: {column: industry, op: is_missing}, points: 1, cap: 5}",
            "cap needs `per`",
        ),
        (
            FIT + ", decay: {half_life_days: 7, since: days_since_touch}}",
            "decay applies to engagement rules only",
        ),
        (
            ENGAGEMENT + ", decay: {half_life_days: 0, since: days_since_touch}}",
            "half_life_days must be positive",
        ),
        (
            ENGAGEMENT + ", decay: {half_life_days: 7, since: touches_7d}}",
            "expected a days column",
        ),
        (
            "{id: a, group: fit, when: {column: industry, op: is_missing}, points: 1, weight: 2}",
            "unknown key 'weight'",
        ),
        ("{id: a, group: fit, when: {all: []}, points: 1}", "all needs at least one condition"),
        ("{id: a, group: fit, points: 1}", "missing required key 'when'"),
    ],
)
def test_rule_mistakes_are_named(rule: str, message: str) -> None:
    problems = _problems(_book(rule))
    assert any(message in p for p in problems), problems
    assert all(p.startswith("b.yaml:") for p in problems)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("groups: {fit: {min: 10, max: 5}}\n", "fit min 10 must be below max 5"),
        ("grades: {A: 10, B: 20, C: ~}\n", "grade B minimum 20 must be below"),
        ("grades: {A: 10, B: 5}\n", "the last with no minimum"),
        (
            "gates:\n  - {id: g, require: {column: email_valid, op: is_true}}\n",
            "missing required key 'message'",
        ),
        ("colour: blue\n", "unknown key 'colour'"),
    ],
)
def test_section_mistakes_are_named(extra: str, message: str) -> None:
    rule = "{id: a, group: fit, when: {column: industry, op: is_missing}, points: 1}"
    assert any(message in p for p in _problems(_book(rule, extra)))


def test_yaml_syntax_error_names_its_line() -> None:
    assert _problems("version: 1\nrules: [\n")[0].startswith("b.yaml:")


def test_missing_file_is_a_rulebook_error(tmp_path: Path) -> None:
    with pytest.raises(RulebookError, match="cannot read"):
        load_rulebook(tmp_path / "nope.yaml")


def test_docs_rulebook_md_is_generated_from_the_registries() -> None:
    current = (PROJECT_ROOT / "docs" / "rulebook.md").read_text(encoding="utf-8")
    assert current == rulebook_reference(), (
        "docs/rulebook.md is stale: run `python -m scoring.warehouse.reference > docs/rulebook.md`"
    )


def test_docs_example_is_a_valid_rulebook() -> None:
    text = (PROJECT_ROOT / "docs" / "rulebook.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    rulebook = parse_rulebook(example, "docs/rulebook.md")
    assert [r.id for r in rulebook.rules] == [
        "industry_core",
        "pricing_interest",
        "student_or_intern",
    ]
