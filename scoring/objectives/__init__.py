"""Revenue objectives: the declared file and the pure evaluator (frames in, statuses out)."""

from __future__ import annotations

from scoring.objectives.evaluate import Status, evaluate
from scoring.objectives.spec import KINDS, Objective, load_objectives, parse_objectives

__all__ = ["KINDS", "Objective", "Status", "evaluate", "load_objectives", "parse_objectives"]
