"""Prometheus series in one process: counted on commit, bounded labels, gauges of the right database."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from handoff_world import activity, api, get, hot, lead, post, queue_handoffs, seed, signed
from prometheus_client import REGISTRY
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign
from scoring.errors import ConfigError, HandoffFailed
from scoring.handoff.payload import HandoffPayload
from scoring.handoff.retry import RetryPolicy
from scoring.handoff.worker import Worker
from scoring.metrics import on_commit, registry_for, serve_metrics
from scoring.settings import PROJECT_ROOT


def value(name: str, **labels: str) -> float:
    """A sample of the process's shared series (0 when the labelled child does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def events(outcome: str, reason: str = "", source: str = "web") -> float:
    return value("smarketing_events_total", source=source, outcome=outcome, reason=reason)


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    seed(sqlite_engine)
    with api(sqlite_engine) as client:
        yield client


def test_what_a_transaction_counts_is_published_only_when_it_commits(
    sqlite_engine: Engine,
) -> None:
    seen: list[str] = []
    with Session(sqlite_engine) as session:
        session.execute(insert(Campaign).values(code="a", name="A", channel="webinar"))
        on_commit(session, lambda: seen.append("undone"))
        session.rollback()  # what a retried unit of work (scoring.api.transaction) does first
        with session.begin():
            on_commit(session, lambda: seen.append("outer"))
            try:
                with session.begin_nested():
                    on_commit(session, lambda: seen.append("savepoint rolled back"))
                    raise RuntimeError
            except RuntimeError:
                pass
            with session.begin_nested():
                on_commit(session, lambda: seen.append("savepoint kept"))
            assert seen == []  # a released savepoint is not a commit
    assert seen == ["outer", "savepoint kept"]


def test_every_event_outcome_is_counted_once_by_source_and_reason(client: TestClient) -> None:
    before = {
        key: events(*key)
        for key in [
            ("accepted",),
            ("duplicate",),
            ("rejected", "invalid"),
            ("rejected", "unknown_lead"),
            ("rejected", "unknown_campaign"),
            ("rejected", "email_taken"),
        ]
    }
    first = [lead("m-1", "acme"), lead("m-2", "beta")]
    assert post(client, "/v1/events", {"events": first}).status_code == 200
    second = [
        lead("m-1", "acme"),  # duplicate id
        {"id": "m-3", "type": "lead.upserted"},  # invalid
        activity("m-4", "nobody", "demo_request"),  # unknown lead
        lead("m-5", "gamma", campaign="no-such-campaign"),
        lead("m-6", "delta", email="pat@acme.example"),  # acme's email
        lead("m-7", "epsilon"),
    ]
    response = post(client, "/v1/events", {"events": second})
    assert response.status_code == 200, response.text
    moved = {key: events(*key) - count for key, count in before.items()}
    assert moved == {
        ("accepted",): 3,
        ("duplicate",): 1,
        ("rejected", "invalid"): 1,
        ("rejected", "unknown_lead"): 1,
        ("rejected", "unknown_campaign"): 1,
        ("rejected", "email_taken"): 1,
    }


def test_a_refused_request_counts_under_its_configured_source_or_unknown(
    client: TestClient,
) -> None:
    before = (
        events("refused", "unauthenticated"),
        events("refused", "unauthenticated", "unknown"),
        events("refused", "too_large", "unknown"),
        events("accepted"),
    )
    body = json.dumps({"events": [lead("r-1", "acme")]}).encode()
    wrong = client.post("/v1/events", content=body, headers=signed(b"another body"))
    stranger = signed(body, source="mallory@example.com", secret="guess")
    unknown = client.post("/v1/events", content=body, headers=stranger)
    huge = client.post("/v1/events", content=b"x", headers={"Content-Length": str(10**9)})
    assert (wrong.status_code, unknown.status_code, huge.status_code) == (401, 401, 413)
    after = (
        events("refused", "unauthenticated"),
        events("refused", "unauthenticated", "unknown"),
        events("refused", "too_large", "unknown"),
        events("accepted"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 0]
    sources = {
        s.labels["source"]
        for family in REGISTRY.collect()
        if family.name == "smarketing_events"
        for s in family.samples
    }
    assert "mallory@example.com" not in sources  # what a stranger sends never becomes a label


def test_latency_is_labelled_by_route_template_method_and_status_class(
    client: TestClient,
) -> None:
    series = "smarketing_http_request_duration_seconds_count"
    lookup = {"route": "/v1/leads/{lead_id}", "method": "GET", "status_class": "4xx"}
    unmatched = {"route": "unmatched", "method": "GET", "status_class": "4xx"}
    before = value(series, **lookup), value(series, **unmatched)
    assert get(client, "/v1/leads/424242").status_code == 404
    assert client.get("/no/such/path/424242").status_code == 404
    assert (value(series, **lookup), value(series, **unmatched)) == (before[0] + 1, before[1] + 1)
    text = client.get("/metrics").text
    assert "424242" not in text
    assert 'smarketing_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text


def test_an_mql_is_counted_by_the_rulebook_version_that_made_it(client: TestClient) -> None:
    version = client.get("/v1/health").json()["rulebook_version"]
    before = value("smarketing_mqls_total", rulebook_version=version)
    response = post(client, "/v1/events", {"events": hot("acme")})
    assert response.json()["qualified"] == [1]
    assert value("smarketing_mqls_total", rulebook_version=version) == before + 1


def test_the_queue_gauges_read_the_database_of_their_own_registry(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    queue_handoffs(sqlite_engine, 2)
    full, empty = registry_for(sqlite_engine), registry_for(other)
    assert full.get_sample_value("smarketing_outbox_depth") == 2
    assert empty.get_sample_value("smarketing_outbox_depth") == 0
    assert empty.get_sample_value("smarketing_outbox_oldest_pending_age_seconds") == 0
    assert full.get_sample_value("smarketing_database_up") == 1
    missing = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")
    broken = registry_for(missing)
    assert broken.get_sample_value("smarketing_database_up") == 0  # no exception, no gauges
    assert broken.get_sample_value("smarketing_outbox_depth") is None
    other.dispose()


@dataclass
class Scripted:
    """A CRM that fails as scripted, then accepts."""

    failures: list[HandoffFailed] = field(default_factory=list)
    name: str = "builtin"  # as the built-in CRM: no crm_records row to keep

    def deliver(self, payload: HandoffPayload) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        return f"crm-{payload.lead.id}"

    def close(self) -> None:
        pass


def test_the_worker_counts_deliveries_retries_and_dead_letters(sqlite_engine: Engine) -> None:
    queue_handoffs(sqlite_engine, 2)
    crm = Scripted([HandoffFailed(1, 503, "busy"), HandoffFailed(2, 400, "bad", retryable=False)])
    names = [
        ("smarketing_handoff_deliveries_total", {"result": "delivered"}),
        ("smarketing_handoff_deliveries_total", {"result": "failed"}),
        ("smarketing_handoff_deliveries_total", {"result": "dead"}),
        ("smarketing_handoff_retries_total", {}),
        ("smarketing_handoff_dead_letters_total", {}),
    ]
    before = [value(name, **labels) for name, labels in names]
    policy = RetryPolicy(base_s=0.01, cap_s=0.02)
    worker = Worker(sqlite_engine, crm, policy=policy, batch=1, clock=datetime.now)
    for _ in range(100):  # the retry comes due within milliseconds
        worker.run(until_idle=True)
        if worker.stats.delivered:
            break
    after = [value(name, **labels) for name, labels in names]
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 1, 1]


def test_the_worker_port_serves_on_localhost_and_a_taken_port_is_one_clear_error(
    sqlite_engine: Engine,
) -> None:
    assert serve_metrics(sqlite_engine, None)() is None  # no port: nothing served
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"--metrics-port {port} on 127.0.0.1"):
            serve_metrics(sqlite_engine, port)
    stop = serve_metrics(sqlite_engine, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            assert b"smarketing_outbox_depth 0.0" in answer.read()
    finally:
        stop()


def test_every_series_is_documented_in_the_operations_doc(sqlite_engine: Engine) -> None:
    doc = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    suffix = {"counter": "_total"}
    names = {
        family.name + suffix.get(family.type, "")
        for family in registry_for(sqlite_engine).collect()
        if family.name.startswith("smarketing_")
    }
    assert len(names) == 14
    assert [name for name in sorted(names) if f"`{name}`" not in doc] == []
