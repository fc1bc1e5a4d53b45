"""The alert webhook: POST an objective's breach or recovery to Slack or to a signed JSON receiver.

`slack`: a Slack incoming-webhook message (scoring.objectives.alerts.slack_payload). `signed`: the
JSON alert signed like every smarketing request (`X-Smarketing-Timestamp`, `X-Smarketing-Signature`),
with the alert's key in `Idempotency-Key` so the receiver can drop a repeat after a lost answer.
A non-2xx answer or a transport error raises HandoffFailed, and the worker retries as for handoffs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from scoring.errors import ConfigError
from scoring.handoff.adapters import http
from scoring.objectives.alerts import Alert, signed_payload, slack_payload


class AlertWebhook:
    """Sends queued alerts to one URL in one format."""

    name = "alert-webhook"

    def __init__(
        self,
        url: str,
        fmt: str,
        secret: str = "",
        *,
        client: httpx.Client,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if fmt not in ("slack", "signed"):
            raise ConfigError(f"SMARKETING_ALERT_FORMAT must be slack or signed, got {fmt!r}")
        if fmt == "signed" and not secret:
            raise ConfigError("SMARKETING_ALERT_FORMAT=signed needs SMARKETING_ALERT_SECRET")
        self.url, self.fmt, self.secret = url, fmt, secret
        self.client = client
        self.clock = clock

    def deliver(self, alert: Mapping[str, Any]) -> None:
        value = Alert(**alert)
        if self.fmt == "slack":
            body = json.dumps(slack_payload(value)).encode()
            headers = {"Content-Type": "application/json"}
        else:
            body, headers = signed_payload(value, self.secret, int(self.clock()))
        headers["Idempotency-Key"] = value.key
        request = self.client.build_request("POST", self.url, content=body, headers=headers)
        http.send(self.client, request, value.objective)

    def close(self) -> None:
        self.client.close()


def alert_webhook(
    url: str, fmt: str, secret: str, *, timeout: float | None = None, transport: Any = None
) -> AlertWebhook:
    """The sender the settings describe (tests pass an httpx `transport`)."""
    options = {"timeout": timeout, "transport": transport}
    return AlertWebhook(url, fmt, secret, client=http.client(options))
