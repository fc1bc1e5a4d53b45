"""Live versus shadow on stored scores: the comparison, its acceptance prediction (the model in
force, else by score band), `smarketing rules shadow ...` and the dashboard's Shadow rulebook page."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from scoring.analytics.shadow import by_band, compare
from scoring.cli import app as cli
from scoring.db.models import LeadScore
from scoring.db.shadow import ShadowScore
from scoring.errors import ConfigError
from scoring.handoff.batch import score_and_qualify
from scoring.handoff.scorer import default_pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.handoff.shadow_report import shadow_comparison
from scoring.learn.artefact import save_model
from scoring.learn.targets import target_named
from scoring.learn.training import train
from scoring.policy import Change, in_force, start_shadow
from scoring.policy.model import model_in_force, publish_model
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo
from scoring.training_data import database_leads

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
runner = CliRunner()


def _lowered(engine: Engine, by: float) -> str:
    text = in_force(engine).definitions["rulebook"].text
    threshold = in_force(engine).rulebook.threshold
    lowered, count = re.subn(
        r"^  threshold: .*$", f"  threshold: {threshold - by:g}", text, count=1, flags=re.M
    )
    assert count == 1
    return lowered


def _score_all(engine: Engine) -> None:
    policy = in_force(engine)
    pipeline = default_pipeline(ServiceSettings(), engine)
    score_and_qualify(engine, pipeline, policy.rulebook, as_of=pd.Timestamp("2026-11-01"))


@pytest.fixture
def shadowed(engine: Engine) -> Engine:
    """A demo database scored under the live rulebook with a lower-threshold shadow beside it."""
    generate_demo(engine, leads=600, seed=4)
    start_shadow(engine, _lowered(engine, 15), Change("ana@example.com"))
    _score_all(engine)
    return engine


def _mqls(engine: Engine, table: type) -> set[int]:
    columns = (table.contact_id, table.score, table.threshold, table.failed_gates)  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(select(*columns)).all()
    return {r.contact_id for r in rows if r.score >= r.threshold and not r.failed_gates}


def test_compare_counts_what_each_rulebook_adds_and_drops() -> None:
    paired = pd.DataFrame(
        {
            "lead_id": [1, 2, 3, 4, 5, 6],
            "stage": ["lead"] * 6,
            "canary": [False, False, False, False, False, True],
            "live_score": [70.0, 65.0, 40.0, 80.0, 10.0, 90.0],
            "live_threshold": [60.0] * 6,
            "live_gates": ["", "", "", "valid_email", "", ""],
            "shadow_score": [70.0, 55.0, 62.0, 80.0, 61.0, 90.0],
            "shadow_threshold": [60.0] * 6,
            "shadow_gates": ["", "", "", "valid_email", "", ""],
        }
    )
    chance = pd.Series([0.5, 0.2, 0.4, 0.9, 0.1, 0.7])
    report = compare(paired, chance, chance, "given", sample=1)
    assert report.counts == {
        "compared": 5, "canary": 1, "live": 2, "shadow": 3, "both": 1, "added": 2, "dropped": 1
    }  # fmt: skip
    assert report.added["lead_id"].tolist() == [3]  # the highest shadow score of {3, 5}
    assert report.dropped["lead_id"].tolist() == [2]
    rows = report.summary.set_index("measure")
    assert rows.loc["predicted acceptance rate", "live"] == pytest.approx((0.5 + 0.2) / 2)
    assert rows.loc["predicted acceptance rate", "shadow"] == pytest.approx((0.5 + 0.4 + 0.1) / 3)
    assert rows.loc["overlap (in both / in either)", "live"] == pytest.approx(1 / 4)
    rates = by_band(pd.Series([5.0, 8.0, 15.0, 19.0, 25.0]), pd.Series([1, 0, 1, 1, 0]))
    assert rates.tolist() == [0.5, 0.5, 1.0, 1.0, 0.0]


def test_the_comparison_is_made_on_the_stored_scores(shadowed: Engine) -> None:
    report = shadow_comparison(shadowed, sample=5)
    live, shadow = _mqls(shadowed, LeadScore), _mqls(shadowed, ShadowScore)
    assert report.counts["compared"] == 600 and report.counts["canary"] == 0
    assert (report.counts["live"], report.counts["shadow"]) == (len(live), len(shadow))
    assert report.counts["added"] == len(shadow - live) > 0
    assert report.counts["dropped"] == len(live - shadow) == 0  # a lower bar drops no one
    assert set(report.added["lead_id"]) <= shadow - live and len(report.added) == 5
    assert report.added["shadow_score"].is_monotonic_decreasing
    assert report.acceptance.startswith("historical acceptance rate by 10-point score band")
    rate = report.summary.set_index("measure").loc["predicted acceptance rate"]
    assert 0 <= rate["live"] <= 1 and 0 <= rate["shadow"] <= 1


def test_the_model_in_force_predicts_the_acceptance(shadowed: Engine, tmp_path: Path) -> None:
    leads = database_leads(shadowed)
    cutoff = leads["created_at"].quantile(0.7)
    run = train(leads, target_named("sales_accepted"), cutoff=cutoff, kind="logistic", resamples=5)
    publish_model(shadowed, save_model(run.model, tmp_path / "m.skops"), Change("ana@example.com"))
    report = shadow_comparison(shadowed)
    policy = in_force(shadowed)
    assert policy.model is not None
    assert report.acceptance == (
        f"the model in force ({policy.model.version}, predicts sales_accepted)"
    )
    model = model_in_force(policy)
    assert model is not None
    chance = pd.Series(model.predict_proba(leads), index=leads["lead_id"].astype(int))
    rate = report.summary.set_index("measure").loc["predicted acceptance rate"]
    for side, table in (("live", LeadScore), ("shadow", ShadowScore)):
        expected = chance[sorted(_mqls(shadowed, table))].mean()
        assert math.isclose(rate[side], expected, rel_tol=1e-9), side


def _cli(*args: str) -> str:
    done = runner.invoke(cli, list(args), env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    return done.output


def test_the_command_line_starts_compares_and_promotes_a_canary(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    generate_demo(sqlite_engine, leads=300, seed=2)
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(_lowered(sqlite_engine, 10), encoding="utf-8")
    refused = runner.invoke(
        cli, ["rules", "publish", str(candidate), "--by", "ana", "--canary-share", "0.1", "-d", url]
    )
    # (`smarketing` prints a SmarketingError as one line: tests/test_cli_bad_input.py)
    assert isinstance(refused.exception, ConfigError)
    assert str(refused.exception) == "--canary-share needs --mode canary"
    out = _cli("rules", "publish", str(candidate), "--mode", "canary", "--canary-share", "0.1",
               "--by", "ana@example.com", "-d", url)  # fmt: skip
    running = in_force(sqlite_engine).shadow
    assert running is not None and running.mode == "canary" and running.share == 0.1
    assert f"canary {running.version} published by ana@example.com" in out and "10%" in out
    status = _cli("rules", "shadow", "status", "-d", url)
    assert running.rulebook.version in status and "lead id above 300" in status
    _score_all(sqlite_engine)
    report = json.loads(_cli("rules", "shadow", "compare", "--json", "--sample", "3", "-d", url))
    assert report["counts"] == shadow_comparison(sqlite_engine).counts
    assert len(report["added"]) == min(3, report["counts"]["added"])
    out = _cli("rules", "shadow", "promote", "--by", "bo@example.com", "-d", url)
    policy = in_force(sqlite_engine)
    assert policy.shadow is None and f"rulebook {policy.rulebook.version} published" in out
    assert policy.rulebook.threshold == running.rulebook.threshold
    assert "no shadow or canary rulebook is running" in _cli("rules", "shadow", "status", "-d", url)
    again = runner.invoke(cli, ["rules", "shadow", "abort", "--by", "bo", "-d", url])
    assert isinstance(again.exception, ConfigError)
    assert "no shadow or canary rulebook is running" in str(again.exception)


def test_the_dashboard_page_shows_the_comparison(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    generate_demo(sqlite_engine, leads=400, seed=6)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("pages/shadow.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert "No shadow or canary rulebook is running" in app.info[0].value

    shadow = start_shadow(sqlite_engine, _lowered(sqlite_engine, 15), Change("ana@example.com"))
    _score_all(sqlite_engine)
    report = shadow_comparison(sqlite_engine)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Shadow rulebook"
    assert shadow.rulebook.version in app.caption[0].value
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Live MQLs"] == f"{report.counts['live']:,}"
    assert metrics["Shadow MQLs"] == f"{report.counts['shadow']:,}"
    assert [h.value for h in app.subheader] == [
        f"The shadow adds {report.counts['added']:,} leads",
        f"The shadow drops {report.counts['dropped']:,} leads",
    ]
    added = app.dataframe[1].value  # summary, added, dropped
    assert added["lead_id"].tolist() == report.added["lead_id"].tolist()
