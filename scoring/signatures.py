"""Request signatures: our HMAC-SHA256 schemes (inbound v2, outbound v1) and HubSpot's v3 scheme.

Inbound (every source that calls the API), v2: the signature covers the method, the path with its
query, the timestamp, a nonce and the body:

    X-Smarketing-Signature: v2=<hex HMAC-SHA256(secret, "v2\n{ts}\n{nonce}\n{METHOD}\n{target}\n" + body)>

with `X-Smarketing-Timestamp: <unix seconds>` and `X-Smarketing-Nonce: <1-100 of [A-Za-z0-9._:-]>`.
The MAC can be fed the body chunk by chunk (`request_mac`), so the server never needs it whole
before knowing the sender.

Outbound (the signed-webhook CRM adapter), v1: `X-Smarketing-Signature: v1=<hex HMAC-SHA256(secret,
f"{timestamp}.{body}")>` with `X-Smarketing-Timestamp`. HubSpot's v3 scheme, as HubSpot documents it:
`X-HubSpot-Signature-v3: base64(HMAC-SHA256(client_secret, method + uri + body + timestamp))` with
`X-HubSpot-Request-Timestamp` in milliseconds. Both reject timestamps outside a tolerance (5 minutes)
and compare in constant time. Only the standard library is used, so both sides can share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from urllib.parse import unquote

from scoring.errors import InvalidWebhook

SIGNATURE_HEADER = "X-Smarketing-Signature"
TIMESTAMP_HEADER = "X-Smarketing-Timestamp"
SOURCE_HEADER = "X-Smarketing-Source"
NONCE_HEADER = "X-Smarketing-Nonce"
HUBSPOT_SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
HUBSPOT_TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
TOLERANCE_S = 300.0
SCHEME = "v1"
REQUEST_SCHEME = "v2"
NONCE = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def request_mac(
    secret: str, *, method: str, target: str, timestamp: int | str, nonce: str
) -> hmac.HMAC:
    """The v2 MAC with everything but the body fed in; `update()` it with the body's bytes."""
    head = f"{REQUEST_SCHEME}\n{timestamp}\n{nonce}\n{method.upper()}\n{target}\n"
    return hmac.new(secret.encode(), head.encode(), hashlib.sha256)


def sign_request(
    secret: str, *, method: str, target: str, timestamp: int, nonce: str, body: bytes = b""
) -> str:
    """The value of `X-Smarketing-Signature` (v2) of one request; `target` is path plus `?query`."""
    mac = request_mac(secret, method=method, target=target, timestamp=timestamp, nonce=nonce)
    mac.update(body)
    return f"{REQUEST_SCHEME}={mac.hexdigest()}"


def request_headers(
    source: str,
    secret: str,
    *,
    method: str,
    target: str,
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Every header a source sends with a signed request (a fresh random nonce unless given)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    once = nonce or secrets.token_hex(16)
    return {
        SOURCE_HEADER: source,
        TIMESTAMP_HEADER: str(stamp),
        NONCE_HEADER: once,
        SIGNATURE_HEADER: sign_request(
            secret, method=method, target=target, timestamp=stamp, nonce=once, body=body
        ),
    }


def matches_any(macs: list[hmac.HMAC], signature: str) -> bool:
    """True when `signature` is the v2 value of one of the MACs (each compared in constant time)."""
    given = signature.strip().encode()
    found = False
    for mac in macs:  # no early exit: the time does not tell which secret matched
        expected = f"{REQUEST_SCHEME}={mac.hexdigest()}".encode()
        found |= hmac.compare_digest(expected, given)
    return found


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of `X-Smarketing-Signature` for `body` sent at `timestamp` (unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def hubspot_sign(secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    """HubSpot's v3 signature: base64 of HMAC-SHA256 over method + URI + body + timestamp."""
    message = method.upper().encode() + uri.encode() + body + str(timestamp_ms).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def _timestamp(value: str | None, field: str) -> int:
    if not value:
        raise InvalidWebhook("missing timestamp", field)
    try:
        return int(value)
    except ValueError:
        raise InvalidWebhook(f"timestamp {value[:40]!r} is not an integer", field) from None


def unit_hint(sent_at: float, now: float, unit: str, tolerance_s: float) -> str:
    """A hint when a stale timestamp would be fresh in the other unit (seconds vs milliseconds)."""
    scale = 1.0 if unit == "milliseconds" else 0.001  # the raw value read in the other unit
    if abs(now - sent_at * scale) <= tolerance_s:
        other = "seconds" if unit == "milliseconds" else "milliseconds"
        return f"; it looks like {other}: this header takes Unix time in {unit}"
    return f" (this header takes Unix time in {unit})"


def check_fresh(
    sent_at: float,
    now: float,
    field: str,
    tolerance_s: float = TOLERANCE_S,
    *,
    unit: str = "seconds",
) -> None:
    """Refuse a request sent more than `tolerance_s` before (or after) `now`.

    `sent_at` is in seconds; `unit` is what the header carried, for the hint of a wrong unit.
    """
    age = now - sent_at
    if abs(age) > tolerance_s:
        direction = "old" if age > 0 else "in the future"
        raw = sent_at * 1000 if unit == "milliseconds" else sent_at
        raise InvalidWebhook(
            f"timestamp is {abs(age):.0f} s {direction} (tolerance {tolerance_s:.0f} s)"
            + unit_hint(raw, now, unit, tolerance_s),
            field,
        )


def verify(
    secret: str,
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> None:
    """Check our scheme's headers against `body`; raise InvalidWebhook naming the bad header."""
    if not signature:
        raise InvalidWebhook("missing signature", SIGNATURE_HEADER)
    sent_at = _timestamp(timestamp, TIMESTAMP_HEADER)
    check_fresh(sent_at, now, TIMESTAMP_HEADER, tolerance_s)
    expected = sign(secret, sent_at, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise InvalidWebhook("signature does not match the body and timestamp", SIGNATURE_HEADER)


def hubspot_verify(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> None:
    """Check HubSpot's v3 headers. The URI is URL-decoded first, as HubSpot's guide asks."""
    if not signature:
        raise InvalidWebhook("missing signature", HUBSPOT_SIGNATURE_HEADER)
    sent_at_ms = _timestamp(timestamp, HUBSPOT_TIMESTAMP_HEADER)
    check_fresh(sent_at_ms / 1000, now, HUBSPOT_TIMESTAMP_HEADER, tolerance_s, unit="milliseconds")
    expected = hubspot_sign(secret, method, unquote(uri), body, sent_at_ms)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise InvalidWebhook(
            "signature does not match method, URI, body and timestamp", HUBSPOT_SIGNATURE_HEADER
        )


def nonce(signature: str) -> str:
    """A fixed-size key for a verified signature, remembered to refuse an exact replay."""
    return hashlib.sha256(signature.strip().encode()).hexdigest()


def nonce_key(source: str, value: str) -> str:
    """A fixed-size key for a source's nonce in the replay store."""
    return hashlib.sha256(f"{source}\n{value}".encode()).hexdigest()
