"""Every API request timed into `smarketing_http_request_duration_seconds`, by route template.

Pure ASGI and outermost, so a request refused at the door (413 before routing) is timed too. The
route label is the template the router matched (`/v1/leads/{lead_id}`), never the raw path: a
request that matched none is `unmatched`, whatever it asked for.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.routing import Match

from scoring.metrics import observe_request

Scope = dict[str, Any]
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The template of the route that served (or would serve) this request."""
    route = scope.get("route")
    if route is None:  # answered before routing: find the route it was meant for
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            if candidate.matches(scope)[0] is not Match.NONE:
                route = candidate
                break
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestTimer:
    """ASGI middleware: one latency observation per HTTP request, whatever answered it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        observed = False

        def observe() -> None:
            nonlocal observed
            if not observed:
                observed = True
                seconds = time.perf_counter() - started
                observe_request(route_template(scope), str(scope["method"]), status, seconds)

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                observe()  # before the last byte leaves: a client never sees an uncounted answer
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            observe()
