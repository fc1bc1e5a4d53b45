"""CRM ids imported with the contacts (`crm.hubspot_id`): HubSpot webhooks then find those contacts.

Also the webhook messages a CRM integrator reads: a wrong timestamp unit and an item without a usable
value name the unit and the event.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from handoff_world import HUBSPOT_SECRET, api, seed
from sqlalchemy import Engine, select

from scoring.db.models import Contact, CrmRecord
from scoring.errors import InvalidWebhook
from scoring.signatures import check_fresh, hubspot_sign
from scoring.sources import import_files, load_profile

PROFILE = """\
name: crm_export
files:
  contacts:
    format: csv
    columns:
      Id: contact.external_id
      Stage: contact.lifecycle_stage
      HubSpot Id: {to: crm.hubspot_id, optional: true}
      Salesforce Id: {to: crm.salesforce_id, optional: true}
"""


def _import(engine: Engine, folder: Path, rows: str) -> None:
    profile, csv = folder / "crm_export.yaml", folder / "contacts.csv"
    profile.write_text(PROFILE, encoding="utf-8")
    csv.write_text("Id,Stage,HubSpot Id,Salesforce Id\n" + rows, encoding="utf-8")
    import_files(engine, load_profile(str(profile)), [str(csv)])


def _records(engine: Engine) -> set[tuple[str, str, str]]:
    query = select(CrmRecord.crm, Contact.external_id, CrmRecord.crm_id).join(
        Contact, Contact.id == CrmRecord.contact_id
    )
    with engine.connect() as connection:
        return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]


def test_imported_crm_ids_land_where_a_handoff_puts_them(engine: Engine, tmp_path: Path) -> None:
    _import(engine, tmp_path, "a,lead,101,00Q1\nb,lead,,00Q2\n")
    assert _records(engine) == {
        ("hubspot", "a", "101"),
        ("salesforce", "a", "00Q1"),
        ("salesforce", "b", "00Q2"),
    }
    _import(engine, tmp_path, "a,lead,111,00Q1\n")  # a re-import moves the id, never duplicates
    assert ("hubspot", "a", "111") in _records(engine) and len(_records(engine)) == 3


def _post(client: TestClient, events: list[dict[str, object]], stamp_ms: int) -> object:
    body = json.dumps(events).encode()
    uri = "http://testserver/v1/hubspot/webhooks"
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": str(stamp_ms),
        "X-HubSpot-Signature-v3": hubspot_sign(HUBSPOT_SECRET, "POST", uri, body, stamp_ms),
    }
    return client.post("/v1/hubspot/webhooks", content=body, headers=headers)


def test_a_hubspot_webhook_finds_an_imported_contact(sqlite_engine: Engine, tmp_path: Path) -> None:
    seed(sqlite_engine)
    _import(sqlite_engine, tmp_path, "imported-1,mql,555,\n")
    now_ms = int(time.time() * 1000)
    event = {
        "eventId": 41,
        "subscriptionType": "contact.propertyChange",
        "objectId": 555,
        "occurredAt": now_ms,
        "propertyName": "lifecyclestage",
        "propertyValue": "customer",
    }
    with api(sqlite_engine) as client:
        response = _post(client, [event, {"eventId": 42, "objectId": "x"}], now_ms)
        assert response.status_code == 200, response.text  # type: ignore[attr-defined]
        first, second = response.json()["results"]  # type: ignore[attr-defined]
        assert first["detail"] != "unknown contact"  # matched through the imported id
        assert first["status"] in {"applied", "refused"}
        assert second["event_id"] == 42 and second["detail"].startswith("event 42: ")
        stale = _post(client, [event], now_ms // 1000)  # seconds where HubSpot sends milliseconds
        assert stale.status_code == 401  # type: ignore[attr-defined]
        assert "looks like seconds" in stale.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("milliseconds", "unit", "hint"),
    [(True, "seconds", "looks like milliseconds"), (False, "seconds", "in seconds")],
)
def test_a_stale_timestamp_names_its_unit(milliseconds: bool, unit: str, hint: str) -> None:
    now = time.time()  # read when the test runs, not when the suite was collected
    sent = now * 1000 if milliseconds else 1.0
    with pytest.raises(InvalidWebhook, match=hint):
        check_fresh(sent, now, "X-Timestamp", unit=unit)
