"""Which alerts an objectives check raises (one per breach, one per recovery) and their payloads.

alerts = transitions(previous_breached, statuses)   # previous: {objective name: was breached}
slack_payload(alert); signed_payload(alert, secret, timestamp) -> (body, headers)
The signed payload uses the product's own HMAC scheme (scoring.signatures), so a receiver verifies
it with the same `verify` the API uses for inbound events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from scoring.objectives.evaluate import Status
from scoring.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


@dataclass(frozen=True)
class Alert:
    """One change of an objective's state: `kind` is "breach" or "recovery"."""

    kind: str
    objective: str
    current: float
    budget_left: float
    burn_rate: float
    at: str

    @property
    def key(self) -> str:
        """Idempotency key: the same change at the same instant is never sent twice."""
        return f"objective:{self.objective}:{self.kind}:{self.at}"


def transitions(previous: Mapping[str, bool], statuses: Iterable[Status], at: str) -> list[Alert]:
    """Alerts for the objectives whose breached state changed since `previous` (unknown = healthy)."""
    alerts = []
    for status in statuses:
        if status.breached == previous.get(status.name, False):
            continue
        alerts.append(
            Alert(
                "breach" if status.breached else "recovery",
                status.name,
                status.current,
                status.budget_left,
                status.burn_rate,
                at,
            )
        )
    return alerts


def slack_payload(alert: Alert) -> dict[str, str]:
    """A Slack incoming-webhook message."""
    icon = ":rotating_light:" if alert.kind == "breach" else ":white_check_mark:"
    verb = "breached" if alert.kind == "breach" else "recovered"
    return {
        "text": (
            f"{icon} objective *{alert.objective}* {verb} at {alert.at}: current {alert.current:.3g}, "
            f"budget left {alert.budget_left:.0%}, burn rate {alert.burn_rate:.2f}"
        )
    }


def signed_payload(alert: Alert, secret: str, timestamp: int) -> tuple[bytes, dict[str, str]]:
    """The generic JSON body and its signature headers."""
    body = json.dumps({"type": f"objective.{alert.kind}", **asdict(alert)}, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
    }
    return body, headers
