"""A publish reaches the running API and worker: CLI, dashboard and rollback, on real processes.

The API (`smarketing serve`) and the worker (`smarketing worker`, queue mode) run as processes on one
demo database. After each publish, a new lead is posted; its stored score and, when it qualifies, its
handoff payload must carry the new version within 5 seconds.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from handoff_world import lead
from live_services import post_events, services
from sqlalchemy import Engine, insert, select
from streamlit.testing.v1 import AppTest

from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign, Contact, HandoffOutbox, LeadScore
from scoring.policy import in_force
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo

REACH_S = 5.0
APP = str(PROJECT_ROOT / "dashboard" / "app.py")
pytestmark = pytest.mark.slow


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=1500, seed=5)
    with engine.begin() as connection:
        if connection.scalar(select(Campaign.id).where(Campaign.code == "webinar-q4")) is None:
            connection.execute(
                insert(Campaign).values(code="webinar-q4", name="Q4 webinar", channel="webinar")
            )
    return url, engine


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scoring.cli", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _stored(engine: Engine, name: str) -> tuple[Any, Any, str]:
    """(score row, outbox row, stage) of the lead posted as `name` (None while not there). The
    stage is read last: the move to MQL commits with its outbox row, so a row seen here has its
    stage seen too (each read sees what was committed before it)."""
    with engine.connect() as connection:
        contact = connection.scalar(
            select(Contact.id).where(Contact.email == f"pat@{name}.example")
        )
        if contact is None:
            return None, None, ""
        score = connection.execute(select(LeadScore).where(LeadScore.contact_id == contact)).first()
        outbox = connection.execute(
            select(HandoffOutbox).where(HandoffOutbox.contact_id == contact)
        ).first()
        stage = connection.scalar(select(Contact.lifecycle_stage).where(Contact.id == contact))
    return score, outbox, str(stage)


def _posted_and_scored(base: str, engine: Engine, name: str, version: str, handoff: bool) -> Any:
    """Post a fit-only lead; wait until it is scored under `version` (and handed off, if asked)."""
    started = time.monotonic()
    post_events(base, [lead(f"{name}-0", name)])
    while time.monotonic() - started < REACH_S:
        score, outbox, stage = _stored(engine, name)
        if score is not None and score.rulebook_version == version and (outbox or not handoff):
            return score, outbox, stage
        time.sleep(0.1)
    raise AssertionError(f"{name}: not scored under {version} within {REACH_S} s: {score}")


def _rulebook_with_threshold(threshold: float, folder: Path) -> Path:
    text = (PROJECT_ROOT / "data" / "rulebook.yaml").read_text(encoding="utf-8")
    lowered, count = re.subn(
        r"^  threshold: .*$", f"  threshold: {threshold:g}", text, count=1, flags=re.M
    )
    assert count == 1
    path = folder / "lower.yaml"
    path.write_text(lowered, encoding="utf-8")
    return path


def test_cli_publish_and_rollback_reach_the_running_api_and_worker(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = database
    original = in_force(engine).rulebook
    with services(url, tmp_path) as base:
        before, outbox, stage = _posted_and_scored(base, engine, "alpha", original.version, False)
        assert before.score < before.threshold and outbox is None and stage != "mql"
        lower = math.floor(before.score)
        _cli("rules", "publish", str(_rulebook_with_threshold(lower, tmp_path)), "--by",
             "ana@example.com", "--note", "lower bar", "--database", url)  # fmt: skip
        published = in_force(engine)
        assert published.rulebook.threshold == lower
        score, outbox, stage = _posted_and_scored(
            base, engine, "beta", published.rulebook.version, True
        )
        assert stage == "mql" and score.threshold == lower
        assert outbox.payload["score"]["rulebook_version"] == published.rulebook.version
        assert outbox.payload["score"]["contract_version"] == published.contract.version

        _cli("rules", "rollback", original.version, "--by", "bo@example.com", "--database", url)
        restored = in_force(engine).rulebook
        assert restored.version not in (original.version, published.rulebook.version)
        assert restored.threshold == original.threshold
        score, outbox, stage = _posted_and_scored(base, engine, "gamma", restored.version, False)
        assert score.threshold == original.threshold and outbox is None and stage != "mql"
    versions = _cli("rules", "versions", "--database", url)
    assert published.rulebook.version in versions and f"{restored.version} (in force)" in versions


def test_a_publish_from_the_dashboard_reaches_the_running_api_and_worker(
    database: tuple[str, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = database
    original = in_force(engine).rulebook
    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    with services(url, tmp_path) as base:
        before, _, _ = _posted_and_scored(base, engine, "alpha", original.version, False)
        app = AppTest.from_file(APP, default_timeout=120)
        app.run()
        app.switch_page("pages/scoring_lab.py").run()
        app.slider(key="lab_threshold").set_value(float(math.floor(before.score))).run()
        app.text_input(key="lab_actor").input("revops@example.com").run()
        app.text_input(key="lab_publish_note").input("from the lab").run()
        app.checkbox(key="lab_publish_confirm").check().run()
        app.button(key="lab_publish").click().run()
        assert not app.exception, [e.value for e in app.exception]
        published = in_force(engine).rulebook
        assert published.version != original.version
        score, outbox, stage = _posted_and_scored(base, engine, "delta", published.version, True)
    assert stage == "mql" and outbox.payload["score"]["rulebook_version"] == published.version
    assert score.threshold == published.threshold == math.floor(before.score)
