"""Salesforce: upsert a Lead by external id, owned by the assigned rep's user (extra: salesforce).

Requests, as the Salesforce REST API documents them (OAuth access token, instance URL):
- `GET /services/data/vXX.X/query?q=SELECT Id FROM User WHERE Email = '<rep>' AND IsActive = true`
  -> `{"totalSize": 1, "done": true, "records": [{"Id": "005..."}]}`
- `PATCH /services/data/vXX.X/sobjects/Lead/<ExternalIdField>/<external id>` with the Lead fields
  -> 201 `{"id": "00Q...", "success": true, "errors": [], "created": true}` when created,
  200 (same body, `created: false`) or 204 when updated.
Upsert by external id makes a repeated delivery update the same Lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from scoring.errors import HandoffFailed
from scoring.handoff.adapters import http
from scoring.handoff.adapters.base import require
from scoring.handoff.payload import HandoffPayload

DEFAULT_API_VERSION = "60.0"
DEFAULT_EXTERNAL_ID_FIELD = "Smarketing_Id__c"


def lead_fields(payload: HandoffPayload, owner_id: str) -> dict[str, Any]:
    """The Salesforce Lead fields of a handoff (LastName and Company are required by Salesforce)."""
    lead = payload.lead
    values = {
        "FirstName": lead.first_name,
        "LastName": lead.last_name,
        "Company": payload.account.name,
        "Email": lead.email,
        "Title": lead.job_title,
        "Phone": lead.phone,
        "Country": lead.country,
        "LeadSource": lead.lead_source,
        "OwnerId": owner_id,
    }
    return {k: v for k, v in values.items() if v is not None}


def _soql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SalesforceAdapter:
    """Deliver handoffs as Salesforce Leads upserted by our external id."""

    name = "salesforce"

    def __init__(
        self,
        client: httpx.Client,
        *,
        api_version: str = DEFAULT_API_VERSION,
        external_id_field: str = DEFAULT_EXTERNAL_ID_FIELD,
    ) -> None:
        self.client = client
        self.base = f"/services/data/v{api_version}"
        self.external_id_field = external_id_field
        self._users: dict[str, str] = {}

    def owner_id(self, email: str | None, lead_id: object) -> str:
        if email is None:  # an imported roster may know a rep by name only
            raise HandoffFailed(
                lead_id,
                422,
                "the assigned rep has no e-mail to find its Salesforce owner by",
                retryable=False,
            )
        if email not in self._users:
            soql = f"SELECT Id FROM User WHERE Email = {_soql_string(email)} AND IsActive = true LIMIT 1"
            request = self.client.build_request("GET", f"{self.base}/query", params={"q": soql})
            found = http.json_body(http.send(self.client, request, lead_id), lead_id)
            records = found.get("records") if isinstance(found, dict) else None
            if not records:
                raise HandoffFailed(
                    lead_id, 404, f"no active Salesforce user with email {email}", retryable=False
                )
            self._users[email] = str(records[0]["Id"])
        return self._users[email]

    def deliver(self, payload: HandoffPayload) -> str | None:
        lead_id = payload.lead.id
        owner = self.owner_id(payload.assigned_rep.email, lead_id)
        path = f"{self.base}/sobjects/Lead/{self.external_id_field}/{quote(payload.lead.external_id, safe='')}"
        request = self.client.build_request("PATCH", path, json=lead_fields(payload, owner))
        response = http.send(self.client, request, lead_id)
        if response.status_code == 204:
            return None
        found = http.json_body(response, lead_id)
        if not isinstance(found, dict) or not found.get("success", False):
            raise HandoffFailed(
                lead_id, response.status_code, response.text[:2000], retryable=False
            )
        return str(found["id"])

    def close(self) -> None:
        self.client.close()


def from_options(options: Mapping[str, Any]) -> SalesforceAdapter:
    instance, token = require(options, "salesforce", "salesforce_instance_url", "salesforce_token")
    client = http.client(options, instance)
    client.headers["Authorization"] = f"Bearer {token}"
    return SalesforceAdapter(
        client,
        api_version=options.get("salesforce_api_version") or DEFAULT_API_VERSION,
        external_id_field=options.get("salesforce_external_id_field") or DEFAULT_EXTERNAL_ID_FIELD,
    )
