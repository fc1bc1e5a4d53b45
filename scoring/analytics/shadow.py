"""Live versus shadow rulebook on stored scores: MQL volume, overlap, leads added and dropped, and
the acceptance each set of MQLs is predicted to get.

Pure: a frame of paired scores in (scoring.store.shadow_scores.paired_scores), tables out. A lead
"is an MQL" under a rulebook when its score reaches the threshold with every gate passing (what
`smarketing score` calls "qualifies by score and gates").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BAND_POINTS = 10.0
"""Width of a score band for the historical acceptance rate (0-9, 10-19, ...)."""
SAMPLE_COLUMNS = ["lead_id", "stage", "live_score", "shadow_score", "live_gates", "shadow_gates"]


@dataclass(frozen=True)
class ShadowComparison:
    """What the shadow would change, measured on the leads both rulebooks scored."""

    summary: pd.DataFrame  # measure, live, shadow
    added: pd.DataFrame  # a sample of leads the shadow makes MQL and the live rulebook does not
    dropped: pd.DataFrame  # a sample of leads the live rulebook makes MQL and the shadow does not
    counts: dict[str, int]  # compared, canary, live, shadow, both, added, dropped
    acceptance: str  # how acceptance was predicted


def qualifies(scores: pd.Series, thresholds: pd.Series, gates: pd.Series) -> pd.Series:
    """Score at or above the threshold with no failed gate (gates as comma-separated text)."""
    return (scores >= thresholds) & (gates.fillna("").astype(str) == "")


def band_rates(scores: pd.Series, accepted: pd.Series, width: float = BAND_POINTS) -> pd.Series:
    """Share of leads accepted by sales per score band (index: the band's lowest score)."""
    bands = np.floor(scores.to_numpy(dtype=float) / width) * width
    return pd.Series(accepted.to_numpy(dtype=float)).groupby(bands).mean()


def by_band(scores: pd.Series, accepted: pd.Series, width: float = BAND_POINTS) -> pd.Series:
    """Each lead's predicted acceptance: the historical rate of its score band (same index)."""
    rates = band_rates(scores, accepted, width)
    bands = np.floor(scores.to_numpy(dtype=float) / width) * width
    overall = float(accepted.mean()) if len(accepted) else float("nan")
    return pd.Series(bands, index=scores.index).map(rates).fillna(overall)


def _sample(paired: pd.DataFrame, mask: pd.Series, by: str, sample: int) -> pd.DataFrame:
    """Up to `sample` leads of `mask`, highest `by` score first (then lowest lead id)."""
    chosen = paired.loc[mask, SAMPLE_COLUMNS]
    ordered = chosen.sort_values([by, "lead_id"], ascending=[False, True], kind="stable")
    shown = ordered.head(sample).reset_index(drop=True)
    return shown.round({"live_score": 2, "shadow_score": 2})


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else float("nan")


def compare(
    paired: pd.DataFrame,
    live_acceptance: pd.Series,
    shadow_acceptance: pd.Series,
    method: str,
    *,
    sample: int = 20,
) -> ShadowComparison:
    """Compare the live and the shadow MQLs of `paired` (canary leads, scored and handed off by
    the candidate, are counted but left out: their live score is the candidate's).

    `live_acceptance` / `shadow_acceptance`: each lead's predicted chance of acceptance when it is
    an MQL under that rulebook (index aligned with `paired`); `method` says where it comes from.
    """
    canary = paired["canary"].astype(bool)
    both = paired[~canary]
    live = qualifies(both["live_score"], both["live_threshold"], both["live_gates"])
    shadow = qualifies(both["shadow_score"], both["shadow_threshold"], both["shadow_gates"])
    counts = {
        "compared": len(both),
        "canary": int(canary.sum()),
        "live": int(live.sum()),
        "shadow": int(shadow.sum()),
        "both": int((live & shadow).sum()),
        "added": int((shadow & ~live).sum()),
        "dropped": int((live & ~shadow).sum()),
    }
    either = int((live | shadow).sum())
    live_rate = _mean(live_acceptance[both.index][live])
    shadow_rate = _mean(shadow_acceptance[both.index][shadow])
    rows = [
        ("leads scored by both", len(both), len(both)),
        ("MQLs", counts["live"], counts["shadow"]),
        ("MQLs in both", counts["both"], counts["both"]),
        ("MQLs under this rulebook only", counts["dropped"], counts["added"]),
        (
            "overlap (in both / in either)",
            _share(counts["both"], either),
            _share(counts["both"], either),
        ),
        ("predicted acceptance rate", live_rate, shadow_rate),
        ("predicted accepted MQLs", live_rate * counts["live"], shadow_rate * counts["shadow"]),
    ]
    summary = pd.DataFrame(rows, columns=["measure", "live", "shadow"])
    return ShadowComparison(
        summary,
        _sample(both, shadow & ~live, "shadow_score", sample),
        _sample(both, live & ~shadow, "live_score", sample),
        counts,
        method,
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")
