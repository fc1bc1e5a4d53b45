"""The demo data generator: deterministic frames, a consistent database on every backend, a funnel
with learnable outcomes and campaigns that differ, and the `smarketing demo` command."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.models import Base, Contact, LifecycleEvent
from scoring.errors import ConfigError, DataError
from scoring.lifecycle import load_contract
from scoring.lifecycle.replay import replay
from scoring.reasons import load_reasons
from scoring.sources.demo import CHUNK_SIZE, DemoChunk, generate_demo, simulate
from scoring.sources.demo.encode import Batch
from scoring.sources.demo.firmographics import domains
from scoring.sources.demo.frames import HIDDEN_COLUMNS
from scoring.sources.demo.write import bulk_load

SMALL = 2_500


@cache
def frames(leads: int, seed: int, chunk_size: int = CHUNK_SIZE) -> DemoChunk:
    return simulate(leads, seed, chunk_size=chunk_size).frames()


def read(engine: Engine, table: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(select(Base.metadata.tables[table]).order_by(text("1")), connection)


def listed(column: pd.Series) -> list[object]:
    """Values with every kind of missing as None, for comparing frames with rows read back."""
    return [None if pd.isna(v) else v for v in column.tolist()]


def acceptance(chunk: DemoChunk) -> pd.DataFrame:
    """Per original campaign: share of reviewed MQLs accepted, and disqualification reasons."""
    reviews = chunk.lifecycle_events[chunk.lifecycle_events["from_stage"] == "mql"]
    campaign = chunk.contacts.set_index("id")["original_campaign_id"]
    reviews = reviews.assign(campaign=reviews["contact_id"].map(campaign))
    return reviews.groupby("campaign").agg(
        reviewed=("to_stage", "size"),
        accepted=("to_stage", lambda s: (s == "sal").mean()),
        top_reason=("reason_code", lambda s: s.value_counts().index[0]),
    )


def campaign_id(chunk: DemoChunk, code: str) -> int:
    return 1 + list(simulate(1, 0).campaigns["code"]).index(code)


# ---- the pure simulation ------------------------------------------------------------------------


def test_same_seed_gives_identical_frames() -> None:
    first = simulate(SMALL, 11, chunk_size=1_000).frames()
    second = simulate(SMALL, 11, chunk_size=1_000).frames()
    for (name, a), (_, b) in zip(first.tables(), second.tables(), strict=True):
        pd.testing.assert_frame_equal(a, b, obj=name)


def test_different_seeds_give_different_frames() -> None:
    first, second = frames(SMALL, 1), frames(SMALL, 2)
    assert not first.contacts["email"].equals(second.contacts["email"])
    assert not first.touches["occurred_at"].equals(second.touches["occurred_at"])


@pytest.mark.parametrize("leads, seed", [(0, 1), (10, -1)])
def test_unusable_arguments_are_refused(leads: int, seed: int) -> None:
    with pytest.raises(ConfigError):
        simulate(leads, seed)


def test_ids_run_on_across_chunks() -> None:
    chunk = frames(SMALL, 3, 1_000)
    for name, frame in chunk.tables():
        assert frame["id"].tolist() == list(range(1, len(frame) + 1)), name


def test_every_stage_change_is_recorded_and_the_last_one_is_the_contact_stage() -> None:
    chunk = frames(SMALL, 4)
    events = chunk.lifecycle_events
    assert events["contact_id"].is_monotonic_increasing
    by_contact = events.groupby("contact_id")
    assert (by_contact["occurred_at"].diff().dropna() > pd.Timedelta(0)).all()
    first = by_contact.head(1)
    assert first["from_stage"].isna().all()
    previous = by_contact["to_stage"].shift()
    later = previous.notna()
    assert (events.loc[later, "from_stage"] == previous[later]).all()
    last = by_contact["to_stage"].last()
    stages = chunk.contacts.set_index("id")["lifecycle_stage"]
    assert last.reindex(stages.index).equals(stages)


def test_every_move_is_one_the_lifecycle_contract_allows() -> None:
    chunk = frames(SMALL, 4)
    contract = load_contract()
    events = chunk.lifecycle_events
    created = events[events["from_stage"].isna()]
    assert set(created["to_stage"]) <= set(contract.initial_stages)
    moves = events.dropna(subset=["from_stage"])
    pairs = set(zip(moves["from_stage"], moves["to_stage"], strict=True))
    assert all(contract.transition(a, b) for a, b in pairs), pairs
    recycled = moves[moves["to_stage"].isin(["nurture", "disqualified"])]
    assert recycled["reason_code"].notna().all()
    promoted = moves.loc[moves["to_stage"] == "lead", "contact_id"]
    accounts = chunk.contacts.set_index("id")["account_id"]
    assert accounts.reindex(promoted).notna().all()


def test_every_disqualification_cites_an_active_reason() -> None:
    events = frames(SMALL, 4).lifecycle_events
    disqualified = events[events["to_stage"] == "disqualified"]
    assert len(disqualified) > 0
    assert disqualified["reason_code"].isin(load_reasons().active_codes).all()
    kept = ~events["to_stage"].isin(["disqualified", "nurture"])
    assert events.loc[kept, "reason_code"].isna().all()


def test_owners_are_set_exactly_for_contacts_that_became_mqls() -> None:
    chunk = frames(SMALL, 5)
    handed_off = chunk.lifecycle_events.loc[
        chunk.lifecycle_events["to_stage"] == "mql", "contact_id"
    ]
    owned = chunk.contacts["owner_rep_id"].notna()
    assert set(chunk.contacts.loc[owned, "id"]) == set(handed_off)
    mqls = chunk.contacts["lifecycle_stage"] == "mql"
    assert mqls.any() and chunk.contacts.loc[mqls, "owner_rep_id"].notna().all()
    active = chunk.contacts["owner_rep_id"].dropna().isin(simulate(1, 5).reps.query("active")["id"])
    assert active.all()


def test_data_quality_problems_come_at_realistic_rates() -> None:
    contacts = frames(20_000, 6).contacts
    emails = contacts["email"].dropna()
    assert emails.is_unique
    personal = emails.str.contains(r"@(?:gmail|yahoo|hotmail)\.com$").mean()
    malformed = (~emails.str.fullmatch(r"[^@\s()]+@[a-z0-9.-]+\.[a-z]{2,}")).mean()
    assert 0.05 <= personal <= 0.11
    assert 0.005 <= malformed <= 0.03
    for column in ("job_title", "seniority", "department", "country"):
        assert 0.04 <= contacts[column].isna().mean() <= 0.16, column
    named = contacts.dropna(subset=["first_name", "last_name", "account_id"])
    same_person = named.duplicated(["first_name", "last_name", "account_id", "job_title"]).mean()
    assert 0.008 <= same_person <= 0.03


def test_account_domains_are_unique_across_the_whole_name_space() -> None:
    import numpy as np

    index = np.arange(0, 1_000_000, dtype=np.int64)
    _, domain = domains(index, offset=123_456_789)
    assert pd.Series(domain).is_unique


def test_competitors_have_contacts() -> None:
    chunk = frames(20_000, 6)
    competitors = chunk.accounts.loc[chunk.accounts["id"] <= 5, "domain"]
    at_competitor = chunk.contacts["email"].str.split("@").str[-1].isin(competitors)
    assert at_competitor.sum() > 10


def test_campaigns_differ_in_acceptance_and_reasons() -> None:
    chunk = frames(20_000, 8)
    table = acceptance(chunk)
    table = table[table["reviewed"] >= 100]
    assert table["accepted"].max() - table["accepted"].min() >= 0.3
    students = table.loc[campaign_id(chunk, "webinar-analytics-students")]
    assert students["top_reason"] == "not_decision_maker"
    assert students["accepted"] < table["accepted"].median()
    assert table.loc[campaign_id(chunk, "linkedin-leadgen"), "top_reason"] == "invalid_contact_data"
    assert table.loc[campaign_id(chunk, "outbound-enterprise"), "top_reason"] == "unresponsive"


def test_hidden_propensity_predicts_won_well_but_not_perfectly() -> None:
    contacts = frames(20_000, 9).contacts
    won = contacts["lifecycle_stage"] == "customer"
    assert 0.01 <= won.mean() <= 0.05
    assert 0.80 <= roc_auc_score(won, contacts["propensity"]) <= 0.92


def test_opportunities_are_won_lost_or_open_with_amounts_growing_with_size() -> None:
    chunk = frames(20_000, 9)
    deals = chunk.opportunities
    assert set(deals["stage"]) >= {"closed_won", "closed_lost"}
    assert (deals["is_won"] <= deals["is_closed"]).all()
    assert deals.loc[deals["stage"] == "closed_lost", "lost_reason"].notna().all()
    assert deals.loc[~deals["is_closed"], "closed_at"].isna().all()
    size = deals["account_id"].map(chunk.accounts.set_index("id")["employees"])
    assert deals["amount"].corr(size, method="spearman") > 0.3


# ---- into a database ----------------------------------------------------------------------------


def test_generated_database_matches_the_frames_and_keeps_every_key(engine: Engine) -> None:
    report = generate_demo(engine, leads=SMALL, seed=12, chunk_size=1_000)
    chunk = frames(SMALL, 12, 1_000)
    for name, frame in chunk.tables():
        assert report.rows[name] == len(frame) == len(read(engine, name)), name
    contacts = read(engine, "contacts")
    assert set(HIDDEN_COLUMNS) <= set(chunk.contacts.columns)
    assert not set(HIDDEN_COLUMNS) & set(contacts.columns)
    for column in ("email", "lifecycle_stage", "owner_rep_id", "account_id"):
        assert listed(contacts[column]) == listed(chunk.contacts[column]), column
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                child, parent = fk.parent, fk.column
                if parent.table is table:  # a self-reference (a parent account) joins an alias
                    parent = parent.table.alias("parent").c[parent.name]
                orphans = connection.scalar(
                    select(func.count())
                    .select_from(table.outerjoin(parent.table, child == parent))
                    .where(child.is_not(None), parent.is_(None))
                )
                assert orphans == 0, f"{table.name}.{child.name}"


def test_generated_rows_read_back_through_the_orm(engine: Engine) -> None:
    generate_demo(engine, leads=500, seed=13)
    with Session(engine) as session:
        contact = session.scalars(select(Contact).order_by(Contact.id)).first()
        events = session.scalars(select(LifecycleEvent).limit(5)).all()
        assert contact is not None and isinstance(contact.created_at, datetime)
        assert all(isinstance(e.occurred_at, datetime) for e in events)
        after = contact.created_at
        assert session.scalar(
            select(func.count()).select_from(Contact).where(Contact.created_at >= after)
        )


def test_new_rows_after_the_demo_get_fresh_ids(engine: Engine) -> None:
    generate_demo(engine, leads=300, seed=14)
    with engine.begin() as connection:
        now = datetime(2026, 11, 1)
        new = connection.execute(
            insert(Contact)
            .values(external_id="new", lifecycle_stage="lead", created_at=now, updated_at=now)
            .returning(Contact.id)
        ).scalar_one()
    assert new == 301


def test_sqlite_foreign_keys_are_enforced_again_after_the_load(sqlite_engine: Engine) -> None:
    generate_demo(sqlite_engine, leads=300, seed=15)
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_a_dangling_reference_is_refused_and_nothing_is_written(sqlite_engine: Engine) -> None:
    columns = ("id", "external_id", "lifecycle_stage", "account_id", "do_not_contact")
    times = ("created_at", "updated_at")
    row = [1, "c-1", "lead", 999, False, "2026-01-01 00:00:00.000000", "2026-01-01 00:00:00.000000"]
    with pytest.raises(DataError, match="accounts"), bulk_load(sqlite_engine) as load:
        load.prepare(["contacts"])
        load.write(Batch("contacts", columns + times, row))
        load.finish()
    assert read(sqlite_engine, "contacts").empty
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_database_with_data_is_refused_unless_replaced(sqlite_engine: Engine) -> None:
    generate_demo(sqlite_engine, leads=300, seed=16)
    with pytest.raises(ConfigError, match="--replace"):
        generate_demo(sqlite_engine, leads=200, seed=17)
    assert len(read(sqlite_engine, "contacts")) == 300
    report = generate_demo(sqlite_engine, leads=200, seed=17, replace=True)
    assert report.rows["contacts"] == len(read(sqlite_engine, "contacts")) == 200


def test_progress_callback_reaches_the_total(sqlite_engine: Engine) -> None:
    seen: list[tuple[int, int]] = []
    generate_demo(
        sqlite_engine, leads=1_200, seed=19, chunk_size=500, progress=lambda *p: seen.append(p)
    )
    assert seen[0] == (0, 1_200)
    assert seen[-1] == (1_200, 1_200)


# ---- the command line ---------------------------------------------------------------------------


def test_demo_command_then_info_shows_the_counts(sqlite_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--leads", "800", "--seed", "3", "-d", sqlite_url])
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["info", "--database", sqlite_url])
    assert info.exit_code == 0, info.output
    assert "contacts" in info.output and "800" in info.output
    again = runner.invoke(app, ["demo", "--leads", "800", "-d", sqlite_url])
    assert isinstance(again.exception, ConfigError)


def test_every_stored_demo_history_replays_through_the_contract(sqlite_engine: Engine) -> None:
    """Each contact's stored history is a legal path of data/lifecycle.yaml, guards included
    (owners, companies, reasons), ending at the contact's stage."""
    vocabulary = load_reasons()
    contract = load_contract(vocabulary=vocabulary)
    generate_demo(sqlite_engine, leads=2_000, seed=11)
    with sqlite_engine.connect() as connection:
        events = pd.read_sql(
            "SELECT contact_id AS contact, from_stage, to_stage, reason_code"
            " FROM lifecycle_events ORDER BY contact_id, occurred_at, id",
            connection,
        )
        contacts = pd.read_sql(
            "SELECT id, lifecycle_stage, owner_rep_id, account_id FROM contacts", connection
        ).set_index("id")
    assert contacts["lifecycle_stage"].eq("mql").any()
    assert set(events["to_stage"]) >= {"subscriber", "lead", "mql", "sal", "customer", "nurture"}
    violations = replay(events, contract, vocabulary, contacts=contacts)
    assert violations.empty, violations.head(10).to_dict("records")


def test_the_replay_catches_a_history_that_breaks_the_contract() -> None:
    vocabulary = load_reasons()
    contract = load_contract(vocabulary=vocabulary)
    demo = frames(2_000, 11)
    events = demo.lifecycle_events.sort_values("id").rename(columns={"contact_id": "contact"})
    contacts = demo.contacts.set_index("id")[["lifecycle_stage", "owner_rep_id", "account_id"]]
    sal = events.index[events["to_stage"] == "sal"][0]
    unowned = contacts.assign(owner_rep_id=contacts["owner_rep_id"].mask(
        contacts.index == events.at[sal, "contact"]
    ))  # fmt: skip
    [violation] = replay(events, contract, vocabulary, contacts=unowned).to_dict("records")
    assert (violation["from_stage"], violation["to_stage"]) == ("mql", "sal")
    assert "owner_assigned" in violation["rule"]
