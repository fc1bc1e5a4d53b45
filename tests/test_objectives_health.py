"""What `objectives check` reads from a real demo database: every lead at its decision time scored by
the rulebook in force, the drift baseline at that rulebook's publish time, and the probabilities of
the model in force (published through the CLI) behind the calibration objective."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import demo_database
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine
from scoring.features.quality import load_competitors
from scoring.health import health_history
from scoring.learn.methods import with_rule_scores
from scoring.objectives import evaluate, parse_objectives
from scoring.policy import Change, in_force, publish_text
from scoring.policy.model import model_in_force
from scoring.rules import evaluate_hits, score
from scoring.rules.loader import DEFAULT_RULEBOOK
from scoring.training_data import database_leads

runner = CliRunner()
PUBLISHED = datetime(2026, 6, 1, 9, 30)
AT = datetime(2026, 9, 1)
CALIBRATION = """
objectives:
  - name: calibration
    kind: model_calibration
    max_ece: 1.0
    min_closed: 20
    window_days: 14
    error_budget: 0.1
"""


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "health_history", 2000, 3)


def test_without_a_publish_every_lead_is_scored_by_the_shipped_rulebook(url: str) -> None:
    engine = make_engine(url)
    leads = health_history(engine).leads
    assert leads is not None and leads.baseline_at is None and not leads.has_model
    frame = database_leads(engine, competitor_domains=load_competitors())
    hits = evaluate_hits(in_force(engine).rulebook, frame)
    order = np.argsort(frame["decision_at"].to_numpy(), kind="stable")
    assert np.array_equal(leads.score, score(hits).total[order])
    assert np.array_equal(leads.failed, hits.failed[order])
    assert np.all(np.diff(leads.decided_at) >= np.timedelta64(0))
    [status] = evaluate(parse_objectives(CALIBRATION), health_history(engine), AT)
    assert (status.state, status.cause) == ("no data", "no model in force")


def test_the_models_probabilities_and_the_publish_time_reach_the_objectives(
    url: str, tmp_path: Path
) -> None:
    engine = make_engine(url)
    text = DEFAULT_RULEBOOK.read_text().replace("  threshold: 60\n", "  threshold: 58\n", 1)
    publish_text(engine, "rulebook", text, Change("ana@example.com", "58"), now=PUBLISHED)
    model = tmp_path / "model.skops"
    trained = runner.invoke(
        app,
        ["train", "--target", "sales_accepted", "--cutoff", "2026-03-01", "--out", str(model),
         "-d", url],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    published = runner.invoke(app, ["model", "publish", str(model), "--by", "bo", "-d", url])
    assert published.exit_code == 0, published.output

    history = health_history(engine)
    leads = history.leads
    assert leads is not None and leads.baseline_at == np.datetime64(PUBLISHED, "ns")
    policy = in_force(engine)
    assert policy.model is not None and leads.model == policy.model.version
    frame = database_leads(engine, competitor_domains=load_competitors())
    loaded = model_in_force(policy)
    assert loaded is not None
    expected = loaded.predict_proba(with_rule_scores(frame, policy.rulebook))
    order = np.argsort(frame["decision_at"].to_numpy(), kind="stable")
    assert leads.probability is not None
    assert np.allclose(leads.probability, expected[order])
    [status] = evaluate(parse_objectives(CALIBRATION), history, AT)
    assert status.state == "ok" and 0 <= status.current <= 1
