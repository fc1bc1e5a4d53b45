"""On a demo database: the CRM's "accepted" on a demo MQL is applied (demo MQLs have owners), and a
HubSpot UNQUALIFIED without its reason waits as "needs reason" in the CLI and on the dashboard's
Disqualification page until `smarketing feedback resolve` gives it, through the contract."""

from __future__ import annotations

import pytest
from conftest import demo_database, open_page
from handoff_world import CRM_SECRET, CRM_SOURCE, NOW, api, fresh_timestamp, hubspot_webhook, post
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from scoring.cli import app
from scoring.cli.app import stdout as cli_output
from scoring.db import make_engine
from scoring.db.models import Contact, CrmRecord, LifecycleEvent, ParkedFeedback


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "parked", 2_000, 11)


def _mqls(engine: Engine, count: int) -> list[int]:
    with Session(engine) as session:
        query = select(Contact.id).where(Contact.lifecycle_stage == "mql").order_by(Contact.id)
        return list(session.scalars(query.limit(count)))


def _history(engine: Engine, lead_id: int) -> tuple[str, str | None, str | None, str]:
    with Session(engine) as session:
        row = session.execute(
            select(
                LifecycleEvent.from_stage,
                LifecycleEvent.to_stage,
                LifecycleEvent.reason_code,
                LifecycleEvent.actor,
            )
            .where(LifecycleEvent.contact_id == lead_id)
            .order_by(LifecycleEvent.id.desc())
            .limit(1)
        ).one()
    return tuple(row)  # type: ignore[return-value]


def test_the_crm_accepts_a_demo_mql_and_parks_an_unqualified_one_until_a_reason_is_given(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(demo_url)
    with Session(engine) as session:
        unowned = session.scalar(
            select(func.count()).where(
                Contact.lifecycle_stage.in_(["mql", "sal", "sales_qualified", "opportunity"]),
                Contact.owner_rep_id.is_(None),
            )
        )
    assert unowned == 0  # every demo MQL (and every later stage) has its rep
    accepted, unqualified = _mqls(engine, 2)
    with engine.begin() as connection:
        connection.execute(
            insert(CrmRecord).values(crm="hubspot", contact_id=unqualified, crm_id="77",
                                     synced_at=NOW)
        )  # fmt: skip
    with api(engine) as client:
        body = {"event_id": "demo-accept", "outcome": "accepted", "lead_id": accepted}
        answer = post(client, "/v1/feedback", body, source=CRM_SOURCE, secret=CRM_SECRET)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["to_stage"]) == ("applied", "sal")
        event = {"eventId": 9, "subscriptionType": "contact.propertyChange", "objectId": 77,
                 "propertyName": "hs_lead_status", "propertyValue": "UNQUALIFIED",
                 "occurredAt": fresh_timestamp() * 1000}  # fmt: skip
        [result] = hubspot_webhook(client, [event])
    assert (result["status"], result["detail"]) == ("parked", "needs reason")
    assert _history(engine, unqualified)[1] == "mql"  # it has not moved

    # The console is made at import, so COLUMNS in the runner's env comes too late: widen it here.
    monkeypatch.setattr(cli_output, "width", 200)
    runner = CliRunner()
    listed = runner.invoke(app, ["feedback", "parked", "-d", demo_url])
    assert listed.exit_code == 0, listed.output
    assert "hs_lead_status=UNQUALIFIED" in listed.output and str(unqualified) in listed.output
    with Session(engine) as session:
        parked_id = session.scalars(select(ParkedFeedback.id)).one()

    page = open_page(demo_url, "pages/disqualification.py", monkeypatch)
    table = next(d.value for d in page.dataframe if "the CRM said" in d.value.columns)
    assert list(table["lead_id"]) == [unqualified]
    assert list(table["moves to"]) == ["Disqualified"]  # the contract's label
    assert any("`no_budget` No budget" in c.value for c in page.caption)  # reasons.yaml labels

    wrong = runner.invoke(app, ["feedback", "resolve", str(parked_id), "--reason", "pricey",
                                "-d", demo_url])  # fmt: skip
    assert "unknown reason code 'pricey'" in str(wrong.exception)  # main() prints it in one line
    assert _history(engine, unqualified)[1] == "mql"
    done = runner.invoke(app, ["feedback", "resolve", str(parked_id), "--reason", "no_budget",
                               "--actor", "ops:sam", "-d", demo_url])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert _history(engine, unqualified) == ("mql", "disqualified", "no_budget", "ops:sam")
    again = runner.invoke(app, ["feedback", "resolve", str(parked_id), "--reason", "no_budget",
                                "-d", demo_url])  # fmt: skip
    assert f"parked verdict {parked_id} is already applied" in str(again.exception)
    empty = runner.invoke(app, ["feedback", "parked", "-d", demo_url])
    assert "no CRM verdict waits for a reason" in empty.output
    engine.dispose()
