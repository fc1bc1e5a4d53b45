"""Leakage check: columns that know the outcome, flagged with the signal that caught them and why.

Four signals, each flag stating its signal and its evidence:
  declared_post_outcome  a mapping profile or data dictionary says the field is filled in after the outcome
  single_column_auc      out-of-fold ROC AUC of the column alone is at least 0.9
  pure_value             a value on >= 1% of leads whose label is almost pure: >= 97% positives, or
                         <= 3% positives where the base rate is at least 25% (at a low base rate,
                         values with almost no positives are common and real: students rarely buy).
                         The value is flagged; the column is excluded only when its pure values
                         together hold at least a quarter of the positives (or of the negatives): an
                         outcome proxy. A small pure value of a field known at creation (a lead source
                         with 98.6% positives on 1.5% of leads) is a real signal, kept and reported.
  disposition_name/value the name or a value reads like a sales disposition (status, stage, "closed lost");
                         a name about an earlier episode ("previous_outcome") is history, not flagged
Flagged columns are excluded from training unless the user overrides them with a reason, which the report
records. An AUC alone cannot catch every leak (UCI's `duration` scores only ~0.82): declarations matter.
A column declared known at creation (`known_at: creation`) is exempt from the inferred signals: what
they would have flagged is kept in the report and the model card with the declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from scoring.errors import ConfigError
from scoring.learn.encoding import out_of_fold_rates
from scoring.learn.intervals import roc_auc

DECLARED = "declared_post_outcome"
SINGLE_AUC = "single_column_auc"
PURE_VALUE = "pure_value"
DISPOSITION_NAME = "disposition_name"
DISPOSITION_VALUE = "disposition_value"

DISPOSITION_WORDS = frozenset(
    [
        "status",
        "stage",
        "quality",
        "reason",
        "outcome",
        "disposition",
        "result",
        "won",
        "lost",
        "closed",
        "converted",
        "disqualified",
        "accepted",
        "rejected",
    ]
)
HISTORY_WORDS = frozenset(["previous", "prior", "past", "last", "earlier", "history", "historical"])
"""A name about an earlier episode ("previous_outcome") describes history known before the decision."""
DISPOSITION_VALUES = frozenset(
    {
        "closed",
        "closed won",
        "closed lost",
        "won",
        "lost",
        "not interested",
        "disqualified",
        "unqualified",
        "converted",
        "rejected",
        "no sale",
        "bad fit",
    }
)


@dataclass(frozen=True)
class Thresholds:
    """When a signal fires."""

    auc: float = 0.9
    min_support: float = 0.01
    high_purity: float = 0.97
    low_purity: float = 0.03
    low_purity_min_base: float = 0.25
    min_expected_positives: float = 10.0
    pure_column_share: float = 0.25
    disposition_support: float = 0.001
    folds: int = 5
    max_rows: int = 50_000


@dataclass(frozen=True)
class LeakageFlag:
    """One column caught by one signal, with the evidence; `kept` says why the flag does not
    exclude its column (a small pure value, a declaration), empty when it does."""

    column: str
    signal: str
    evidence: str
    kept: str = ""


@dataclass(frozen=True)
class LeakageReport:
    """Every flag, the user's overrides (column -> reason), and each column's single-column AUC."""

    flags: tuple[LeakageFlag, ...]
    overrides: Mapping[str, str] = field(default_factory=dict)
    aucs: Mapping[str, float] = field(default_factory=dict)

    @property
    def flagged(self) -> tuple[str, ...]:
        """Columns a flag excludes (flags with a `kept` reason exclude nothing)."""
        return tuple(dict.fromkeys(flag.column for flag in self.flags if not flag.kept))

    @property
    def excluding(self) -> tuple[LeakageFlag, ...]:
        return tuple(flag for flag in self.flags if not flag.kept)

    @property
    def noted(self) -> tuple[LeakageFlag, ...]:
        """Flags that keep their column: small pure values, columns declared known at creation."""
        return tuple(flag for flag in self.flags if flag.kept)

    @property
    def excluded(self) -> tuple[str, ...]:
        """Flagged columns that training leaves out (no override)."""
        return tuple(column for column in self.flagged if column not in self.overrides)

    def table(self) -> pd.DataFrame:
        """One row per flag: column, signal, evidence, and the decision taken."""
        rows = [
            {
                "column": flag.column,
                "signal": flag.signal,
                "evidence": flag.evidence,
                "decision": decision(flag, self.overrides),
            }
            for flag in self.flags
        ]
        return pd.DataFrame(rows, columns=["column", "signal", "evidence", "decision"])


def decision(flag: LeakageFlag, overrides: Mapping[str, str]) -> str:
    """What training did with a flagged column: kept (and why), kept by override, or excluded."""
    if flag.kept:
        return f"kept: {flag.kept}"
    if flag.column in overrides:
        return f"kept by override: {overrides[flag.column]}"
    return "excluded"


def _declarations(declared: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    return dict(declared) if isinstance(declared, Mapping) else dict.fromkeys(declared, "")


def check_leakage(
    leads: pd.DataFrame,
    y: np.ndarray,
    *,
    declared: Mapping[str, str] | Iterable[str] = (),
    known_at_creation: Mapping[str, str] | Iterable[str] = (),
    overrides: Mapping[str, str] | None = None,
    thresholds: Thresholds | None = None,
    seed: int = 0,
) -> LeakageReport:
    """Run every signal over every column of `leads` (features only: no label, no ids).

    Args:
        declared: columns declared post-outcome, optionally mapped to where it was declared.
        known_at_creation: columns declared known when the lead is created (optionally mapped to
            where): exempt from the inferred signals, whose would-be flags are kept as notes.
        overrides: column -> reason to keep a flagged column anyway; an empty reason is refused.
    """
    limits = thresholds or Thresholds()
    kept = dict(overrides or {})
    blank = [column for column, reason in kept.items() if not str(reason).strip()]
    if blank:
        raise ValueError(f"an override needs a reason: {', '.join(blank)}")
    sample, labels = _sample(leads, np.asarray(y), limits.max_rows, seed)
    sources, creation = _declarations(declared), _declarations(known_at_creation)
    both = sorted(set(sources) & set(creation))
    if both:
        raise ConfigError(
            f"declared both post-outcome and known at creation: {', '.join(both)} (choose one)"
        )
    flags = [
        LeakageFlag(column, DECLARED, f"declared known only after the outcome{_by(source)}")
        for column, source in sources.items()
        if column in leads.columns
    ]
    aucs: dict[str, float] = {}
    for column in sample.columns:
        aucs[column], column_flags = _column_flags(sample[column], labels, limits, seed)
        if column in creation:
            exempt = f"declared known at creation{_by(creation[column])}: exempt from this signal"
            column_flags = [replace(flag, kept=exempt) for flag in column_flags]
        flags += column_flags
    return LeakageReport(tuple(flags), kept, aucs)


def _by(source: str) -> str:
    return f" by {source}" if source else ""


def _sample(
    leads: pd.DataFrame, y: np.ndarray, rows: int, seed: int
) -> tuple[pd.DataFrame, np.ndarray]:
    if len(leads) <= rows:
        return leads, y
    picks = np.sort(np.random.default_rng(seed).choice(len(leads), rows, replace=False))
    return leads.iloc[picks], y[picks]


def _column_flags(
    values: pd.Series, y: np.ndarray, limits: Thresholds, seed: int
) -> tuple[float, list[LeakageFlag]]:
    column = str(values.name)
    flags = []
    auc = roc_auc(y, out_of_fold_rates(values, y, folds=limits.folds, seed=seed))
    if auc >= limits.auc:
        flags.append(
            LeakageFlag(
                column, SINGLE_AUC, f"out-of-fold ROC AUC of this column alone is {auc:.3f}"
            )
        )
    if _disposition_name(column):
        flags.append(
            LeakageFlag(
                column, DISPOSITION_NAME, f"the name {column!r} reads like a sales disposition"
            )
        )
    if not _is_numeric(values):
        flags += _pure_values(values, y, limits)
        flags += _disposition_values(values, limits)
    return auc, flags


def _is_numeric(values: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values))


def _disposition_name(column: str) -> bool:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", column).lower()
    words = set(re.split(r"[^a-z0-9]+", spaced))
    return bool(DISPOSITION_WORDS & words) and not HISTORY_WORDS & words


def _pure_values(values: pd.Series, y: np.ndarray, limits: Thresholds) -> list[LeakageFlag]:
    base = float(y.mean())
    stats = (
        pd.DataFrame({"value": values.astype(object).to_numpy(), "y": y})
        .groupby("value")["y"]
        .agg(["size", "mean"])
    )
    support = stats["size"] / len(values)
    high = stats["mean"] >= limits.high_purity
    low = (
        (stats["mean"] <= limits.low_purity)
        & (base >= limits.low_purity_min_base)
        & (stats["size"] * base >= limits.min_expected_positives)
    )
    common = support >= limits.min_support
    pure = stats[common & (high | low)]
    kept = _small_pure_values(stats, common & high, common & low, y, limits)
    return [
        LeakageFlag(
            str(values.name),
            PURE_VALUE,
            f"value {value!r} is on {share:.1%} of leads and {rate:.1%} of them are positive "
            f"(base rate {base:.1%})",
            kept,
        )
        for value, rate, share in zip(pure.index, pure["mean"], support[pure.index], strict=True)
    ]


def _small_pure_values(
    stats: pd.DataFrame, high: pd.Series, low: pd.Series, y: np.ndarray, limits: Thresholds
) -> str:
    """Why a column's pure values flag only themselves ("" when the column is an outcome proxy).

    A field filled in after the outcome makes much of one outcome pure; a field known at creation
    may have a small pure value (a referral source that nearly always buys): a real signal.
    """
    positives, negatives = max(int(y.sum()), 1), max(int(len(y) - y.sum()), 1)
    won = float((stats["size"] * stats["mean"])[high].sum()) / positives
    lost = float((stats["size"] * (1 - stats["mean"]))[low].sum()) / negatives
    if max(won, lost) >= limits.pure_column_share:
        return ""
    return (
        f"the value is flagged, not the column: its pure values hold {won:.1%} of the positives "
        f"and {lost:.1%} of the negatives (a column is excluded from "
        f"{limits.pure_column_share:.0%} of either)"
    )


def _disposition_values(values: pd.Series, limits: Thresholds) -> list[LeakageFlag]:
    counts = values.dropna().astype(str).value_counts()
    normal = counts.index.str.lower().str.replace(r"[\s_\-]+", " ", regex=True).str.strip()
    hits = [
        (value, count)
        for value, key, count in zip(counts.index, normal, counts.to_numpy(), strict=True)
        if key in DISPOSITION_VALUES and count >= limits.disposition_support * len(values)
    ]
    if not hits:
        return []
    listed = ", ".join(f"{value!r} ({count / len(values):.1%})" for value, count in hits[:5])
    return [
        LeakageFlag(
            str(values.name), DISPOSITION_VALUE, f"values read like sales dispositions: {listed}"
        )
    ]
