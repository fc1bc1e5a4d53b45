"""Hypothesis strategies shared by the rule tests: small feature frames and random valid rulebooks.

Text values mix ASCII case, non-ASCII letters (É, ß, İ), LIKE wildcards (% _), the escape character
(/), quotes and backslashes, so the SQL faces are tested on exactly what tends to break them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import yaml
from hypothesis import strategies as st

from scoring.features.columns import FEATURES
from scoring.features.frame import as_category
from scoring.rules import Rulebook, parse_rulebook

ALPHABET = "aAbBcCvVpPéÉßİı%_/\\' -0"
TEXTS: dict[str, list[str]] = {
    "industry": ["Software", "Fintech", "software", "Éducation", "Retail"],
    "seniority": ["vp", "director", "student", "VP"],
    "job_title": [
        "VP Sales",
        "Head of RevOps",
        "Student Intern",
        "ÉTUDIANT",
        "100% Growth_Lead",
        "it's a\\b/c",
        "Straße Manager",
        "İstanbul Lead",
    ],
}
NUMBERS = {"employees": [0, 10, 50, 200, 1000, 5000], "annual_revenue": [0, 1e6, 2.5e7]}
COUNTS = ("pricing_views_30d", "email_click_30d", "webinar_attended_90d")
DAYS = ("days_since_touch", "days_since_pricing_view")
FLAGS = ("email_valid", "personal_email", "do_not_contact")
SHARES = ("completeness",)
PATTERNS = (
    "^vp",
    "rev(enue)? ?op",
    "(head|chief)",
    "^[a-z ]+$",
    "s$",
    "a.c",
    "[0-9]+%",
    "é",
    "l{2,}",
    "/c",
    "^[^a-z]+$",
    "ß|ı",
)
COLUMNS = ("lead_id", *TEXTS, *NUMBERS, *COUNTS, *DAYS, *FLAGS, *SHARES)

free_text = st.text(alphabet=ALPHABET, min_size=1, max_size=10)


def _column(draw: st.DrawFn, name: str, n: int) -> Any:
    kind = FEATURES[name].kind
    if kind == "category":
        values = st.one_of(st.none(), st.sampled_from(TEXTS[name]), free_text)
        return as_category(pd.Series(draw(st.lists(values, min_size=n, max_size=n)), dtype=object))
    if kind == "number":
        values = st.one_of(
            st.none(), st.sampled_from(NUMBERS[name]), st.floats(0, 1e5, allow_nan=False)
        )
        return np.array(
            [np.nan if v is None else v for v in draw(st.lists(values, min_size=n, max_size=n))]
        )
    if kind == "count":
        return np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype=np.int32)
    if kind == "days":
        values = st.one_of(st.none(), st.integers(0, 200), st.floats(0, 200, allow_nan=False))
        return np.array(
            [
                np.nan if v is None else float(v)
                for v in draw(st.lists(values, min_size=n, max_size=n))
            ]
        )
    if kind == "flag":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype=np.float64) / 6


@st.composite
def feature_frames(draw: st.DrawFn, min_rows: int = 1, max_rows: int = 25) -> pd.DataFrame:
    """A feature frame with the columns in COLUMNS, typed as build_features types them."""
    n = draw(st.integers(min_rows, max_rows))
    columns = {"lead_id": np.arange(1, n + 1, dtype=np.int64)}
    columns |= {name: _column(draw, name, n) for name in COLUMNS[1:]}
    return pd.DataFrame(columns)


def _value(draw: st.DrawFn, column: str, op: str) -> Any:
    kind = FEATURES[column].kind
    if op in ("is_missing", "is_present", "is_true", "is_false"):
        return None
    if op == "contains_any":
        needles = st.one_of(
            st.sampled_from(["vp", "INTERN", "é", "É", "%", "_", "/", "'", "\\", "ss"]), free_text
        )
        return draw(st.lists(needles, min_size=1, max_size=3))
    if op == "matches":
        return draw(st.sampled_from(PATTERNS))
    if kind == "category":
        scalar = st.sampled_from(TEXTS[column])
    elif kind == "number":
        scalar = st.one_of(st.sampled_from(NUMBERS[column]), st.floats(0, 1e5, allow_nan=False))
    elif kind == "days":
        scalar = st.one_of(st.integers(0, 200), st.floats(0, 200, allow_nan=False))
    elif kind == "share":
        scalar = st.sampled_from([0.0, 0.5, 0.8, 5 / 6, 1.0])
    else:
        scalar = st.integers(0, 6)
    if op in ("in", "not_in"):
        return draw(st.lists(scalar, min_size=1, max_size=3))
    if op == "between":
        return sorted(draw(st.lists(scalar, min_size=2, max_size=2)))
    return draw(scalar)


OPS_BY_KIND = {
    "category": [
        "eq",
        "ne",
        "in",
        "not_in",
        "contains_any",
        "contains_any",
        "matches",
        "matches",
        "is_missing",
    ],
    "number": [
        "eq",
        "in",
        "not_in",
        "between",
        "gt",
        "gte",
        "lt",
        "lte",
        "is_missing",
        "is_present",
    ],
    "count": ["eq", "in", "between", "gt", "lte", "at_least", "at_most"],
    "days": ["between", "gt", "gte", "lt", "lte", "is_missing", "is_present"],
    "share": ["gte", "lt", "between"],
    "flag": ["is_true", "is_false"],
}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(OPS_BY_KIND)))  # every kind equally often
    column = draw(st.sampled_from([c for c in COLUMNS[1:] if FEATURES[c].kind == kind]))
    op = draw(st.sampled_from(OPS_BY_KIND[kind]))
    value = _value(draw, column, op)
    return {"column": column, "op": op} | ({} if value is None else {"value": value})


@st.composite
def predicates(draw: st.DrawFn) -> dict[str, Any]:
    items = draw(st.lists(conditions(), min_size=1, max_size=3))
    if len(items) == 1:
        return items[0]
    return {draw(st.sampled_from(["all", "any"])): items}


@st.composite
def rule_specs(draw: st.DrawFn, index: int, decay: bool) -> dict[str, Any]:
    group = draw(st.sampled_from(["fit", "engagement"]))
    spec: dict[str, Any] = {"id": f"r{index}", "group": group, "when": draw(predicates())}
    spec["points"] = draw(st.integers(-30, 30))
    if draw(st.booleans()):
        spec["per"] = draw(st.sampled_from(COUNTS))
        if draw(st.booleans()):
            spec["cap"] = draw(st.integers(1, 40))
    if decay and group == "engagement" and draw(st.booleans()):
        half_life = draw(st.one_of(st.integers(1, 60), st.floats(0.5, 60)))
        spec["decay"] = {"half_life_days": half_life, "since": draw(st.sampled_from(DAYS))}
    return spec


def _bounds(draw: st.DrawFn) -> dict[str, int]:
    low, high = draw(st.integers(-60, 0)), draw(st.integers(1, 80))
    chosen = draw(st.sampled_from([{}, {"min": low}, {"max": high}, {"min": low, "max": high}]))
    return dict(chosen)


@st.composite
def rulebook_documents(draw: st.DrawFn, decay: bool = True, max_rules: int = 8) -> dict[str, Any]:
    """A valid rulebook as the YAML document (a dict)."""
    rules = [draw(rule_specs(i, decay)) for i in range(draw(st.integers(1, max_rules)))]
    gates = [
        {"id": f"g{i}", "require": draw(predicates()), "message": f"gate {i}"}
        for i in range(draw(st.integers(0, 3)))
    ]
    segments = [
        {"name": f"s{i}", "when": draw(predicates()), "threshold": draw(st.integers(-20, 80))}
        for i in range(draw(st.integers(0, 2)))
    ]
    minimums = sorted(
        set(draw(st.lists(st.integers(-30, 60), min_size=1, max_size=3))), reverse=True
    )
    grades: dict[str, int | None] = {name: m for name, m in zip("ABC", minimums, strict=False)}
    grades["D"] = None
    return {
        "version": "test",
        "groups": {"fit": _bounds(draw), "engagement": _bounds(draw)},
        "grades": grades,
        "mql": {"threshold": draw(st.integers(-20, 80)), "segments": segments},
        "gates": gates,
        "rules": rules,
    }


@st.composite
def rulebooks(draw: st.DrawFn, decay: bool = True, max_rules: int = 8) -> Rulebook:
    """A valid Rulebook, parsed from YAML text (so the loader is exercised too)."""
    document = draw(rulebook_documents(decay=decay, max_rules=max_rules))
    return parse_rulebook(yaml.safe_dump(document, allow_unicode=True), "generated.yaml")
