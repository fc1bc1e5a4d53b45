"""The learned model: time-aware training, leakage check, calibrated pipelines, rules-vs-model comparison.

Pure core: frames in, frames out (numpy, pandas, scikit-learn, skops for files). Reading the database
happens at an edge (scoring.training_data, the CLI) and hands frames in here.

    run = train(leads, target_named("won"), cutoff="2025-01-01")     # split, leakage check, fit, card
    save_model(run.model, "var/models/won.skops"); model = load_model("var/models/won.skops")
"""

from __future__ import annotations

from scoring.learn.artefact import load_model, read_card, save_model
from scoring.learn.card import ModelCard
from scoring.learn.compare import Comparison, Method, compare
from scoring.learn.evaluation import drift, evaluate
from scoring.learn.intervals import Estimate, bootstrap, paired_difference
from scoring.learn.leakage import LeakageFlag, LeakageReport, Thresholds, check_leakage
from scoring.learn.model import ModelMismatch, TrainedModel
from scoring.learn.pipelines import BOOSTING, KINDS, LOGISTIC, make_model
from scoring.learn.schema import FeatureSchema, infer_schema
from scoring.learn.targets import TARGETS, Labelled, Target, label, target_named
from scoring.learn.training import TrainingRun, backtest, train
from scoring.learn.validation import Split, random_split, rolling_origins, time_split

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
