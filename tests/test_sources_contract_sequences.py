"""Property: whatever stages, reasons, outcomes and dated histories a run of imports brings, what
the database records is a legal path of the contract (accepted imports) or nothing (refused ones)."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sources_world import snapshot, write_csv
from sqlalchemy import Engine, select

from scoring.db import make_engine, upgrade
from scoring.db.models import LIFECYCLE_STAGES, Contact, LifecycleEvent
from scoring.errors import ImportRejected
from scoring.lifecycle import load_contract
from scoring.lifecycle.replay import replay
from scoring.reasons import load_reasons
from scoring.sources import import_files, load_profile

VOCABULARY = load_reasons()
CONTRACT = load_contract(vocabulary=VOCABULARY)
REASONS = ["", *sorted(VOCABULARY.active_codes)[:4]]
KEYS = itertools.count()

contact_rows = st.tuples(
    st.sampled_from(["", *LIFECYCLE_STAGES]), st.sampled_from(REASONS), st.booleans()
).map(lambda row: ("contacts", [row]))


@st.composite
def history_rows(draw: st.DrawFn) -> tuple[str, list[tuple[Any, ...]]]:
    """Mostly walks along the contract's transitions, sometimes a jump anywhere."""
    stage = draw(st.sampled_from([*CONTRACT.initial_stages, *LIFECYCLE_STAGES]))
    rows = []
    for day in sorted(draw(st.lists(st.integers(0, 400), min_size=1, max_size=4))):
        moment = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)
        rows.append((stage, f"{moment:%Y-%m-%dT%H:%M:%S}", draw(st.sampled_from(REASONS))))
        exits = [t.target for t in CONTRACT.exits(stage)]
        jump = not exits or draw(st.integers(0, 4)) == 0
        stage = draw(st.sampled_from(LIFECYCLE_STAGES if jump else exits))
    return "history", rows


imports = st.lists(st.one_of(contact_rows, history_rows()), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def database() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'smarketing.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()


def _file(folder: Path, key: str, kind: str, rows: list[tuple[Any, ...]]) -> str:
    if kind == "contacts":
        header = ("external_id", "lifecycle_stage", "disqualification_reason", "won")
        data = [(key, stage, reason, str(won).lower()) for stage, reason, won in rows]
    else:
        header = ("contact", "stage", "occurred_at", "reason")
        data = [(key, *row) for row in rows]
    return f"{kind}={write_csv(folder / f'{kind}.csv', header, data)}"


def _history(engine: Engine, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with engine.connect() as connection:
        events = pd.DataFrame(
            connection.execute(
                select(
                    Contact.external_id.label("contact"),
                    LifecycleEvent.from_stage,
                    LifecycleEvent.to_stage,
                    LifecycleEvent.reason_code,
                )
                .join(Contact, Contact.id == LifecycleEvent.contact_id)
                .where(Contact.external_id == key)
                .order_by(LifecycleEvent.id)
            ).all(),
            columns=["contact", "from_stage", "to_stage", "reason_code"],
        )
        contacts = pd.DataFrame(
            connection.execute(
                select(Contact.external_id, Contact.lifecycle_stage).where(
                    Contact.external_id == key
                )
            ).all(),
            columns=["external_id", "lifecycle_stage"],
        ).set_index("external_id")
    return events, contacts


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(runs=imports)
def test_accepted_imports_never_record_a_stage_change_outside_the_contract(
    database: Engine, runs: list[tuple[str, list[tuple[Any, ...]]]]
) -> None:
    key = f"p-{next(KEYS)}"
    profile = load_profile("canonical")
    with tempfile.TemporaryDirectory() as folder:
        for kind, rows in runs:
            before = snapshot(database)
            try:
                files = [_file(Path(folder), key, kind, rows)]
                if kind == "history":  # with its contact row, which states no stage
                    files.append(_file(Path(folder), key, "contacts", [("", "", False)]))
                import_files(database, profile, files)
                event(f"{kind} import accepted")
            except ImportRejected:
                event(f"{kind} import refused")
                assert snapshot(database) == before
    events, contacts = _history(database, key)
    if contacts.empty:
        assert events.empty
        return
    violations = replay(events, CONTRACT, VOCABULARY)
    assert violations.empty, violations.to_dict("records")
    assert contacts["lifecycle_stage"].iat[0] == events["to_stage"].iat[-1]
