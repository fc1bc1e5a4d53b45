"""One lead's journey: touches, stage changes, assignment, handoff and CRM feedback on one timeline in
time order, its score over time from the stored changes, and who moved it only for roles that may."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from dashboard.lead_journey import timeline_table
from scoring.access import Actor
from scoring.analytics.journey import journey, score_trail


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 10, day, hour)


TOUCHES = pd.DataFrame(
    {
        "occurred_at": [_at(2), _at(5)],
        "kind": ["page_view", "demo_request"],
        "campaign": ["spring-webinar", None],
        "asset": [None, "pricing"],
    }
)
EVENTS = pd.DataFrame(
    {
        "occurred_at": [_at(1), _at(5, 10)],
        "from_stage": [None, "lead"],
        "to_stage": ["lead", "mql"],
        "actor": ["import", "rulebook:2026.11.1"],
        "reason_code": [None, None],
        "note": [None, "score 72"],
    }
)
SIGNALS = pd.DataFrame(
    {
        "occurred_at": [_at(5, 10), _at(5, 10), _at(5, 11), _at(6), _at(7)],
        "kind": ["score_changed", "assignment", "handoff_attempt", "transition", "feedback"],
        "data": [
            {"before": 40.0, "after": 72.0, "rulebook_version": "2026.11.1"},
            json.dumps({"rep": "ada@example.com", "team": "Enterprise", "rule": "territory:na",
                        "reason": "ada@example.com had 1 of 12"}),
            {"attempt": 1, "outcome": "delivered", "status": 200},
            {"from": "mql", "to": "sal"},
            {"outcome": "accepted", "from": "mql", "to": "sal", "reason_code": None, "note": "call"},
        ],
    }
)  # fmt: skip


def test_the_timeline_puts_every_step_in_time_order_in_words() -> None:
    timeline = journey(TOUCHES, EVENTS, SIGNALS)
    assert list(timeline["step"]) == [
        "Stage", "Touch", "Touch", "Stage", "Score", "Assignment", "Handoff", "CRM feedback",
    ]  # fmt: skip
    rows = timeline.set_index("step")
    assert rows.loc["Score", "what"] == "score 40.0 → 72.0"
    assert rows.loc["Assignment", "what"] == "assigned to team Enterprise"
    assert rows.loc["Assignment", "actor"] == "ada@example.com"
    assert "had 1 of 12" not in " ".join(timeline["why"])  # the free-text reason names the rep
    assert rows.loc["CRM feedback", "what"] == "CRM says accepted (mql → sal)"
    assert timeline.iloc[0]["what"] == "created → lead"
    cells = timeline.drop(columns="at").astype(str)
    assert not cells.isin(["None", "nan", "NaN", "<NA>"]).any().any()
    assert not cells.apply(lambda c: c.str.contains("nan|None")).any().any()


def test_an_empty_history_is_an_empty_timeline() -> None:
    empty = journey(TOUCHES.head(0), EVENTS.head(0), SIGNALS.head(0))
    assert empty.empty and list(empty.columns) == ["at", "step", "what", "why", "actor"]


def test_the_score_trail_is_the_stored_changes_then_now() -> None:
    trail = score_trail(SIGNALS, current=65.5, at=_at(30))
    assert list(trail["score"]) == [72.0, 65.5]
    assert list(trail["source"]) == ["stored", "now"]
    assert score_trail(SIGNALS.head(0), current=None, at=_at(30)).empty


def test_who_moved_the_lead_is_left_out_for_a_role_without_personal_fields() -> None:
    timeline = journey(TOUCHES, EVENTS, SIGNALS)
    hidden = timeline_table(timeline, Actor(name="v", role="viewer"))
    assert "By / to" not in hidden.columns
    assert "ada@example.com" not in hidden.to_csv()
    shown = timeline_table(timeline, Actor.single_user())
    assert "ada@example.com" in set(shown["By / to"])
    assert list(shown.columns) == ["When (UTC)", "Step", "What", "Why", "By / to"]
