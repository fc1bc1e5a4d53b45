"""A fitted model with its feature schema and card: the one object that is trained, saved and scored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from scoring.errors import ConfigError, Problem
from scoring.learn.card import ModelCard
from scoring.learn.schema import FeatureSchema

THREADS = 1
"""Native threads when scoring and explaining: on a shared machine OpenMP oversubscription is far slower."""


class ModelMismatch(ConfigError):
    """A model cannot be used on this data or in this environment; lists every reason at once."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        head = f"the model{f' in {source}' if source else ''} cannot be used"
        super().__init__(f"{head}:\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class TrainedModel:
    """A fitted scikit-learn estimator, the schema it reads, and its card."""

    estimator: Any
    schema: FeatureSchema
    card: ModelCard

    @property
    def kind(self) -> str:
        return self.card.kind

    def check(self, leads: pd.DataFrame) -> None:
        """Raise ModelMismatch listing every feature column `leads` lacks or has of the wrong kind."""
        problems = self.schema.problems(leads)
        if problems:
            raise ModelMismatch(problems, f"{self.kind} model for {self.card.target.get('name')}")

    def predict_proba(self, leads: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of the target for each lead (a 1-d array)."""
        self.check(leads)
        with threadpool_limits(limits=THREADS):
            return np.asarray(self.estimator.predict_proba(self.schema.prepare(leads))[:, 1])
