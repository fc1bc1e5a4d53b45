"""Local HTTP servers on 127.0.0.1 that speak like the CRMs the adapters call, and fail on demand.

- `WebhookReceiver`: checks our signature, accepts each Idempotency-Key once (a repeat is counted
  as a transport-level duplicate and answered 200 again).
- `HubSpotFake`: `GET /crm/v3/owners`, `POST /crm/v3/objects/contacts/batch/upsert` (by email).
- `SalesforceFake`: `GET /services/data/vXX/query` (User by email), `PATCH .../sobjects/Lead/<field>/<id>`.

`fail(...)` queues faults served before normal answers: a status (with Retry-After), or a slow
answer that outlasts the client's timeout. `Server` runs one of them and can be stopped and started
again on the same port (the receiver "down for a stretch").
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from scoring.errors import InvalidWebhook
from scoring.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

Answer = tuple[int, dict[str, str], Any]


@dataclass(frozen=True)
class Fault:
    """One scripted failure: answer `status` (with `retry_after`), or answer only after `delay_s`."""

    status: int = 503
    retry_after: str | None = None
    delay_s: float = 0.0


@dataclass
class FakeCrm:
    """Shared bookkeeping: requests seen, scripted faults, a lock for the handler threads."""

    faults: deque[Fault] = field(default_factory=deque)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    down: bool = False

    def fail(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def _fault(self) -> Fault | None:
        with self.lock:
            return self.faults.popleft() if self.faults else None

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.requests.append((method, path))
        fault = self._fault()
        if fault is not None and fault.delay_s:
            time.sleep(fault.delay_s)
        elif fault is not None:
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return fault.status, extra, {"message": f"scripted {fault.status}"}
        return self.answer(method, path, headers, body)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        raise NotImplementedError


@dataclass
class WebhookReceiver(FakeCrm):
    """A handoff receiver: verifies the signature, accepts every idempotency key exactly once."""

    secret: str = "receiver-secret"
    slow_s: float = 0.0
    accepted: dict[str, int] = field(default_factory=dict)
    duplicates: Counter[str] = field(default_factory=Counter)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        try:
            verify(
                self.secret,
                body,
                signature=headers.get(SIGNATURE_HEADER.lower()),
                timestamp=headers.get(TIMESTAMP_HEADER.lower()),
                now=time.time(),
            )
        except InvalidWebhook as exc:
            return 401, {}, {"error": str(exc)}
        key = headers.get("idempotency-key", "")
        if self.slow_s:
            time.sleep(self.slow_s)
        with self.lock:
            if key in self.accepted:
                self.duplicates[key] += 1
                return 200, {}, {"id": f"r-{self.accepted[key]}", "duplicate": True}
            self.accepted[key] = len(self.accepted) + 1
            return 200, {}, {"id": f"r-{self.accepted[key]}", "duplicate": False}


@dataclass
class HubSpotFake(FakeCrm):
    """HubSpot CRM v3 as documented: owners by email, contacts upserted by email."""

    token: str = "hs-token"
    owners: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {}, {"status": "error", "category": "INVALID_AUTHENTICATION"}
        url = urlsplit(path)
        if method == "GET" and url.path == "/crm/v3/owners":
            email = parse_qs(url.query).get("email", [""])[0]
            found = [{"id": self.owners[email], "email": email}] if email in self.owners else []
            return 200, {}, {"results": found}
        if method == "POST" and url.path == "/crm/v3/objects/contacts/batch/upsert":
            results = []
            for item in json.loads(body)["inputs"]:
                if item.get("idProperty") != "email":
                    return 400, {}, {"status": "error", "category": "VALIDATION_ERROR"}
                created = item["id"] not in self.contacts
                record = self.contacts.setdefault(
                    item["id"], {"id": str(1000 + len(self.contacts))}
                )
                record.update(item["properties"])
                results.append({"id": record["id"], "new": created, "properties": record})
            return 200, {}, {"status": "COMPLETE", "results": results}
        return 404, {}, {"status": "error", "message": f"no route {method} {url.path}"}


LEAD_PATH = re.compile(r"^/services/data/v[\d.]+/sobjects/Lead/(?P<field>\w+)/(?P<value>[^/]+)$")


@dataclass
class SalesforceFake(FakeCrm):
    """Salesforce REST as documented: SOQL query for users, Lead upsert by external id."""

    token: str = "sf-token"
    users: dict[str, str] = field(default_factory=dict)
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if headers.get("authorization") != f"Bearer {self.token}":
            return (
                401,
                {},
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
            )
        url = urlsplit(path)
        if method == "GET" and url.path.endswith("/query"):
            soql = parse_qs(url.query).get("q", [""])[0]
            email = re.search(r"Email = '([^']*)'", soql)
            records = []
            if email and email.group(1) in self.users:
                records = [{"attributes": {"type": "User"}, "Id": self.users[email.group(1)]}]
            return 200, {}, {"totalSize": len(records), "done": True, "records": records}
        match = LEAD_PATH.match(url.path)
        if method == "PATCH" and match:
            fields = json.loads(body)
            missing = [f for f in ("LastName", "Company") if not fields.get(f)]
            if missing:
                return (
                    400,
                    {},
                    [
                        {
                            "message": "Required fields are missing",
                            "errorCode": "REQUIRED_FIELD_MISSING",
                            "fields": missing,
                        }
                    ],
                )
            key = unquote(match.group("value"))
            created = key not in self.leads
            record = self.leads.setdefault(key, {"Id": f"00Q{len(self.leads):012d}"})
            record.update(fields)
            return (
                (201 if created else 200),
                {},
                {"id": record["Id"], "success": True, "errors": [], "created": created},
            )
        return 404, {}, [{"errorCode": "NOT_FOUND", "message": f"no route {method} {url.path}"}]


def _handler(crm: FakeCrm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            if crm.down:  # a kept-alive connection outliving stop(): drop it unanswered
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, document = crm.respond(self.command, self.path, headers, body)
            payload = json.dumps(document).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): exactly the situation being tested

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request resets its connection: expected here, not worth a traceback."""


class Server:
    """Serve `crm` on 127.0.0.1 (a free port, or `port`); `stop` and `start` again keep the port."""

    def __init__(self, crm: FakeCrm, port: int = 0) -> None:
        self.crm = crm
        self.port = port
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        server = _QuietServer(("127.0.0.1", self.port), _handler(self.crm))
        self.port = server.server_address[1]
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self._server = server
        self.crm.down = False
        return self

    def stop(self) -> None:
        self.crm.down = True
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
