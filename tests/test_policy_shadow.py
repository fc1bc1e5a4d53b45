"""Shadow and canary rulebooks: scored beside the live rulebook, stored apart, never handed off
(shadow) or handing off a declared share of new leads (canary); promoted or aborted by a publish."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from handoff_world import SETTINGS, api, lead, post, seed
from sqlalchemy import Engine, select

from scoring.db.audit import AuditEntry, PolicyVersion
from scoring.db.models import Contact, HandoffOutbox, LeadScore
from scoring.db.shadow import ShadowScore
from scoring.errors import ConfigError, RulebookError
from scoring.handoff.batch import score_and_qualify
from scoring.handoff.rescoring import drain
from scoring.handoff.scorer import default_pipeline
from scoring.policy import (
    Change,
    abort_shadow,
    in_force,
    promote_shadow,
    publish_text,
    start_shadow,
)
from scoring.policy.candidate import bucket, in_canary
from scoring.settings import PROJECT_ROOT


def _as_of() -> datetime:
    """A minute after now, read when the test runs: the API stamps leads with the clock, and a run of
    the suite can reach a test many minutes after its module was collected."""
    return datetime.now().replace(microsecond=0) + timedelta(minutes=1)


ANA, BO = Change("ana@example.com", "try a lower bar"), Change("bo@example.com")


def _candidate(engine: Engine, threshold: float, weight: str | None = None) -> str:
    """The rulebook in force with another MQL threshold (and one rule's points doubled)."""
    text = in_force(engine).definitions["rulebook"].text
    text, count = re.subn(
        r"^  threshold: .*$", f"  threshold: {threshold:g}", text, count=1, flags=re.M
    )
    assert count == 1
    if weight is not None:
        text, count = re.subn(rf"(- id: {weight}\n(?:    .*\n)*?    points: )(\d+)", _doubled, text)
        assert count == 1
    return text


def _doubled(match: re.Match[str]) -> str:
    return f"{match.group(1)}{int(match.group(2)) * 2}"


def _rows(engine: Engine, table: Any, *columns: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(*columns).select_from(table)).all())


def _post_leads(engine: Engine, names: list[str], rescore: str = "inline") -> dict[str, int]:
    """Post fit-only leads through the API (scored inline, or queued); their ids by name."""
    with api(engine, dataclasses.replace(SETTINGS, rescore=rescore)) as client:
        answer = post(client, "/v1/events", {"events": [lead(f"e-{n}", n) for n in names]})
    assert answer.status_code == 200, answer.text
    found = _rows(engine, Contact, Contact.external_id, Contact.id)
    return {name: i for name, i in found if name in names}


def test_canary_assignment_is_deterministic_and_at_its_declared_share() -> None:
    ids = np.arange(1, 10_001, dtype=np.int64)
    for share in (0.05, 0.1, 0.5):
        chosen = in_canary(ids, share)
        assert abs(chosen.mean() - share) < 0.015, (share, chosen.mean())
    # The same ids land in the same buckets in another process (no per-process hash seed).
    code = "import json, numpy as np; from scoring.policy.candidate import bucket; "
    code += "print(json.dumps(bucket(np.arange(1, 10001, dtype=np.int64)).tolist()))"
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert json.loads(other.stdout) == bucket(ids).tolist()
    assert ((bucket(ids) >= 0) & (bucket(ids) < 1)).all()
    assert set(np.flatnonzero(in_canary(ids, 0.1))) <= set(np.flatnonzero(in_canary(ids, 0.2)))


def test_shadow_scores_are_stored_apart_and_never_handed_off(engine: Engine) -> None:
    seed(engine)
    shadow = start_shadow(engine, _candidate(engine, 1), ANA)  # everyone with passing gates
    ids = _post_leads(engine, ["alpha", "beta", "gamma"])
    pipeline = default_pipeline(SETTINGS, engine)
    score_and_qualify(engine, pipeline, in_force(engine).rulebook, as_of=_as_of())

    live = dict(_rows(engine, LeadScore, LeadScore.contact_id, LeadScore.rulebook_version))
    stored = {r.contact_id: r for r in _rows(engine, ShadowScore, *ShadowScore.__table__.c)}
    assert set(stored) == set(live) >= set(ids.values())
    assert {r.rulebook_version for r in stored.values()} == {"shadow-" + shadow.version}
    assert {r.shadow_version for r in stored.values()} == {shadow.version}
    assert not any(r.canary for r in stored.values())
    assert set(live.values()) == {in_force(engine).rulebook.version}
    qualifying = [i for i, r in stored.items() if r.score >= r.threshold and not r.failed_gates]
    assert set(ids.values()) <= set(qualifying)  # the shadow would hand them all off ...
    assert _rows(engine, HandoffOutbox, HandoffOutbox.id) == []  # ... and handed off none
    stages = dict(_rows(engine, Contact, Contact.id, Contact.lifecycle_stage))
    assert "mql" not in {stages[i] for i in ids.values()}


def test_the_worker_scores_queued_leads_with_the_shadow_too_and_hands_off_none(
    engine: Engine,
) -> None:
    seed(engine)
    shadow = start_shadow(engine, _candidate(engine, 1), ANA)
    ids = _post_leads(engine, ["alpha", "beta"], rescore="queue")
    assert _rows(engine, ShadowScore, ShadowScore.contact_id) == []  # queued, not scored yet
    done = drain(engine, default_pipeline(SETTINGS, engine), now=_as_of())
    assert done.scored == 2 and done.qualified == []
    stored = _rows(engine, ShadowScore, ShadowScore.contact_id, ShadowScore.shadow_version)
    assert sorted(stored) == sorted((i, shadow.version) for i in ids.values())
    assert _rows(engine, HandoffOutbox, HandoffOutbox.id) == []


def test_promotion_publishes_the_candidate_whose_scores_equal_the_shadows(engine: Engine) -> None:
    seed(engine)
    _post_leads(engine, ["alpha", "beta"])
    before = in_force(engine).rulebook.version
    text = _candidate(engine, 20, weight="seniority_director")
    shadow = start_shadow(engine, text, ANA)
    score_and_qualify(
        engine, default_pipeline(SETTINGS, engine), in_force(engine).rulebook, as_of=_as_of()
    )
    columns = (ShadowScore.contact_id, ShadowScore.score, ShadowScore.fit, ShadowScore.engagement)
    columns += (ShadowScore.threshold, ShadowScore.failed_gates)
    shadowed = sorted(_rows(engine, ShadowScore, *columns))

    published = promote_shadow(engine, BO)
    policy = in_force(engine)
    assert policy.shadow is None and policy.rulebook.version == published.version != before
    assert policy.rulebook.threshold == 20
    score_and_qualify(engine, default_pipeline(SETTINGS, engine), policy.rulebook, as_of=_as_of())
    live = (LeadScore.contact_id, LeadScore.score, LeadScore.fit, LeadScore.engagement)
    live += (LeadScore.threshold, LeadScore.failed_gates)
    assert sorted(_rows(engine, LeadScore, *live)) == shadowed
    assert len(shadowed) >= 2

    with engine.connect() as connection:
        audit = connection.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.detail).order_by(AuditEntry.id)
        ).all()
        kinds = connection.scalars(select(PolicyVersion.kind).order_by(PolicyVersion.id)).all()
    assert [a.action for a in audit] == [
        "shadow_published",
        "rulebook_published",
        "shadow_promoted",
    ]
    assert audit[1].actor == "bo@example.com" and audit[1].detail["promotes"] == shadow.version
    assert audit[1].detail["from"] == before and audit[1].detail["to"] == published.version
    assert kinds == ["shadow", "rulebook", "shadow"]


def test_a_canary_hands_off_its_share_of_new_leads_under_the_candidate(engine: Engine) -> None:
    seed(engine)
    old = _post_leads(engine, ["old"])["old"]
    canary = start_shadow(engine, _candidate(engine, 1), ANA, mode="canary", share=0.5)
    assert canary.after_lead_id == old
    names = [f"lead{i}" for i in range(16)]
    ids = _post_leads(engine, names)
    chosen = canary.canary_ids(ids.values())
    assert chosen == {i for i in ids.values() if in_canary(np.array([i]), 0.5)[0]}
    assert 0 < len(chosen) < len(ids)  # both sides are exercised
    assert canary.canary_ids([old]) == set()  # a lead from before the canary stays live

    outbox = {
        r.contact_id: r.payload for r in _rows(engine, HandoffOutbox, *HandoffOutbox.__table__.c)
    }
    assert set(outbox) == chosen
    label = "canary-" + canary.version
    assert {p["score"]["rulebook_version"] for p in outbox.values()} == {label}
    versions = dict(_rows(engine, LeadScore, LeadScore.contact_id, LeadScore.rulebook_version))
    live = in_force(engine).rulebook.version
    assert {i: versions[i] for i in ids.values()} == {
        i: label if i in chosen else live for i in ids.values()
    }
    flags = dict(_rows(engine, ShadowScore, ShadowScore.contact_id, ShadowScore.canary))
    assert {i for i, flag in flags.items() if flag} == chosen


def test_the_batch_hands_off_the_canary_leads_under_the_candidate(engine: Engine) -> None:
    seed(engine)
    canary = start_shadow(engine, _candidate(engine, 1), ANA, mode="canary", share=0.5)
    ids = _post_leads(engine, [f"lead{i}" for i in range(16)], rescore="queue")  # not scored yet
    chosen = canary.canary_ids(ids.values())
    assert 0 < len(chosen) < len(ids)
    policy = in_force(engine)
    run = score_and_qualify(
        engine, default_pipeline(SETTINGS, engine), policy.rulebook, as_of=_as_of()
    )
    label = "canary-" + canary.version
    assert set(run.rescored.qualified) == chosen
    outbox = _rows(engine, HandoffOutbox, HandoffOutbox.contact_id, HandoffOutbox.payload)
    assert {i: p["score"]["rulebook_version"] for i, p in outbox} == dict.fromkeys(chosen, label)
    versions = dict(_rows(engine, LeadScore, LeadScore.contact_id, LeadScore.rulebook_version))
    assert {i for i, v in versions.items() if v == label} == chosen
    assert {v for i, v in versions.items() if i not in chosen} == {policy.rulebook.version}
    flags = dict(_rows(engine, ShadowScore, ShadowScore.contact_id, ShadowScore.canary))
    assert set(flags) == set(versions) and {i for i, f in flags.items() if f} == chosen


def test_one_shadow_at_a_time_and_an_abort_ends_it(engine: Engine) -> None:
    seed(engine)
    text = _candidate(engine, 30)
    with pytest.raises(ConfigError, match="equals the rulebook in force"):
        start_shadow(engine, in_force(engine).definitions["rulebook"].text, ANA)
    with pytest.raises(ConfigError, match="share"):
        start_shadow(engine, text, ANA, mode="canary", share=1.5)
    with pytest.raises(ConfigError, match="no shadow"):
        abort_shadow(engine, BO)
    first = start_shadow(engine, text, ANA)
    with pytest.raises(ConfigError, match="one shadow at a time"):
        start_shadow(engine, _candidate(engine, 25), ANA)
    ended = abort_shadow(engine, BO)
    assert in_force(engine).shadow is None and ended != first.version
    with pytest.raises(ConfigError, match="no shadow"):
        promote_shadow(engine, BO)
    again = start_shadow(engine, text, ANA, mode="canary", share=0.25)
    assert (again.mode, again.share) == ("canary", 0.25) and again.version not in (
        first.version,
        ended,
    )
    publish_text(engine, "rulebook", _candidate(engine, 45), BO)  # the live rulebook moved on
    with pytest.raises(ConfigError, match="abort it and start it again"):
        promote_shadow(engine, BO)
    with engine.connect() as connection:
        actions = connection.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        rulebooks = connection.scalars(
            select(PolicyVersion.id).where(PolicyVersion.kind == "rulebook")
        ).all()
    assert actions == [
        "shadow_published",
        "shadow_aborted",
        "shadow_published",
        "rulebook_published",
    ]
    assert len(rulebooks) == 1  # the refused promotion published nothing


def test_a_broken_candidate_is_refused_with_its_line_and_nothing_is_written(engine: Engine) -> None:
    broken = in_force(engine).definitions["rulebook"].text.replace("op: gte", "op: greater", 1)
    with pytest.raises(RulebookError) as error:
        start_shadow(engine, broken, ANA)
    assert "greater" in str(error.value)
    assert _rows(engine, PolicyVersion, PolicyVersion.id) == []
    assert json.dumps(in_force(engine).versions)  # still readable, nothing running
    assert in_force(engine).shadow is None
