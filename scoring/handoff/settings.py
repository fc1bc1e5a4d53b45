"""Settings of the API service and the handoff worker, each declared once with its help text.

They are read from the environment at the edge (`smarketing serve`, `smarketing worker`) and passed
down as values; docs/api.md documents every one (a test checks it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from scoring.errors import ConfigError
from scoring.handoff.retry import RetryPolicy
from scoring.settings import DEFAULTS, MAX_BODY_BYTES, Setting, Settings
from scoring.store.credentials import DEFAULT_RATE, server_key

SERVICE_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SMARKETING_SOURCE_SECRETS",
        "",
        "Fallback per-source signing secrets, `source=secret` pairs separated by commas; such a "
        "source has every scope. Prefer `smarketing sources add` (scopes, rotation, revocation).",
    ),
    Setting(
        "SMARKETING_API_MAX_BODY",
        str(MAX_BODY_BYTES),
        "Largest request body in bytes the API reads; a larger one is refused (413) before it is read.",
    ),
    Setting(
        "SMARKETING_API_RATE_LIMIT",
        str(DEFAULT_RATE),
        "Requests a minute allowed to a source of SMARKETING_SOURCE_SECRETS (sources added with "
        "`smarketing sources add` have their own limit).",
    ),
    Setting(
        "SMARKETING_HUBSPOT_CLIENT_SECRET",
        "",
        "Client secret of the HubSpot app whose webhooks POST to /v1/hubspot/webhooks (v3 signature).",
    ),
    Setting(
        "SMARKETING_PUBLIC_URL",
        "",
        "Public base URL of the API as HubSpot calls it (the v3 signature covers the full URI). "
        "Empty: the URL the request arrived at.",
    ),
    Setting(
        "SMARKETING_SIGNATURE_TOLERANCE",
        "300",
        "Seconds a signed request's timestamp may differ from the server clock.",
    ),
    Setting("SMARKETING_API_HOST", "127.0.0.1", "Address `smarketing serve` binds to."),
    Setting("SMARKETING_API_PORT", "8000", "Port `smarketing serve` listens on."),
    Setting(
        "SMARKETING_ASSIGNMENT",
        str(DEFAULTS / "assignment.yaml"),
        "Assignment rules file (account owner, territories, round robin weights).",
    ),
    Setting(
        "SMARKETING_RESCORE",
        "queue",
        "queue: the API queues the affected leads and `smarketing worker` rescores them in "
        "batches (fast ingest); inline: the API rescores them in the request itself.",
    ),
    Setting(
        "SMARKETING_CRM_ADAPTER",
        "builtin",
        "CRM adapter of the worker: builtin, webhook, hubspot or salesforce.",
    ),
    Setting("SMARKETING_WEBHOOK_URL", "", "webhook adapter: the URL handoffs are POSTed to."),
    Setting(
        "SMARKETING_WEBHOOK_SECRET", "", "webhook adapter: the secret handoffs are signed with."
    ),
    Setting("SMARKETING_HUBSPOT_TOKEN", "", "hubspot adapter: private-app access token."),
    Setting(
        "SMARKETING_HUBSPOT_BASE_URL", "https://api.hubapi.com", "hubspot adapter: API base URL."
    ),
    Setting("SMARKETING_SALESFORCE_INSTANCE_URL", "", "salesforce adapter: instance URL."),
    Setting("SMARKETING_SALESFORCE_TOKEN", "", "salesforce adapter: OAuth access token."),
    Setting("SMARKETING_SALESFORCE_API_VERSION", "60.0", "salesforce adapter: REST API version."),
    Setting(
        "SMARKETING_SALESFORCE_EXTERNAL_ID_FIELD",
        "Smarketing_Id__c",
        "salesforce adapter: the Lead's external id field that upserts match on.",
    ),
    Setting(
        "SMARKETING_HANDOFF_HORIZON_HOURS",
        "72",
        "Hours a handoff is retried before it becomes a dead letter.",
    ),
    Setting(
        "SMARKETING_RETRY_BASE",
        "2",
        "Seconds before the first retry of a failed handoff; each later retry waits twice as long.",
    ),
    Setting("SMARKETING_RETRY_CAP", "900", "Longest wait in seconds between two handoff attempts."),
    Setting("SMARKETING_CRM_TIMEOUT", "10", "Seconds an HTTP CRM adapter waits for an answer."),
    Setting(
        "SMARKETING_WORKER_LEASE",
        "60",
        "Seconds a worker holds a claimed handoff; a killed worker's rows return after it.",
    ),
    Setting(
        "SMARKETING_ALERT_WEBHOOK_URL",
        "",
        "Where `smarketing objectives check` alerts go (a breach, a recovery), delivered by "
        "`smarketing worker` through the outbox. Empty: no alerts are queued or sent.",
    ),
    Setting(
        "SMARKETING_ALERT_FORMAT",
        "slack",
        "slack: a Slack incoming-webhook message; signed: the alert as JSON, signed with "
        "SMARKETING_ALERT_SECRET like every smarketing request.",
    ),
    Setting(
        "SMARKETING_ALERT_SECRET", "", "The secret signed alerts are signed with (format signed)."
    ),
    Setting(
        "SMARKETING_POLICY_POLL",
        "0",
        "Seconds a running API or worker may go without checking for a newly published rulebook, "
        "contract or reasons list; 0 checks before every request and batch (one small query).",
    ),
)


def parse_secrets(text: str) -> dict[str, str]:
    """`web=abc,marketo=def` -> {"web": "abc", "marketo": "def"}; ConfigError on a malformed pair."""
    secrets: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        source, sep, secret = pair.partition("=")
        if not sep or not source.strip() or not secret.strip():
            raise ConfigError(f"SMARKETING_SOURCE_SECRETS: expected source=secret, got {pair!r}")
        secrets[source.strip()] = secret.strip()
    return secrets


def _number(values: Mapping[str, str], name: str) -> float:
    try:
        return float(values[name])
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {values[name]!r}") from None


def _choice(values: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    if values[name] not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {values[name]!r}")
    return values[name]


@dataclass(frozen=True)
class ServiceSettings:
    """What the API service and the worker read from the environment."""

    source_secrets: Mapping[str, str] = field(default_factory=dict)
    secret_key: bytes | None = field(default=None, repr=False)
    max_body_bytes: int = MAX_BODY_BYTES
    rate_per_minute: int = DEFAULT_RATE
    hubspot_client_secret: str = ""
    public_url: str = ""
    tolerance_s: float = 300.0
    host: str = "127.0.0.1"
    port: int = 8000
    assignment: Path = DEFAULTS / "assignment.yaml"
    rescore: str = "queue"
    crm_adapter: str = "builtin"
    adapter_options: Mapping[str, str] = field(default_factory=dict)
    horizon: timedelta = timedelta(hours=72)
    retry_base_s: float = 2.0
    retry_cap_s: float = 900.0
    crm_timeout_s: float = 10.0
    lease: timedelta = timedelta(seconds=60)
    policy_poll_s: float = 0.0
    alert_webhook_url: str = ""
    alert_format: str = "slack"
    alert_secret: str = field(default="", repr=False)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(base_s=self.retry_base_s, cap_s=self.retry_cap_s, horizon=self.horizon)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        env = os.environ if environ is None else environ
        values = {s.name: env.get(s.name, s.default) for s in SERVICE_SETTINGS}
        prefix = "SMARKETING_"
        adapter_keys = ("WEBHOOK_", "HUBSPOT_TOKEN", "HUBSPOT_BASE", "SALESFORCE_")
        options = {
            name.removeprefix(prefix).lower(): value
            for name, value in values.items()
            if name.removeprefix(prefix).startswith(adapter_keys) and value
        }
        return cls(
            source_secrets=parse_secrets(values["SMARKETING_SOURCE_SECRETS"]),
            secret_key=server_key(env, Settings.from_env(env).home),
            max_body_bytes=int(_number(values, "SMARKETING_API_MAX_BODY")),
            rate_per_minute=int(_number(values, "SMARKETING_API_RATE_LIMIT")),
            hubspot_client_secret=values["SMARKETING_HUBSPOT_CLIENT_SECRET"],
            public_url=values["SMARKETING_PUBLIC_URL"].rstrip("/"),
            tolerance_s=_number(values, "SMARKETING_SIGNATURE_TOLERANCE"),
            host=values["SMARKETING_API_HOST"],
            port=int(_number(values, "SMARKETING_API_PORT")),
            assignment=Path(values["SMARKETING_ASSIGNMENT"]),
            rescore=_choice(values, "SMARKETING_RESCORE", ("inline", "queue")),
            crm_adapter=values["SMARKETING_CRM_ADAPTER"],
            adapter_options=options,
            horizon=timedelta(hours=_number(values, "SMARKETING_HANDOFF_HORIZON_HOURS")),
            retry_base_s=_number(values, "SMARKETING_RETRY_BASE"),
            retry_cap_s=_number(values, "SMARKETING_RETRY_CAP"),
            crm_timeout_s=_number(values, "SMARKETING_CRM_TIMEOUT"),
            lease=timedelta(seconds=_number(values, "SMARKETING_WORKER_LEASE")),
            policy_poll_s=_number(values, "SMARKETING_POLICY_POLL"),
            alert_webhook_url=values["SMARKETING_ALERT_WEBHOOK_URL"],
            alert_format=_choice(values, "SMARKETING_ALERT_FORMAT", ("slack", "signed")),
            alert_secret=values["SMARKETING_ALERT_SECRET"],
        )
