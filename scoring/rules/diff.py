"""Two rulebooks side by side: every changed value, and the effect of the change on history.

rulebook_diff(a, b)                 # one row per added, removed or changed item
whatif_effect(history, a, b)        # MQLs, MQLs/week, wins captured, precision, recall
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from scoring.rules.hits import evaluate_hits
from scoring.rules.lab import Outcomes, recent_weekly_rate
from scoring.rules.scores import score
from scoring.rules.spec import GROUPS, Rulebook
from scoring.rules.whatif import ThresholdIndex

COLUMNS = ["item", "what", "a", "b"]
RULE_FIELDS: dict[str, Callable[[Any], object]] = {
    "points": lambda r: r.points,
    "condition": lambda r: r.english(),
    "per": lambda r: r.per,
    "cap": lambda r: r.cap,
    "half-life (days)": lambda r: r.decay.half_life_days if r.decay else None,
    "group": lambda r: r.group,
}


def _items(a: dict[str, Any], b: dict[str, Any], kind: str, fields: dict[str, Any]) -> list[tuple]:
    rows: list[tuple] = []
    for key in [*a, *(k for k in b if k not in a)]:
        if key not in b:
            rows.append((f"{kind} {key}", "removed", "present", None))
        elif key not in a:
            rows.append((f"{kind} {key}", "added", None, "present"))
        else:
            for what, read in fields.items():
                before, after = read(a[key]), read(b[key])
                if before != after:
                    rows.append((f"{kind} {key}", what, before, after))
    return rows


def rulebook_diff(a: Rulebook, b: Rulebook) -> pd.DataFrame:
    """Every difference from `a` to `b`: rules, gates, segments, group caps and the threshold."""
    rows = _items({r.id: r for r in a.rules}, {r.id: r for r in b.rules}, "rule", RULE_FIELDS)
    rows += _items(
        {g.id: g for g in a.gates},
        {g.id: g for g in b.gates},
        "gate",
        {"requires": lambda g: g.english()},
    )
    rows += _items(
        {s.name: s for s in a.segments},
        {s.name: s for s in b.segments},
        "segment",
        {"threshold": lambda s: s.threshold, "condition": lambda s: s.when.english()},
    )
    if a.threshold != b.threshold:
        rows.append(("mql", "threshold", a.threshold, b.threshold))
    for group in GROUPS:
        before, after = a.cap(group), b.cap(group)
        if (before.min, before.max) != (after.min, after.max):
            rows.append((group, "cap (min, max)", (before.min, before.max), (after.min, after.max)))
    if a.grades != b.grades:
        rows.append(("grades", "bands", a.grades, b.grades))
    return pd.DataFrame(rows, columns=COLUMNS)


def whatif_effect(history: pd.DataFrame, a: Rulebook, b: Rulebook) -> pd.DataFrame:
    """Both rulebooks replayed on history (features at each lead's decision time, outcomes).

    `history` has the feature columns plus accepted_at, won_at and created_at (the training frame).
    """
    outcomes = Outcomes.of(history)
    rows = {}
    for name, book in (("a", a), ("b", b)):
        scores = score(evaluate_hits(book, history))
        at = ThresholdIndex.from_scores(
            scores, accepted=outcomes.accepted, won=outcomes.won, created_at=outcomes.created_at
        ).at(book.threshold)
        rows[name] = {
            "MQLs on history": at.mqls,
            "MQLs per week (last 12 weeks)": round(recent_weekly_rate(at), 1),
            "wins captured": at.won,
            "recall of wins": at.recall_won,
            "precision (won / MQL)": at.precision_won,
            "precision (accepted / MQL)": at.precision_accepted,
        }
    frame = pd.DataFrame(rows)
    frame["change"] = frame["b"] - frame["a"]
    return frame.rename_axis("measure").reset_index()
