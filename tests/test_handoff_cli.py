"""`smarketing worker | handoff | sla | export | serve | openapi` from the command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from handoff_world import NOW, queue_handoffs
from sqlalchemy import Engine, insert, update
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine, upgrade
from scoring.db.models import Contact, HandoffOutbox, LifecycleEvent, Rep
from scoring.settings import PROJECT_ROOT

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def queued(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    queue_handoffs(engine, 3)
    return engine


def test_the_worker_delivers_until_idle_with_the_builtin_adapter(url: str, queued: Engine) -> None:
    result = runner.invoke(
        app, ["worker", "--database", url, "--adapter", "builtin", "--until-idle", "--id", "w1"]
    )
    assert result.exit_code == 0, result.output
    assert "worker w1 ready: adapter builtin" in result.output
    assert "worker w1: 0 rescored, 3 claimed, 3 delivered, 0 to retry, 0 dead" in result.output
    status = runner.invoke(app, ["handoff", "status", "--database", url])
    assert "delivered" in status.output and "3" in status.output


def test_dead_letters_are_listed_and_replayed(url: str, queued: Engine) -> None:
    with queued.begin() as connection:
        connection.execute(
            update(HandoffOutbox)
            .where(HandoffOutbox.id < 3)
            .values(status="dead", last_status=400, last_error="bad field")
        )
    listed = runner.invoke(app, ["handoff", "dead", "--database", url])
    assert listed.exit_code == 0, listed.output
    assert "mql-1-1" in listed.output and "bad field" in listed.output
    assert runner.invoke(app, ["handoff", "replay", "--database", url]).exit_code != 0
    one = runner.invoke(app, ["handoff", "replay", "1", "--database", url])
    assert "1 dead letter(s) queued again" in one.output
    rest = runner.invoke(app, ["handoff", "replay", "--all", "--database", url])
    assert "1 dead letter(s) queued again" in rest.output


def test_sla_lists_mqls_past_their_acceptance_deadline_with_owner_and_age(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    entered = NOW - timedelta(days=10)
    with engine.begin() as connection:
        connection.execute(
            insert(Rep).values(
                id=1,
                email="ada@sales.example",
                name="Ada",
                team="T",
                territory="X",
                weekly_capacity=5,
                active=True,
            )
        )
        for n, (owner, since) in enumerate([(1, entered), (None, entered), (1, NOW)], start=1):
            connection.execute(
                insert(Contact).values(
                    id=n,
                    external_id=f"c{n}",
                    lifecycle_stage="mql",
                    owner_rep_id=owner,
                    created_at=since,
                    updated_at=since,
                    do_not_contact=False,
                )
            )
            connection.execute(
                insert(LifecycleEvent).values(
                    contact_id=n, from_stage="lead", to_stage="mql", occurred_at=since, actor="t"
                )
            )
    result = runner.invoke(app, ["sla", "--database", url])
    assert result.exit_code == 0, result.output
    assert "ada@sales" in result.output and "(unassigned)" in result.output
    assert "2 lead(s) past the mql SLA" in result.output


def test_export_writes_date_partitions(url: str, queued: Engine, tmp_path: Path) -> None:
    runner.invoke(app, ["worker", "--database", url, "--adapter", "builtin", "--until-idle"])
    result = runner.invoke(
        app, ["export", "--since", "2020-01-01", str(tmp_path / "warehouse"), "--database", url]
    )
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "warehouse").glob("date=*/signals.parquet"))


def test_openapi_prints_the_document() -> None:
    result = runner.invoke(app, ["openapi"])
    assert json.loads(result.output)["info"]["title"] == "smarketing"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_health_on_loopback(url: str) -> None:
    port = _free_port()
    env = {**os.environ, "SMARKETING_SOURCE_SECRETS": "web=s"}
    command = [sys.executable, "-m", "scoring.cli", "serve", "--database", url, "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/v1/health", timeout=2
                ) as response:
                    health = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "smarketing serve did not answer within 60 s"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (health["status"], health["database"], health["pending_handoffs"]) == ("ok", "sqlite", 0)
