"""Parity: features and scores computed inside each engine equal the numpy path, lead by lead.

Demo data (3,000 leads) in a smarketing database; SQLite and PostgreSQL run on the database itself,
DuckDB and Spark on its Parquet export (`export_parquet`). Spark uses the one session of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from warehouse_world import (
    AS_OF,
    DEMO_LEADS,
    World,
    assert_same_features,
    assert_same_scores,
    exact_groups,
    make_world,
)

from scoring.db import make_engine, upgrade
from scoring.features.frame import build_features
from scoring.sources.demo import generate_demo
from scoring.warehouse.features_sql import feature_select
from scoring.warehouse.run import open_engine, scores_select


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("warehouse")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=DEMO_LEADS, seed=11)
    yield make_world(engine, url, folder / "parquet")
    engine.dispose()


def _run(world: World, name: str, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with open_engine(name, source) as engine:
        features = engine.fetch(feature_select(AS_OF, competitor_domains=world.competitors))
        scores = engine.fetch(
            scores_select(world.rulebook, AS_OF, competitor_domains=world.competitors)
        )
    return features.to_pandas(), scores.to_pandas()


def _check(world: World, name: str, source: str) -> None:
    features, scores = _run(world, name, source)
    assert_same_features(features, world.features)
    assert_same_scores(scores, world.scores, exact_groups(world.rulebook))


def test_sqlite_features_and_scores_equal_numpy(sqlite_world: World) -> None:
    _check(sqlite_world, "sqlite", sqlite_world.url)


def test_duckdb_features_and_scores_equal_numpy(sqlite_world: World) -> None:
    _check(sqlite_world, "duckdb", str(sqlite_world.parquet))


@pytest.mark.slow
def test_spark_features_and_scores_equal_numpy(spark: object, sqlite_world: World) -> None:
    _check(sqlite_world, "spark", str(sqlite_world.parquet))


@pytest.mark.postgres
def test_postgresql_features_and_scores_equal_numpy(postgres_url: str, tmp_path: Path) -> None:
    engine: Engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        generate_demo(engine, leads=DEMO_LEADS, seed=11)
        world = make_world(engine, postgres_url, tmp_path / "parquet")
    finally:
        engine.dispose()
    _check(world, "postgresql", postgres_url)


def _edge_frames() -> dict[str, pd.DataFrame]:
    """Leads and touches on the as-of boundaries: exactly at it, a microsecond before, window edges."""
    tick = timedelta(microseconds=1)
    contacts = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "email": [" Ann@Sub.Gmail.com ", "bob@acme.io", "x@y.z"],
            "first_name": ["Ann", "  ", "Cy"],
            "last_name": ["Lee", "Ray", None],
            "job_title": ["VP Sales", None, "CTO"],
            "seniority": ["vp", "", None],
            "department": ["Sales", None, None],
            "phone": [None, " ", "1"],
            "country": ["DE", "us", None],
            "lead_source": ["web", None, None],
            "account_id": pd.array([10, 99, None], dtype="Int64"),
            "original_campaign_id": pd.array([5, None, None], dtype="Int64"),
            "do_not_contact": [False, None, True],
            "created_at": [AS_OF - tick, AS_OF - timedelta(days=400), AS_OF],
        }
    )
    accounts = pd.DataFrame(
        {
            "id": [10],
            "domain": ["Rival.example"],
            "industry": [" Software "],
            "employees": [250],
            "annual_revenue": [1.5e7],
            "country": [" "],
            "region": ["EMEA"],
        }
    )
    campaigns = pd.DataFrame({"id": [5], "code": ["C-5"], "channel": ["paid_social"]})
    moments = [AS_OF, AS_OF - tick, AS_OF - timedelta(days=7), AS_OF - timedelta(days=7) - tick]
    touches = pd.DataFrame(
        {
            "contact_id": [1, 1, 1, 1, 2, 3, 42],
            "kind": [
                "page_view",
                "page_view",
                "page_view",
                "webinar_attended",
                "odd",
                "call",
                "call",
            ],
            "occurred_at": [*moments, AS_OF - tick, AS_OF - tick, AS_OF - tick],
            "url": ["/pricing", "/Pricing/", "/docs/api", None, "/blog/x", None, None],
            "asset": [None, None, "Case-Study.pdf", "ROI calculator", None, None, None],
        }
    )
    return {"contacts": contacts, "accounts": accounts, "campaigns": campaigns, "touches": touches}


@pytest.mark.parametrize("name", ["duckdb", "sqlite"])
def test_the_as_of_is_strict_and_edges_agree_with_numpy(name: str, tmp_path: Path) -> None:
    """At as-of does not count, a microsecond before does; window edges, blanks, parents domains."""
    frames = _edge_frames()
    competitors = frozenset({"rival.example"})
    expected = build_features(
        frames["contacts"],
        frames["accounts"],
        frames["campaigns"],
        frames["touches"],
        as_of=AS_OF,
        competitor_domains=competitors,
    )
    if name == "duckdb":
        for table, frame in frames.items():
            frame.to_parquet(tmp_path / f"{table}.parquet", index=False)
        source = str(tmp_path)
    else:
        source = f"sqlite:///{tmp_path / 'edges.db'}"
        engine = make_engine(source)
        _insert(engine, frames)
        engine.dispose()
    with open_engine(name, source) as engine:
        actual = engine.fetch(feature_select(AS_OF, competitor_domains=competitors)).to_pandas()
    assert sorted(actual["lead_id"]) == [1, 2]
    assert_same_features(actual, expected)
    first = expected.set_index("lead_id").loc[1]
    assert (first["page_view_total"], first["page_view_7d"], first["pricing_views_7d"]) == (2, 2, 1)
    assert first["personal_email"] and first["competitor"] and first["case_study_assets_total"] == 1


def _insert(engine: Engine, frames: dict[str, pd.DataFrame]) -> None:
    """The edge frames as plain tables (the canonical tables' constraints would refuse the odd kind)."""
    with engine.begin() as connection:
        for table, frame in frames.items():
            frame.to_sql(table, connection, index=False)
