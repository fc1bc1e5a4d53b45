"""Revenue objectives: the file's validation and the evaluator on histories built to breach and recover."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from scoring.errors import DefinitionError
from scoring.objectives import evaluate, load_objectives, parse_objectives

START = datetime(2026, 1, 1)

VOLUME = """
objectives:
  - name: capacity
    kind: mql_volume
    min: 10
    max: 100
    window_days: 7
    error_budget: 0.25
"""

SLA = """
objectives:
  - name: accepted_in_24h
    kind: acceptance_sla
    min_share: 0.9
    within_hours: 24
    window_days: 7
    error_budget: 0.25
"""


def _history(
    days: tuple[int, int], per_day: int, accept_hours: float | None, first_id: int = 0
) -> list[dict]:
    """`per_day` MQLs a day over the `days` range after START; each accepted after `accept_hours` (None: never)."""
    rows = []
    for day in range(*days):
        for n in range(per_day):
            contact = first_id + day * 1000 + n
            at = START + timedelta(days=day, hours=1)
            rows.append({"contact_id": contact, "to_stage": "mql", "occurred_at": at})
            if accept_hours is not None:
                rows.append(
                    {
                        "contact_id": contact,
                        "to_stage": "sal",
                        "occurred_at": at + timedelta(hours=accept_hours),
                    }
                )
    return rows


def test_the_shipped_file_loads():
    names = [o.name for o in load_objectives("data/objectives.yaml")]
    assert names == [
        "mql_capacity",
        "acceptance_within_24h",
        "campaign_disqualification",
        "handoff_delivery_p99",
        "gate_failures",
        "score_stability",
        "model_calibration",
    ]


def test_every_problem_is_reported_with_its_line():
    text = """objectives:
  - name: a
    kind: mql_volume
    min: 50
    max: 10
  - name: b
    kind: nonsense
  - name: c
    kind: acceptance_sla
    within_hours: "a day"
    error_budget: 2
"""
    with pytest.raises(DefinitionError) as caught:
        parse_objectives(text, "objectives.yaml")
    wheres = [str(p) for p in caught.value.problems]
    assert "objectives.yaml:4: min must not exceed max" in wheres
    assert any(w.startswith("objectives.yaml:7: kind 'nonsense'") for w in wheres)
    assert any(w.startswith("objectives.yaml:8:") and "min_share" in w for w in wheres)
    assert any(w.startswith("objectives.yaml:10:") for w in wheres)
    assert "objectives.yaml:11: error_budget must be in [0, 1)" in wheres


def test_mql_volume_breaches_when_the_flow_stops_and_recovers_when_it_returns():
    objectives = parse_objectives(VOLUME)
    # 5 a day (35 a week) for 30 days, nothing for days 30-44, then 5 a day again from day 45
    events = pd.DataFrame(_history((0, 30), 5, 1.0) + _history((45, 80), 5, 1.0))
    [healthy] = evaluate(objectives, events, START + timedelta(days=29, hours=12))
    assert not healthy.breached and healthy.current == 35
    # the 7-day window ending day 38 holds no MQL: 0 a week, below the band
    [dry] = evaluate(objectives, events, START + timedelta(days=38, hours=12))
    assert dry.breached and dry.current == 0
    # 28 days after the gap closed the budget is whole again
    [back] = evaluate(objectives, events, START + timedelta(days=79, hours=12))
    assert not back.breached and back.missed == 0 and back.budget_left == 1.0


def test_acceptance_sla_counts_only_mqls_whose_deadline_passed():
    objectives = parse_objectives(SLA)
    on_time = _history((0, 20), 10, 2.0)
    late = _history((20, 30), 10, 48.0, first_id=500)
    events = pd.DataFrame(on_time + late)
    [good] = evaluate(objectives, events, START + timedelta(days=20, hours=12))
    assert not good.breached and good.current == 1.0
    [bad] = evaluate(objectives, events, START + timedelta(days=29, hours=12))
    assert bad.breached and bad.current == 0.0
    assert bad.burn_rate > 1


def test_check_exits_1_and_prints_every_objective_when_breached(tmp_path):
    from typer.testing import CliRunner

    from scoring.cli import app

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(app, ["objectives", "check", "--database", url])
    assert result.exit_code == 1, result.output
    assert "mql_capacity" in result.output and "BREACHED" in result.output


def test_one_alert_per_breach_and_one_per_recovery_over_a_built_history():
    from scoring.objectives.alerts import transitions

    objectives = parse_objectives(VOLUME)
    events = pd.DataFrame(_history((0, 30), 5, 1.0) + _history((45, 80), 5, 1.0))
    state: dict[str, bool] = {}
    sent = []
    for day in range(30, 80):  # from a healthy day (the first weeks of history are a ramp-up)
        at = START + timedelta(days=day, hours=12)
        statuses = evaluate(objectives, events, at)
        sent += transitions(state, statuses, at.isoformat())
        state = {s.name: s.breached for s in statuses}
    assert [a.kind for a in sent] == ["breach", "recovery"]
    # day 35: the first 7-day window under 10 MQLs a week; day 67: the 11 missed windows of the gap
    # have aged out to 6, within the budget of 0.25 x 28 = 7
    assert sent[0].at.startswith("2026-02-05") and sent[1].at.startswith("2026-03-09")


def test_signed_alert_verifies_with_the_inbound_scheme():
    from scoring.objectives.alerts import Alert, signed_payload, slack_payload
    from scoring.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

    alert = Alert("breach", "capacity", 0.0, -0.5, 2.0, "2026-02-06T12:00:00")
    body, headers = signed_payload(alert, "s3cret", 1_800_000_000)
    verify(
        "s3cret",
        body,
        signature=headers[SIGNATURE_HEADER],
        timestamp=headers[TIMESTAMP_HEADER],
        now=1_800_000_000,
    )
    assert "capacity" in slack_payload(alert)["text"]
