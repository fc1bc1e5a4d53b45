"""The scoring lab's engine: score history under a tuning, index it, and say what moved.

outcomes = Outcomes.of(history)               # accepted / won flags and creation times
run = run_lab(hits, tuning, outcomes)         # re-uses the hit matrix (no predicate runs)
run.at(55).mqls                                # the MQL count the dashboard shows
run.mql_at(55)                                 # exactly the leads the tuned rulebook at 55 qualifies

`mql_at` and `at` decide with scoring.rules.mqls on the rulebook `tuned_rulebook` builds, the one the
publish writes, and every count (the lab's metrics, `whatif`, `rules diff`) is `count_mqls` of such a
flag set; the sorted ThresholdIndex only supplies the calendar of weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.rules.hits import Hits
from scoring.rules.mqls import at_threshold, lead_thresholds, qualifies
from scoring.rules.scores import Scores, score
from scoring.rules.tuning import Tuning, retune
from scoring.rules.whatif import ThresholdIndex, WhatIf, ratio

OUTCOME_CLASSES = ("won", "accepted, not won", "neither")


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Per lead (in hit-matrix order): was it accepted by sales, was it won, when was it created."""

    accepted: np.ndarray
    won: np.ndarray
    created_at: np.ndarray  # datetime64

    @classmethod
    def of(cls, history: pd.DataFrame) -> Outcomes:
        """From a frame with accepted_at, won_at (NaT when not) and created_at columns.

        A lead flagged `won_date_unknown` (won, close date not known) counts as won.
        """
        won = history["won_at"].notna().to_numpy()
        if "won_date_unknown" in history:
            won = won | history["won_date_unknown"].fillna(False).to_numpy(dtype=bool)
        return cls(
            accepted=history["accepted_at"].notna().to_numpy(),
            won=won,
            created_at=history["created_at"].to_numpy(dtype="datetime64[ns]"),
        )

    def classes(self) -> np.ndarray:
        """0 won, 1 accepted but not won, 2 neither (indexes into OUTCOME_CLASSES)."""
        return np.where(self.won, 0, np.where(self.accepted, 1, 2))


@dataclass(frozen=True, eq=False)
class LabRun:
    tuning: Tuning
    hits: Hits  # the hit matrix under the tuning (for explanations)
    scores: Scores
    index: ThresholdIndex
    outcomes: Outcomes | None = None

    @property
    def threshold(self) -> float:
        return self.scores.default_threshold

    @cached_property
    def eligible(self) -> np.ndarray:
        """Leads that pass every gate (gates do not depend on the tuning)."""
        return np.asarray(~self.scores.failed.any(axis=1), dtype=bool)

    def mql_at(self, threshold: float | None = None) -> np.ndarray:
        """MQL flags under the tuned rulebook with its default threshold at `threshold`."""
        book = at_threshold(self.hits.rulebook, threshold)
        return qualifies(
            self.scores.total, lead_thresholds(book, self.hits.segment), self.hits.blocked
        )

    @cached_property
    def _week(self) -> np.ndarray:
        """Per lead, its week's position in `index.weeks` (-1 without a creation date)."""
        if self.outcomes is None:
            return np.full(len(self.scores.total), -1)
        return week_positions(self.outcomes.created_at, self.index.weeks)

    def at(self, threshold: float | None = None) -> WhatIf:
        """The MQL set at `threshold` counted from `mql_at` (exactly what a publish qualifies)."""
        t = self.threshold if threshold is None else float(threshold)
        return count_mqls(self.mql_at(t), t, self.outcomes, self.index.weeks, self._week)


def mondays(created_at: np.ndarray) -> np.ndarray:
    """The Monday (datetime64[D]) of each creation time's week, as ThresholdIndex counts weeks."""
    days = np.asarray(created_at, dtype="datetime64[D]")
    return days - ((days.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday


def week_positions(created_at: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """Per lead, the position of its week in `weeks` (sorted Mondays); -1 where it is not there."""
    if not len(weeks):
        return np.full(len(created_at), -1)
    monday = mondays(created_at)
    found = np.clip(np.searchsorted(weeks, monday), 0, len(weeks) - 1)
    return np.where(weeks[found] == monday, found, -1)


def count_mqls(
    mql: np.ndarray,
    threshold: float,
    outcomes: Outcomes | None,
    weeks: np.ndarray,
    week: np.ndarray,
) -> WhatIf:
    """Count one MQL flag set (from scoring.rules.mqls.qualifies): outcomes, precision, per week.

    Args:
        weeks: the weeks to count in (sorted Mondays); week: per lead, its position in them or -1.
    """
    mqls = int(mql.sum())
    accepted = int((mql & outcomes.accepted).sum()) if outcomes is not None else 0
    won = int((mql & outcomes.won).sum()) if outcomes is not None else 0
    won_total = int(outcomes.won.sum()) if outcomes is not None else 0
    chosen = week[mql]
    return WhatIf(
        threshold=float(threshold),
        mqls=mqls,
        accepted=accepted,
        won=won,
        precision_accepted=ratio(accepted, mqls),
        precision_won=ratio(won, mqls),
        recall_won=ratio(won, won_total),
        weeks=weeks,
        per_week=np.bincount(chosen[chosen >= 0], minlength=len(weeks)),
    )


def run_lab(hits: Hits, tuning: Tuning, outcomes: Outcomes) -> LabRun:
    """Score every historical lead under `tuning` and build its threshold index."""
    tuned = retune(hits, tuning)
    scores = score(tuned)
    index = ThresholdIndex.from_scores(
        scores, accepted=outcomes.accepted, won=outcomes.won, created_at=outcomes.created_at
    )
    return LabRun(tuning, tuned, scores, index, outcomes)


def recent_weekly_rate(whatif: WhatIf, weeks: int = 12) -> float:
    """Mean MQLs per week over the last `weeks` weeks of history (the last, partial week excluded)."""
    per_week = whatif.per_week[:-1] if len(whatif.per_week) > 1 else whatif.per_week
    recent = per_week[-weeks:]
    return float(recent.mean()) if len(recent) else 0.0


def weekly_frame(whatif: WhatIf, capacity: float, weeks: int = 26) -> pd.DataFrame:
    """The last `weeks` weeks: MQLs per week and the reps' weekly capacity (for one small chart)."""
    frame = pd.DataFrame({"week": whatif.weeks, "MQLs": whatif.per_week}).tail(weeks)
    frame["capacity"] = capacity
    return frame.melt(id_vars="week", var_name="series", value_name="leads")


def score_distribution(scores: Scores, outcomes: Outcomes, bins: int = 60) -> pd.DataFrame:
    """Histogram of total scores per outcome class, binned here (a few hundred rows at most)."""
    total = scores.total
    low, high = (
        float(np.floor(total.min())) if len(total) else 0.0,
        float(np.ceil(total.max())) if len(total) else 1.0,
    )
    edges = np.linspace(low, high if high > low else low + 1, bins + 1)
    classes = outcomes.classes()
    rows = []
    for k, name in enumerate(OUTCOME_CLASSES):
        counts, _ = np.histogram(total[classes == k], bins=edges)
        rows.append(
            pd.DataFrame({"score": (edges[:-1] + edges[1:]) / 2, "leads": counts, "outcome": name})
        )
    return pd.concat(rows, ignore_index=True)


def moved(baseline: np.ndarray, tuned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entering, leaving): positions of leads that become MQL, or stop being one, under the tuning."""
    return np.flatnonzero(tuned & ~baseline), np.flatnonzero(baseline & ~tuned)


def mql_at(scores: Scores, threshold: float, eligible: np.ndarray | None = None) -> np.ndarray:
    """MQL flags when the default threshold is `threshold` (segment thresholds move with it).

    Decided with `qualifies` on the per-lead thresholds `at_threshold` would give: exactly the flags
    of the rulebook moved to `threshold`, for scores built at the rulebook's own threshold (as
    `score(hits)` builds them). `eligible`: gate-passing leads (default: from the scores).
    """
    t = float(threshold)
    moved = t + (scores.threshold - scores.default_threshold)  # as segments_at moves them
    per_lead = scores.threshold if t == scores.default_threshold else moved
    passing = ~scores.failed.any(axis=1) if eligible is None else eligible
    return qualifies(scores.total, per_lead, np.logical_not(passing))
