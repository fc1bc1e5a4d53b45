"""Stage SLAs in business days: deadlines over weekends and holidays, and who is past due."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, insert

from scoring.db import transaction
from scoring.db.models import Contact
from scoring.lifecycle import Breach, StageEntry, breaches, due_at, load_contract
from scoring.reasons import load_reasons
from scoring.store.lifecycle import apply_transition, stage_entries

MONDAY = datetime(2026, 1, 5, 9, 30)


@pytest.mark.parametrize(
    ("entered", "days", "due"),
    [
        (MONDAY, 2, datetime(2026, 1, 7, 9, 30)),
        (datetime(2026, 1, 8, 15, 0), 2, datetime(2026, 1, 12, 15, 0)),  # Thursday -> Monday
        (datetime(2026, 1, 9, 15, 0), 2, datetime(2026, 1, 13, 15, 0)),  # Friday -> Tuesday
        (datetime(2026, 1, 10, 11, 0), 2, datetime(2026, 1, 14, 0, 0)),  # Saturday: from Monday
        (MONDAY, 0, MONDAY),
        (MONDAY, 10, datetime(2026, 1, 19, 9, 30)),
    ],
)
def test_due_at_counts_business_days(entered: datetime, days: int, due: datetime) -> None:
    assert due_at(entered, days) == due


def test_due_at_skips_holidays() -> None:
    holidays = {date(2026, 1, 6)}
    assert due_at(MONDAY, 2, holidays) == datetime(2026, 1, 8, 9, 30)
    assert due_at(datetime(2026, 1, 6, 8, 0), 1, holidays) == datetime(2026, 1, 8, 0, 0)


def test_breaches_are_the_contacts_past_their_stage_sla() -> None:
    contract = load_contract()
    entries = [
        StageEntry(1, "mql", MONDAY),  # due Wednesday 09:30
        StageEntry(2, "mql", datetime(2026, 1, 7, 9, 0)),  # due Friday
        StageEntry(3, "lead", datetime(2025, 1, 1)),  # no SLA
        StageEntry(4, "sal", datetime(2025, 12, 1)),  # 10 business days: long past
    ]
    now = datetime(2026, 1, 7, 10, 0)
    assert breaches(contract, entries, now) == [
        Breach(4, "sal", datetime(2025, 12, 1), datetime(2025, 12, 15)),
        Breach(1, "mql", MONDAY, datetime(2026, 1, 7, 9, 30)),
    ]


def test_stage_entries_come_from_the_latest_move_or_the_creation(sqlite_engine: Engine) -> None:
    vocabulary = load_reasons()
    contract = load_contract(vocabulary=vocabulary)
    common = {"created_at": MONDAY, "updated_at": MONDAY}
    with sqlite_engine.begin() as connection:
        connection.execute(
            insert(Contact),
            [
                {"id": 1, "external_id": "a", "lifecycle_stage": "lead", **common},
                {"id": 2, "external_id": "b", "lifecycle_stage": "mql", **common},
                {"id": 3, "external_id": "c", "lifecycle_stage": "sal", **common},
            ],
        )
    moved = datetime(2026, 1, 6, 14, 0)
    with transaction(sqlite_engine) as session:
        facts = {"score": 80, "threshold": 60, "failed_gates": []}
        apply_transition(
            session, 1, "mql", contract=contract, vocabulary=vocabulary, actor="t",
            facts=facts, at=moved,
        )  # fmt: skip
    with transaction(sqlite_engine) as session:
        entries = stage_entries(session, ["mql"])
    assert entries == [StageEntry(1, "mql", moved), StageEntry(2, "mql", MONDAY)]
