"""Why sales rejects leads: reason counts, shares and rates per campaign, trend, deviating campaigns.

    table = disqualification_table(contacts, events)   # one row per campaign, most disqualified first

Per campaign, `top_reason` is the reason given most often; `most_over_represented` is the reason
whose share is furthest above what the other campaigns would predict (largest standardised residual
of the test below): the two differ whenever a campaign's most frequent reason is simply the most
frequent reason everywhere.

A campaign's reason mix "deviates" when a chi-square test of independence between "this campaign vs
the reference campaigns" and the reason rejects at the Bonferroni-corrected level (alpha / number of
campaigns tested) AND the difference is material (Cramer's V >= `min_effect`: with thousands of
leads, tiny differences are "significant" but not worth a marketer's time). The reference is peeled:
the most significant deviating campaign is removed from the reference pool and the tests are
repeated, so one very unusual campaign (a student webinar) does not make every ordinary campaign
look unusual by contrast. Campaigns with fewer than `min_total` disqualifications are not tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def disqualifications(
    events: pd.DataFrame, contacts: pd.DataFrame, by: str = "campaign"
) -> pd.DataFrame:
    """Every move to `disqualified` with its reason, note, time and the contact's `by` group."""
    moves = events[events["to_stage"] == "disqualified"]
    groups = _groups(contacts, by)
    frame = moves[["contact_id", "occurred_at", "reason_code", "note", "actor"]].copy()
    frame[by] = frame["contact_id"].map(groups).fillna("(none)")
    return frame.reset_index(drop=True)


def _groups(contacts: pd.DataFrame, by: str) -> pd.Series:
    return contacts.set_index("contact_id")[by].fillna("(none)").astype(str)


def disqualified(contacts: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Per contact (index contact_id): moved to `disqualified` at least once, or there now."""
    ids = contacts["contact_id"]
    moved = ids.isin(events.loc[events["to_stage"] == "disqualified", "contact_id"])
    there = contacts["lifecycle_stage"] == "disqualified"
    return pd.Series((moved | there).to_numpy(), index=pd.Index(ids, name="contact_id"))


def disqualification_rates(
    contacts: pd.DataFrame, events: pd.DataFrame, by: str = "campaign"
) -> pd.DataFrame:
    """Per group: contacts, disqualified contacts (see `disqualified`) and their share."""
    flags = disqualified(contacts, events)
    per_group = flags.groupby(_groups(contacts, by).reindex(flags.index).to_numpy())
    rates = per_group.agg(["size", "sum"]).rename(
        columns={"size": "contacts", "sum": "disqualified_contacts"}
    )
    rates["disqualification_rate"] = rates["disqualified_contacts"] / rates["contacts"]
    return rates.rename_axis("group").reset_index()


def reason_matrix(moves: pd.DataFrame, by: str = "campaign", share: bool = False) -> pd.DataFrame:
    """Counts (or row shares) of disqualifications: one row per group, one column per reason."""
    counts = pd.crosstab(moves[by], moves["reason_code"])
    if share:
        return counts.div(counts.sum(axis=1), axis=0)
    return counts


def reason_trend(moves: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Disqualifications per period and reason (long frame: period, reason_code, count)."""
    period = moves["occurred_at"].dt.to_period(freq).dt.start_time
    counts = moves.groupby([period.rename("period"), "reason_code"]).size()
    return counts.rename("count").reset_index()


def _chi2_contingency(table: np.ndarray) -> tuple[float, float, int, np.ndarray]:
    from scipy import stats  # scipy.stats takes a second to import; only this page needs it

    chi2, p_value, dof, expected = stats.chi2_contingency(table, correction=False)
    return float(chi2), float(p_value), int(dof), np.asarray(expected)


def _test_group(observed: np.ndarray, rest: np.ndarray, reasons: list[str]) -> dict[str, object]:
    keep = (observed + rest) > 0
    table = np.vstack([observed[keep], rest[keep]])
    chi2, p_value, dof, expected = _chi2_contingency(table)
    residuals = np.full(len(observed), -np.inf)
    residuals[keep] = (table[0] - expected[0]) / np.sqrt(expected[0])
    over = int(np.argmax(residuals))
    return {
        "chi2": float(chi2),
        "dof": int(dof),
        "p_value": float(p_value),
        "cramers_v": float(np.sqrt(chi2 / table.sum())),
        # Only a reason given more often than the reference predicts is "over-represented".
        "most_over_represented": reasons[over] if residuals[over] > 0 else None,
        "residual": float(residuals[over]),
    }


def _evidence(matrix: np.ndarray, candidates: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(p-value, Cramer's V) of each candidate against the reference pool; NaN where untested."""
    out = np.full((len(matrix), 2), np.nan)
    pool = matrix[reference].sum(axis=0)
    for i in np.flatnonzero(candidates):
        rest = pool - matrix[i] if reference[i] else pool
        if rest.sum() > 0 and ((matrix[i] + rest) > 0).sum() > 1:
            table = np.vstack([matrix[i], rest]) + 0.0
            table = table[:, table.sum(axis=0) > 0]
            chi2, p_value, _, _ = _chi2_contingency(table)
            out[i] = (p_value, np.sqrt(chi2 / table.sum()))
    return out


def _peel(
    matrix: np.ndarray, testable: np.ndarray, threshold: float, min_effect: float
) -> np.ndarray:
    """Flag deviating groups one at a time, most significant first, shrinking the reference."""
    flagged = np.zeros(len(matrix), dtype=bool)
    while True:
        evidence = _evidence(matrix, testable & ~flagged, ~flagged)
        p_values = np.where(evidence[:, 1] >= min_effect, evidence[:, 0], np.nan)
        if np.all(np.isnan(p_values)) or np.nanmin(p_values) >= threshold:
            return flagged
        flagged[int(np.nanargmin(p_values))] = True


def reason_deviation(
    counts: pd.DataFrame, alpha: float = 0.01, min_total: int = 30, min_effect: float = 0.1
) -> pd.DataFrame:
    """Chi-square test of each group's reason mix against the reference (non-deviating) groups.

    Returns one row per group, most disqualifications first: total, top_reason (the most frequent
    reason; ties go to the first column) with its share, and, where tested, chi2, dof, p_value,
    cramers_v (effect size), most_over_represented (largest positive standardised residual) with its
    residual; `tested` and `deviates` always.
    """
    matrix = counts.to_numpy(dtype=float)
    totals = matrix.sum(axis=1)
    testable = totals >= min_total
    threshold = alpha / max(int(testable.sum()), 1)
    deviates = _peel(matrix, testable, threshold, min_effect)
    pool = matrix[~deviates].sum(axis=0)
    reasons = [str(c) for c in counts.columns]
    rows: list[dict[str, object]] = []
    for i, group in enumerate(counts.index):
        top = int(np.argmax(matrix[i])) if len(reasons) else -1
        row: dict[str, object] = {
            "group": group,
            "total": int(totals[i]),
            "top_reason": reasons[top] if top >= 0 and totals[i] > 0 else None,
            "top_reason_share": float(matrix[i, top] / totals[i]) if totals[i] > 0 else np.nan,
            "tested": bool(testable[i]),
        }
        rest = pool - matrix[i] if not deviates[i] else pool
        if testable[i] and rest.sum() > 0 and ((matrix[i] + rest) > 0).sum() > 1:
            row |= _test_group(matrix[i], rest, reasons)
        row["deviates"] = bool(deviates[i])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=DEVIATION_COLUMNS)
    frame.attrs["statistic"] = (
        "chi-square test of independence, campaign vs reference campaigns (deviating ones peeled "
        f"off), Bonferroni alpha={alpha}, and an effect size (Cramer's V) of at least {min_effect}"
    )
    order = np.lexsort((frame["group"].astype(str).to_numpy(), -frame["total"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


DEVIATION_COLUMNS = (
    "group", "total", "top_reason", "top_reason_share", "most_over_represented", "residual",
    "chi2", "dof", "p_value", "cramers_v", "tested", "deviates",
)  # fmt: skip


def disqualification_table(
    contacts: pd.DataFrame,
    events: pd.DataFrame,
    by: str = "campaign",
    *,
    alpha: float = 0.01,
    min_total: int = 30,
    min_effect: float = 0.1,
) -> pd.DataFrame:
    """One row per group, most disqualifications first: how many, how often, why, and how unusual.

    Columns: `by`, contacts, disqualifications (moves to the stage), disqualified_contacts,
    disqualification_rate (disqualified contacts / contacts), then `reason_deviation`'s columns.
    Groups without a disqualification are kept (rate 0, no reason); alpha, min_total and min_effect
    are `reason_deviation`'s.
    """
    moves = disqualifications(events, contacts, by)
    rates = disqualification_rates(contacts, events, by)
    if moves.empty:
        deviation = pd.DataFrame(columns=list(DEVIATION_COLUMNS))
    else:
        deviation = reason_deviation(reason_matrix(moves, by), alpha, min_total, min_effect)
    table = rates.merge(deviation, on="group", how="outer")
    table["total"] = table["total"].fillna(0).astype("int64")
    table["tested"] = table["tested"].astype("boolean").fillna(False).astype(bool)
    table["deviates"] = table["deviates"].astype("boolean").fillna(False).astype(bool)
    for column in ("contacts", "disqualified_contacts"):
        table[column] = table[column].fillna(0).astype("int64")
    table = table.rename(columns={"group": by, "total": "disqualifications"})
    order = np.lexsort((table[by].to_numpy(dtype=str), -table["disqualifications"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    table.attrs["statistic"] = deviation.attrs.get("statistic", "")
    return table
