"""Shared pieces of the warehouse tests: a demo database, its Parquet export, lead-by-lead comparison.

Comparisons always join on lead_id (engines need not keep row order): integers and text exact,
doubles within 1e-9 relative, gates and MQL flags identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from scoring.features.columns import FEATURES
from scoring.features.quality import load_competitors
from scoring.rules import Rulebook, evaluate_hits, load_rulebook, score
from scoring.store.features import read_features
from scoring.warehouse.export import export_parquet

AS_OF = datetime(2026, 6, 1)
DEMO_LEADS = 3000
SCORE_COLUMNS = [
    "lead_id",
    "fit",
    "engagement",
    "score",
    "grade",
    "failed_gates",
    "mql",
    "threshold",
    "rulebook_version",
]


@dataclass(frozen=True)
class World:
    """A database with data, its Parquet export, and the numpy path's features and scores."""

    url: str
    parquet: Path
    rulebook: Rulebook
    competitors: frozenset[str]
    features: pd.DataFrame
    scores: pd.DataFrame


def make_world(engine: Engine, url: str, folder: Path, as_of: datetime = AS_OF) -> World:
    competitors = load_competitors()
    rulebook = load_rulebook()
    features = read_features(engine, as_of=as_of, competitor_domains=competitors)
    export_parquet(engine, folder)
    scores = score(evaluate_hits(rulebook, features)).frame()
    return World(url, folder, rulebook, competitors, features, scores)


def _plain(values: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in values.astype(object)]


def _joined(actual: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    assert actual["lead_id"].is_unique, "an engine returned a lead twice"
    assert sorted(actual["lead_id"].astype(int)) == sorted(expected["lead_id"].astype(int))
    right = actual.assign(lead_id=actual["lead_id"].astype(np.int64))
    return expected.merge(right, on="lead_id", suffixes=("", "_sql"), validate="1:1")


def assert_same_features(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every FEATURES column equal lead by lead (doubles within 1e-9 relative)."""
    assert list(actual.columns) == list(FEATURES)
    both = _joined(actual, expected)
    for name, spec in FEATURES.items():
        if name == "lead_id":
            continue
        want, got = both[name], both[f"{name}_sql"]
        if spec.kind in ("number", "days", "share"):
            np.testing.assert_allclose(
                got.to_numpy(float), want.to_numpy(float), rtol=1e-9, atol=0, err_msg=name
            )
        elif spec.kind == "timestamp":
            assert (pd.to_datetime(got).to_numpy() == want.to_numpy()).all(), name
        elif spec.kind in ("count", "flag"):
            assert (got.to_numpy().astype(np.int64) == want.to_numpy().astype(np.int64)).all(), name
        else:
            assert _plain(got) == _plain(want), name


def exact_groups(rulebook: Rulebook) -> list[str]:
    """The groups without a decayed rule: their points are whole numbers and must match exactly."""
    decayed = {r.group for r in rulebook.rules if r.decay is not None}
    return [g for g in ("fit", "engagement") if g not in decayed]


def assert_same_scores(
    actual: pd.DataFrame, expected: pd.DataFrame, exact: list[str], *, mixed: bool = True
) -> None:
    """Scores, caps, gates, grade and MQL flag equal lead by lead; the version travels along."""
    assert list(actual.columns) == SCORE_COLUMNS
    both = _joined(actual, expected)
    for name in exact:
        np.testing.assert_array_equal(both[f"{name}_sql"].to_numpy(float), both[name], name)
    for name in ("fit", "engagement", "score", "threshold"):
        np.testing.assert_allclose(
            both[f"{name}_sql"].to_numpy(float),
            both[name].to_numpy(float),
            rtol=1e-9,
            atol=1e-12,
            err_msg=name,
        )
    assert _plain(both["failed_gates_sql"].fillna("")) == _plain(both["failed_gates"])
    assert (both["mql_sql"].astype(bool).to_numpy() == both["mql"].to_numpy()).all()
    assert _plain(both["grade_sql"]) == _plain(both["grade"].astype(str))
    assert set(both["rulebook_version_sql"]) == set(both["rulebook_version"])
    if mixed:
        assert both["mql"].any() and not both["mql"].all(), "the sample must have MQLs and others"
