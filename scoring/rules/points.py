"""Points per rule for many leads at once: what a stored explanation holds, computed vectorised.

`rule_points(hits, rows)` gives, for a block of leads, the points of every rule (0 where the rule
does not hit) and each group's cap adjustment, computed exactly as scoring.rules.explain computes
one lead's lines, so a stored line equals the one `smarketing rules explain` prints, bit for bit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np

from scoring.rules.hits import Hits
from scoring.rules.scores import weight_vector
from scoring.rules.spec import GROUPS


def rule_points(
    hits: Hits, rows: slice, weights: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(points, caps): float64 (n, R) per rule in `rulebook.ordered`, and (n, groups) cap lines."""
    rulebook = hits.rulebook
    w = weight_vector(rulebook, weights)
    strength = hits.strength_rows(rows)
    points = strength.astype(np.float64) * w
    decay = hits.decay_rows(rows)
    for k, position in enumerate(rulebook.decayed):
        points[:, position] *= decay[:, k]
    for position, rule in enumerate(rulebook.ordered):
        if rule.cap is not None:
            np.clip(points[:, position], -rule.cap, rule.cap, out=points[:, position])
    caps = np.zeros((points.shape[0], len(GROUPS)))
    for g, group in enumerate(GROUPS):
        cap = rulebook.cap(group)
        if cap.min is None and cap.max is None:
            continue
        start, _, end = rulebook.blocks[group]
        raw = _line_sum(points[:, start:end])
        low = -np.inf if cap.min is None else cap.min
        high = np.inf if cap.max is None else cap.max
        caps[:, g] = np.clip(raw, low, high) - raw
    return points, caps


def _line_sum(block: np.ndarray) -> np.ndarray:
    """Sum of lines in column order, as an explanation adds them."""
    total = np.zeros(block.shape[0])
    for j in range(block.shape[1]):
        total += block[:, j]
    return total


def explanation_json(hits: Hits, rows: slice) -> list[str]:
    """Per lead of `rows`: its stored explanation, `[{"rule", "group", "points"}, ...]`, as JSON.

    Lines are in rule order (plain rules, then capped or decayed ones, per group), then the cap
    adjustment of each capped group as rule `cap:<group>`. Readers sort them for display.
    """
    rulebook = hits.rulebook
    points, caps = rule_points(hits, rows)
    heads = [
        f'{{"rule": {json.dumps(rule.id)}, "group": "{rule.group}", "points": '
        for rule in rulebook.ordered
    ] + [f'{{"rule": "cap:{group}", "group": "{group}", "points": ' for group in GROUPS]
    every = np.hstack([points, caps])
    lead, column = np.nonzero(every)
    fragments = [
        heads[c] + repr(float(v)) + "}" for c, v in zip(column, every[lead, column], strict=True)
    ]
    ends = np.cumsum(np.bincount(lead, minlength=every.shape[0]))
    starts = np.concatenate([[0], ends[:-1]])
    return ["[" + ", ".join(fragments[a:b]) + "]" for a, b in zip(starts, ends, strict=True)]
