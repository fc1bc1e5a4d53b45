"""Replayed failure: a full disk gave a bare 500 while /health said ok.

The database is real SQLite whose size is capped with `PRAGMA max_page_count` (SQLite then fails
writes exactly as on a full disk: SQLITE_FULL, "database or disk is full"). Batches are posted
until one no longer fits: it is answered 507 problem+json, none of its events is written, /health
answers 503 naming the storage check, and every batch accepted before is intact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from handoff_world import SETTINGS, lead, post, seed
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from scoring.api import create_app
from scoring.db import make_engine, upgrade
from scoring.db.models import Contact, InboundEvent
from scoring.handoff.scorer import default_pipeline

HEADROOM_PAGES = 40


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'small.db'}"
    setup = make_engine(url)
    upgrade(setup)
    seed(setup)
    with setup.connect() as connection:
        pages = int(connection.execute(text("PRAGMA page_count")).scalar_one())
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    setup.dispose()
    engine = make_engine(url)

    def cap(dbapi: Any, _record: Any) -> None:
        dbapi.execute(f"PRAGMA max_page_count = {pages + HEADROOM_PAGES}")

    event.listen(engine, "connect", cap)
    yield engine
    engine.dispose()


def batch(n: int) -> dict[str, Any]:
    # ~50 KB a batch: a few batches fill the headroom
    notes = {f"note{k}": "z" * 500 for k in range(5)}
    return {
        "events": [lead(f"b{n}-{i}", f"x{n}-{i}", email=None, attributes=notes) for i in range(20)]
    }


def test_a_full_database_answers_507_writes_nothing_and_health_names_it(capped: Engine) -> None:
    app = create_app(SETTINGS, engine=capped, pipeline=default_pipeline(SETTINGS, capped))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/v1/health").json()["checks"] == {"database": "ok", "storage": "ok"}
        accepted = 0
        for n in range(200):
            answer = post(client, "/v1/events", batch(n))
            if answer.status_code != 200:
                break
            accepted += answer.json()["accepted"]
        else:
            pytest.fail("the capped database never filled up")
        assert answer.status_code == 507, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["error"] == "storage_full" and problem["status"] == 507
        assert "nothing of this request was written" in problem["message"]
        assert accepted > 0

        health = client.get("/v1/health")
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "failing"
        assert body["checks"]["database"] == "ok"
        assert "full" in body["checks"]["storage"]

    with Session(capped) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == accepted
        ids = set(session.scalars(select(InboundEvent.event_id)))
    assert not {e for e in ids if e.startswith(f"b{n}-")}  # the refused batch left nothing
    assert len(ids) == accepted
    json.dumps(body)  # the health answer is plain JSON, not a traceback
