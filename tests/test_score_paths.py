"""One score path: `smarketing score`, the API's lead lookup, `rules explain` and the dashboard's data
layer give one lead the same score, version and points per rule."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from handoff_world import SETTINGS, get
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.models import Contact, LeadScore, LifecycleEvent
from scoring.policy import in_force
from scoring.sources.demo import generate_demo

runner = CliRunner()
LINE = re.compile(r"^\s*([+-]\d+\.\d\d)\s+\[(fit|engagement)\] ([a-z0-9_]+):", re.M)


def _points(lines: list[dict[str, object]]) -> dict[str, float]:
    return {str(line["rule"]): round(float(line["points"]), 2) for line in lines}  # type: ignore[arg-type]


@pytest.fixture
def scored(engine: Engine, tmp_path: Path) -> tuple[Engine, pd.DataFrame, str]:
    generate_demo(engine, leads=800, seed=3)
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "scores.csv"
    with engine.connect() as connection:
        latest = max(
            connection.scalar(select(func.max(Contact.created_at))),
            connection.scalar(select(func.max(LifecycleEvent.occurred_at))),
        )
    as_of = (latest + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    result = runner.invoke(app, ["score", "--database", url, "--as-of", as_of, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return engine, pd.read_csv(out), as_of


def test_batch_score_stores_every_lead_with_versions_and_full_precision(
    scored: tuple[Engine, pd.DataFrame, str],
) -> None:
    engine, frame, as_of = scored
    policy = in_force(engine)
    with engine.connect() as connection:
        stored = pd.read_sql(select(LeadScore), connection)
    assert len(stored) == len(frame) == 800
    assert set(stored["rulebook_version"]) == {policy.rulebook.version}
    assert set(stored["contract_version"]) == {policy.contract.version}
    assert set(pd.to_datetime(stored["as_of"])) == {pd.Timestamp(as_of)}
    merged = frame.merge(stored, left_on="lead_id", right_on="contact_id", suffixes=("", "_db"))
    assert (merged["score"] == merged["score_db"]).all()  # full precision, not rounded
    sums = merged["explanation"].map(lambda lines: sum(float(x["points"]) for x in lines))
    assert (abs(sums - merged["score_db"]) < 1e-9).all()


def test_every_reader_gives_the_same_score_version_and_points(
    scored: tuple[Engine, pd.DataFrame, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from scoring.api import create_app

    engine, frame, as_of = scored
    url = engine.url.render_as_string(hide_password=False)
    lead = int(frame.sort_values("score").iloc[-1]["lead_id"])  # a lead with many rules hitting
    with engine.connect() as connection:
        stored = connection.execute(select(LeadScore).where(LeadScore.contact_id == lead)).one()

    with TestClient(create_app(SETTINGS, engine=engine)) as client:
        view = get(client, f"/v1/leads/{lead}").json()["score"]
    assert (view["score"], view["rulebook_version"]) == (stored.score, stored.rulebook_version)
    assert _points(view["explanation"]) == _points(stored.explanation)

    explained = runner.invoke(
        app, ["rules", "explain", "--lead", str(lead), "--as-of", as_of, "--database", url],
        terminal_width=200,
    )  # fmt: skip
    assert explained.exit_code == 0, explained.output
    assert f"(rulebook {stored.rulebook_version})" in explained.output
    printed = {rule: float(points) for points, _, rule in LINE.findall(explained.output)}
    assert printed == {k: v for k, v in _points(stored.explanation).items() if ":" not in k}

    # The dashboard's data layer (lead list and explanation panel) at the same moment.
    from dashboard import data
    from scoring.rules import explain

    monkeypatch.setenv("SMARKETING_AS_OF", as_of)  # the dashboard's own default is the clock
    data.engine.clear()
    data.forget_everything()
    source = data.snapshot(url)
    hits, scores = data.current(source, data.as_of(data.frames(source)))
    row = scores.set_index("lead_id").loc[lead]
    assert (float(row["score"]), row["rulebook_version"]) == (stored.score, stored.rulebook_version)
    lines = explain(hits, lead).lines
    shown = {line.rule or f"cap:{line.group}": round(line.points, 2) for line in lines}
    assert {k: v for k, v in shown.items() if v} == {
        k: v for k, v in _points(stored.explanation).items() if v
    }
