"""The model in force: published as a checked pointer, loaded by digest, rolled back, audited."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.audit import AuditEntry
from scoring.errors import ConfigError, SmarketingError
from scoring.learn.artefact import save_model
from scoring.learn.synthetic import synthetic_leads
from scoring.learn.targets import target_named
from scoring.learn.training import TrainingRun, train
from scoring.policy import Change, in_force
from scoring.policy.model import model_in_force, publish_model, rollback_model

LEADS = synthetic_leads(2000, seed=9)
runner = CliRunner()


@pytest.fixture(scope="module")
def run() -> TrainingRun:
    return train(LEADS, target_named("won"), cutoff="2024-12-01", kind="logistic", resamples=10)


def test_no_model_is_in_force_until_one_is_published(sqlite_engine: Engine) -> None:
    assert in_force(sqlite_engine).model is None
    assert model_in_force(in_force(sqlite_engine)) is None


def test_a_published_model_is_in_force_and_predicts_like_the_file(
    sqlite_engine: Engine, run: TrainingRun, tmp_path: Path
) -> None:
    first = save_model(run.model, tmp_path / "a.skops")
    published = publish_model(sqlite_engine, first, Change("ana@example.com", "first model"))
    policy = in_force(sqlite_engine)
    assert policy.model is not None and policy.model.version == published.version
    assert policy.model.path == str(first.resolve()) and policy.model.target == "won"
    loaded = model_in_force(policy)
    assert loaded is not None
    assert np.array_equal(
        loaded.predict_proba(run.split.test), run.model.predict_proba(run.split.test)
    )
    with pytest.raises(ConfigError, match="nothing to publish"):
        publish_model(sqlite_engine, first, Change("ana@example.com"))

    with pytest.raises(SmarketingError, match=r"missing\.skops"):
        publish_model(sqlite_engine, tmp_path / "missing.skops", Change("bo@example.com"))

    first.write_bytes(first.read_bytes() + b"\0")  # the published file changes under our feet
    with pytest.raises(ConfigError, match="changed since it was published"):
        model_in_force(in_force(sqlite_engine))


def test_rollback_restores_an_older_pointer_and_both_are_audited(
    sqlite_engine: Engine, run: TrainingRun, tmp_path: Path
) -> None:
    first = publish_model(sqlite_engine, save_model(run.model, tmp_path / "a.skops"), Change("a"))
    other = train(LEADS, target_named("won"), cutoff="2024-12-01", kind="boosting", resamples=10)
    publish_model(sqlite_engine, save_model(other.model, tmp_path / "b.skops"), Change("b"))
    assert in_force(sqlite_engine).model.path.endswith("b.skops")  # type: ignore[union-attr]
    restored = rollback_model(sqlite_engine, first.version, Change("c", "b was worse"))
    policy = in_force(sqlite_engine)
    assert policy.model is not None and policy.model.version == restored.version
    assert policy.model.path.endswith("a.skops")
    with sqlite_engine.connect() as connection:
        actions = connection.execute(select(AuditEntry.action, AuditEntry.actor)).all()
    assert [tuple(a) for a in actions] == [
        ("model_published", "a"),
        ("model_published", "b"),
        ("model_rolled_back", "c"),
    ]


def test_the_cli_publishes_shows_and_refuses_a_missing_file(
    sqlite_engine: Engine, run: TrainingRun, tmp_path: Path
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    path = save_model(run.model, tmp_path / "m.skops")
    empty = runner.invoke(app, ["model", "show", "--database", url])
    assert empty.exit_code == 0 and "no model in force" in empty.output
    done = runner.invoke(app, ["model", "publish", str(path), "--by", "ana", "-d", url])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(app, ["model", "show", "--database", url], terminal_width=200)
    assert "m.skops" in shown.output and "(in force)" in shown.output
