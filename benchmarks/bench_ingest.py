"""Load benchmark of POST /v1/events on 127.0.0.1: sustained events/s and p50/p99 request latency.

    python benchmarks/bench_ingest.py --seconds 25 --json results.json

For each backend (SQLite file, PostgreSQL schema) it migrates an empty database, seeds reps and
campaigns, starts `smarketing serve` on a free loopback port and lets `--clients` threads post
signed batches of `--batch` events back to back for `--seconds` seconds. Each batch creates
`--new-leads` leads and records activities for leads created earlier (page views, downloads, now
and then a demo request), so leads are rescored and some become MQLs with a queued handoff.
`events_per_s` counts accepted events; `p50_ms` / `p99_ms` are per request, measured by the client.
With `--rate R`, half of the time the clients are first paced at R events/s in total and the triple
describes that phase (latency counted from the moment a request was due, so a server falling behind
shows); `max_*` then describe the flat-out half.

With `--rescore queue` (the default, as shipped) a `smarketing worker` process rescores the queued
leads while the load runs; `rescore_backlog_drained_s` says how long it needed after the load
stopped. BENCH_SERVER_LOG / BENCH_WORKER_LOG name files for the two processes' output.

Goal: >= 500 events/s with p99 <= 50 ms. Measured figures are in
docs/decisions/0006-handoff-and-api.md, with the load average they ran under.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import create_engine, insert, text

from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign, Rep
from scoring.signatures import sign

ROOT = Path(__file__).resolve().parent.parent
SOURCE, SECRET = "bench", "bench-secret"
TEAMS = (("Mid-Market", "NA-MM"), ("Enterprise", "NA-ENT"), ("SMB Inside Sales", "NA-SMB"))
KINDS = (
    ("page_view",) * 12
    + ("email_open",) * 4
    + ("content_download", "email_click") * 2
    + (
        "webinar_attended",
        "demo_request",
    )
)
INDUSTRIES = ("Software", "Fintech", "Education", "Retail", "Manufacturing", "Healthcare", "Media")
SENIORITY = ("individual", "manager", "manager", "director", "vp", "c_level")
DEPARTMENTS = ("Marketing", "Sales", "Engineering", "HR", "Finance", "Operations")


def seed(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(Rep),
            [
                {
                    "email": f"rep{i}@bench.example",
                    "name": f"Rep {i}",
                    "team": team,
                    "territory": territory,
                    "weekly_capacity": 1_000_000,
                    "active": True,
                }
                for i, (team, territory) in enumerate(TEAMS * 3)
            ],
        )
        connection.execute(
            insert(Campaign).values(code="bench", name="Benchmark", channel="webinar")
        )
    engine.dispose()


@contextmanager
def postgres_schema() -> Iterator[str]:
    base = os.environ.get(
        "SMARKETING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(url: str, workers: int, rescore: str) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "SMARKETING_SOURCE_SECRETS": f"{SOURCE}={SECRET}",
        "SMARKETING_RESCORE": rescore,
    }
    command = [
        sys.executable,
        "-m",
        "scoring.cli",
        "serve",
        "--database",
        url,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "wb")  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/v1/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "smarketing serve did not start (BENCH_SERVER_LOG=file shows why)"
                )
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


class Load:
    """Client threads posting signed batches; latencies and accepted counts shared under a lock."""

    def __init__(self, port: int, batch: int, new_leads: int, seed: int) -> None:
        self.port, self.batch, self.new_leads = port, batch, new_leads
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.known: list[str] = []
        self.latencies: list[float] = []
        self.accepted = 0
        self.errors: dict[int, int] = {}
        self.counter = 0

    def _events(self) -> list[dict[str, Any]]:
        now = datetime.now(UTC).isoformat()
        with self.lock:
            self.counter += 1
            n = self.counter
            known = self.rng.sample(self.known, min(len(self.known), self.batch - self.new_leads))
        events: list[dict[str, Any]] = []
        for k in range(self.new_leads):
            external = f"lead-{n}-{k}"
            events.append(
                {
                    "id": f"e-{n}-{k}",
                    "type": "lead.upserted",
                    "occurred_at": now,
                    "lead": {
                        "external_id": external,
                        "email": f"p{n}x{k}@co{n}x{k}.example",
                        "first_name": "Pat",
                        "last_name": "Doe",
                        "job_title": "Marketing Director",
                        "seniority": self.rng.choice(SENIORITY),
                        "department": self.rng.choice(DEPARTMENTS),
                        "country": "US",
                        "campaign": "bench",
                        "account": {
                            "domain": f"co{n}x{k}.example",
                            "name": f"Co {n}",
                            "industry": self.rng.choice(INDUSTRIES),
                            "employees": self.rng.choice((15, 80, 300, 1200, 8000)),
                            "country": "US",
                            "region": "NA",
                        },
                    },
                }
            )
        for k, external in enumerate(known, start=self.new_leads):
            events.append(
                {
                    "id": f"e-{n}-{k}",
                    "type": "activity.recorded",
                    "occurred_at": now,
                    "lead": {"external_id": external},
                    "activity": {
                        "kind": self.rng.choice(KINDS),
                        "url": "https://bench.example/pricing",
                        "campaign": "bench",
                    },
                }
            )
        return events

    def client(self, until: float, interval: float | None = None, offset: float = 0.0) -> None:
        """Post batches until `until`: back to back, or one every `interval` seconds (paced).

        Paced latency counts from the moment a request was due, so a server that falls behind
        shows it (no coordinated omission).
        """
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        due = time.perf_counter() + offset
        while time.monotonic() < until:
            if interval is not None:
                time.sleep(max(0.0, due - time.perf_counter()))
            events = self._events()
            body = json.dumps({"events": events}).encode()
            stamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "X-Smarketing-Source": SOURCE,
                "X-Smarketing-Timestamp": str(stamp),
                "X-Smarketing-Signature": sign(SECRET, stamp, body),
            }
            started = due if interval is not None else time.perf_counter()
            connection.request("POST", "/v1/events", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            elapsed = time.perf_counter() - started
            due += interval or 0.0
            with self.lock:
                self.latencies.append(elapsed)
                if response.status == 200:
                    self.accepted += json.loads(answer)["accepted"]
                    self.known.extend(
                        e["lead"]["external_id"] for e in events if e["type"] == "lead.upserted"
                    )
                else:
                    self.errors[response.status] = self.errors.get(response.status, 0) + 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@contextmanager
def rescoring_worker(url: str, rescore: str) -> Iterator[None]:
    """In queue mode, `smarketing worker` rescores the queued leads while the load runs."""
    if rescore != "queue":
        yield
        return
    env = {**os.environ, "SMARKETING_RESCORE": "queue", "SMARKETING_CRM_ADAPTER": "builtin"}
    command = [sys.executable, "-m", "scoring.cli", "worker", "--database", url, "--poll", "0.1"]
    wlog = open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "wb")  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=wlog, stderr=wlog)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        wlog.close()


def _drive(load: Load, clients: int, seconds: float, rate: float | None = None) -> dict[str, float]:
    """Run the clients for `seconds` (paced at `rate` events/s in total, or flat out)."""
    load.latencies.clear()
    load.accepted = 0
    interval = clients * load.batch / rate if rate else None
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=load.client, args=(started + seconds, interval, (interval or 0) * k / clients)
        )
        for k in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "events_per_s": round(load.accepted / elapsed, 1),
        "p50_ms": round(percentile(load.latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(load.latencies, 0.99) * 1000, 1),
        "requests": len(load.latencies),
    }


def _outcome(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            name: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for name, table in (
                ("queued", "rescore_queue"),
                ("scored", "lead_scores"),
                ("handoffs", "handoff_outbox"),
            )
        }
    engine.dispose()
    return counts


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Warm up, then the paced phase (latency at the offered rate), then the flat-out phase."""
    seed(url)
    with server(url, args.workers, args.rescore) as port, rescoring_worker(url, args.rescore):
        load = Load(port, args.batch, args.new_leads, args.seed)
        _drive(load, args.clients, min(3.0, args.seconds / 5))  # first leads, connections, caches
        paced = _drive(load, args.clients, args.seconds / 2, args.rate) if args.rate else {}
        flat_out = _drive(load, args.clients, args.seconds / 2 if args.rate else args.seconds)
        lag_started = time.monotonic()
        while (
            args.rescore == "queue"
            and _outcome(url)["queued"]
            and time.monotonic() - lag_started < 30
        ):
            time.sleep(0.2)
        lag = time.monotonic() - lag_started
    return {
        **(paced or flat_out),
        "offered_events_per_s": args.rate or None,
        "max_events_per_s": flat_out["events_per_s"],
        "max_p50_ms": flat_out["p50_ms"],
        "max_p99_ms": flat_out["p99_ms"],
        "batch": args.batch,
        "clients": args.clients,
        "server_workers": args.workers,
        "rescore": args.rescore,
        "rescore_backlog_drained_s": round(lag, 1),
        **_outcome(url),
        "errors": load.errors,
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="measured seconds per backend (<= 30)"
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--batch", type=int, default=10, help="events per request")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="offered events/s of a paced phase (0: none)"
    )
    parser.add_argument("--new-leads", type=int, default=2, help="lead.upserted events per request")
    parser.add_argument("--clients", type=int, default=2, help="concurrent senders (threads)")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument(
        "--rescore",
        choices=("queue", "inline"),
        default="queue",
        help="SMARKETING_RESCORE of the server",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.seconds = min(args.seconds, 30.0)  # two backends stay within a minute
    results: dict[str, Any] = {}
    for backend in args.backend or ("sqlite", "postgresql"):
        try:
            if backend == "sqlite":
                with TemporaryDirectory() as folder:
                    results[backend] = run(f"sqlite:///{folder}/bench.db", args)
            else:
                with postgres_schema() as url:
                    results[backend] = run(url, args)
        except Exception as exc:  # a missing server is a result to report, not a crash
            results[backend] = {"error": f"{type(exc).__name__}: {exc}"}
        print(backend, json.dumps(results[backend]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
