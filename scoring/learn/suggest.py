"""The suggested rulebook: refit the points of the current rules plus candidate rules, as whole numbers.

    suggestion = suggest_rulebook(rulebook, document, train_leads, y_train)
    Path("rulebook.v2.yaml").write_text(suggestion.yaml)

A sparse (L1) logistic regression reads, per lead, the current score (one column, scaled so the penalty
barely touches it), what each current rule contributes per point (its hit, times occurrences and decay,
clipped at its own cap) and the 0/1 hits of candidate rules (duplicates of another column dropped). So the
fit learns sparse CHANGES to the current rulebook: with little data it stays close to it, with plenty it
moves points, drops rules and adds candidates. The penalty is chosen on the last fifth of the training
period (in time); a rule's new log-odds are its share of the current score plus its own change; they
become points at
`points_per_doubling` points per doubling of the odds, rounded; zero-point rules are dropped. The MQL
threshold is set so the training period yields as many MQLs as the current rulebook did (same sales
capacity). Group caps, segment thresholds and grade bands are in the old point scale, so the suggestion
removes them and says so in the diff; gates are kept unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sklearn.linear_model import LogisticRegression

from scoring.errors import DataError, Problem
from scoring.learn.candidates import Candidate, candidate_hits, candidates
from scoring.learn.intervals import roc_auc
from scoring.rules.hits import Hits, evaluate_hits
from scoring.rules.loader import parse_rulebook
from scoring.rules.scores import score
from scoring.rules.spec import Rulebook

PENALTIES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
ANCHOR_WEIGHT = 10.0  # the current score's column, scaled so L1 leaves it (nearly) unpenalised
TOLERANCE = 0.002  # prefer the sparsest fit within this much validation AUC of the best


@dataclass(frozen=True)
class Suggestion:
    """The new rulebook (YAML text and parsed), its diff against the current one, and how it was fit."""

    yaml: str
    rulebook: Rulebook
    diff: pd.DataFrame
    changes: tuple[str, ...]
    penalty: float
    validation_auc: float


def rule_units(hits: Hits) -> np.ndarray:
    """Per lead and current rule: the points it would add per point of weight (caps per rule applied)."""
    units = hits.strength.astype(np.float64)
    for k, position in enumerate(hits.rulebook.decayed):
        units[:, position] *= hits.decay[:, k]
    for position, rule in enumerate(hits.rulebook.ordered):
        if rule.cap is not None and rule.points:
            units[:, position] = np.minimum(units[:, position], rule.cap / abs(rule.points))
    return units


def suggest_rulebook(
    rulebook: Rulebook,
    document: dict[str, Any],
    leads: pd.DataFrame,
    y: np.ndarray,
    *,
    points_per_doubling: float = 10.0,
    min_support: float = 0.02,
    version: str | None = None,
) -> Suggestion:
    """Fit new points on `leads` (the training period) and emit the new rulebook."""
    order = np.argsort(leads["created_at"].to_numpy(), kind="stable")
    ordered, y_sorted = leads.iloc[order], np.asarray(y)[order]
    current_hits = evaluate_hits(rulebook, ordered)
    units = rule_units(current_hits)
    current = np.array([r.points for r in rulebook.ordered])
    chosen, candidate_matrix = _distinct(
        candidates(ordered, rulebook, min_support=min_support), ordered, units
    )
    anchor, scale = _anchor(units @ current)
    matrix = np.hstack([anchor[:, None], units, candidate_matrix])
    penalty, validation_auc = _choose_penalty(matrix, y_sorted)
    coef = _fit(matrix, y_sorted, penalty).coef_[0]
    logits = np.concatenate(
        [coef[0] * scale * current + coef[1 : 1 + len(current)], coef[1 + len(current) :]]
    )
    points = np.round(logits * points_per_doubling / math.log(2))
    names = [r.id for r in rulebook.ordered] + [c.id for c in chosen]
    new_points = dict(zip(names, points.tolist(), strict=True))
    current_mqls = int(score(current_hits).mql.sum())
    draft = _document(document, rulebook, chosen, new_points, threshold=0.0, version=version)
    draft_book = parse_rulebook(yaml.safe_dump(draft, sort_keys=False), "<suggested>")
    threshold = _capacity_threshold(draft_book, ordered, current_mqls)
    final = _document(document, rulebook, chosen, new_points, threshold=threshold, version=version)
    text = _header(len(ordered), current_mqls, points_per_doubling) + yaml.safe_dump(
        final, sort_keys=False, allow_unicode=True
    )
    suggested = parse_rulebook(text, "<suggested>")
    diff, changes = rulebook_diff(rulebook, suggested, chosen)
    return Suggestion(text, suggested, diff, changes, penalty, validation_auc)


def _anchor(current_score: np.ndarray) -> tuple[np.ndarray, float]:
    """The current score as one column, scaled up so the L1 penalty barely touches its coefficient.

    Returns the column and the factor that turns its coefficient back into log-odds per point.
    """
    spread = float(current_score.std()) or 1.0
    return current_score / spread * ANCHOR_WEIGHT, ANCHOR_WEIGHT / spread


def _distinct(
    found: list[Candidate], leads: pd.DataFrame, units: np.ndarray
) -> tuple[list[Candidate], np.ndarray]:
    """Candidates whose hits differ from every current rule's and every earlier candidate's."""
    hits = candidate_hits(leads, found)
    seen = {units[:, j].tobytes() for j in range(units.shape[1])}
    keep = []
    for j in range(hits.shape[1]):
        key = hits[:, j].astype(np.float64).tobytes()
        if key not in seen:
            seen.add(key)
            keep.append(j)
    return [found[j] for j in keep], hits[:, keep]


def _fit(matrix: np.ndarray, y: np.ndarray, penalty: float) -> LogisticRegression:
    model = LogisticRegression(l1_ratio=1.0, C=penalty, solver="liblinear", max_iter=500)
    return model.fit(matrix, y)


def _choose_penalty(matrix: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    split = int(len(y) * 0.8)
    scored = []
    for penalty in PENALTIES:
        model = _fit(matrix[:split], y[:split], penalty)
        auc = roc_auc(y[split:], model.decision_function(matrix[split:]))
        scored.append((penalty, auc, int(np.count_nonzero(model.coef_))))
    usable = [s for s in scored if not math.isnan(s[1])]
    if not usable:
        problem = "too few outcomes to suggest a rulebook: its newest 20% (the validation slice) "
        raise DataError(
            [Problem("training period", problem + "has no positive or no negative lead")]
        )
    best = max(auc for _, auc, _ in usable)
    penalty, auc, _ = min((s for s in usable if s[1] >= best - TOLERANCE), key=lambda s: s[2])
    return penalty, auc


def _capacity_threshold(book: Rulebook, leads: pd.DataFrame, mqls: int) -> float:
    """The whole-number threshold whose MQL count (gates applied) is closest to `mqls`."""
    result = score(evaluate_hits(book, leads))
    eligible = np.sort(result.total[~result.failed.any(axis=1)])[::-1]
    if len(eligible) == 0:
        return 0.0
    if mqls <= 0:
        return float(np.ceil(eligible[0] + 1))
    kth = eligible[min(mqls, len(eligible)) - 1]
    options = (float(np.floor(kth)), float(np.floor(kth) + 1))
    return min(options, key=lambda t: abs(int((eligible >= t).sum()) - mqls))


def _document(
    document: dict[str, Any],
    rulebook: Rulebook,
    chosen: list[Candidate],
    points: dict[str, float],
    *,
    threshold: float,
    version: str | None,
) -> dict[str, Any]:
    rules = []
    for raw in document.get("rules", []):
        if points.get(raw["id"], 0.0) != 0.0:
            rules.append({**raw, "points": int(points[raw["id"]])})
    for candidate in chosen:
        if points.get(candidate.id, 0.0) != 0.0:
            rules.append(
                {
                    "id": candidate.id,
                    "group": candidate.group,
                    "when": candidate.when(),
                    "points": int(points[candidate.id]),
                    "note": "suggested from the data",
                }
            )
    draft: dict[str, Any] = {
        "version": version or f"{rulebook.version}-suggested",
        "description": f"Suggested from {rulebook.version}: points refitted on outcomes (see the diff).",
        "mql": {"threshold": threshold},
    }
    if document.get("gates"):
        draft["gates"] = document["gates"]
    draft["rules"] = rules
    return draft


def _header(leads: int, mqls: int, per_doubling: float) -> str:
    return (
        f"# Suggested by `smarketing rules suggest` from {leads} training leads: points are a sparse logistic\n"
        f"# regression on outcomes, {per_doubling:g} points per doubling of the odds; the threshold keeps the\n"
        f"# training period at {mqls} MQLs (the current rulebook's). Review before publishing.\n"
    )


def rulebook_diff(
    current: Rulebook, suggested: Rulebook, chosen: list[Candidate]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """One row per rule in either rulebook (status, points before and after), plus top-level changes."""
    new = {r.id: r for r in suggested.rules}
    old = {r.id: r for r in current.rules}
    rows = []
    for rule_id in list(old) + [r for r in new if r not in old]:
        before, after = old.get(rule_id), new.get(rule_id)
        status = (
            "added"
            if before is None
            else "removed"
            if after is None
            else "changed"
            if before.points != after.points
            else "unchanged"
        )
        rule = after or before
        assert rule is not None
        rows.append(
            {
                "rule": rule_id,
                "group": rule.group,
                "status": status,
                "points_before": before.points if before else None,
                "points_after": after.points if after else None,
                "english": rule.english(),
            }
        )
    changes = [
        f"version {current.version} -> {suggested.version}",
        f"MQL threshold {current.threshold:g} -> {suggested.threshold:g}",
    ]
    if current.segments:
        changes.append(
            "segment thresholds removed: "
            + ", ".join(s.name for s in current.segments)
            + " (old point scale)"
        )
    if any(c.min is not None or c.max is not None for c in current.caps):
        changes.append("group caps removed (old point scale); re-add after review")
    if len(current.grades) > 1:
        changes.append("grade bands removed (old point scale)")
    return pd.DataFrame(rows), tuple(changes)
