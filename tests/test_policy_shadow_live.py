"""A canary and its promotion reach the running API and worker (real processes, queue mode).

A canary of every new lead (share 1) with a lower threshold is started from the command line while
`smarketing serve` and `smarketing worker` run: the next lead posted is scored and handed off under
the candidate within seconds. Promoting it publishes the candidate as the rulebook in force, which
the next lead is scored under.
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

from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign, Contact, HandoffOutbox, LeadScore
from scoring.db.shadow import ShadowScore
from scoring.policy import in_force
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo

REACH_S = 5.0
pytestmark = pytest.mark.slow


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


def _scored(base: str, engine: Engine, name: str, version: str, handoff: bool) -> Any:
    """Post a fit-only lead; its (score, outbox, shadow score) once scored under `version`."""
    post_events(base, [lead(f"{name}-0", name)])
    started, found = time.monotonic(), None
    while time.monotonic() - started < REACH_S:
        with engine.connect() as connection:
            contact = connection.scalar(
                select(Contact.id).where(Contact.email == f"pat@{name}.example")
            )
            score = connection.execute(
                select(LeadScore).where(LeadScore.contact_id == contact)
            ).first()
            outbox = connection.execute(
                select(HandoffOutbox).where(HandoffOutbox.contact_id == contact)
            ).first()
            shadow = connection.execute(
                select(ShadowScore).where(ShadowScore.contact_id == contact)
            ).first()
        found = (score, outbox, shadow)
        if score is not None and score.rulebook_version == version and (outbox or not handoff):
            return found
        time.sleep(0.1)
    raise AssertionError(f"{name}: not scored under {version} within {REACH_S} s: {found}")


def test_a_canary_and_its_promotion_reach_the_running_api_and_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=1500, seed=5)
    with engine.begin() as connection:
        if connection.scalar(select(Campaign.id).where(Campaign.code == "webinar-q4")) is None:
            connection.execute(
                insert(Campaign).values(code="webinar-q4", name="Q4 webinar", channel="webinar")
            )
    live = in_force(engine).rulebook
    with services(url, tmp_path) as base:
        before, outbox, shadow = _scored(base, engine, "alpha", live.version, False)
        assert before.score < before.threshold and outbox is None and shadow is None
        text = in_force(engine).definitions["rulebook"].text
        lower = math.floor(before.score)
        text, count = re.subn(
            r"^  threshold: .*$", f"  threshold: {lower}", text, count=1, flags=re.M
        )
        assert count == 1
        candidate = tmp_path / "candidate.yaml"
        candidate.write_text(text, encoding="utf-8")
        _cli("rules", "publish", str(candidate), "--mode", "canary", "--canary-share", "1",
             "--by", "ana@example.com", "--database", url)  # fmt: skip
        canary = in_force(engine).shadow
        assert canary is not None
        score, outbox, shadow = _scored(base, engine, "beta", canary.rulebook.version, True)
        assert outbox.payload["score"]["rulebook_version"] == canary.rulebook.version
        assert shadow.canary and shadow.score == score.score and score.threshold == lower

        _cli("rules", "shadow", "promote", "--by", "bo@example.com", "--database", url)
        promoted = in_force(engine)
        assert promoted.shadow is None and promoted.rulebook.threshold == lower
        score, outbox, shadow = _scored(base, engine, "gamma", promoted.rulebook.version, True)
        assert outbox.payload["score"]["rulebook_version"] == promoted.rulebook.version
        assert shadow is None  # nothing scores beside the rulebook in force any more
