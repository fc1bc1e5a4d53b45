"""Two rulebooks side by side: every changed value, and the effect of the change on history.

rulebook_diff(a, b)                 # one row per added, removed or changed item
whatif_effect(history, a, b)        # MQLs, MQLs/week, wins captured, precision, recall
"""

from __future__ import annotations

import pandas as pd

from scoring.rules.changes import COLUMNS, rulebook_diff
from scoring.rules.hits import evaluate_hits
from scoring.rules.lab import Outcomes, recent_weekly_rate, run_lab
from scoring.rules.spec import Rulebook
from scoring.rules.tuning import Tuning

__all__ = ["COLUMNS", "rulebook_diff", "whatif_effect"]


def whatif_effect(history: pd.DataFrame, a: Rulebook, b: Rulebook) -> pd.DataFrame:
    """Both rulebooks replayed on history (features at each lead's decision time, outcomes).

    `history` has the feature columns plus accepted_at, won_at and created_at (the training frame).
    Each side is counted as the scoring lab counts: `run_lab(...).at(threshold)`, whose flags are
    scoring.rules.mqls.qualifies on the rulebook itself.
    """
    outcomes = Outcomes.of(history)
    rows = {}
    for name, book in (("a", a), ("b", b)):
        at = run_lab(evaluate_hits(book, history), Tuning(), outcomes).at(book.threshold)
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
