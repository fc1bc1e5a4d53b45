"""Who may call the API: per-source HMAC signatures, a 5-minute window, no replays.

A request names its source (`X-Smarketing-Source`), which selects the secret; the signature covers
timestamp and body and is compared in constant time. A verified signature of a write is remembered
for the tolerance window (`request_nonces`), so replaying the exact request is refused; a sender
retrying on purpose signs again with a new timestamp, and then the event ids make the retry
harmless.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from scoring.db.models import RequestNonce
from scoring.errors import InvalidWebhook
from scoring.handoff.settings import ServiceSettings
from scoring.signals import utcnow
from scoring.signatures import (
    HUBSPOT_SIGNATURE_HEADER,
    HUBSPOT_TIMESTAMP_HEADER,
    SIGNATURE_HEADER,
    SOURCE_HEADER,
    TIMESTAMP_HEADER,
    hubspot_verify,
    nonce,
    verify,
)

HUBSPOT_SOURCE = "hubspot"
PRUNE_EVERY = 50


@dataclass(frozen=True)
class Caller:
    """An authenticated sender and the signature it used."""

    source: str
    signature: str


def authenticate(
    settings: ServiceSettings, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> Caller:
    """Check the source and signature headers; InvalidWebhook names the header at fault."""
    headers = {k.lower(): v for k, v in headers.items()}
    source = headers.get(SOURCE_HEADER.lower())
    if not source:
        raise InvalidWebhook("missing source", SOURCE_HEADER)
    secret = settings.source_secrets.get(source)
    if secret is None:
        raise InvalidWebhook(f"unknown source {source[:60]!r}", SOURCE_HEADER)
    signature = headers.get(SIGNATURE_HEADER.lower())
    verify(
        secret,
        body,
        signature=signature,
        timestamp=headers.get(TIMESTAMP_HEADER.lower()),
        now=time.time() if now is None else now,
        tolerance_s=settings.tolerance_s,
    )
    return Caller(source, signature or "")


def authenticate_hubspot(
    settings: ServiceSettings,
    headers: Mapping[str, str],
    method: str,
    uri: str,
    body: bytes,
    now: float | None = None,
) -> Caller:
    """Check HubSpot's v3 signature of a webhook request."""
    if not settings.hubspot_client_secret:
        raise InvalidWebhook(
            "HubSpot webhooks are not configured on this server", HUBSPOT_SIGNATURE_HEADER
        )
    headers = {k.lower(): v for k, v in headers.items()}
    signature = headers.get(HUBSPOT_SIGNATURE_HEADER.lower())
    hubspot_verify(
        settings.hubspot_client_secret,
        method,
        uri,
        body,
        signature=signature,
        timestamp=headers.get(HUBSPOT_TIMESTAMP_HEADER.lower()),
        now=time.time() if now is None else now,
        tolerance_s=settings.tolerance_s,
    )
    return Caller(HUBSPOT_SOURCE, signature or "")


def remember(
    session: Session, caller: Caller, tolerance_s: float, header: str = SIGNATURE_HEADER
) -> None:
    """Record the signature in the session's transaction; an exact replay raises InvalidWebhook.

    Now and then (one request in PRUNE_EVERY) signatures older than twice the tolerance are pruned:
    a replay of those fails the timestamp check anyway.
    """
    now = utcnow()
    if random.random() < 1 / PRUNE_EVERY:
        session.execute(
            delete(RequestNonce).where(
                RequestNonce.received_at < now - timedelta(seconds=2 * tolerance_s)
            )
        )
    digest = nonce(caller.signature)
    seen = select(RequestNonce.digest).where(RequestNonce.digest == digest)
    if session.scalar(seen) is not None:
        raise InvalidWebhook("replayed request: this signature was already used", header)
    # Two identical requests at once: the second INSERT fails on the key, the unit is retried
    # (scoring.api.transaction) and then finds the first one's row.
    session.execute(
        insert(RequestNonce).values(digest=digest, source=caller.source, received_at=now)
    )
