"""`smarketing score`: every lead scored, qualifying leads moved to MQL through the contract and handed off."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.models import Contact, HandoffOutbox, LifecycleEvent
from scoring.sources.demo import generate_demo

runner = CliRunner()
AS_OF = "2026-10-31"


def _count(engine: Engine, query: object) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def test_score_moves_qualifying_leads_once_and_writes_every_score(
    engine: Engine, tmp_path: Path
) -> None:
    generate_demo(engine, leads=2000, seed=4)
    url = engine.url.render_as_string(hide_password=False)
    mql_events_before = _count(engine, select(func.count()).where(LifecycleEvent.to_stage == "mql"))
    out = tmp_path / "scores.parquet"

    first = runner.invoke(app, ["score", "--database", url, "--as-of", AS_OF, "--out", str(out)])
    assert first.exit_code == 0, first.output
    scores = pd.read_parquet(out)
    assert len(scores) == _count(engine, select(func.count()).select_from(Contact))
    stamped = select(func.count()).where(
        LifecycleEvent.to_stage == "mql", LifecycleEvent.rulebook_version == "2026.11.1"
    )
    moved = (
        _count(engine, select(func.count()).where(LifecycleEvent.to_stage == "mql"))
        - mql_events_before
    )
    assert moved > 0
    assert _count(engine, stamped) >= moved
    assert _count(engine, select(func.count()).select_from(HandoffOutbox)) == moved
    assert f"{moved:,} moved" in " ".join(first.output.split())
    # One meaning of MQL: the file says who qualifies, who moved and who is blocked (why).
    assert "mql" not in scores.columns
    assert (scores["status"] == "moved to MQL").sum() == moved
    qualifying = scores["qualifies"]
    assert qualifying.sum() >= moved
    assert scores.loc[~qualifying, "status"].str.startswith(("below", "blocked by gates")).all()
    assert (
        scores.loc[qualifying, "status"]
        .isin(["moved to MQL", "qualifies by score and gates"])
        .sum()
        + scores.loc[qualifying, "status"].str.startswith("blocked: ").sum()
        == qualifying.sum()
    )

    again = runner.invoke(app, ["score", "--database", url, "--as-of", AS_OF])
    assert again.exit_code == 0, again.output
    assert "0 moved" in " ".join(again.output.split())
    assert _count(engine, select(func.count()).select_from(HandoffOutbox)) == moved


def test_score_refuses_an_unknown_output_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["score", "--database", f"sqlite:///{tmp_path / 'x.db'}", "--out", "x.xlsx"]
    )
    assert result.exit_code != 0
    assert ".csv or .parquet" in str(result.exception) + result.output
