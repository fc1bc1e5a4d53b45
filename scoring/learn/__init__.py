"""The learned model: time-aware training, leakage check, calibrated pipelines, rules-vs-model comparison.

Pure core: frames in, frames out (numpy, pandas, scikit-learn, skops for files). Reading the database
happens at an edge (scoring.training_data, the CLI) and hands frames in here.

    run = train(leads, target_named("won"), cutoff="2025-01-01")     # split, leakage check, fit, card
    save_model(run.model, "var/models/won.skops"); model = load_model("var/models/won.skops")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.learn.artefact import load_model, read_card, save_model
    from scoring.learn.card import ModelCard
    from scoring.learn.compare import Comparison, Method, compare
    from scoring.learn.crossval import cross_validated_split
    from scoring.learn.evaluation import drift, evaluate
    from scoring.learn.intervals import Estimate, bootstrap, paired_difference
    from scoring.learn.leakage import LeakageFlag, LeakageReport, Thresholds, check_leakage
    from scoring.learn.model import ModelMismatch, TrainedModel
    from scoring.learn.pipelines import BOOSTING, KINDS, LOGISTIC, make_model
    from scoring.learn.schema import FeatureSchema, infer_schema
    from scoring.learn.targets import TARGETS, Labelled, Target, label, target_named
    from scoring.learn.training import TrainingRun, backtest, train
    from scoring.learn.validation import Split, random_split, rolling_origins, time_split

# Names load on first use: scikit-learn and skops take a second to import, and the CLI, the API
# worker and the dashboard's first page do not need them.
_EXPORTS = {
    "BOOSTING": "scoring.learn.pipelines",
    "Comparison": "scoring.learn.compare",
    "Estimate": "scoring.learn.intervals",
    "FeatureSchema": "scoring.learn.schema",
    "KINDS": "scoring.learn.pipelines",
    "LOGISTIC": "scoring.learn.pipelines",
    "Labelled": "scoring.learn.targets",
    "LeakageFlag": "scoring.learn.leakage",
    "LeakageReport": "scoring.learn.leakage",
    "Method": "scoring.learn.compare",
    "ModelCard": "scoring.learn.card",
    "ModelMismatch": "scoring.learn.model",
    "Split": "scoring.learn.validation",
    "TARGETS": "scoring.learn.targets",
    "Target": "scoring.learn.targets",
    "Thresholds": "scoring.learn.leakage",
    "TrainedModel": "scoring.learn.model",
    "TrainingRun": "scoring.learn.training",
    "backtest": "scoring.learn.training",
    "bootstrap": "scoring.learn.intervals",
    "check_leakage": "scoring.learn.leakage",
    "compare": "scoring.learn.compare",
    "cross_validated_split": "scoring.learn.crossval",
    "drift": "scoring.learn.evaluation",
    "evaluate": "scoring.learn.evaluation",
    "infer_schema": "scoring.learn.schema",
    "label": "scoring.learn.targets",
    "load_model": "scoring.learn.artefact",
    "make_model": "scoring.learn.pipelines",
    "paired_difference": "scoring.learn.intervals",
    "random_split": "scoring.learn.validation",
    "read_card": "scoring.learn.artefact",
    "rolling_origins": "scoring.learn.validation",
    "save_model": "scoring.learn.artefact",
    "target_named": "scoring.learn.targets",
    "time_split": "scoring.learn.validation",
    "train": "scoring.learn.training",
}

__all__ = [
    "BOOSTING",
    "KINDS",
    "LOGISTIC",
    "TARGETS",
    "Comparison",
    "Estimate",
    "FeatureSchema",
    "Labelled",
    "LeakageFlag",
    "LeakageReport",
    "Method",
    "ModelCard",
    "ModelMismatch",
    "Split",
    "Target",
    "Thresholds",
    "TrainedModel",
    "TrainingRun",
    "backtest",
    "bootstrap",
    "check_leakage",
    "compare",
    "cross_validated_split",
    "drift",
    "evaluate",
    "infer_schema",
    "label",
    "load_model",
    "make_model",
    "paired_difference",
    "random_split",
    "read_card",
    "rolling_origins",
    "save_model",
    "target_named",
    "time_split",
    "train",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
