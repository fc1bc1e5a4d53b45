"""Who may call the API: per-source credentials with scopes, v2 signatures, a replay store, limits.

A request names its source (`X-Smarketing-Source`). Everything that can be checked from the headers
is checked before one byte of the body is read: the signature, timestamp (±tolerance, both
directions) and nonce headers are present, the source exists and is not revoked, it holds the
route's scope and is under its rate limit, and the declared length is within the limit. Only then
is the body streamed (never more than the limit) through one HMAC per active secret of the source
(two during a rotation), and the signature compared in constant time.

A verified request's nonce is remembered in `request_nonces` inside the transaction of its work, so
several server processes agree and a failed request leaves no trace; the same nonce again is a
`DuplicateRequest` (409 "duplicate"): it had its effect once. The same table, per source over the
last minute, is the rate counter.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from hmac import HMAC

from fastapi import Request
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from scoring.api.rates import RATE_WINDOW_S, RateCounts
from scoring.db.models import RequestNonce
from scoring.errors import DuplicateRequest, Forbidden, InvalidWebhook, TooLarge
from scoring.handoff.settings import ServiceSettings
from scoring.signals import utcnow
from scoring.signatures import (
    HUBSPOT_SIGNATURE_HEADER,
    HUBSPOT_TIMESTAMP_HEADER,
    NONCE,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    SOURCE_HEADER,
    TIMESTAMP_HEADER,
    check_fresh,
    hubspot_verify,
    matches_any,
    nonce,
    nonce_key,
    request_mac,
)
from scoring.store.credentials import SCOPES, Credential, credential

HUBSPOT_SOURCE = "hubspot"
PRUNE_EVERY = 50


@dataclass(frozen=True)
class Caller:
    """An authenticated sender: its source, the replay-store key of this request, its scopes."""

    source: str
    nonce: str
    scopes: frozenset[str] = frozenset(SCOPES)


@dataclass(frozen=True)
class Signed:
    """A verified request: who sent it and its body (at most the configured limit)."""

    caller: Caller
    body: bytes


def _timestamp(value: str | None) -> int:
    if not value:
        raise InvalidWebhook("missing timestamp", TIMESTAMP_HEADER)
    try:
        return int(value)
    except ValueError:
        raise InvalidWebhook(
            f"timestamp {value[:40]!r} is not an integer", TIMESTAMP_HEADER
        ) from None


def target(request: Request) -> str:
    """The path with its query exactly as the request line carried them (what the sender signed)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    path = raw.decode("latin-1")
    return f"{path}?{query.decode('latin-1')}" if query else path


def declared_length(headers: Mapping[str, str], limit: int) -> None:
    """Refuse a declared Content-Length above `limit` (nothing is read)."""
    value = headers.get("content-length")
    if value is None:
        return
    try:
        length = int(value)
    except ValueError:
        raise TooLarge("Content-Length is not a number", "Content-Length") from None
    if length > limit:
        raise TooLarge(
            f"the body has {length:,} bytes; this server accepts at most {limit:,}", "body"
        )


async def read_limited(request: Request, limit: int, macs: list[HMAC] | None = None) -> bytes:
    """The body, streamed and fed to `macs`; TooLarge as soon as it passes `limit` bytes."""
    declared_length(request.headers, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the body is larger than {limit:,} bytes", "body")
        for mac in macs or ():
            mac.update(chunk)
        chunks.append(chunk)
    return b"".join(chunks)


def _credential(
    sessions: sessionmaker[Session], settings: ServiceSettings, source: str
) -> Credential | None:
    """The source from the database, else from SMARKETING_SOURCE_SECRETS (every scope)."""
    with sessions() as session:
        found = credential(session, settings.secret_key, source)
    if found is not None:
        return found
    secret = settings.source_secrets.get(source)
    if secret is None:
        return None
    return Credential(source, frozenset(SCOPES), settings.rate_per_minute, (secret,))


def _allowed(
    sessions: sessionmaker[Session],
    settings: ServiceSettings,
    source: str,
    scope: str,
    state: State,
    rates: RateCounts,
) -> Credential:
    found = _credential(sessions, settings, source)
    if found is None:
        raise InvalidWebhook(f"unknown source {source[:60]!r}", SOURCE_HEADER)
    state.source = found.source  # a configured source: the label its refusals are counted under
    if not found.secrets:
        raise InvalidWebhook(f"source {source[:60]!r} is revoked or has no secret", SOURCE_HEADER)
    if scope not in found.scopes:
        raise Forbidden(f"source {source!r} lacks the scope {scope!r}", SOURCE_HEADER)
    rates.check(sessions, found)
    return found


async def authenticate(request: Request, scope: str, now: float | None = None) -> Signed:
    """Check a request from its headers first, then its streamed body; see the module text."""
    settings: ServiceSettings = request.app.state.settings
    headers = request.headers
    source = headers.get(SOURCE_HEADER)
    if not source:
        raise InvalidWebhook("missing source", SOURCE_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not signature:
        raise InvalidWebhook("missing signature", SIGNATURE_HEADER)
    sent_at = _timestamp(headers.get(TIMESTAMP_HEADER))
    check_fresh(
        sent_at, time.time() if now is None else now, TIMESTAMP_HEADER, settings.tolerance_s
    )
    once = headers.get(NONCE_HEADER)
    if not once:
        raise InvalidWebhook("missing nonce (a unique value per request)", NONCE_HEADER)
    if not NONCE.fullmatch(once):
        raise InvalidWebhook("a nonce is 1 to 100 of A-Z a-z 0-9 . _ : -", NONCE_HEADER)
    declared_length(headers, settings.max_body_bytes)
    found = await run_in_threadpool(
        _allowed,
        request.app.state.sessions,
        settings,
        source,
        scope,
        request.state,
        request.app.state.rates,
    )
    where = target(request)
    macs = [
        request_mac(secret, method=request.method, target=where, timestamp=sent_at, nonce=once)
        for secret in found.secrets
    ]
    body = await read_limited(request, settings.max_body_bytes, macs)
    if not matches_any(macs, signature):
        raise InvalidWebhook(
            "signature does not match method, path, timestamp, nonce and body", SIGNATURE_HEADER
        )
    return Signed(Caller(source, nonce_key(source, once), found.scopes), body)


def signed(scope: str) -> Callable[[Request], Awaitable[Signed]]:
    """The dependency of a route that needs `scope`: the verified caller and body."""

    async def dependency(request: Request) -> Signed:
        return await authenticate(request, scope)

    return dependency


async def authenticate_hubspot(request: Request, uri: str, now: float | None = None) -> Signed:
    """Check HubSpot's v3 signature of a webhook request (headers first, then the limited body)."""
    settings: ServiceSettings = request.app.state.settings
    request.state.source = HUBSPOT_SOURCE
    if not settings.hubspot_client_secret:
        raise InvalidWebhook(
            "HubSpot webhooks are not configured on this server", HUBSPOT_SIGNATURE_HEADER
        )
    signature = request.headers.get(HUBSPOT_SIGNATURE_HEADER)
    stamp = request.headers.get(HUBSPOT_TIMESTAMP_HEADER)
    if not signature:
        raise InvalidWebhook("missing signature", HUBSPOT_SIGNATURE_HEADER)
    moment = time.time() if now is None else now
    if stamp and stamp.isdigit():  # fresh before the body is read; hubspot_verify names the rest
        check_fresh(
            int(stamp) / 1000,
            moment,
            HUBSPOT_TIMESTAMP_HEADER,
            settings.tolerance_s,
            unit="milliseconds",
        )
    body = await read_limited(request, settings.max_body_bytes)
    hubspot_verify(
        settings.hubspot_client_secret,
        request.method,
        uri,
        body,
        signature=signature,
        timestamp=stamp,
        now=moment,
        tolerance_s=settings.tolerance_s,
    )
    return Signed(Caller(HUBSPOT_SOURCE, nonce(signature)), body)


def remember(
    session: Session, caller: Caller, tolerance_s: float, header: str = NONCE_HEADER
) -> None:
    """Record the nonce in the session's transaction; one already there raises DuplicateRequest.

    Now and then (one request in PRUNE_EVERY) nonces older than twice the tolerance plus a minute
    are pruned: a request signed up to `tolerance_s` in the future is fresh for twice the
    tolerance after it arrived, so its nonce outlives it.
    """
    if not remember_many(session, [caller], tolerance_s)[0]:
        raise DuplicateRequest(
            "duplicate: this request (its nonce) was already processed; it had its effect once",
            header,
        )


def remember_many(session: Session, callers: Sequence[Caller], tolerance_s: float) -> list[bool]:
    """`remember` for several requests with one query and one INSERT; False for each seen nonce.

    A nonce already in the table, or twice among `callers`, is False for the later ones (the
    caller answers those `duplicate`); the new ones are recorded in the session's transaction.
    """
    now = utcnow()
    if random.random() < 1 / PRUNE_EVERY:
        keep = timedelta(seconds=2 * tolerance_s + RATE_WINDOW_S)
        session.execute(delete(RequestNonce).where(RequestNonce.received_at < now - keep))
    digests = {caller.nonce for caller in callers}
    seen = set(session.scalars(select(RequestNonce.digest).where(RequestNonce.digest.in_(digests))))
    fresh: list[bool] = []
    rows: list[dict[str, object]] = []
    for caller in callers:
        new = caller.nonce not in seen
        fresh.append(new)
        if new:
            seen.add(caller.nonce)
            rows.append({"digest": caller.nonce, "source": caller.source, "received_at": now})
    if rows:  # a concurrent twin fails on the key; the unit is retried and then finds it
        session.execute(insert(RequestNonce), rows)
    return fresh
