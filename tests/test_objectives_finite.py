"""Objectives refuse `.nan` and `.inf` limits (a NaN limit is never breached, an infinite one never
met), each with its line."""

from __future__ import annotations

import pytest

from scoring.errors import DefinitionError
from scoring.objectives import parse_objectives

CASES = [
    ("score_drift", "max_psi: .nan\n    min_leads: 50", "max_psi"),
    ("score_drift", "max_psi: .inf\n    min_leads: 50", "max_psi"),
    ("gate_failure_rate", "max_share: 0.3\n    min_leads: .inf", "min_leads"),
    ("model_calibration", "max_ece: 0.1\n    min_closed: .nan", "min_closed"),
    ("handoff_lag", "max_minutes: -.inf", "max_minutes"),
    ("mql_volume", "min: .nan\n    max: 10", "min"),
    ("mql_volume", "min: 1\n    max: .Inf", "max"),
]


@pytest.mark.parametrize(("kind", "limits", "field"), CASES)
def test_a_non_finite_limit_is_refused_with_its_line(kind: str, limits: str, field: str) -> None:
    text = f"objectives:\n  - name: o\n    kind: {kind}\n    {limits}\n    error_budget: .nan\n"
    with pytest.raises(DefinitionError) as caught:
        parse_objectives(text, "objectives.yaml")
    found = [str(p) for p in caught.value.problems]
    lines = [line.strip().split(":")[0] for line in text.splitlines()]
    line, budget = lines.index(field) + 1, lines.index("error_budget") + 1
    [at_line] = [p for p in found if p.startswith(f"objectives.yaml:{line}:")]
    assert at_line.startswith(f"objectives.yaml:{line}: {field} must be a finite number, got ")
    assert any(
        p.startswith(f"objectives.yaml:{budget}: error_budget must be a finite number")
        for p in found
    )
