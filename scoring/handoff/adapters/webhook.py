"""Generic signed webhook: POST the payload as JSON, signed like every smarketing request.

Headers: `Idempotency-Key` (the handoff's key: the receiver must accept each key once),
`X-Smarketing-Timestamp` and `X-Smarketing-Signature` (see scoring.signatures). A 2xx answer is a
delivery; its JSON `id`, when present, is kept as the CRM id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from scoring.handoff.adapters import http
from scoring.handoff.adapters.base import require
from scoring.handoff.payload import HandoffPayload
from scoring.signatures import SIGNATURE_HEADER, SOURCE_HEADER, TIMESTAMP_HEADER, sign


class WebhookAdapter:
    """POST each handoff to one URL with a signature the receiver can check."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        client: httpx.Client,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.secret = secret
        self.client = client
        self.clock = clock

    def deliver(self, payload: HandoffPayload) -> str | None:
        body = payload.model_dump_json().encode()
        timestamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": payload.idempotency_key,
            SOURCE_HEADER: "smarketing",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
        }
        request = self.client.build_request("POST", self.url, content=body, headers=headers)
        response = http.send(self.client, request, payload.lead.id)
        if response.headers.get("content-type", "").startswith("application/json"):
            found = http.json_body(response, payload.lead.id)
            if isinstance(found, dict) and found.get("id") is not None:
                return str(found["id"])
        return None

    def close(self) -> None:
        self.client.close()


def from_options(options: Mapping[str, Any]) -> WebhookAdapter:
    url, secret = require(options, "webhook", "webhook_url", "webhook_secret")
    return WebhookAdapter(url, secret, client=http.client(options))
