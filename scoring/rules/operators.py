"""The operator registry: every rule operator declared ONCE with its pure faces.

    evaluate(values, value) -> bool array     numpy/pandas, vectorised; categoricals are evaluated on
                                              their categories and mapped through the codes
    english(label, value)   -> str            "industry is Software or Fintech"

The third face, SQL, is an edge concern: scoring.warehouse.faces declares one SQL builder per
operator name (a convention test keeps the two tables in step).

Missing values (NaN, NULL) satisfy no operator except `is_missing`: `in`, `not_in`, `ne`, comparisons
and text matches on a missing value are False on every backend (the SQL face may yield NULL; the
compiler wraps every condition in COALESCE(..., FALSE)). Text matching (`contains_any`, `matches`)
folds ASCII A-Z to lower case on both sides and leaves other characters as they are, because that
is what SQLite's lower() does; equality (`eq`, `in`) is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.rules import faces as f
from scoring.rules.arguments import (
    COUNT,
    NONE,
    NUMBER,
    PATTERN,
    RANGE,
    SCALAR,
    SCALARS,
    TEXTS,
    Argument,
)

TEXT = frozenset({"category"})
NUMERIC = frozenset({"number", "count", "days", "share"})
COUNTS = frozenset({"count"})
EQUATABLE = frozenset({"category", "number", "count"})
NULLABLE = frozenset({"category", "number", "days"})
FLAG = frozenset({"flag"})


@dataclass(frozen=True)
class Operator:
    """One operator: the column kinds it applies to, its argument, help, and its pure faces."""

    name: str
    kinds: frozenset[str]
    argument: Argument
    help: str
    example: tuple[str, Any]
    evaluate: Callable[[pd.Series, Any], np.ndarray]
    english: Callable[[str, Any], str]


_OPERATORS = (
    Operator(
        "eq",
        EQUATABLE,
        SCALAR,
        "equal to the value (text: exact, case-sensitive)",
        ("seniority", "vp"),
        evaluate=f.equal,
        english=lambda label, v: f"{label} is {f.show(v)}",
    ),
    Operator(
        "ne",
        EQUATABLE,
        SCALAR,
        "known and different from the value",
        ("seniority", "student"),
        evaluate=lambda s, v: ~f.equal(s, v) & ~f.missing(s),
        english=lambda label, v: f"{label} is not {f.show(v)}",
    ),
    Operator(
        "in",
        EQUATABLE,
        SCALARS,
        "one of the values (text: exact, case-sensitive)",
        ("industry", ["Software", "Fintech"]),
        evaluate=f.one_of,
        english=lambda label, v: f"{label} is {f.either(v)}",
    ),
    Operator(
        "not_in",
        EQUATABLE,
        SCALARS,
        "known and none of the values",
        ("industry", ["Education", "Government"]),
        evaluate=f.none_of,
        english=lambda label, v: (
            f"{label} is {'neither ' if len(v) > 1 else 'not '}{f.either(v, 'nor')}"
        ),
    ),
    Operator(
        "between",
        NUMERIC,
        RANGE,
        "low <= value <= high",
        ("employees", [200, 5000]),
        evaluate=lambda s, v: (f.numbers(s) >= v[0]) & (f.numbers(s) <= v[1]),
        english=lambda label, v: f"{label} is between {f.show(v[0])} and {f.show(v[1])}",
    ),
    Operator(
        "gt",
        NUMERIC,
        NUMBER,
        "greater than the number",
        ("annual_revenue", 10_000_000),
        evaluate=lambda s, v: f.numbers(s) > v,
        english=lambda label, v: f"{label} is more than {f.show(v)}",
    ),
    Operator(
        "gte",
        NUMERIC,
        NUMBER,
        "greater than or equal to the number",
        ("employees", 1000),
        evaluate=lambda s, v: f.numbers(s) >= v,
        english=lambda label, v: f"{label} is at least {f.show(v)}",
    ),
    Operator(
        "lt",
        NUMERIC,
        NUMBER,
        "less than the number",
        ("employees", 10),
        evaluate=lambda s, v: f.numbers(s) < v,
        english=lambda label, v: f"{label} is less than {f.show(v)}",
    ),
    Operator(
        "lte",
        NUMERIC,
        NUMBER,
        "less than or equal to the number",
        ("days_since_touch", 14),
        evaluate=lambda s, v: f.numbers(s) <= v,
        english=lambda label, v: f"{label} is at most {f.show(v)}",
    ),
    Operator(
        "at_least",
        COUNTS,
        COUNT,
        "a count column is at least n",
        ("pricing_views_30d", 2),
        evaluate=lambda s, v: f.numbers(s) >= v,
        english=lambda label, v: f"{f.show(v)} or more {label}",
    ),
    Operator(
        "at_most",
        COUNTS,
        COUNT,
        "a count column is at most n",
        ("touches_90d", 0),
        evaluate=lambda s, v: f.numbers(s) <= v,
        english=lambda label, v: f"no {label}" if v == 0 else f"{f.show(v)} or fewer {label}",
    ),
    Operator(
        "contains_any",
        TEXT,
        TEXTS,
        "the text contains any of the texts, ignoring ASCII case",
        ("job_title", ["vp", "chief"]),
        evaluate=f.contains_any,
        english=lambda label, v: f"{label} contains {f.either(v, quote=True)} (ignoring case)",
    ),
    Operator(
        "matches",
        TEXT,
        PATTERN,
        "the lower-cased text matches the regular expression somewhere",
        ("job_title", "^(head|vp) of"),
        evaluate=f.matches,
        english=lambda label, v: f"{label} matches the pattern /{v}/ (ignoring case)",
    ),
    Operator(
        "is_missing",
        NULLABLE,
        NONE,
        "the value is missing",
        ("industry", None),
        evaluate=f.missing,
        english=lambda label, v: f"{label} is missing",
    ),
    Operator(
        "is_present",
        NULLABLE,
        NONE,
        "the value is present",
        ("employees", None),
        evaluate=lambda s, v: ~f.missing(s),
        english=lambda label, v: f"{label} is known",
    ),
    Operator(
        "is_true",
        FLAG,
        NONE,
        "the flag is set",
        ("email_valid", None),
        evaluate=lambda s, v: f.flags(s),
        english=lambda label, v: f"{label}: yes",
    ),
    Operator(
        "is_false",
        FLAG,
        NONE,
        "the flag is not set",
        ("do_not_contact", None),
        evaluate=lambda s, v: ~f.flags(s),
        english=lambda label, v: f"{label}: no",
    ),
)

OPERATORS: dict[str, Operator] = {op.name: op for op in _OPERATORS}
"""Every operator by name. Evaluation looks operators up here at call time."""
