"""Load benchmark of POST /v1/events on 127.0.0.1: single events and batches of 100, durable.

    python benchmarks/bench_ingest.py --json results.json [--profile DIR]

For each backend (SQLite file, PostgreSQL schema) it migrates an empty database, seeds reps and a
campaign, starts the API (`smarketing serve`) on a free loopback port and a `smarketing worker`
that rescores the queued leads, then, after a warm-up, runs three phases one after the other:

- `http_floor_*`: `--floor` GET /docs (a route that touches neither database nor signature) by
  `--clients` threads: what uvicorn and HTTP cost by themselves on this machine;
- `events_per_s`, `p50_ms`, `p99_ms`: `--single` requests of one event each (every fifth creates
  a lead with its account, the others record an activity on an earlier lead) from
  `--single-clients` threads back to back (webhooks arrive from many senders at once);
- `batched_*`: `--batches` requests of `--batch-size` events (a HubSpot-style batch: each item is
  answered on its own with its index) from `--clients` threads.

Every request is signed (v2, fresh nonce) and answered only after its transaction committed.
Latencies are per request, measured by the client; `*server_ms` is the mean the server itself
measured (smarketing_http_request_duration_seconds, from /metrics), so the difference is HTTP and
client time; `*server_cpu_ms` is the server process's CPU time per request (from /proc), which
the machine's load hardly changes. `load_avg` is the 1-minute load average at the end, `peak_rss_mb` the server
process's peak resident memory. `--profile DIR` runs the server under the sampling profiler of
benchmarks/ingest_profile.py and leaves one report per phase in DIR. BENCH_SERVER_LOG /
BENCH_WORKER_LOG name files for the two processes' output. `--tree DIR` runs the server (and
worker) of another checkout, so a change is measured against its baseline in the same run.

Goal: >= 1,000 single events/s with p99 <= 50 ms, and >= 5,000 events/s in batches of 100.
Measured figures are in docs/performance.md, with the load average they ran under.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from ingest_load import SECRET, SOURCE, Load, percentile
from sqlalchemy import create_engine, insert, text

from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign, Rep

ROOT = Path(__file__).resolve().parent.parent
TEAMS = (("Mid-Market", "NA-MM"), ("Enterprise", "NA-ENT"), ("SMB Inside Sales", "NA-SMB"))
DURATION = "smarketing_http_request_duration_seconds"


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
def server(
    url: str, rescore: str, profile: Path | None, tree: Path = ROOT, cprofile: bool = False
) -> Iterator[tuple[int, int]]:
    """(port, pid) of the API server over `url`, stopped (and its profile written) on exit."""
    port = free_port()
    env = {
        **os.environ,
        "SMARKETING_SOURCE_SECRETS": f"{SOURCE}={SECRET}",
        "SMARKETING_API_RATE_LIMIT": "10000000",  # the limit is not what is measured
        "SMARKETING_RESCORE": rescore,
        "SMARKETING_DATABASE_URL": url,
        "PYTHONPATH": str(tree),  # another checkout's server, for a before/after in one run
    }
    command = [sys.executable, "-m", "scoring.cli", "serve", "--port", str(port)]
    if profile is not None:
        runner = str(Path(__file__).with_name("ingest_profile.py"))
        command = [sys.executable, runner, str(port), str(profile), *(["--cprofile"] * cprofile)]
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "wb")  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=tree, env=env, stdout=log, stderr=log)
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
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGINT if profile is not None else signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


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


def server_seconds(port: int) -> tuple[float, int]:
    """(sum of seconds, count) the server measured for POST /v1/events so far."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    total, count = 0.0, 0
    for line in connection.getresponse().read().decode().splitlines():
        if 'route="/v1/events"' not in line or 'method="POST"' not in line:
            continue
        if line.startswith(f"{DURATION}_sum"):
            total += float(line.rsplit(" ", 1)[1])
        elif line.startswith(f"{DURATION}_count"):
            count += int(float(line.rsplit(" ", 1)[1]))
    connection.close()
    return total, count


def http_floor(port: int, clients: int, requests: int) -> dict[str, float]:
    """GET /docs (no database, no signature) back to back: the HTTP cost alone."""
    latencies: list[float] = []
    left = [requests]
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            started = time.perf_counter()
            connection.request("GET", "/docs")
            connection.getresponse().read()
            with lock:
                latencies.append(time.perf_counter() - started)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "http_floor_per_s": round(len(latencies) / elapsed, 1),
        "http_floor_p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
        "http_floor_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB; NaN where /proc is not there."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process used so far (NaN where /proc is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _phase(port: int, pid: int, profiling: bool, measure: Any) -> dict[str, Any]:
    """Run `measure()`, add the server's own mean time and CPU per request, close the profile's
    phase. CPU per request hardly depends on what else runs on the machine; latency does."""
    before, cpu = server_seconds(port), cpu_seconds(pid)
    figures: dict[str, Any] = measure()
    after, cpu = server_seconds(port), cpu_seconds(pid) - cpu
    requests = max(1, after[1] - before[1])
    figures["server_ms"] = round((after[0] - before[0]) / requests * 1000, 2)
    figures["server_cpu_ms"] = round(cpu / requests * 1000, 2)
    if profiling:
        os.kill(pid, signal.SIGUSR1)
    return figures


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Warm up, then the HTTP floor, single events and batches, each on its own."""
    seed(url)
    profile = None
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        profile = args.profile / f"{url.split(':', 1)[0].split('+')[0]}.txt"
    with (
        server(url, args.rescore, profile, args.tree, args.cprofile) as (port, pid),
        rescoring_worker(url, args.rescore),
    ):
        load = Load(port, args.seed)
        load.drive(args.clients, 30, 10)  # first leads, connections, caches
        floor = http_floor(port, args.clients, args.floor)
        if profile is not None:
            os.kill(pid, signal.SIGUSR1)  # warm-up and floor: report .1
        single = _phase(
            port, pid, profile is not None, lambda: load.drive(args.single_clients, args.single, 1)
        )
        batched = _phase(
            port,
            pid,
            profile is not None,
            lambda: load.drive(args.clients, args.batches, args.batch_size),
        )
        rss = peak_rss_mb(pid)
        lag_started = time.monotonic()
        while (
            args.rescore == "queue"
            and _outcome(url)["queued"]
            and time.monotonic() - lag_started < 60
        ):
            time.sleep(0.2)
        lag = time.monotonic() - lag_started
    return {
        "events_per_s": single["events_per_s"],
        "p50_ms": single["p50_ms"],
        "p99_ms": single["p99_ms"],
        "server_ms": single["server_ms"],
        "server_cpu_ms": single["server_cpu_ms"],
        "single_requests": single["requests"],
        "batched_events_per_s": batched["events_per_s"],
        "batched_p50_ms": batched["p50_ms"],
        "batched_p99_ms": batched["p99_ms"],
        "batched_server_ms": batched["server_ms"],
        "batched_server_cpu_ms": batched["server_cpu_ms"],
        "batched_requests": batched["requests"],
        "batch_size": args.batch_size,
        "batched_items_answered": batched["answered_items"],
        **floor,
        "single_clients": args.single_clients,
        "clients": args.clients,
        "rescore": args.rescore,
        "rescore_backlog_drained_s": round(lag, 1),
        **_outcome(url),
        "errors": load.errors,
        "load_avg": round(os.getloadavg()[0], 2),
        "peak_rss_mb": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--single", type=int, default=3000, help="requests of one event")
    parser.add_argument("--batches", type=int, default=100, help="requests of --batch-size events")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--floor", type=int, default=2000, help="GET /docs requests")
    parser.add_argument("--clients", type=int, default=2, help="concurrent senders (threads)")
    parser.add_argument(
        "--single-clients", type=int, default=16, help="concurrent senders of single events"
    )
    parser.add_argument(
        "--tree", type=Path, default=ROOT, help="run the server of this source tree (before/after)"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument(
        "--rescore",
        choices=("queue", "inline"),
        default="queue",
        help="SMARKETING_RESCORE of the server",
    )
    parser.add_argument("--profile", type=Path, help="write the server's profile per phase here")
    parser.add_argument(
        "--cprofile", action="store_true", help="with --profile: also cProfile every server thread"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
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
