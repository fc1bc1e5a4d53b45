"""The proposed rulebook's points: a rule that lowers the odds becomes its exact complement with positive
points (scores are floored at zero), so the requested share of leads can be made MQLs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.features.custom import CustomField
from scoring.learn.starter import propose_rulebook
from scoring.rules.hits import evaluate_hits
from scoring.rules.scores import score


def _leads(n: int = 4000, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    month = rng.choice(["may", "jun", "jul", "aug"], n, p=[0.4, 0.2, 0.2, 0.2])
    visits = rng.integers(0, 12, n).astype(float)
    odds = np.where(month == "may", -2.0, -0.5) + 0.15 * visits
    won = rng.random(n) < 1 / (1 + np.exp(-odds))
    leads = pd.DataFrame({"lead_id": np.arange(n), "custom.month": month, "custom.visits": visits})
    return leads, won


def test_a_rule_lowering_the_odds_is_proposed_as_its_complement_with_positive_points() -> None:
    leads, won = _leads()
    fields = {
        "month": CustomField("month", "category"),
        "visits": CustomField("visits", "number"),
    }
    proposal = propose_rulebook(leads, won, custom=fields, mql_share=0.3)
    rules = {r.id: r for r in proposal.rulebook.rules}
    assert "not_month_may" in rules and "month_may" not in rules
    assert rules["not_month_may"].points > 0
    # The complement holds exactly where the original is false.
    hits = evaluate_hits(proposal.rulebook, leads)
    result = score(hits)
    assert (result.total >= 0).all()
    share = float((result.total >= proposal.rulebook.threshold).mean())
    assert 0.2 <= share <= 0.5, share  # about the requested 30%, ties aside
    may = leads["custom.month"].eq("may").to_numpy()
    column = [r.id for r in proposal.rulebook.ordered].index("not_month_may")
    assert np.array_equal(hits.hit[:, column], ~may)
