"""The feature schema: which columns a model reads, as which kind, and how a frame is prepared for it.

The schema is inferred once from the training frame (after the leakage check has removed columns), stored
in the model card, and checked again whenever a saved model meets new data: a missing column or a column
of another kind is a clear error, never a silent NaN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.errors import Problem

CATEGORICAL = "categorical"
NUMERIC = "numeric"
IDENTIFIER_SHARE = 0.5  # a text column with more distinct values than this share of rows is an id


@dataclass(frozen=True)
class FeatureSchema:
    """Ordered categorical and numeric feature columns."""

    categorical: tuple[str, ...]
    numeric: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.categorical + self.numeric

    def kind_of(self, column: str) -> str:
        return CATEGORICAL if column in self.categorical else NUMERIC

    def as_dict(self) -> dict[str, list[str]]:
        return {CATEGORICAL: list(self.categorical), NUMERIC: list(self.numeric)}

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> FeatureSchema:
        return cls(tuple(data.get(CATEGORICAL, ())), tuple(data.get(NUMERIC, ())))

    def problems(self, frame: pd.DataFrame) -> list[Problem]:
        """Every way `frame` does not fit this schema (missing columns, wrong kinds)."""
        found = []
        for column in self.columns:
            if column not in frame.columns:
                found.append(Problem(column, f"missing {self.kind_of(column)} feature column"))
            elif column in self.numeric and not _is_numeric(frame[column]):
                found.append(Problem(column, f"expected numeric, found {frame[column].dtype}"))
        return found

    def differences(self, other: FeatureSchema) -> list[Problem]:
        """How `other` differs from this schema, column by column."""
        found = [
            Problem(
                column, f"the model needs this {self.kind_of(column)} column; the data has none"
            )
            for column in self.columns
            if column not in other.columns
        ]
        found += [
            Problem(column, "the data has this column; the model was not trained on it")
            for column in other.columns
            if column not in self.columns
        ]
        found += [
            Problem(
                column, f"kind changed: model {self.kind_of(column)}, data {other.kind_of(column)}"
            )
            for column in self.columns
            if column in other.columns and self.kind_of(column) != other.kind_of(column)
        ]
        return found

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The schema's columns only: categoricals as text (NaN when missing), numerics as float."""
        prepared = {column: _as_text(frame[column]) for column in self.categorical}
        prepared |= {column: _as_float(frame[column]) for column in self.numeric}
        return pd.DataFrame(prepared, index=frame.index, columns=list(self.columns))


def infer_schema(
    frame: pd.DataFrame, exclude: Iterable[str] = ()
) -> tuple[FeatureSchema, dict[str, str]]:
    """Split the usable columns of `frame` into categorical and numeric; say why others were skipped.

    Skipped: dates (derive features first), identifiers, constants, and exact duplicates of an earlier
    column (at a decision 14 days after creation, "last 30 days" and "ever" counts are the same column).
    """
    skipped: dict[str, str] = {}
    categorical: list[str] = []
    numeric: list[str] = []
    excluded = set(exclude)
    seen: dict[int, str] = {}
    for column in frame.columns:
        if column in excluded:
            continue
        series = frame[column]
        fingerprint = int(pd.util.hash_pandas_object(series, index=False).sum())
        twin = seen.setdefault(fingerprint, column)
        if twin != column and series.equals(frame[twin]):
            skipped[column] = f"an exact duplicate of {twin} in the training data"
        elif reason := _unusable(series):
            skipped[column] = reason
        elif _is_numeric(series):
            numeric.append(column)
        else:
            categorical.append(column)
    return FeatureSchema(tuple(categorical), tuple(numeric)), skipped


def _unusable(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        return "a date or duration: derive features from it first"
    if series.nunique(dropna=False) <= 1:
        return "constant in the training data"
    if not _is_numeric(series) and series.nunique(dropna=True) > max(
        IDENTIFIER_SHARE * len(series), 50
    ):
        return "an identifier (almost every value is distinct)"
    return ""


def _is_numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _as_text(series: pd.Series) -> pd.Series:
    missing = series.isna().to_numpy()
    text = series.astype(str).to_numpy(dtype=object)
    text[missing] = np.nan
    return pd.Series(text, index=series.index, dtype=object)


def _as_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)
