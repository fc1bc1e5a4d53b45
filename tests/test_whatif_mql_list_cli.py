"""`smarketing whatif` on dated history and `smarketing mql-list` in every format, at a proposed threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.sources.demo import generate_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from scoring.db import make_engine, upgrade

    address = f"sqlite:///{tmp_path_factory.mktemp('whatif') / 'demo.db'}"
    engine = make_engine(address)
    upgrade(engine)
    generate_demo(engine, leads=3000, seed=17)
    engine.dispose()
    return address


def test_whatif_on_dated_history_gives_weekly_rates_precision_recall_and_capacity(url: str) -> None:
    done = runner.invoke(app, ["whatif", "--thresholds", "20,40,60", "--json", "-d", url])
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    rows = {row["threshold"]: row for row in document["thresholds"]}
    assert [rows[t]["mqls"] for t in (20, 40, 60)] == sorted(
        (rows[t]["mqls"] for t in (20, 40, 60)), reverse=True
    )
    assert document["weekly_capacity"] > 0  # the demo's reps have weekly capacity
    for row in rows.values():
        assert row["mqls_per_week"] is not None and row["mqls_per_week"] >= 0  # dates exist
        assert 0 <= row["won"] <= row["mqls"]
        if row["mqls"]:
            assert row["precision"] == pytest.approx(row["won"] / row["mqls"])
        assert row["recall"] == pytest.approx(row["won"] / document["wins"])
        assert row["over_capacity"] is not None and row["over_capacity"] >= 0
    table = runner.invoke(app, ["whatif", "--thresholds", "20,40", "-d", url], terminal_width=200)
    assert table.exit_code == 0 and "MQLs" in table.output and "capacity 1," in table.output


def test_mql_list_at_a_proposed_threshold_is_the_same_list_in_csv_parquet_and_xlsx(
    url: str, tmp_path: Path
) -> None:
    frames = {}
    for suffix in ("csv", "parquet", "xlsx"):
        out = tmp_path / f"mqls.{suffix}"
        done = runner.invoke(
            app,
            [
                "mql-list",
                "--threshold",
                "30",
                "--as-of",
                "2026-10-31",
                "--out",
                str(out),
                "-d",
                url,
            ],
        )
        assert done.exit_code == 0, done.output
        frames[suffix] = {
            "csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"),
            "parquet": pd.read_parquet,
            "xlsx": pd.read_excel,
        }[suffix](out)
    csv = frames["csv"]
    assert len(csv) > 50
    assert (csv["score"] >= csv["threshold"]).all()
    assert csv["threshold"].min() <= 30 <= csv["threshold"].max()
    for other in ("parquet", "xlsx"):
        assert frames[other]["lead_id"].astype(int).tolist() == csv["lead_id"].astype(int).tolist()
        assert frames[other]["status"].tolist() == csv["status"].tolist()
    default = runner.invoke(
        app, ["mql-list", "--as-of", "2026-10-31", "--out", str(tmp_path / "d.csv"), "-d", url]
    )
    assert default.exit_code == 0
    assert len(pd.read_csv(tmp_path / "d.csv", encoding="utf-8-sig")) < len(csv)  # 60 > 30
