"""What the HTTP adapters share: one request with failures turned into HandoffFailed."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx

from scoring.errors import HandoffFailed

RETRYABLE = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
"""Statuses worth another attempt. 409 is here because CRMs answer it for a concurrent write."""
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def send(client: httpx.Client, request: httpx.Request, lead_id: object) -> httpx.Response:
    """Send `request`; a transport error or a non-2xx status raises HandoffFailed."""
    try:
        response = client.send(request)
    except httpx.TimeoutException as exc:
        raise HandoffFailed(lead_id, None, f"timeout: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise HandoffFailed(lead_id, None, f"transport error: {type(exc).__name__}: {exc}") from exc
    if response.is_success:
        return response
    raise HandoffFailed(
        lead_id,
        response.status_code,
        response.text[:2000],
        retryable=response.status_code in RETRYABLE,
        retry_after=retry_after(response.headers.get("Retry-After")),
    )


def json_body(response: httpx.Response, lead_id: object) -> Any:
    """The response's JSON; a 2xx whose body is not JSON is a (retryable) failure."""
    try:
        return response.json()
    except ValueError as exc:
        raise HandoffFailed(
            lead_id, response.status_code, f"not JSON: {response.text[:200]}"
        ) from exc


def client(options: dict[str, Any] | Any, base_url: str = "") -> httpx.Client:
    """An httpx client; tests inject `transport` (httpx.MockTransport) through the options."""
    return httpx.Client(
        base_url=base_url,
        transport=options.get("transport"),
        timeout=options.get("timeout") or DEFAULT_TIMEOUT,
    )
