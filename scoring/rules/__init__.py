"""The rulebook: spec and loader, operator registry (numpy / English), hit matrix, scores,
explanations, threshold what-if and a scikit-learn RuleScorer. Pure: no SQLAlchemy; the SQL face of
the operators and the push-down compiler are the edge package scoring.warehouse.

    rulebook = load_rulebook()
    hits = evaluate_hits(rulebook, leads)        # predicates run once
    scores = score(hits, {"demo_request": 40})   # re-weighting re-uses the hits
    print(explain(hits, lead_id))
"""

from __future__ import annotations

from scoring.rules.explain import Explanation, Line, explain
from scoring.rules.hits import Hits, evaluate_hits
from scoring.rules.loader import DEFAULT_RULEBOOK, load_rulebook, parse_rulebook
from scoring.rules.operators import OPERATORS, Operator
from scoring.rules.scores import Scores, score, weight_vector
from scoring.rules.spec import Condition, Decay, Gate, GroupCap, Predicate, Rule, Rulebook, Segment
from scoring.rules.whatif import ThresholdIndex, WhatIf

__all__ = [
    "DEFAULT_RULEBOOK",
    "OPERATORS",
    "Condition",
    "Decay",
    "Explanation",
    "Gate",
    "GroupCap",
    "Hits",
    "Line",
    "Operator",
    "Predicate",
    "Rule",
    "RuleScorer",
    "Rulebook",
    "Scores",
    "Segment",
    "ThresholdIndex",
    "WhatIf",
    "evaluate_hits",
    "explain",
    "load_rulebook",
    "parse_rulebook",
    "score",
    "weight_vector",
]


def __getattr__(name: str) -> object:
    # RuleScorer needs scikit-learn (a second to import); load it only when asked for.
    if name == "RuleScorer":
        from scoring.rules.estimator import RuleScorer

        return RuleScorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
