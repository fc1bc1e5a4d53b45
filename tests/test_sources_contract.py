"""Imports obey the lifecycle contract: refused moves reject the file at their row and column, the
database is left as it was, and accepted moves leave one history row per step of the contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_world import snapshot, write_csv
from sqlalchemy import Engine, select

from scoring.db.models import Contact, LifecycleEvent
from scoring.errors import ImportRejected
from scoring.policy import in_force
from scoring.sources import import_files, load_profile

HISTORY_HEADER = ("contact", "stage", "occurred_at", "reason")


def _import(engine: Engine, *files: str):
    return import_files(engine, load_profile("canonical"), list(files))


def _contacts(tmp_path: Path, name: str, *rows: tuple[str, ...]) -> str:
    header = ("external_id", "lifecycle_stage", "disqualification_reason", "won")[: len(rows[0])]
    return f"contacts={write_csv(tmp_path / name, header, rows)}"


def _history(tmp_path: Path, name: str, *rows: tuple[str, ...]) -> str:
    return f"history={write_csv(tmp_path / name, HISTORY_HEADER, rows)}"


def _events(engine: Engine, key: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                LifecycleEvent.from_stage,
                LifecycleEvent.to_stage,
                LifecycleEvent.occurred_at,
                LifecycleEvent.reason_code,
            )
            .join(Contact, Contact.id == LifecycleEvent.contact_id)
            .where(Contact.external_id == key)
            .order_by(LifecycleEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def _stage(engine: Engine, key: str) -> str:
    with engine.connect() as connection:
        return str(
            connection.scalar(select(Contact.lifecycle_stage).where(Contact.external_id == key))
        )


def test_a_customer_reimported_as_subscriber_is_refused_at_its_cell_and_nothing_changes(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, _contacts(tmp_path, "first.csv", ("c-1", "lead", "", "true")))
    assert _stage(engine, "c-1") == "customer"
    before = snapshot(engine)
    again = tmp_path / "again.csv"
    with pytest.raises(ImportRejected) as caught:
        _import(engine, _contacts(tmp_path, "again.csv", ("c-2", "lead"), ("c-1", "subscriber")))
    assert [str(p) for p in caught.value.problems] == [
        f"{again}:3:lifecycle_stage: contact.lifecycle_stage: customer -> subscriber refused: "
        "contract 2026.11.1: customer is terminal: no transition leaves it"
    ]
    assert snapshot(engine) == before


def test_a_won_contact_without_history_takes_the_contracts_route(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, _contacts(tmp_path, "won.csv", ("c-1", "", "", "true")))
    assert [e[:2] for e in _events(engine, "c-1")] == [
        (None, "lead"),
        ("lead", "mql"),
        ("mql", "sal"),
        ("sal", "sales_qualified"),
        ("sales_qualified", "opportunity"),
        ("opportunity", "customer"),
    ]


def test_a_stored_lead_may_not_skip_to_a_later_stage(engine: Engine, tmp_path: Path) -> None:
    _import(engine, _contacts(tmp_path, "first.csv", ("c-1", "lead")))
    with pytest.raises(ImportRejected) as caught:
        _import(engine, _contacts(tmp_path, "skip.csv", ("c-1", "opportunity")))
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.endswith(
        "lead -> opportunity refused: contract 2026.11.1: no transition lead -> opportunity "
        "(allowed from lead: mql, disqualified)"
    )


def test_a_stored_mql_moves_to_sal_only_with_an_owner(engine: Engine, tmp_path: Path) -> None:
    _import(engine, _contacts(tmp_path, "first.csv", ("c-1", "mql")))
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as caught:
        _import(engine, _contacts(tmp_path, "sal.csv", ("c-1", "sal")))
    [problem] = [str(p) for p in caught.value.problems]
    assert "mql -> sal needs guard owner_assigned (owner_rep_id is set)" in problem
    assert snapshot(engine) == before


def test_a_legal_dated_history_imports_with_one_row_per_step(
    engine: Engine, tmp_path: Path
) -> None:
    history = _history(
        tmp_path,
        "history.csv",
        ("c-1", "mql", "2024-02-01T09:00:00", ""),  # file order is not date order
        ("c-1", "lead", "2024-01-05T10:00:00", ""),
        ("c-1", "disqualified", "2024-02-03T12:00:00", "bad_timing"),
        ("c-1", "nurture", "2024-03-01T08:00:00", ""),
    )
    result = _import(engine, _contacts(tmp_path, "contacts.csv", ("c-1", "")), history)
    assert result.written is not None and result.written.lifecycle_events == 4
    assert [(e[0], e[1], e[2].isoformat(), e[3]) for e in _events(engine, "c-1")] == [  # type: ignore[union-attr]
        (None, "lead", "2024-01-05T10:00:00", None),
        ("lead", "mql", "2024-02-01T09:00:00", None),
        ("mql", "disqualified", "2024-02-03T12:00:00", "bad_timing"),
        ("disqualified", "nurture", "2024-03-01T08:00:00", None),
    ]
    assert _stage(engine, "c-1") == "nurture"
    with engine.connect() as connection:  # each row names the contract that allowed it
        versions = connection.execute(select(LifecycleEvent.contract_version)).scalars().all()
    assert versions == [in_force(engine).contract.version] * 4
    before = snapshot(engine)
    again = _import(engine, _contacts(tmp_path, "contacts.csv", ("c-1", "")), history)
    assert again.written is not None and again.written.lifecycle_events == 0
    assert snapshot(engine) == before


def test_a_dated_history_continues_from_the_stored_stage(engine: Engine, tmp_path: Path) -> None:
    _import(engine, _contacts(tmp_path, "first.csv", ("c-1", "lead")))
    _import(engine, _history(tmp_path, "h.csv", ("c-1", "mql", "2024-02-01T09:00:00", "")))
    assert [e[:2] for e in _events(engine, "c-1")] == [(None, "lead"), ("lead", "mql")]
    assert _stage(engine, "c-1") == "mql"


def test_a_dated_history_breaking_the_contract_is_refused_at_its_row(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "history.csv"
    history = _history(
        tmp_path,
        "history.csv",
        ("c-1", "lead", "2024-01-05T10:00:00", ""),
        ("c-1", "disqualified", "2024-02-03T12:00:00", "no_need"),
        ("c-1", "nurture", "2024-03-01T08:00:00", ""),  # no_need is not recyclable
        ("c-2", "customer", "2024-03-01T08:00:00", ""),  # a history starts at an entry stage
    )
    with pytest.raises(ImportRejected) as caught:
        _import(engine, _contacts(tmp_path, "c.csv", ("c-1", ""), ("c-2", "")), history)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4:reason: history.reason: disqualified -> nurture refused: contract 2026.11.1: "
        "disqualified -> nurture needs guard recyclable_disqualification (last_reason_code is "
        "one of bad_timing, unresponsive, no_budget): last_reason_code is 'no_need', "
        "not one of bad_timing, unresponsive, no_budget",
        f"{path}:5:stage: history.stage: (new contact) -> customer refused: contract 2026.11.1: "
        "a new contact enters at subscriber or lead, not at customer",
    ]
    with engine.connect() as connection:
        assert connection.scalar(select(Contact.id)) is None


def test_a_disqualification_without_a_reason_in_a_history_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "h.csv"
    history = _history(
        tmp_path,
        "h.csv",
        ("c-1", "lead", "2024-01-05T10:00:00", ""),
        ("c-1", "disqualified", "2024-02-03T12:00:00", ""),
    )
    with pytest.raises(ImportRejected) as caught:
        _import(engine, _contacts(tmp_path, "c.csv", ("c-1", "")), history)
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"{path}:3:reason: history.reason: lead -> disqualified refused:")
    assert problem.endswith("a reason code is required")


def test_a_history_moves_a_stored_contact_not_in_the_contacts_file(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, _contacts(tmp_path, "first.csv", ("c-1", "mql")))
    _import(engine, _history(tmp_path, "h.csv", ("c-1", "sal", "2024-02-01T09:00:00", "")))
    assert _stage(engine, "c-1") == "sal"
    with engine.connect() as connection:  # the move happened in the CRM, which had the owner
        note = connection.scalar(
            select(LifecycleEvent.note).where(LifecycleEvent.to_stage == "sal")
        )
    assert note == "attested by the source: owner_assigned"


@pytest.mark.parametrize(("reason", "accepted"), [("bad_timing", True), ("no_need", False)])
def test_a_stored_disqualification_is_recycled_only_for_a_recyclable_reason(
    engine: Engine, tmp_path: Path, reason: str, accepted: bool
) -> None:
    _import(engine, _contacts(tmp_path, "first.csv", ("c-1", "disqualified", reason)))
    recycle = _contacts(tmp_path, "recycle.csv", ("c-1", "nurture", "bad_timing"))
    if accepted:
        _import(engine, recycle)
        assert _stage(engine, "c-1") == "nurture"
        return
    with pytest.raises(ImportRejected) as caught:
        _import(engine, recycle)
    [problem] = [str(p) for p in caught.value.problems]
    assert "last_reason_code is 'no_need', not one of bad_timing" in problem


def test_after_a_dated_history_the_stated_stage_takes_no_route(
    engine: Engine, tmp_path: Path
) -> None:
    history = _history(tmp_path, "h.csv", ("c-1", "lead", "2024-01-05T10:00:00", ""))
    with pytest.raises(ImportRejected) as caught:
        _import(engine, _contacts(tmp_path, "c.csv", ("c-1", "opportunity")), history)
    [problem] = [str(p) for p in caught.value.problems]
    assert "lead -> opportunity refused" in problem
