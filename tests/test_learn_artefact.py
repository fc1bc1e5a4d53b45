"""Model files: identical predictions after a round trip; refusals that say exactly why."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from scoring.learn.artefact import load_model, read_card, save_model
from scoring.learn.model import ModelMismatch
from scoring.learn.schema import FeatureSchema
from scoring.learn.synthetic import synthetic_leads
from scoring.learn.targets import target_named
from scoring.learn.training import TrainingRun, train

LEADS = synthetic_leads(3000, seed=5)


@pytest.fixture(scope="module", params=["logistic", "boosting"])
def run(request: pytest.FixtureRequest) -> TrainingRun:
    return train(LEADS, target_named("won"), cutoff="2024-12-01", kind=request.param, resamples=20)


def test_a_saved_and_reloaded_model_gives_identical_predictions(
    run: TrainingRun, tmp_path: Path
) -> None:
    path = save_model(run.model, tmp_path / "won.skops")
    loaded = load_model(path)
    assert np.array_equal(
        loaded.predict_proba(run.split.test), run.model.predict_proba(run.split.test)
    )
    assert loaded.card == run.model.card


def test_the_card_records_target_window_features_hash_metrics_and_versions(
    run: TrainingRun,
) -> None:
    card = run.model.card
    assert card.target["name"] == "won"
    assert card.training_window["first"] < card.training_window["last"] < "2024-12-01"
    assert "industry" in card.features["categorical"]
    assert len(card.data_hash) == 64
    assert {"roc_auc", "pr_auc", "brier"} <= set(card.metrics)
    assert (
        card.metrics["roc_auc"]["low"]
        <= card.metrics["roc_auc"]["value"]
        <= card.metrics["roc_auc"]["high"]
    )
    assert {"scikit-learn", "numpy", "pandas", "python"} <= set(card.versions)
    assert "Model card" in card.to_markdown()


def test_a_model_saved_with_another_feature_schema_refuses_to_load(
    run: TrainingRun, tmp_path: Path
) -> None:
    path = save_model(run.model, tmp_path / "won.skops")
    other = FeatureSchema(
        categorical=tuple(c for c in run.model.schema.categorical if c != "industry"),
        numeric=(*run.model.schema.numeric, "pricing_views_30d"),
    )
    with pytest.raises(ModelMismatch) as caught:
        load_model(path, schema=other)
    message = str(caught.value)
    assert "industry: the model needs this categorical column; the data has none" in message
    assert "pricing_views_30d: the data has this column; the model was not trained on it" in message


def test_scoring_a_frame_without_a_feature_column_fails_clearly(run: TrainingRun) -> None:
    with pytest.raises(ModelMismatch, match="seniority: missing categorical feature column"):
        run.model.predict_proba(run.split.test.drop(columns=["seniority"]))


def test_a_model_from_another_library_version_refuses_to_load(
    run: TrainingRun, tmp_path: Path
) -> None:
    path = save_model(run.model, tmp_path / "won.skops")
    card = json.loads(read_card(path).to_json())
    card["versions"]["scikit-learn"] = "0.24.2"
    payload = {
        "card": json.dumps(card),
        "schema": json.dumps(run.model.schema.as_dict()),
        "estimator": run.model.estimator,
    }
    sio.dump(payload, tmp_path / "old.skops")
    with pytest.raises(ModelMismatch, match=r"scikit-learn: saved with 0\.24\.2"):
        load_model(tmp_path / "old.skops")


def test_a_file_asking_for_untrusted_types_is_refused_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "evil.skops"
    sio.dump({"card": "{}", "schema": "{}", "estimator": Path("x")}, path)
    with pytest.raises(ModelMismatch, match="not trusted: pathlib"):
        load_model(path)


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.skops"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ModelMismatch, match="not a smarketing model file"):
        load_model(path)
