"""What makes a lead an MQL under a rulebook, said once for every reader.

    book = at_threshold(rulebook, 50)              # the default moves; every segment keeps its distance
    per_lead = lead_thresholds(book, hits.segment)
    flags = qualifies(total, per_lead, hits.blocked)

A lead is an MQL when it passes every gate and its total score reaches its threshold: its segment's
(first matching segment wins), else the default. The lab's preview, `score`, an explanation, the
API's scorer and the publish all build the per-lead thresholds with `lead_thresholds` on the rulebook
they mean and decide with `qualifies`; the warehouse SQL compiles the same two steps
(scoring.warehouse.rules_sql: `CASE segment ... ELSE default` and `failed_count = 0 AND total >=`).
When the lab moves the default threshold it moves the rulebook with `at_threshold`, which is also
what the published rulebook is built from, so what is simulated is what gets published.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from scoring.rules.spec import Rulebook, Segment


def segments_at(rulebook: Rulebook, threshold: float) -> tuple[Segment, ...]:
    """The segments when the default threshold becomes `threshold`: each keeps its distance to it."""
    if threshold == rulebook.threshold:
        return rulebook.segments
    return tuple(
        dataclasses.replace(s, threshold=threshold + (s.threshold - rulebook.threshold))
        for s in rulebook.segments
    )


def at_threshold(rulebook: Rulebook, threshold: float | None) -> Rulebook:
    """The rulebook with its default threshold at `threshold` and its segments moved with it."""
    if threshold is None or float(threshold) == rulebook.threshold:
        return rulebook
    return dataclasses.replace(
        rulebook, threshold=float(threshold), segments=segments_at(rulebook, float(threshold))
    )


def lead_thresholds(rulebook: Rulebook, segment: np.ndarray) -> np.ndarray:
    """The MQL threshold of every lead: its segment's (index into rulebook.segments), else the default."""
    table = np.array([s.threshold for s in rulebook.segments] + [rulebook.threshold], dtype=float)
    return table[segment]  # segment -1 reads the trailing default


def qualifies(total: np.ndarray, threshold: np.ndarray, blocked: np.ndarray) -> np.ndarray:
    """MQL flags: no failed gate and a total score at or above the lead's threshold."""
    return np.asarray(~np.asarray(blocked, dtype=bool) & (total >= threshold), dtype=bool)
