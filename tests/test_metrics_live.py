"""Prometheus scrapes of the real API (`smarketing serve`) and worker (`smarketing worker --metrics-port`).

Both run as processes on a seeded SQLite database. Signed events are posted (accepted), one badly
signed request is refused, and both /metrics are scraped over HTTP before and after: the counters
must move by exactly what was done, and every series the operations doc promises must be there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from handoff_world import fresh_timestamp, hot, seed, signed
from live_services import SECRETS, api_process, free_port, post_events
from prometheus_client.parser import text_string_to_metric_families

from scoring.db import make_engine, upgrade
from scoring.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
WAIT_S = 30.0
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass(frozen=True)
class Running:
    api: str  # base URL of the API
    worker_metrics: str  # URL of the worker's metrics


def scrape(url: str) -> Samples:
    with urllib.request.urlopen(url, timeout=5) as answer:
        text = answer.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def at(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _until(what: str, check: Callable[[], bool], seconds: float = WAIT_S) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        scrape(url)
    except OSError:
        return False
    return True


@contextmanager
def running(tmp_path: Path, rescore: str) -> Iterator[Running]:
    """The API and a worker serving metrics on free 127.0.0.1 ports, always terminated."""
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "SMARKETING_DATABASE_URL": url,
        "SMARKETING_SOURCE_SECRETS": SECRETS,
        "SMARKETING_RESCORE": rescore,
    }
    command = [sys.executable, "-m", "scoring.cli", "worker", "--adapter", "builtin"]
    command += ["--poll", "0.1", "--id", "metrics", "--metrics-port", str(port)]
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=env
        )
    try:
        with api_process(url, tmp_path, SMARKETING_RESCORE=rescore) as (base, _):
            metrics = f"http://127.0.0.1:{port}/metrics"
            _until(
                "the worker's metrics answer",
                lambda: _answers(metrics) or worker.poll() is not None,
            )
            assert worker.poll() is None, (tmp_path / "worker.log").read_text(errors="replace")
            yield Running(base, metrics)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def _post_badly_signed(base: str) -> int:
    body = json.dumps({"events": hot("mallory", prefix="x")}).encode()
    headers = signed(b'{"events": []}', at=fresh_timestamp())  # signs another body
    request = urllib.request.Request(f"{base}/v1/events", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def _rulebook_version(base: str) -> str:
    with urllib.request.urlopen(f"{base}/v1/health", timeout=5) as answer:
        return str(json.loads(answer.read())["rulebook_version"])


EVENTS = "smarketing_events_total"
LATENCY = "smarketing_http_request_duration_seconds_bucket"
DELIVERED = ("smarketing_handoff_deliveries_total", {"result": "delivered"})


def test_the_api_and_worker_count_events_refusals_mqls_and_deliveries(tmp_path: Path) -> None:
    with running(tmp_path, "inline") as live:
        version = _rulebook_version(live.api)
        api_before, worker_before = scrape(f"{live.api}/metrics"), scrape(live.worker_metrics)

        answer = post_events(live.api, hot("acme"))
        assert (answer["accepted"], answer["qualified"]) == (3, [1])
        assert _post_badly_signed(live.api) == 401

        api_after = scrape(f"{live.api}/metrics")
        _until(
            "the worker delivered the handoff",
            lambda: (
                at(scrape(live.worker_metrics), DELIVERED[0], **DELIVERED[1])
                == at(worker_before, DELIVERED[0], **DELIVERED[1]) + 1
            ),
        )
        worker_after = scrape(live.worker_metrics)
        api_final = scrape(f"{live.api}/metrics")

    def moved(name: str, **labels: str) -> float:
        return at(api_after, name, **labels) - at(api_before, name, **labels)

    assert moved(EVENTS, source="web", outcome="accepted", reason="") == 3
    assert moved(EVENTS, source="web", outcome="refused", reason="unauthenticated") == 1
    assert moved(EVENTS, source="web", outcome="rejected", reason="invalid") == 0
    events_route = {"route": "/v1/events", "method": "POST", "le": "+Inf"}
    assert moved(LATENCY, status_class="2xx", **events_route) == 1
    assert moved(LATENCY, status_class="4xx", **events_route) == 1
    assert moved("smarketing_mqls_total", rulebook_version=version) == 1
    assert ("smarketing_outbox_depth", frozenset()) in api_after  # 1 or 0: the worker races it
    assert at(api_after, "smarketing_database_up") == 1
    assert moved("smarketing_scoring_duration_seconds_count") == 1

    def worker_moved(name: str, **labels: str) -> float:
        return at(worker_after, name, **labels) - at(worker_before, name, **labels)

    assert worker_moved(DELIVERED[0], **DELIVERED[1]) == 1
    assert worker_moved("smarketing_handoff_deliveries_total", result="failed") == 0
    assert worker_moved("smarketing_handoff_dead_letters_total") == 0
    assert at(worker_after, "smarketing_outbox_depth") == 0
    assert at(api_final, "smarketing_outbox_depth") == 0  # both read the one database
    promised = {
        "smarketing_outbox_oldest_pending_age_seconds",
        "smarketing_outbox_dead_letters",
        "smarketing_rescore_queue_depth",
        "smarketing_handoff_retries_total",
        "smarketing_handoff_dead_letters_total",
    }
    assert promised <= {name for name, _ in worker_after}
    assert promised - {"smarketing_handoff_retries_total"} <= {name for name, _ in api_after}


def test_in_queue_mode_the_worker_counts_the_mqls_it_makes(tmp_path: Path) -> None:
    with running(tmp_path, "queue") as live:
        version = _rulebook_version(live.api)
        before = scrape(live.worker_metrics)
        answer = post_events(live.api, hot("acme"))
        assert (answer["accepted"], answer["rescoring"]) == (3, "queued")
        _until(
            "the worker delivered the handoff",
            lambda: (
                at(scrape(live.worker_metrics), DELIVERED[0], **DELIVERED[1])
                == at(before, DELIVERED[0], **DELIVERED[1]) + 1
            ),
        )
        after = scrape(live.worker_metrics)
        api_samples = scrape(f"{live.api}/metrics")
    mqls = "smarketing_mqls_total"
    moved = at(after, mqls, rulebook_version=version) - at(before, mqls, rulebook_version=version)
    assert moved == 1
    assert at(after, "smarketing_scoring_duration_seconds_count") >= 1
    assert at(api_samples, mqls, rulebook_version=version) == 0  # the API only queued the lead
    assert at(api_samples, EVENTS, source="web", outcome="accepted", reason="") == 3
