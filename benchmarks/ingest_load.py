"""The senders of benchmarks/bench_ingest.py: signed POST /v1/events requests over keep-alive.

A request carries `size` events: every `new_every`-th event creates a lead (with its account),
the others record an activity (page views, downloads, now and then a demo request) on a lead
created earlier, so leads are rescored and some become MQLs. Requests are taken from a shared
count until it runs out; each client measures its requests' latency.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from datetime import UTC, datetime
from typing import Any

from scoring.signatures import request_headers

SOURCE, SECRET = "bench", "bench-secret"
KINDS = (
    ("page_view",) * 12
    + ("email_open",) * 4
    + ("content_download", "email_click") * 2
    + ("webinar_attended", "demo_request")
)
INDUSTRIES = ("Software", "Fintech", "Education", "Retail", "Manufacturing", "Healthcare", "Media")
SENIORITY = ("individual", "manager", "manager", "director", "vp", "c_level")
DEPARTMENTS = ("Marketing", "Sales", "Engineering", "HR", "Finance", "Operations")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Load:
    """Client threads posting signed requests; latencies and answers shared under a lock."""

    def __init__(self, port: int, seed: int, new_every: int = 5) -> None:
        self.port, self.new_every = port, new_every
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.known: list[str] = []
        self.latencies: list[float] = []
        self.accepted = 0
        self.answered_items = 0  # per-item answers, each with its own index
        self.errors: dict[int, int] = {}
        self.counter = 0
        self.left = 0

    def _lead(self, n: int) -> dict[str, Any]:
        external = f"lead-{n}"
        return {
            "id": f"e-{n}",
            "type": "lead.upserted",
            "lead": {
                "external_id": external,
                "email": f"p{n}@co{n}.example",
                "first_name": "Pat",
                "last_name": "Doe",
                "job_title": "Marketing Director",
                "seniority": self.rng.choice(SENIORITY),
                "department": self.rng.choice(DEPARTMENTS),
                "country": "US",
                "campaign": "bench",
                "account": {
                    "domain": f"co{n}.example",
                    "name": f"Co {n}",
                    "industry": self.rng.choice(INDUSTRIES),
                    "employees": self.rng.choice((15, 80, 300, 1200, 8000)),
                    "country": "US",
                    "region": "NA",
                },
            },
        }

    def events(self, size: int) -> list[dict[str, Any]]:
        now = datetime.now(UTC).isoformat()
        events: list[dict[str, Any]] = []
        with self.lock:
            for _ in range(size):
                self.counter += 1
                n = self.counter
                if n % self.new_every == 1 or not self.known:
                    event = self._lead(n)
                else:
                    event = {
                        "id": f"e-{n}",
                        "type": "activity.recorded",
                        "lead": {"external_id": self.rng.choice(self.known)},
                        "activity": {
                            "kind": self.rng.choice(KINDS),
                            "url": "https://bench.example/pricing",
                            "campaign": "bench",
                        },
                    }
                events.append({**event, "occurred_at": now})
        return events

    def post(self, connection: http.client.HTTPConnection, events: list[dict[str, Any]]) -> None:
        body = json.dumps({"events": events}).encode()
        headers = {
            "Content-Type": "application/json",
            **request_headers(SOURCE, SECRET, method="POST", target="/v1/events", body=body),
        }
        started = time.perf_counter()
        connection.request("POST", "/v1/events", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed)
            if response.status == 200:
                result = json.loads(answer)
                self.accepted += result["accepted"]
                self.answered_items += len({item["index"] for item in result["results"]})
                self.known.extend(
                    e["lead"]["external_id"] for e in events if e["type"] == "lead.upserted"
                )
            else:
                self.errors[response.status] = self.errors.get(response.status, 0) + 1

    def client(self, size: int) -> None:
        """Post requests of `size` events back to back until the shared count runs out."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while True:
            with self.lock:
                if self.left <= 0:
                    break
                self.left -= 1
            self.post(connection, self.events(size))
        connection.close()

    def drive(self, clients: int, requests: int, size: int) -> dict[str, float]:
        """`requests` requests of `size` events from `clients` threads: events/s and latency."""
        self.latencies.clear()
        self.accepted = self.answered_items = 0
        self.left = requests
        started = time.perf_counter()
        threads = [threading.Thread(target=self.client, args=(size,)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        return {
            "events_per_s": round(self.accepted / elapsed, 1),
            "p50_ms": round(percentile(self.latencies, 0.50) * 1000, 1),
            "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 1),
            "requests": len(self.latencies),
            "accepted": self.accepted,
            "answered_items": self.answered_items,
            "seconds": round(elapsed, 2),
        }
