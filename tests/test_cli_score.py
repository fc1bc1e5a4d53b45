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
    # One meaning of MQL: the file says who qualifies, who is at or past MQL and who is blocked
    # (why), in the words of the API's lead lookup and of mql-list: by the stage after the run.
    assert "mql" not in scores.columns
    with engine.connect() as connection:
        stage = dict(connection.execute(select(Contact.id, Contact.lifecycle_stage)).all())
    stages = scores["lead_id"].map(stage)
    at_mql = stages == "mql"
    assert (scores["status"] == "moved to MQL").sum() == at_mql.sum() >= moved
    past = stages.isin(["sal", "sales_qualified", "opportunity", "customer"])
    assert (scores.loc[past, "status"] == "past MQL (stage " + stages[past] + ")").all()
    rest = ~(at_mql | past)
    qualifying = scores["qualifies"]
    assert (
        scores.loc[rest & ~qualifying, "status"].str.startswith(("below", "blocked by gates")).all()
    )
    assert (
        scores.loc[rest & qualifying, "status"] == "qualifies by score and gates"
    ).sum() + scores.loc[rest & qualifying, "status"].str.startswith("blocked: ").sum() == (
        rest & qualifying
    ).sum()

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


def test_score_out_mql_list_and_the_api_give_a_lead_the_same_status(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    from datetime import datetime

    from scoring.features.quality import load_competitors
    from scoring.handoff.batch import lead_status
    from scoring.handoff.lists import mql_list
    from scoring.policy import Change, in_force, publish_text

    generate_demo(sqlite_engine, leads=1500, seed=8)
    text = in_force(sqlite_engine).definitions["rulebook"].text
    lower = text.replace("  threshold: 60", "  threshold: 25", 1)  # many leads of every status
    publish_text(sqlite_engine, "rulebook", lower, Change("ana@example.com"))
    url = sqlite_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "scores.csv"
    done = runner.invoke(app, ["score", "--database", url, "--as-of", AS_OF, "--out", str(out)])
    assert done.exit_code == 0, done.output
    file = pd.read_csv(out).set_index("lead_id")
    listed = mql_list(
        sqlite_engine,
        in_force(sqlite_engine).rulebook,
        as_of=datetime.fromisoformat(AS_OF),
        competitor_domains=load_competitors(),  # as `smarketing mql-list` and `score` read them
    ).set_index("lead_id")
    handoff_refused = file["status"].str.startswith("blocked: ")
    common = listed.index.intersection(file.index[~handoff_refused])
    assert len(common) > 100
    assert (listed.loc[common, "status"] == file.loc[common, "status"]).all()
    assert {"moved to MQL", "qualifies by score and gates"} <= set(listed.loc[common, "status"])
    with sqlite_engine.connect() as connection:
        stage = dict(connection.execute(select(Contact.id, Contact.lifecycle_stage)).all())
    for lead in common[:200]:
        row = file.loc[lead]
        gates = [g for g in str(row["failed_gates"]).split(",") if g and g != "nan"]
        api = lead_status(stage[lead], row["score"], row["threshold"], gates, None)
        assert api == row["status"], lead
