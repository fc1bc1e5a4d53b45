"""HubSpot's eventId, objectId and occurredAt are whole numbers: `true`, `7.0`, `" 7 "` and `"7_0"`
are rejected per item naming the field, never read as 1, 7 or 70 (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from handoff_world import engine_of, hubspot_webhook
from test_api_hubspot_values import MQL, _lead, change, client  # noqa: F401

LOOSE: list[Any] = [True, 7.0, " 7 ", "7_0", "-7", "0x7", "७"]


@pytest.mark.parametrize("field", ["eventId", "objectId", "occurredAt"])
def test_a_loose_number_is_rejected_with_its_field(client, field: str) -> None:  # noqa: F811
    engine = engine_of(client)
    before = _lead(engine)
    items = []
    for i, value in enumerate(LOOSE):
        item = change(100 + i, "hs_lead_status", "OPEN", MQL)
        item[field] = value
        items.append(item)
    results = hubspot_webhook(client, items)
    assert [r["status"] for r in results] == ["rejected"] * len(LOOSE)
    assert [r["field"] for r in results] == [f"{i}.{field}" for i in range(len(LOOSE))]
    assert all("whole number" in r["detail"] for r in results)
    assert _lead(engine) == before


def test_digits_as_text_are_the_same_id(client) -> None:  # noqa: F811
    item = change(41, "hs_lead_status", "OPEN", MQL)
    item["objectId"] = str(MQL)
    [first] = hubspot_webhook(client, [item])
    assert first["status"] == "applied"
    again = change(41, "hs_lead_status", "OPEN", MQL)
    again["eventId"] = "41"
    assert [r["status"] for r in hubspot_webhook(client, [again])] == ["duplicate"]
