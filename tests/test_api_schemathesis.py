"""Property-based requests generated from the OpenAPI document (schemathesis): no 5xx, ever, and every
4xx body names the offending field. Requests are signed on their way in, so the generated bodies
reach validation and the database instead of stopping at the signature check."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from handoff_world import (
    CRM_SECRET,
    CRM_SOURCE,
    HUBSPOT_SECRET,
    api,
    hot,
    lead,
    post,
    seed,
)
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlalchemy import Engine

from scoring.signatures import (
    HUBSPOT_SIGNATURE_HEADER,
    HUBSPOT_TIMESTAMP_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    SOURCE_HEADER,
    TIMESTAMP_HEADER,
    hubspot_sign,
    request_headers,
)

EXAMPLES = {GenerationMode.POSITIVE: 160, GenerationMode.NEGATIVE: 110}
"""Per operation and mode on PostgreSQL (the strictest backend: NUL bytes, integer ranges, encodings)."""
SQLITE_SHARE = 0.3
"""SQLite repeats a smaller share: the same app, a more forgiving database."""
MINIMUM_REQUESTS = {"postgresql": 1000, "sqlite": 300}
OUR_HEADERS = {
    h.lower().encode()
    for h in (
        NONCE_HEADER,
        SIGNATURE_HEADER,
        SOURCE_HEADER,
        TIMESTAMP_HEADER,
        HUBSPOT_SIGNATURE_HEADER,
        HUBSPOT_TIMESTAMP_HEADER,
    )
}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


class SigningProxy:
    """ASGI middleware of the test: signs every request as a configured source (or HubSpot) would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()
        self.unnamed: list[tuple[str, int, Any]] = []
        self.stamp = int(time.time()) - 250

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.stamp = self.stamp + 1 if self.stamp < time.time() + 250 else int(time.time()) - 250
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in OUR_HEADERS]
        if scope["path"] == "/v1/hubspot/webhooks":
            host = dict(scope["headers"]).get(b"host", b"testserver").decode()
            query = f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
            uri = f"http://{host}{scope['path']}{query}"
            signature = hubspot_sign(HUBSPOT_SECRET, scope["method"], uri, body, self.stamp * 1000)
            headers += [
                (b"x-hubspot-request-timestamp", str(self.stamp * 1000).encode()),
                (b"x-hubspot-signature-v3", signature.encode()),
            ]
        else:
            path = scope.get("raw_path") or scope["path"].encode()
            query = scope["query_string"]
            target = (path + (b"?" + query if query else b"")).decode("latin-1")
            headers += [
                (name.lower().encode(), value.encode())
                for name, value in request_headers(
                    CRM_SOURCE,
                    CRM_SECRET,
                    method=scope["method"],
                    target=target,
                    body=body,
                    timestamp=self.stamp,
                ).items()
            ]
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app({**scope, "headers": headers}, replay, watch)
        self.record(f"{scope['method']} {scope['path']}", status.get("code", 0), b"".join(chunks))

    def record(self, label: str, code: int, body: bytes) -> None:
        self.statuses[code] += 1
        if 400 <= code < 500 and "openapi" not in label:
            try:
                errors = json.loads(body).get("errors")
            except (ValueError, AttributeError):
                errors = None
            if not errors or not all(isinstance(e, dict) and e.get("field") for e in errors):
                self.unnamed.append((label, code, body[:300]))


@pytest.fixture
def proxy(engine: Engine) -> Iterator[SigningProxy]:
    seed(engine)
    with api(engine) as client:
        post(client, "/v1/events", {"events": [*hot("acme"), lead("cold-0", "cold")]})
        yield SigningProxy(client.app)


def test_generated_requests_never_fail_on_the_server_and_name_every_bad_field(
    proxy: SigningProxy, engine: Engine
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", proxy)
    share = 1.0 if engine.dialect.name == "postgresql" else SQLITE_SHARE
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=int(examples * share),
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                response = case.call()
                assert response.status_code < 500, (case.method, case.path, response.text[:500])

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # e.g. GET /v1/health: nothing to get wrong
    sent = sum(proxy.statuses.values())
    print(
        f"\nschemathesis [{engine.dialect.name}]: {sent} requests, statuses {dict(sorted(proxy.statuses.items()))}"
    )
    assert sent >= MINIMUM_REQUESTS[engine.dialect.name]
    assert not [code for code in proxy.statuses if code >= 500]
    assert proxy.unnamed == []
