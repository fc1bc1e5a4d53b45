"""Parity on a real data set: the UCI bank-marketing calls through their shipped profile.

Imported into SQLite, features computed in SQLite and (on the Parquet export) in DuckDB equal the
numpy path lead by lead; so do the scores of the shipped rulebook. Skipped when the file is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sources_world import UCI
from warehouse_world import (
    World,
    assert_same_features,
    assert_same_scores,
    exact_groups,
    make_world,
)

from scoring.db import make_engine, upgrade
from scoring.sources import import_files, load_profile
from scoring.warehouse.features_sql import feature_select
from scoring.warehouse.run import open_engine, scores_select

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(UCI).exists(), reason=f"{UCI} not present"),
]
AS_OF = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)  # imported contacts are new


@pytest.fixture(scope="module")
def uci_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("uci")
    url = f"sqlite:///{folder / 'uci.db'}"
    engine = make_engine(url)
    upgrade(engine)
    import_files(engine, load_profile("uci_bank_marketing"), [str(UCI)])
    yield make_world(engine, url, folder / "parquet", as_of=AS_OF)
    engine.dispose()


@pytest.mark.parametrize("name", ["sqlite", "duckdb"])
def test_uci_features_and_scores_equal_numpy(uci_world: World, name: str) -> None:
    source = uci_world.url if name == "sqlite" else str(uci_world.parquet)
    with open_engine(name, source) as engine:
        features = engine.fetch(feature_select(AS_OF, competitor_domains=uci_world.competitors))
        scores = engine.fetch(
            scores_select(uci_world.rulebook, AS_OF, competitor_domains=uci_world.competitors)
        )
    assert len(uci_world.features) > 10_000
    assert_same_features(features.to_pandas(), uci_world.features)
    assert_same_scores(
        scores.to_pandas(), uci_world.scores, exact_groups(uci_world.rulebook), mixed=False
    )
