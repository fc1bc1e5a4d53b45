"""Hypothesis: random attempted moves never leave the contract; each applied move has one history row."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select, update

from scoring.db import transaction
from scoring.db.models import Account, Contact, LifecycleEvent, Rep
from scoring.errors import TransitionNotAllowed
from scoring.lifecycle import load_contract
from scoring.lifecycle.stages import LIFECYCLE_STAGES
from scoring.reasons import load_reasons
from scoring.store.lifecycle import apply_transition
from scoring.store.reasons import sync_reasons

VOCABULARY = load_reasons()
CONTRACT = load_contract(vocabulary=VOCABULARY)
DECLARED = {(t.source, t.target) for t in CONTRACT.transitions}

facts = st.one_of(
    st.fixed_dictionaries(
        {
            "score": st.integers(30, 100),
            "threshold": st.just(60),
            "failed_gates": st.lists(st.sampled_from(["email_valid", "company_known"]), max_size=1),
        }
    ),
    st.just({}),
)
# A target is a stage name (usually not an allowed one) or k: the k-th exit the contract declares
# for wherever the contact is then, so that sequences walk deep into the lifecycle.
exits = st.integers(0, 20)
targets = st.one_of(exits, exits, exits, st.sampled_from((*LIFECYCLE_STAGES, "hot")))
moves = st.tuples(
    st.just("move"),
    targets,
    st.sampled_from(("bad_timing", "no_budget", "competitor", None, "spam", "nope")),
    facts,
)
# Edits outside the lifecycle (a rep is assigned or removed) change which guards hold.
owner_edits = st.tuples(st.just("owner"), st.booleans())
attempts = st.lists(st.one_of(moves, moves, owner_edits), min_size=2, max_size=15)


@pytest.fixture
def database(engine: Engine) -> Engine:
    with engine.begin() as connection:
        sync_reasons(connection, VOCABULARY)
        connection.execute(
            insert(Rep).values(id=1, email="rep@example.com", name="R", team="T", territory="EU")
        )
        connection.execute(insert(Account).values(id=1, name="Acme", domain="acme.example"))
    return engine


def _new_contact(engine: Engine, stage: str, with_account: bool) -> int:
    with engine.begin() as connection:
        count = connection.execute(select(func.count()).select_from(Contact)).scalar_one()
        values = {
            "external_id": f"c-{count}",
            "lifecycle_stage": stage,
            "account_id": 1 if with_account else None,
            "created_at": func.now(),
            "updated_at": func.now(),
        }
        return int(connection.execute(insert(Contact).values(**values)).inserted_primary_key[0])


def _state(engine: Engine, contact_id: int) -> tuple[str, list[Any]]:
    with engine.connect() as connection:
        stage = connection.execute(
            select(Contact.lifecycle_stage).where(Contact.id == contact_id)
        ).scalar_one()
        history = connection.execute(
            select(LifecycleEvent.from_stage, LifecycleEvent.to_stage)
            .where(LifecycleEvent.contact_id == contact_id)
            .order_by(LifecycleEvent.id)
        ).all()
    return stage, [tuple(row) for row in history]


def _attempt(engine: Engine, contact_id: int, attempt: tuple[Any, ...]) -> bool:
    """Run one attempt; True when it moved the contact."""
    if attempt[0] == "owner":
        with engine.begin() as connection:
            owner = 1 if attempt[1] else None
            connection.execute(
                update(Contact).where(Contact.id == contact_id).values(owner_rep_id=owner)
            )
        return False
    _, to, reason, supplied = attempt
    if isinstance(to, int):
        stage = _state(engine, contact_id)[0]
        exits = CONTRACT.exits(stage) or CONTRACT.transitions
        to = exits[to % len(exits)].target
    try:
        with transaction(engine) as session:
            apply_transition(
                session, contact_id, to, contract=CONTRACT, vocabulary=VOCABULARY,
                actor="hypothesis", facts=supplied, reason_code=reason,
            )  # fmt: skip
    except TransitionNotAllowed:
        return False
    return True


def _run(engine: Engine, start: tuple[str, bool], steps: list[tuple[Any, ...]]) -> int:
    """Apply `steps` to a new contact starting at `start`; return how many moves were applied."""
    contact_id = _new_contact(engine, start[0], start[1])
    stage, applied = start[0], 0
    for attempt in steps:
        moved = _attempt(engine, contact_id, attempt)
        now, history = _state(engine, contact_id)
        if moved:
            # A declared move, or a declared `via` path walked one declared step at a time.
            walk = CONTRACT.path(stage, now)
            steps_taken = [stage, *(walk.via if walk else ()), now]
            hops = list(pairwise(steps_taken))
            assert all(hop in DECLARED for hop in hops), f"{stage} -> {now} is outside the contract"
            applied += len(hops)
            assert history[-len(hops) :] == hops
        else:
            assert now == stage, "a refused or non-lifecycle edit changed the stage"
        assert len(history) == applied, "every applied step has exactly one history row"
        stage = now
    chain = [start[0]] + [to for _, to in history]
    assert [source for source, _ in history] == chain[:-1], "history rows chain stage to stage"
    return applied


starts = st.tuples(st.sampled_from(LIFECYCLE_STAGES), st.booleans())
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(start=starts, steps=attempts)
def test_random_attempts_never_leave_the_contract(
    database: Engine, start: tuple[str, bool], steps: list[tuple[Any, ...]]
) -> None:
    # The database fixture is shared by all examples; each example works on a contact of its own.
    event(f"applied {min(_run(database, start, steps), 3)}+ moves")
