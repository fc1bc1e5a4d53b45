"""The body limit at the door: a declared Content-Length above the limit is answered 413 at once.

Pure ASGI, before routing: nothing of such a body is read, whatever the path (routes that read a
body also stop a chunked one at the limit, scoring.api.auth.read_limited).
"""

from __future__ import annotations

import json
from typing import Any

from scoring.api.problems import PROBLEM
from scoring.metrics import count_refused

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            declared = dict(scope.get("headers") or ()).get(b"content-length")
            too_big = declared is not None and (
                not declared.isdigit() or int(declared) > self.limit
            )
            if too_big:
                await self._refuse(send, declared or b"")
                return
        await self.app(scope, receive, send)

    async def _refuse(self, send: Any, declared: bytes) -> None:
        count_refused(None, "too_large")  # before routing: no source is known yet
        message = (
            f"the body has {int(declared):,} bytes; this server accepts at most {self.limit:,}"
            if declared.isdigit()
            else "Content-Length is not a number"
        )
        body = json.dumps(
            {
                "error": "too_large",
                "message": f"body: {message}",
                "errors": [{"field": "body", "message": message}],
                "status": 413,
                "title": "too_large",
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
