"""HubSpot CRM v3: upsert the contact by email, set its owner and lifecycle stage (extra: hubspot).

Requests, as HubSpot documents them (private-app bearer token):
- `GET /crm/v3/owners?email=<rep>&limit=1` -> `{"results": [{"id": "...", "email": "..."}]}`
- `POST /crm/v3/objects/contacts/batch/upsert` with
  `{"inputs": [{"idProperty": "email", "id": <email>, "properties": {...}}]}`
  -> `{"status": "COMPLETE", "results": [{"id": "...", "new": true, ...}]}`
Upsert by email makes a repeated delivery update the same contact. The `smarketing_*` custom
properties must exist in the portal (docs/api.md); `custom_properties: false` leaves them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from scoring.errors import HandoffFailed
from scoring.handoff.adapters import http
from scoring.handoff.adapters.base import require
from scoring.handoff.payload import HandoffPayload

DEFAULT_BASE_URL = "https://api.hubapi.com"
MQL_STAGE = "marketingqualifiedlead"


def contact_properties(payload: HandoffPayload, owner_id: str, custom: bool) -> dict[str, str]:
    """The HubSpot contact properties of a handoff (all values are strings in HubSpot's API)."""
    lead = payload.lead
    values: dict[str, Any] = {
        "email": lead.email,
        "firstname": lead.first_name,
        "lastname": lead.last_name,
        "jobtitle": lead.job_title,
        "phone": lead.phone,
        "country": lead.country,
        "company": payload.account.name,
        "website": payload.account.domain,
        "lifecyclestage": MQL_STAGE,
        "hubspot_owner_id": owner_id,
    }
    if custom:
        values |= {
            "smarketing_score": payload.score.score,
            "smarketing_rulebook_version": payload.score.rulebook_version,
            "smarketing_handoff_key": payload.idempotency_key,
            "smarketing_campaign": payload.campaign.code,
        }
    return {
        k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in values.items() if v is not None
    }


class HubSpotAdapter:
    """Deliver handoffs through HubSpot's CRM v3 API."""

    name = "hubspot"

    def __init__(self, client: httpx.Client, *, custom_properties: bool = True) -> None:
        self.client = client
        self.custom_properties = custom_properties
        self._owners: dict[str, str] = {}

    def owner_id(self, email: str | None, lead_id: object) -> str:
        if email is None:  # an imported roster may know a rep by name only
            raise HandoffFailed(
                lead_id,
                422,
                "the assigned rep has no e-mail to find its HubSpot owner by",
                retryable=False,
            )
        if email not in self._owners:
            request = self.client.build_request(
                "GET", "/crm/v3/owners", params={"email": email, "limit": 1}
            )
            found = http.json_body(http.send(self.client, request, lead_id), lead_id)
            results = found.get("results") if isinstance(found, dict) else None
            if not results:
                raise HandoffFailed(
                    lead_id, 404, f"no HubSpot owner with email {email}", retryable=False
                )
            self._owners[email] = str(results[0]["id"])
        return self._owners[email]

    def deliver(self, payload: HandoffPayload) -> str | None:
        lead_id = payload.lead.id
        owner = self.owner_id(payload.assigned_rep.email, lead_id)
        properties = contact_properties(payload, owner, self.custom_properties)
        body = {
            "inputs": [{"idProperty": "email", "id": payload.lead.email, "properties": properties}]
        }
        request = self.client.build_request(
            "POST", "/crm/v3/objects/contacts/batch/upsert", json=body
        )
        response = http.send(self.client, request, lead_id)
        found = http.json_body(response, lead_id)
        results = found.get("results") if isinstance(found, dict) else None
        if not results or found.get("errors"):
            raise HandoffFailed(
                lead_id, response.status_code, response.text[:2000], retryable=False
            )
        return str(results[0]["id"])

    def close(self) -> None:
        self.client.close()


def from_options(options: Mapping[str, Any]) -> HubSpotAdapter:
    (token,) = require(options, "hubspot", "hubspot_token")
    client = http.client(options, options.get("hubspot_base_url") or DEFAULT_BASE_URL)
    client.headers["Authorization"] = f"Bearer {token}"
    return HubSpotAdapter(client, custom_properties=options.get("hubspot_custom_properties", True))
