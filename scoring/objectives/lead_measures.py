"""Measures of the lead-level kinds (gate failures, score drift, model calibration) over windows.

Leads are sorted by time, so a window is one slice [lo, hi) found by binary search; counts come
from cumulative sums or one bincount per window. Each measure returns (value, ok, cause) per window;
a window without enough leads has value NaN (not judged, met) and says why in its cause.
"""

from __future__ import annotations

import numpy as np

from scoring.objectives.leads import LeadHistory
from scoring.objectives.spec import Objective

DAY = np.timedelta64(1, "D")
BINS = 10
SHARE_FLOOR = 1e-4
"""Bin shares below this count as this in the PSI (an empty bin would make it infinite)."""
Measured = tuple[np.ndarray, np.ndarray, np.ndarray]


def _unjudged(ends: np.ndarray, why: str) -> Measured:
    causes = np.full(len(ends), why, dtype=object)
    return np.full(len(ends), np.nan), np.ones(len(ends), dtype=bool), causes


def bounds(times: np.ndarray, ends: np.ndarray, width: np.timedelta64) -> tuple[np.ndarray, ...]:
    """Slice bounds of the windows (end - width, end] in sorted `times`."""
    return np.searchsorted(times, ends - width, side="right"), np.searchsorted(
        times, ends, side="right"
    )


def _width(objective: Objective) -> np.timedelta64:
    return objective.window_days * DAY


def _most(labels: np.ndarray) -> str:
    if not len(labels):
        return ""
    values, counts = np.unique(labels.astype(str), return_counts=True)
    return str(values[counts.argmax()])


def gate_failure_rate(
    leads: LeadHistory | None, objective: Objective, ends: np.ndarray
) -> Measured:
    """Share of the window's decided leads that fail at least one data-quality gate.

    Windows with fewer than `min_leads` decided leads are not judged. The cause of a miss names
    the gate failed most often and the campaign with the most blocked leads.
    """
    minimum = objective.target["min_leads"]
    if leads is None or not len(leads):
        return _unjudged(ends, "no leads decided")
    if not leads.gates:
        return _unjudged(ends, "the rulebook in force declares no gates")
    lo, hi = bounds(leads.decided_at, ends, _width(objective))
    blocked = np.asarray(leads.failed.any(axis=1), dtype=bool)
    cumulative = np.concatenate([[0], np.cumsum(blocked, dtype=np.int64)])
    total = hi - lo
    value = np.where(
        total >= minimum, (cumulative[hi] - cumulative[lo]) / np.maximum(total, 1), np.nan
    )
    ok = np.isnan(value) | (value <= objective.target["max_share"])
    causes = np.full(len(ends), "", dtype=object)
    causes[np.isnan(value)] = f"fewer than {minimum:g} leads decided in the window"
    for i in np.flatnonzero(~ok):
        failed = leads.failed[lo[i] : hi[i]]
        gate = leads.gates[int(failed.sum(axis=0).argmax())]
        campaign = _most(leads.campaign[lo[i] : hi[i]][blocked[lo[i] : hi[i]]])
        causes[i] = f"gate: {gate}; campaign: {campaign}"
    return value, ok, causes


def _edges(scores: np.ndarray) -> np.ndarray:
    """Inner bin edges: the deciles of `scores`, without repeats (scores are often whole points)."""
    if not len(scores):
        return np.array([])
    return np.unique(np.quantile(scores, np.linspace(0, 1, BINS + 1)[1:-1]))


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two bin-count vectors: Σ (a - e) ln(a / e) over bin shares."""
    e = np.maximum(expected / max(expected.sum(), 1), SHARE_FLOOR)
    a = np.maximum(actual / max(actual.sum(), 1), SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _moved_rules(leads: LeadHistory, window: slice, baseline: slice) -> str:
    """The (up to three) rules whose hit rate moved most between the baseline and the window."""
    moved = leads.hit[window].mean(axis=0) - leads.hit[baseline].mean(axis=0)
    top = np.argsort(-np.abs(moved))[:3]
    return ", ".join(
        f"{leads.rules[r]} {moved[r] * 100:+.0f} pts" for r in top if abs(moved[r]) >= 0.005
    )


def baseline_slice(leads: LeadHistory, width: np.timedelta64, minimum: float) -> slice | None:
    """The leads decided in the window before the rulebook in force was published, if enough."""
    if leads.baseline_at is None:
        return None
    lo, hi = bounds(leads.decided_at, np.array([leads.baseline_at]), width)
    return slice(int(lo[0]), int(hi[0])) if hi[0] - lo[0] >= minimum else None


def score_drift(leads: LeadHistory | None, objective: Objective, ends: np.ndarray) -> Measured:
    """PSI of the window's score distribution (leads decided in it, scored by the rulebook in force)
    against the baseline: the leads decided in the `window_days` before that rulebook was
    published, or, when it never was (or too few leads were decided then), the window just before.

    Bins are the baseline's deciles (fixed baseline) or those of every lead decided by the last
    window's end (rolling). Windows or baselines with fewer than `min_leads` leads are not judged.
    The cause of a miss names the rules whose hit rate moved most (in percentage points).
    """
    minimum = objective.target["min_leads"]
    if leads is None or not len(leads):
        return _unjudged(ends, "no leads decided")
    width = _width(objective)
    lo, hi = bounds(leads.decided_at, ends, width)
    before, _ = bounds(leads.decided_at, ends - width, width)
    fixed = baseline_slice(leads, width, minimum)
    edges = _edges(leads.score[fixed] if fixed is not None else leads.score[: hi.max()])
    bins = np.searchsorted(edges, leads.score, side="right")
    value = np.full(len(ends), np.nan)
    causes = np.full(len(ends), f"fewer than {minimum:g} leads decided in the window", dtype=object)
    for i in range(len(ends)):
        base = fixed if fixed is not None else slice(int(before[i]), int(lo[i]))
        if hi[i] - lo[i] < minimum or base.stop - base.start < minimum:
            continue
        count = len(edges) + 1
        expected = np.bincount(bins[base], minlength=count)
        value[i] = psi(expected, np.bincount(bins[lo[i] : hi[i]], minlength=count))
        causes[i] = ""
        if value[i] > objective.target["max_psi"]:
            causes[i] = _moved_rules(leads, slice(int(lo[i]), int(hi[i])), base)
    ok = np.isnan(value) | (value <= objective.target["max_psi"])
    return value, ok, causes


def model_calibration(
    leads: LeadHistory | None, objective: Objective, ends: np.ndarray
) -> Measured:
    """Expected calibration error of the model in force over the leads whose outcome became known
    in the window: Σ over 10 probability bins of |predicted - happened| / leads.

    Not judged without a model in force or with fewer than `min_closed` such leads. The cause of a
    miss names the probability bin furthest off.
    """
    minimum = objective.target["min_closed"]
    if leads is None or not leads.has_model or leads.closed_at is None:
        return _unjudged(ends, "no model in force")
    probability, outcome = leads.probability, leads.outcome
    if probability is None or outcome is None:
        return _unjudged(ends, "no model in force")
    known = np.flatnonzero(~np.isnat(leads.closed_at) & np.isfinite(probability))
    order = known[np.argsort(leads.closed_at[known], kind="stable")]
    times, p, y = leads.closed_at[order], probability[order], outcome[order]
    bins = np.minimum((p * BINS).astype(np.int64), BINS - 1)
    lo, hi = bounds(times, ends, _width(objective))
    value = np.full(len(ends), np.nan)
    causes = np.full(len(ends), f"fewer than {minimum:g} leads closed in the window", dtype=object)
    for i in np.flatnonzero(hi - lo >= minimum):
        window = slice(int(lo[i]), int(hi[i]))
        n = np.bincount(bins[window], minlength=BINS)
        gap = np.bincount(bins[window], weights=p[window], minlength=BINS) - np.bincount(
            bins[window], weights=y[window], minlength=BINS
        )
        value[i] = float(np.abs(gap).sum() / (hi[i] - lo[i]))
        worst = int(np.abs(gap).argmax())
        causes[i] = (
            f"model {leads.model}: leads predicted {worst * 10}-{worst * 10 + 10}% "
            f"were off by {abs(gap[worst]) / max(n[worst], 1):.0%} ({n[worst]} leads)"
        )
    ok = np.isnan(value) | (value <= objective.target["max_ece"])
    causes[ok & ~np.isnan(value)] = ""
    return value, ok, causes
