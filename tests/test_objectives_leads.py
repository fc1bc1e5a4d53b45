"""The lead-level objective kinds (gate failure rate, score drift, model calibration) on generated
histories built to breach and recover at known days, their validation, and one alert end to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from crm_servers import Server, WebhookReceiver
from sqlalchemy import insert
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign, Contact
from scoring.errors import DefinitionError
from scoring.objectives import Status, evaluate, parse_objectives
from scoring.objectives.alerts import transitions
from scoring.objectives.causes import contributions
from scoring.objectives.evaluate import timeline
from scoring.objectives.leads import LeadHistory
from scoring.objectives.measures import History

START = datetime(2026, 1, 1)
EMPTY_EVENTS = pd.DataFrame(
    {
        "contact_id": pd.Series(dtype="int64"),
        "to_stage": pd.Series(dtype=object),
        "occurred_at": pd.Series(dtype="datetime64[ns]"),
    }
)


def _objective(kind: str, **fields: float) -> str:
    lines = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return f"objectives:\n  - name: it\n    kind: {kind}\n{lines}"


def _leads(
    days: int, per_day: int, row: Callable[[int, int], tuple[float, bool, bool]], **extra: object
) -> LeadHistory:
    """`per_day` leads decided at 02:00 each day; row(day, n) -> (score, fails the email gate,
    hits the pricing rule); a lead fails the fields gate never, the webinar rule on even n."""
    decided, scores, failed, hit, campaign = [], [], [], [], []
    for day in range(days):
        for n in range(per_day):
            score, bad, pricing = row(day, n)
            decided.append(np.datetime64(START + timedelta(days=day, hours=2), "ns"))
            scores.append(score)
            failed.append((bad, False))
            hit.append((pricing, n % 2 == 0))
            campaign.append("webinar" if bad else "search")
    return LeadHistory(
        decided_at=np.array(decided),
        campaign=np.array(campaign, dtype=object),
        score=np.array(scores, dtype=float),
        failed=np.array(failed, dtype=bool),
        gates=("the email address is valid", "the required fields are filled"),
        hit=np.array(hit, dtype=bool),
        rules=("pricing_page", "webinar_attended"),
        **extra,  # type: ignore[arg-type]
    )


def _day(day: int) -> datetime:
    return START + timedelta(days=day, hours=12)


def _alerts(objectives: str, history: History, days: range) -> list[tuple[str, int, str]]:
    """(breach | recovery, day, cause) for each change of state over `days`, checked at noon."""
    declared, state, seen = parse_objectives(objectives), {}, []
    for day in days:
        statuses = evaluate(declared, history, _day(day))
        seen += [(a.kind, day, statuses[0].cause) for a in transitions(state, statuses, "")]
        state = {s.name: s.breached for s in statuses}
    return seen


def test_gate_failure_rate_breaches_and_recovers_on_the_days_the_data_says() -> None:
    # 20 leads a day; on days 30-39, 12 fail the email gate (10% otherwise: 2 a day).
    def row(day: int, n: int) -> tuple[float, bool, bool]:
        return 50.0, n < (12 if 30 <= day <= 39 else 2), False

    history = History(EMPTY_EVENTS, leads=_leads(90, 20, row))
    spec = _objective(
        "gate_failure_rate", max_share=0.3, min_leads=50, window_days=7, error_budget=0.25
    )
    # A 7-day window misses once it holds 3 bad days (44/140 > 0.3): windows ending days 32-43.
    # 12 misses spend the 7 allowed until the horizon (28 days) holds 6 of them: day 65.
    assert [(kind, day) for kind, day, _ in _alerts(spec, history, range(20, 80))] == [
        ("breach", 32),
        ("recovery", 65),
    ]
    [status] = evaluate(parse_objectives(spec), history, _day(32))
    assert status.current == pytest.approx(44 / 140)
    assert status.cause == "gate: the email address is valid; campaign: webinar"


def test_too_few_decided_leads_are_not_judged_and_say_so() -> None:
    history = History(EMPTY_EVENTS, leads=_leads(40, 3, lambda day, n: (1.0, True, False)))
    spec = _objective(
        "gate_failure_rate", max_share=0.1, min_leads=50, window_days=7, error_budget=0.1
    )
    [status] = evaluate(parse_objectives(spec), history, _day(39))
    assert status.no_data and not status.breached and status.state == "no data"
    assert "fewer than 50 leads decided" in status.cause


def _drifting(day: int, n: int) -> tuple[float, bool, bool]:
    """50 leads a day scoring 0, 2, ..., 98; on days 40-49 every lead scores 200 and hits pricing."""
    drifted = 40 <= day <= 49
    return (200.0 if drifted else 2.0 * n), False, drifted


def test_score_drift_against_the_published_baseline_breaches_and_recovers() -> None:
    published = np.datetime64(START + timedelta(days=20), "ns")
    history = History(EMPTY_EVENTS, leads=_leads(90, 50, _drifting, baseline_at=published))
    spec = _objective("score_drift", max_psi=0.2, min_leads=100, window_days=7, error_budget=0.25)
    # One drifted day of seven moves a tenth of the leads into the top decile: PSI 0.126; two
    # days: 0.35. Windows ending days 41-54 hold two or more: 14 misses, 7 allowed, so the
    # budget is whole enough again once the horizon starts at day 49 (day 76).
    changes = _alerts(spec, history, range(30, 85))
    assert [(kind, day) for kind, day, _ in changes] == [("breach", 41), ("recovery", 76)]
    assert changes[0][2] == "pricing_page +29 pts"
    [calm] = evaluate(parse_objectives(spec), history, _day(40))
    assert calm.current == pytest.approx(0.126, abs=0.001) and not calm.breached
    table = contributions(parse_objectives(spec)[0], history, _day(41))
    assert table.iloc[0]["what"] == "pricing_page" and table.iloc[0]["before"] == 0.0


def test_without_a_published_rulebook_each_window_is_compared_with_the_one_before() -> None:
    def step(day: int, n: int) -> tuple[float, bool, bool]:
        return (100.0 + n if day >= 40 else float(n)), False, day >= 40

    history = History(EMPTY_EVENTS, leads=_leads(90, 50, step))
    declared = parse_objectives(
        _objective("score_drift", max_psi=0.2, min_leads=100, window_days=7, error_budget=0.5)
    )
    days = timeline(declared, history, _day(70), days=40)
    missed = [pd.Timestamp(at).day_of_year - 1 for at in days.loc[~days["met"], "at"]]
    # A window differs from the one before while either holds a day from 40 on and either
    # holds a day before 40: windows ending days 40-52.
    assert missed == list(range(40, 53))


def _calibration(days: int, closed_per_day: int, probability: bool) -> LeadHistory:
    """Leads closing at 03:00 daily, predicted 20%; 6 of 30 happen (24 of 30 on days 30-39)."""
    closed, outcome = [], []
    for day in range(days):
        for n in range(closed_per_day):
            closed.append(np.datetime64(START + timedelta(days=day, hours=3), "ns"))
            outcome.append(n < (24 if 30 <= day <= 39 else 6))
    base = _leads(1, 1, lambda day, n: (0.0, False, False))
    count = len(closed)
    return LeadHistory(
        decided_at=np.repeat(base.decided_at, count),
        campaign=np.repeat(base.campaign, count),
        score=np.zeros(count),
        failed=np.zeros((count, 2), dtype=bool),
        gates=base.gates,
        hit=np.zeros((count, 2), dtype=bool),
        rules=base.rules,
        closed_at=np.array(closed),
        outcome=np.array(outcome, dtype=np.int8),
        probability=np.full(count, 0.2) if probability else None,
        model="2026.12.01.1",
    )


CALIBRATION = _objective(
    "model_calibration", max_ece=0.1, min_closed=50, window_days=7, error_budget=0.25
)


def test_model_calibration_breaches_on_the_second_miscalibrated_day() -> None:
    history = History(EMPTY_EVENTS, leads=_calibration(80, 30, probability=True))
    # k days of seven at 80% against a predicted 20%: ECE = 0.6 k / 7; misses from k = 2.
    [calm] = evaluate(parse_objectives(CALIBRATION), history, _day(30))
    assert calm.current == pytest.approx(0.6 / 7) and not calm.breached
    [off] = evaluate(parse_objectives(CALIBRATION), history, _day(31))
    assert off.breached and off.current == pytest.approx(1.2 / 7)
    assert off.cause == "model 2026.12.01.1: leads predicted 20-30% were off by 17% (210 leads)"


def test_model_calibration_has_no_data_without_a_model_or_enough_closed_leads() -> None:
    no_model = History(EMPTY_EVENTS, leads=_calibration(80, 30, probability=False))
    [status] = evaluate(parse_objectives(CALIBRATION), no_model, _day(60))
    assert (status.state, status.cause) == ("no data", "no model in force")
    few = History(EMPTY_EVENTS, leads=_calibration(80, 5, probability=True))
    [status] = evaluate(parse_objectives(CALIBRATION), few, _day(60))
    assert status.state == "no data" and "fewer than 50 leads closed" in status.cause
    assert evaluate(parse_objectives(CALIBRATION), History(EMPTY_EVENTS), _day(60))[0].no_data


def test_every_problem_of_the_new_kinds_is_reported_with_its_line() -> None:
    text = """objectives:
  - name: gates
    kind: gate_failure_rate
    max_share: 1.5
    min_leads: 0
  - name: drift
    kind: score_drift
    max_psi: -0.1
    min_leads: 100
    bins: 10
  - name: calibration
    kind: model_calibration
    max_ece: 0.1
"""
    with pytest.raises(DefinitionError) as caught:
        parse_objectives(text)
    found = {(p.where.rsplit(":", 1)[-1], p.message) for p in caught.value.problems}
    assert found >= {
        ("4", "max_share must be in [0, 1]"),
        ("5", "min_leads must be above 0"),
        ("8", "max_psi must be above 0"),
        ("10", "unknown field 'bins' for kind score_drift"),
    }
    assert any("needs `min_closed`" in p.message for p in caught.value.problems)


def _contacts(engine: object, days: range, bad_days: range) -> None:
    """10 contacts created each day at 01:00; on `bad_days`, 8 of them with an invalid e-mail,
    from a campaign whose code looks like markup."""
    rows = []
    for day in days:
        for n in range(10):
            contact = day * 10 + n + 1
            at = START + timedelta(days=day, hours=1)
            bad = day in bad_days and n < 8
            rows.append(
                {
                    "id": contact,
                    "external_id": f"c-{contact}",
                    "email": f"not an address {contact}"
                    if bad
                    else f"p{contact}@acme{contact}.com",
                    "first_name": "Ada",
                    "last_name": f"L{contact}",
                    "job_title": "VP Marketing",
                    "country": "DE",
                    "created_at": at,
                    "updated_at": at,
                    "lifecycle_stage": "lead",
                    "do_not_contact": False,
                    "original_campaign_id": 1 if bad else None,
                }
            )
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(
            insert(Campaign),
            [{"id": 1, "code": "[b]spring[/b]", "name": "Spring", "channel": "webinar"}],
        )
        connection.execute(insert(Contact), rows)


def test_a_gate_failure_breach_and_its_recovery_reach_a_real_webhook_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'gates.db'}"
    engine = make_engine(url)
    upgrade(engine)
    # created days 20-24 are bad, decided 14 days later: days 34-38.
    _contacts(engine, range(0, 60), range(20, 25))
    objectives = tmp_path / "objectives.yaml"
    objectives.write_text(
        _objective(
            "gate_failure_rate", max_share=0.3, min_leads=10, window_days=7, error_budget=0.5
        )
    )
    runner = CliRunner()

    def check(day: int) -> tuple[int, str]:
        at = f"{START + timedelta(days=day):%Y-%m-%d}"
        result = runner.invoke(
            app, ["objectives", "check", "--objectives", str(objectives), "--at", at, "-d", url]
        )
        worked = runner.invoke(
            app, ["worker", "-d", url, "--adapter", "builtin", "--until-idle", "--id", "w"]
        )
        assert worked.exit_code == 0, worked.output
        return result.exit_code, result.output

    receiver = WebhookReceiver(secret="alert-secret")
    with Server(receiver) as server:
        monkeypatch.setenv("SMARKETING_ALERT_WEBHOOK_URL", f"{server.url}/alerts")
        monkeypatch.setenv("SMARKETING_ALERT_FORMAT", "signed")
        monkeypatch.setenv("SMARKETING_ALERT_SECRET", "alert-secret")
        # A check at midnight of day D judges the leads decided on days D-7 to D-1: D = 37
        # holds three bad days (24 of 70 fail, over 0.3); from D = 44 two at most, and the 7
        # missed windows are half the budget (0.5 x 28).
        checks = [check(day) for day in (36, 37, 40, 44, 45)]
    assert [code for code, _ in checks] == [0, 1, 1, 0, 0], [out for _, out in checks]
    queued = [line for _, out in checks for line in out.splitlines() if "alert queued" in line]
    assert queued == ["alert queued: it breach", "alert queued: it recovery"]
    # the cause names the imported campaign as it is spelled, not as rich markup
    cause = "gate: the email address is syntactically valid; campaign: [b]spring[/b]"
    assert f"it: breached ({cause})" in checks[1][1].splitlines()
    assert list(receiver.accepted) == [
        "objective:it:breach:2026-02-07T00:00:00",
        "objective:it:recovery:2026-02-14T00:00:00",
    ]
    assert not receiver.duplicates


def test_statuses_carry_their_state() -> None:
    assert Status("a", True, 1.0, 0.0, 2.0, 28, 28).state == "breached"
    assert Status("a", False, 0.1, 1.0, 0.0, 28, 0).state == "ok"
