"""`smarketing warehouse export|score|dbt`: Parquet out of a database, scores computed in the engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner
from warehouse_world import (
    AS_OF,
    SCORE_COLUMNS,
    World,
    assert_same_scores,
    exact_groups,
    make_world,
)

from scoring.cli import app, main
from scoring.db import make_engine, upgrade
from scoring.sources.demo import generate_demo

runner = CliRunner()
WHEN = AS_OF.isoformat()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=1500, seed=5)
    yield make_world(engine, url, folder / "numpy-export")
    engine.dispose()


def test_export_writes_the_four_canonical_tables(world: World, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["warehouse", "export", "--database", world.url, "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    for name in ("contacts", "accounts", "campaigns", "touches"):
        assert (tmp_path / f"{name}.parquet").is_file()
    contacts = pd.read_parquet(tmp_path / "contacts.parquet")
    assert len(contacts) == 1500 and contacts["id"].is_unique
    assert "contacts: 1,500 rows" in result.output


def test_score_on_duckdb_writes_the_columns_of_smarketing_score(
    world: World, tmp_path: Path
) -> None:
    args = ["warehouse", "score", "--engine", "duckdb", "--source", str(world.parquet)]
    result = runner.invoke(app, [*args, "--as-of", WHEN, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    scores = pd.read_parquet(tmp_path / "out" / "scores.parquet")
    assert list(scores.columns) == SCORE_COLUMNS == list(world.scores.columns)
    assert_same_scores(scores, world.scores, exact_groups(world.rulebook))
    assert "rulebook 2026.11.1" in result.output


def test_score_on_sqlite_writes_a_table_in_the_database(world: World) -> None:
    args = ["warehouse", "score", "--engine", "sqlite", "--source", world.url, "--as-of", WHEN]
    result = runner.invoke(app, [*args, "--out", "warehouse_scores"])
    assert result.exit_code == 0, result.output
    engine = make_engine(world.url)
    with engine.connect() as connection:
        scores = pd.read_sql(text("select * from warehouse_scores"), connection)
    engine.dispose()
    assert_same_scores(scores, world.scores, exact_groups(world.rulebook))


def test_explain_prints_one_statement_for_every_engine(world: World) -> None:
    for engine in ("duckdb", "postgresql", "sqlite", "spark"):
        args = ["warehouse", "score", "--engine", engine, "--source", "unused", "--explain"]
        result = runner.invoke(app, [*args, "--as-of", WHEN])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("WITH ") and result.output.count(";") == 0, engine
        assert "'2026.11.1' AS rulebook_version" in result.output.replace("`", "")


def test_a_folder_without_parquet_is_one_clear_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(
            [
                "warehouse",
                "score",
                "--engine",
                "duckdb",
                "--source",
                str(tmp_path),
                "--out",
                str(tmp_path / "o"),
            ]
        )
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "no contacts.parquet" in err and "Traceback" not in err


def test_dbt_writes_sources_models_and_tests(tmp_path: Path) -> None:
    result = runner.invoke(app, ["warehouse", "dbt", str(tmp_path / "p"), "--as-of", WHEN])
    assert result.exit_code == 0, result.output
    models = tmp_path / "p" / "models"
    assert "{{ source('smarketing', 'touches') }}" in (models / "features.sql").read_text()
    assert "{{ ref('features') }}" in (models / "scores.sql").read_text()
    assert "unique" in (models / "schema.yml").read_text()


def test_docs_show_the_generated_sql() -> None:
    from datetime import datetime

    when = ["--as-of", datetime(2026, 11, 1).isoformat(), "--rulebook", "data/rulebook.yaml"]
    args = ["warehouse", "score", "--engine", "duckdb", "--source", "lake", "--explain", *when]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    docs = (Path(__file__).parents[1] / "docs" / "warehouse.md").read_text(encoding="utf-8")
    assert "```sql\n" + result.output.strip() + "\n```" in docs
