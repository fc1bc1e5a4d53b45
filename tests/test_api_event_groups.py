"""Concurrent POST /v1/events requests share a commit, and each is still answered on its own.

The real server (`smarketing serve`, queue-mode rescoring) on 127.0.0.1 gets requests from many
senders at once, so they are applied in groups (scoring.api.grouping). Every answer must carry
only its own request's items, with their own indexes and fields; an event id sent by everyone is
applied once; the same signed request sent twice at once is applied once; a request that fails
inside a group does not fail the others.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from handoff_world import SETTINGS, activity, lead, seed, signed
from live_services import api_process
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.api import grouping
from scoring.api.app import Fixed
from scoring.api.auth import Caller
from scoring.api.grouping import EventGroups, Pending
from scoring.api.parsing import parse_batch
from scoring.db.models import Contact, InboundEvent
from scoring.errors import DuplicateRequest
from scoring.handoff.scorer import default_pipeline

pytestmark = pytest.mark.timeout(300)
SENDERS = 12


def _post(base: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    connection.request("POST", "/v1/events", body=body, headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def _at_once(calls: Sequence[Any]) -> list[Any]:
    """Run the calls on their own threads, released together; their results in order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(k: int) -> None:
        start.wait()
        results[k] = calls[k]()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _requests() -> list[tuple[bytes, list[dict[str, Any]]]]:
    """Per sender: its own lead, an activity on it, an invalid item, and an event everyone sends."""
    requests = []
    for k in range(SENDERS):
        events = [
            lead(f"own-{k}", f"sender{k}"),
            activity(f"act-{k}", f"sender{k}", "demo_request"),
            {**lead(f"bad-{k}", f"bad{k}"), "lead": {"external_id": f"bad{k}", "email": 7}},
            activity(f"unknown-{k}", "nobody", "page_view"),
            lead("shared-1", "shared"),
        ]
        requests.append((json.dumps({"events": events}).encode(), events))
    return requests


def test_concurrent_requests_are_each_answered_with_their_own_items(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine)
    url = engine.url.render_as_string(hide_password=False)
    with api_process(url, tmp_path, SMARKETING_RESCORE="queue") as (base, _proc):
        requests = _requests()
        answers = _at_once(
            [lambda body=body: _post(base, body, signed(body)) for body, _ in requests]
        )
    shared = []
    for k, ((status, answer), (_, events)) in enumerate(zip(answers, requests, strict=True)):
        assert status == 200, answer
        items = answer["results"]
        assert [item["index"] for item in items] == [0, 1, 2, 3, 4]
        assert [item["id"] for item in items] == [event["id"] for event in events]
        assert [item["status"] for item in items[:4]] == [
            "accepted",
            "accepted",
            "rejected",
            "rejected",
        ]
        assert items[2]["errors"][0]["field"] == "events.2.lead.email"
        assert items[3]["errors"][0]["field"] == "events.3.lead.external_id"
        shared.append(items[4]["status"])
        assert answer["accepted"] == 2 + (items[4]["status"] == "accepted")
        assert answer["rescoring"] == "queued"
        with Session(engine) as session:
            owner = session.get(Contact, items[0]["lead_id"])
            assert owner is not None and owner.external_id == f"sender{k}"
            assert items[1]["lead_id"] == owner.id
    assert sorted(shared) == ["accepted"] + ["duplicate"] * (SENDERS - 1)
    with Session(engine) as session:
        applied = session.scalar(select(func.count()).select_from(InboundEvent))
        assert applied == 2 * SENDERS + 1
        assert session.scalar(select(func.count()).select_from(Contact)) == SENDERS + 1


def test_one_signed_request_sent_many_times_at_once_is_applied_once(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine)
    url = engine.url.render_as_string(hide_password=False)
    body = json.dumps({"events": [lead("e-1", "ann")]}).encode()
    headers = signed(body)  # one nonce for all of them
    with api_process(url, tmp_path, SMARKETING_RESCORE="queue") as (base, _proc):
        answers = _at_once([lambda: _post(base, body, headers)] * 6)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [409] * 5
    assert all(answer["error"] == "duplicate" for status, answer in answers if status == 409)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1


def _pending(source: str, nonce: str, events: list[dict[str, Any]]) -> Pending:
    valid, rejected = parse_batch(json.dumps({"events": events}).encode())
    return Pending(Caller(source, nonce), valid, rejected)


def test_a_group_that_fails_is_applied_again_one_request_at_a_time(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine)
    settings = type(SETTINGS)(**{**SETTINGS.__dict__, "rescore": "queue"})
    pipeline = default_pipeline(settings, engine)
    real = grouping.apply_events

    def failing_for_crm(session: Session, pipeline: Any, source: str, *args: Any) -> Any:
        if source == "crm":
            raise RuntimeError("the crm's batch cannot be written")
        return real(session, pipeline, source, *args)

    monkeypatch.setattr(grouping, "apply_events", failing_for_crm)
    groups = EventGroups(Fixed(pipeline), nullcontext(), 300.0)
    good = _pending("web", "n-1", [lead("e-1", "ann")])
    bad = _pending("crm", "n-2", [lead("e-2", "bob")])
    again = _pending("web", "n-1", [lead("e-3", "cid")])  # the same nonce as `good`
    last = _pending("web", "n-4", [lead("e-4", "dee")])
    with Session(engine) as session:
        groups.run(session, pipeline, [good, bad, again, last])
    assert isinstance(good.outcome, grouping.BatchResult) and good.outcome.accepted == 1
    assert isinstance(last.outcome, grouping.BatchResult) and last.outcome.accepted == 1
    assert isinstance(bad.outcome, RuntimeError)
    assert isinstance(again.outcome, DuplicateRequest)
    with Session(engine) as session:
        names = set(session.scalars(select(Contact.external_id)))
    assert names == {"ann", "dee"}
