"""Four-eyes publishing: a proposal is in force only once a different publisher approves it; every
step is audited with who did it; the action functions check roles themselves."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from scoring.access import Actor
from scoring.db.audit import PolicyProposal, PolicyVersion
from scoring.errors import NotPermitted, ProposalRefused, RulebookError
from scoring.exports import FORMULA_TRIGGERS, to_safe_csv
from scoring.policy import (
    approve,
    audit_log,
    in_force,
    proposals,
    propose,
    propose_rollback,
    publish_as,
    reject,
)
from scoring.policy.resolve import DEFAULT_FILES

ALICE = Actor("alice@example.com", "publisher", signed_in=True, four_eyes=True)
BOB = Actor("bob@example.com", "publisher", signed_in=True, four_eyes=True)
NOW = datetime(2026, 12, 7, 9, 0)


def _lower_threshold(engine: Engine, by: int = 5) -> str:
    text = in_force(engine).definitions["rulebook"].text
    book = in_force(engine).rulebook
    old = f"threshold: {book.threshold:g}"
    assert old in text
    return text.replace(old, f"threshold: {book.threshold - by:g}", 1)


def _versions(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(PolicyVersion)) or 0)


def test_a_proposal_is_in_force_only_after_a_different_publisher_approves(engine: Engine) -> None:
    before = in_force(engine).rulebook
    made = propose(engine, "rulebook", _lower_threshold(engine), ALICE, note="wider net", now=NOW)
    assert in_force(engine).rulebook.version == before.version and _versions(engine) == 0
    assert [p.id for p in proposals(engine)] == [made.id]
    assert f"-  threshold: {before.threshold:g}" in made.detail["diff"]
    assert f"+  threshold: {before.threshold - 5:g}" in made.detail["diff"]

    with pytest.raises(ProposalRefused, match="different publisher"):
        approve(engine, made.id, Actor("ALICE@example.com", "publisher", True, True))
    assert in_force(engine).rulebook.version == before.version

    published = approve(engine, made.id, BOB, note="checked capacity", now=NOW)
    after = in_force(engine).rulebook
    assert after.version == published.version != before.version
    assert after.threshold == before.threshold - 5
    assert proposals(engine) == []

    log = audit_log(engine)
    steps = list(zip(log["action"], log["actor"], strict=True))[::-1]
    assert steps == [
        ("rulebook_proposed", "alice@example.com"),
        ("rulebook_approved", "bob@example.com"),
        ("rulebook_published", "bob@example.com"),
    ]
    published_row = log[log["action"] == "rulebook_published"].iloc[0]
    assert '"proposed_by": "alice@example.com"' in published_row["detail"]
    assert published_row["role"] == "publisher" and published_row["note"] == "wider net"


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_roles_below_publisher_cannot_propose_approve_or_reject(engine: Engine, role: str) -> None:
    someone = Actor(f"{role}@example.com", role, signed_in=True, four_eyes=True)
    text = _lower_threshold(engine)
    with pytest.raises(NotPermitted, match=f"\\({role}\\) may not propose"):
        propose(engine, "rulebook", text, someone)
    made = propose(engine, "rulebook", text, ALICE)
    for action in (approve, reject):
        with pytest.raises(NotPermitted):
            action(engine, made.id, someone)
    with pytest.raises(NotPermitted):
        publish_as(engine, "rulebook", text, Actor(someone.name, role))
    assert _versions(engine) == 0 and len(proposals(engine)) == 1


def test_with_four_eyes_on_nobody_publishes_alone(engine: Engine) -> None:
    with pytest.raises(NotPermitted, match="four-eyes publishing is on"):
        publish_as(engine, "rulebook", _lower_threshold(engine), ALICE)
    assert _versions(engine) == 0


def test_the_single_user_publishes_at_once(engine: Engine) -> None:
    local = Actor.single_user("ana@example.com")
    published = publish_as(engine, "rulebook", _lower_threshold(engine), local, note="solo")
    assert in_force(engine).rulebook.version == published.version
    assert audit_log(engine)["actor"].tolist() == ["ana@example.com"]


def test_an_approval_after_another_publish_is_refused_as_stale(engine: Engine) -> None:
    made = propose(engine, "rulebook", _lower_threshold(engine, 5), ALICE)
    other = propose(engine, "rulebook", _lower_threshold(engine, 10), BOB)
    approve(engine, other.id, ALICE)
    in_force_now = in_force(engine).rulebook
    with pytest.raises(ProposalRefused, match="was published since"):
        approve(engine, made.id, BOB)
    assert in_force(engine).rulebook == in_force_now
    assert [p.id for p in proposals(engine)] == [made.id]


def test_a_rejected_proposal_stays_out_of_force_and_cannot_be_approved(engine: Engine) -> None:
    made = propose(engine, "rulebook", _lower_threshold(engine), ALICE)
    closed = reject(engine, made.id, BOB, note="too many MQLs for the team")
    assert closed.status == "rejected" and closed.decided_by == "bob@example.com"
    with pytest.raises(ProposalRefused, match=r"already rejected by bob@example\.com"):
        approve(engine, made.id, BOB)
    assert _versions(engine) == 0
    assert audit_log(engine)["action"].tolist() == ["rulebook_rejected", "rulebook_proposed"]


def test_an_invalid_proposal_is_refused_with_its_line(engine: Engine) -> None:
    broken = _lower_threshold(engine).replace("threshold:", "threshold: [", 1)
    with pytest.raises(RulebookError, match=r"<rulebook [^>]+>:\d+"):
        propose(engine, "rulebook", broken, ALICE)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(PolicyProposal)) == 0


def test_a_rollback_is_proposed_and_approved_like_a_publish(engine: Engine) -> None:
    shipped = in_force(engine).rulebook
    approve(engine, propose(engine, "rulebook", _lower_threshold(engine), ALICE).id, BOB)
    assert in_force(engine).rulebook.threshold == shipped.threshold - 5
    made = propose_rollback(engine, "rulebook", shipped.version, BOB)
    assert made.action == "rolled_back" and made.detail["restores"] == shipped.version
    assert in_force(engine).rulebook.threshold == shipped.threshold - 5  # not yet
    approve(engine, made.id, ALICE)
    assert in_force(engine).rulebook.threshold == shipped.threshold
    assert f"threshold: {shipped.threshold:g}" in DEFAULT_FILES["rulebook"].read_text()
    assert audit_log(engine)["action"].iloc[0] == "rulebook_rolled_back"


def test_the_audit_export_is_formula_safe(engine: Engine) -> None:
    hostile = Actor("=HYPERLINK(1)", "publisher", signed_in=True, four_eyes=True)
    propose(engine, "rulebook", _lower_threshold(engine), hostile, note="+1")
    rows = list(csv.reader(io.StringIO(to_safe_csv(audit_log(engine)).decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(1)" in cells and "'+1" in cells
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]


ISSUER = "https://idp.example.com"


def _signed(email: str, sub: str) -> Actor:
    """A publisher as the dashboard makes them from identity-token claims."""
    claims = {"email": email, "sub": sub, "iss": ISSUER}
    return Actor(email, "publisher", signed_in=True, four_eyes=True, identity=claims)


def test_a_proposer_who_takes_a_colleagues_email_still_cannot_approve(engine: Engine) -> None:
    """Replayed attack: four-eyes compared emails, so Alice proposed, changed her (unverified)
    email at the identity provider to Carol's and approved her own proposal as "Carol"."""
    alice = _signed("alice@example.com", "00u-alice")
    made = propose(engine, "rulebook", _lower_threshold(engine), alice)
    assert (made.proposer_iss, made.proposer_sub) == (ISSUER, "00u-alice")
    alice_as_carol = _signed("carol@example.com", "00u-alice")
    with pytest.raises(ProposalRefused, match="needs a different publisher"):
        approve(engine, made.id, alice_as_carol)
    assert _versions(engine) == 0 and [p.id for p in proposals(engine)] == [made.id]

    carol = _signed("carol@example.com", "00u-carol")  # the real Carol: another subject
    approve(engine, made.id, carol)
    assert _versions(engine) == 1


def test_the_same_name_at_another_subject_is_still_refused(engine: Engine) -> None:
    """A person with accounts at two identity providers (two subjects, one verified email) is one
    person: a different subject alone is not a second pair of eyes."""
    made = propose(engine, "rulebook", _lower_threshold(engine), _signed("ana@example.com", "g-1"))
    with pytest.raises(ProposalRefused, match="needs a different publisher"):
        approve(engine, made.id, _signed("ana@example.com", "okta-7"))


def test_an_approval_racing_another_publish_is_refused_inside_its_transaction(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replayed race: the version in force was checked before the approving transaction, so a
    publish landing in between (here the next day, so with another version label and no unique
    clash) was silently replaced by a text measured against the version before it."""
    import importlib

    from scoring.policy import Change, publish_text

    module = importlib.import_module("scoring.policy.proposals")  # `proposals` is also a function
    shipped = in_force(engine).rulebook.threshold
    made = propose(engine, "rulebook", _lower_threshold(engine, 5), ALICE, now=NOW)
    real_prepare = module.prepare

    def prepare_then_someone_publishes(*args, **kwargs):  # type: ignore[no-untyped-def]
        prepared = real_prepare(*args, **kwargs)
        publish_text(
            engine,
            "rulebook",
            _lower_threshold(engine, 10),
            Change("ops@example.com"),
            now=NOW.replace(day=NOW.day + 1),
        )
        return prepared

    monkeypatch.setattr(module, "prepare", prepare_then_someone_publishes)
    with pytest.raises(ProposalRefused, match="was published since it was proposed"):
        approve(engine, made.id, BOB, now=NOW)
    monkeypatch.undo()
    assert in_force(engine).rulebook.threshold == shipped - 10  # the other publish stands
    book = in_force(engine).definitions["rulebook"]
    assert book.origin.endswith("by ops@example.com") and _versions(engine) == 1
    assert [p.id for p in proposals(engine)] == [made.id]  # still open: reject and propose again
