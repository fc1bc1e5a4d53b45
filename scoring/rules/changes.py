"""Every changed value from one rulebook to another: rules, gates, segments, caps, threshold, grades.

The one diff behind `smarketing rules diff`, the scoring lab's change list and the publish audit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from scoring.rules.spec import GROUPS, Rulebook

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
