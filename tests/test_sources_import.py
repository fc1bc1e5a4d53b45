"""All or nothing: bad rows reject the whole run with their location and leave the database untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_world import (
    OLIST_DEALS,
    OLIST_MQLS,
    SALESFORCE_HEADER,
    SALESFORCE_ROWS,
    UCI,
    head_of,
    replace_cell,
    snapshot,
    write_csv,
)
from sqlalchemy import Engine, select

import scoring.sources.load
from scoring.db.models import Account, Contact, DisqualificationReason, LifecycleEvent
from scoring.errors import ImportRejected
from scoring.sources import import_files, load_profile

CONTACT_HEADER = ("external_id", "email", "first_name", "phone", "lifecycle_stage", "created_at")


@pytest.fixture
def uci_head(tmp_path: Path) -> Path:
    return head_of(UCI, tmp_path / "uci-head.csv", 200)


@pytest.fixture
def corrupted_uci(tmp_path: Path) -> Path:
    """3,000 UCI rows with three bad cells: age (line 1501), y (line 2001), euribor3m (line 2501)."""
    path = head_of(UCI, tmp_path / "bank-corrupted.csv", 3000)
    replace_cell(path, 1501, 0, "abc", ";")
    replace_cell(path, 2001, 20, '"maybe"', ";")
    replace_cell(path, 2501, 18, "4,857", ";")
    return path


def _import(engine: Engine, profile: str, *files: Path | str, report: bool = False):
    return import_files(engine, load_profile(profile), [str(f) for f in files], report=report)


def _rejected(engine: Engine, profile: str, *files: Path | str) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        _import(engine, profile, *files)
    return [str(p) for p in caught.value.problems]


def test_a_corrupted_file_is_rejected_at_its_row_and_column_and_nothing_is_written(
    engine: Engine, uci_head: Path, corrupted_uci: Path
) -> None:
    _import(engine, "uci_bank_marketing", uci_head)
    before = snapshot(engine)
    problems = _rejected(engine, "uci_bank_marketing", corrupted_uci)
    assert problems[0] == f"{corrupted_uci}:1501:age: attributes.age: 'abc' is not a number"
    assert snapshot(engine) == before


def test_report_lists_every_problem_and_writes_nothing(
    engine: Engine, uci_head: Path, corrupted_uci: Path
) -> None:
    _import(engine, "uci_bank_marketing", uci_head)
    before = snapshot(engine)
    result = _import(engine, "uci_bank_marketing", corrupted_uci, report=True)
    assert [str(p) for p in result.problems] == [
        f"{corrupted_uci}:1501:age: attributes.age: 'abc' is not a number",
        f"{corrupted_uci}:2001:y: outcome.won: 'maybe' is not in the value map ('yes', 'no')",
        f"{corrupted_uci}:2501:euribor3m: attributes.euribor3m: '4,857' is not a number",
    ]
    assert result.written is None
    assert snapshot(engine) == before


def test_report_on_clean_files_counts_what_would_be_imported(
    engine: Engine, uci_head: Path
) -> None:
    result = _import(engine, "uci_bank_marketing", uci_head, report=True)
    assert (result.problems, result.rows["contacts"]) == ((), 200)
    assert snapshot(engine)["contacts"][0] == 0


def test_problems_in_a_joined_file_name_that_file_and_its_own_line(
    engine: Engine, tmp_path: Path
) -> None:
    mqls = head_of(OLIST_MQLS, tmp_path / "mqls.csv", 8000)
    deals = head_of(OLIST_DEALS, tmp_path / "deals.csv", 842)
    replace_cell(mqls, 11, 1, "2018-02-30")
    replace_cell(deals, 5, 4, "yesterday")
    replace_cell(deals, 7, 0, "not-an-mql")
    result = _import(engine, "olist_marketing_funnel", mqls, deals, report=True)
    assert [str(p) for p in result.problems] == [
        f"{mqls}:11:first_contact_date: contact.created_at: '2018-02-30' is not a valid datetime "
        "in the format %Y-%m-%d",
        f"{deals}:5:won_date: outcome.closed_at: 'yesterday' is not a valid datetime in the format "
        "%Y-%m-%d %H:%M:%S",
        f"{deals}:7:mql_id: join key 'not-an-mql' matches no row of {mqls}",
    ]


def test_a_failure_while_writing_rolls_back_every_table(
    engine: Engine, uci_head: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(engine)

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(scoring.sources.load, "_outcomes", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _import(engine, "uci_bank_marketing", uci_head)
    assert snapshot(engine) == before


def test_a_contact_appearing_twice_in_one_file_is_rejected(engine: Engine, tmp_path: Path) -> None:
    rows = [("c-1", "a@x.io", "Ada", "", "lead", ""), ("c-1", "b@x.io", "Bob", "", "lead", "")]
    contacts = write_csv(tmp_path / "contacts.csv", CONTACT_HEADER, rows)
    assert _rejected(engine, "canonical", contacts) == [
        f"{contacts}:3: contact external_id 'c-1' appears again (first at {contacts}:2)"
    ]


def test_an_email_owned_by_another_stored_contact_is_rejected(
    engine: Engine, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "contacts.csv", CONTACT_HEADER, [("c-1", "a@x.io", "", "", "", "")]
    )
    _import(engine, "canonical", first)
    before = snapshot(engine)
    second = write_csv(tmp_path / "more.csv", CONTACT_HEADER, [("c-2", "A@X.io", "", "", "", "")])
    assert _rejected(engine, "canonical", f"contacts={second}") == [
        f"{second}:2:email: contact.email: this value already belongs to contact 'c-1'"
    ]
    assert snapshot(engine) == before


def test_references_to_unknown_rows_are_rejected(engine: Engine, tmp_path: Path) -> None:
    touches = write_csv(
        tmp_path / "touches.csv",
        ("external_id", "contact", "campaign", "kind", "occurred_at"),
        [
            ("t-1", "nobody", "", "page_view", "2024-01-01T10:00:00"),
            ("t-2", "c-1", "nope", "call", "2024-01-02"),
        ],
    )
    contacts = write_csv(
        tmp_path / "contacts.csv", ("external_id", "account"), [("c-1", "ghost.io")]
    )
    assert _rejected(engine, "canonical", contacts, touches) == [
        f"{contacts}:2:account: contact.account: account 'ghost.io' is neither in this import nor in the database",
        f"{touches}:2:contact: touch.contact: contact 'nobody' is neither in this import nor in the database",
        f"{touches}:3:campaign: touch.campaign: campaign 'nope' is neither in this import nor in the database",
    ]


def _salesforce(tmp_path: Path, status: str, reason: str) -> Path:
    row = list(SALESFORCE_ROWS[0])
    row[SALESFORCE_HEADER.index("Lead Status")] = status
    row[SALESFORCE_HEADER.index("Disqualification Reason")] = reason
    return write_csv(tmp_path / "leads.csv", SALESFORCE_HEADER, [row])


def test_a_disqualified_lead_without_a_reason_is_rejected_at_the_reason_column(
    engine: Engine, tmp_path: Path
) -> None:
    leads = _salesforce(tmp_path, "Closed - Not Converted", "")
    [problem] = _rejected(engine, "salesforce_leads", leads)
    assert problem.startswith(
        f"{leads}:2:Disqualification Reason: contact.disqualification_reason: "
    )
    assert problem.endswith("none was given")
    assert snapshot(engine)["contacts"][0] == 0


def test_a_disqualified_lead_citing_a_retired_reason_is_rejected(
    engine: Engine, tmp_path: Path
) -> None:
    leads = _salesforce(tmp_path, "Closed - Not Converted", "Spam")
    [problem] = _rejected(engine, "salesforce_leads", leads)
    assert problem.startswith(f"{leads}:2:Disqualification Reason: ")
    assert "'spam' is not an active reason" in problem


def test_a_disqualified_lead_with_an_active_reason_enters_as_a_lead_then_cites_it(
    engine: Engine, tmp_path: Path
) -> None:
    _import(
        engine, "salesforce_leads", _salesforce(tmp_path, "Closed - Not Converted", "No Budget")
    )
    with engine.connect() as connection:
        events = connection.execute(select(LifecycleEvent).order_by(LifecycleEvent.id)).all()
        stage = connection.scalar(select(Contact.lifecycle_stage))
        known = connection.scalar(
            select(DisqualificationReason.label).where(DisqualificationReason.code == "no_budget")
        )
    assert stage == "disqualified"
    assert [(e.from_stage, e.to_stage, e.reason_code) for e in events] == [
        (None, "lead", None),
        ("lead", "disqualified", "no_budget"),
    ]
    assert {e.actor for e in events} == {"import:salesforce_leads"}
    assert known == "No budget"


def test_without_a_reason_column_a_disqualified_row_is_rejected_at_its_stage_column(
    engine: Engine, tmp_path: Path
) -> None:
    contacts = write_csv(
        tmp_path / "contacts.csv", ("external_id", "lifecycle_stage"), [("c-1", "disqualified")]
    )
    [problem] = _rejected(engine, "canonical", contacts)
    assert problem.startswith(f"{contacts}:2:lifecycle_stage: contact.disqualification_reason: ")


def test_reimporting_a_changed_row_updates_it_in_place_and_records_the_stage_change(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        ("c-1", "a@x.io", "Ada", "+1 555", "lead", "2024-01-01"),
        ("c-2", "b@x.io", "Bob", "", "lead", "2024-01-02"),
    ]
    _import(engine, "canonical", write_csv(tmp_path / "contacts.csv", CONTACT_HEADER, rows))
    with engine.connect() as connection:
        untouched = connection.execute(select(Contact).where(Contact.external_id == "c-2")).one()
    changed = [(*rows[0][:2], "Ada K.", "+1 555", "mql", "2024-01-01"), rows[1]]
    _import(engine, "canonical", write_csv(tmp_path / "contacts.csv", CONTACT_HEADER, changed))
    with engine.connect() as connection:
        contacts = {c.external_id: c for c in connection.execute(select(Contact)).all()}
        history = connection.execute(
            select(
                LifecycleEvent.contact_id, LifecycleEvent.from_stage, LifecycleEvent.to_stage
            ).order_by(LifecycleEvent.id)
        ).all()
    ada = contacts["c-1"]
    assert (len(contacts), ada.first_name, ada.lifecycle_stage) == (2, "Ada K.", "mql")
    assert [tuple(h) for h in history] == [
        (ada.id, None, "lead"),
        (untouched.id, None, "lead"),
        (ada.id, "lead", "mql"),
    ]
    assert tuple(contacts["c-2"]) == tuple(untouched)


def test_columns_a_source_does_not_have_are_left_alone(engine: Engine, tmp_path: Path) -> None:
    _import(
        engine,
        "canonical",
        write_csv(
            tmp_path / "contacts.csv",
            CONTACT_HEADER,
            [("c-1", "a@x.io", "Ada", "+1 555", "mql", "")],
        ),
    )
    slim = write_csv(tmp_path / "slim.csv", ("external_id", "first_name"), [("c-1", "Ada K.")])
    _import(engine, "canonical", f"contacts={slim}")
    with engine.connect() as connection:
        ada = connection.execute(select(Contact)).one()
    assert (ada.first_name, ada.phone, ada.email, ada.lifecycle_stage) == (
        "Ada K.",
        "+1 555",
        "a@x.io",
        "mql",
    )


def test_an_account_left_nameless_by_a_later_source_keeps_its_name(
    engine: Engine, tmp_path: Path
) -> None:
    named = write_csv(
        tmp_path / "accounts.csv", ("domain", "name"), [("radium-labs.com", "Radium Labs")]
    )
    _import(engine, "canonical", named)
    nameless = write_csv(
        tmp_path / "more.csv",
        ("domain", "industry"),
        [("radium-labs.com", "Biotech"), ("new.io", "")],
    )
    _import(engine, "canonical", f"accounts={nameless}")
    with engine.connect() as connection:
        accounts = {
            a.domain: (a.name, a.industry) for a in connection.execute(select(Account)).all()
        }
    assert accounts == {"radium-labs.com": ("Radium Labs", "Biotech"), "new.io": ("new.io", None)}
