"""Every lead as the rulebook (and the model) in force saw it at its decision time, oldest first.

What the lead-level objective kinds (gate_failure_rate, score_drift, model_calibration) judge:

    leads = lead_history(frame, hits, baseline_at=published_at, probability=p, target=("won_at", 120))

`frame` is the training frame of the analytics layer (features at each lead's decision time plus
outcome times, scoring.training_data.database_leads: what the dashboard reads), `hits` the rulebook in
force evaluated over it. A lead counts in a window by its decision time (`decided_at`); for the
model, by the moment its outcome became known (`closed_at`): a positive when the target event
happened within the target's horizon, a negative when the horizon ran out without it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.rules.hits import Hits
from scoring.rules.scores import score

NO_CAMPAIGN = "(none)"


@dataclass(frozen=True, eq=False)
class LeadHistory:
    """Per lead, sorted by decision time; gate and rule columns follow `gates` and `rules`.

    baseline_at: when the rulebook in force was published (None: the shipped file, never
    published); score_drift compares with the leads decided in the window before it.
    closed_at / outcome / probability: the model in force's target (NaT: not known yet), the
    outcome once known, and the model's probability (NaN everywhere when no model is in force).
    """

    decided_at: np.ndarray
    campaign: np.ndarray
    score: np.ndarray
    failed: np.ndarray
    gates: tuple[str, ...]
    hit: np.ndarray
    rules: tuple[str, ...]
    baseline_at: np.datetime64 | None = None
    closed_at: np.ndarray | None = None
    outcome: np.ndarray | None = None
    probability: np.ndarray | None = None
    model: str = ""

    def __len__(self) -> int:
        return len(self.decided_at)

    def until(self, at: np.datetime64) -> LeadHistory:
        """What was known at `at`: leads decided by then, outcomes known by then."""
        keep = int(np.searchsorted(self.decided_at, at, side="right"))
        closed = None
        if self.closed_at is not None:
            closed = self.closed_at[:keep].copy()
            closed[closed > at] = np.datetime64("NaT")
        trimmed = {
            name: getattr(self, name)[:keep]
            for name in ("decided_at", "campaign", "score", "failed", "hit", "outcome")
            if getattr(self, name) is not None
        }
        probability = None if self.probability is None else self.probability[:keep]
        return replace(self, **trimmed, closed_at=closed, probability=probability)

    @property
    def has_model(self) -> bool:
        return self.probability is not None and bool(np.isfinite(self.probability).any())


def _closed(
    frame: pd.DataFrame, event_column: str, horizon_days: float
) -> tuple[np.ndarray, np.ndarray]:
    """When each lead's target outcome became known, and the outcome (1 happened, 0 did not)."""
    created = frame["created_at"].to_numpy(dtype="datetime64[ns]")
    deadline = created + np.timedelta64(int(horizon_days * 86400), "s")
    happened_at = frame[event_column].to_numpy(dtype="datetime64[ns]")
    positive = ~np.isnat(happened_at) & (happened_at <= deadline)
    return np.where(positive, happened_at, deadline), positive.astype(np.int8)


def lead_history(
    frame: pd.DataFrame,
    hits: Hits,
    *,
    baseline_at: np.datetime64 | None = None,
    probability: np.ndarray | None = None,
    target: tuple[str, float] | None = None,
    model: str = "",
) -> LeadHistory:
    """Build the LeadHistory of `frame` (rows in `hits` order; decision_at, created_at,
    campaign_code and the target's event column) scored by `hits`' rulebook.

    Args:
        probability: the model in force's probability per row, None without a model.
        target: the model's (event column, horizon in days), needed with `probability`.
    """
    order = np.argsort(frame["decision_at"].to_numpy(dtype="datetime64[ns]"), kind="stable")
    book = hits.rulebook
    campaign = frame["campaign_code"].astype(object).to_numpy()
    campaign = np.where(pd.isna(campaign), NO_CAMPAIGN, campaign).astype(object)
    closed_at = outcome = None
    if probability is not None and target is not None:
        closed_at, outcome = (a[order] for a in _closed(frame, *target))
        probability = np.asarray(probability, dtype=np.float64)[order]
    return LeadHistory(
        decided_at=frame["decision_at"].to_numpy(dtype="datetime64[ns]")[order],
        campaign=campaign[order],
        score=score(hits).total[order],
        failed=np.ascontiguousarray(hits.failed[order]),
        gates=tuple(g.message or g.id for g in book.gates),
        hit=np.ascontiguousarray(hits.strength[order] > 0),
        rules=tuple(rule.id for rule in book.ordered),
        baseline_at=baseline_at,
        closed_at=closed_at,
        outcome=outcome,
        probability=probability if closed_at is not None else None,
        model=model,
    )
