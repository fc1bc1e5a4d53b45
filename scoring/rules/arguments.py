"""What each operator's `value:` must be: checked once at load, so evaluation never guesses.

A check returns (normalised value, problem message or None). Column kinds (see scoring.features)
decide the type of a scalar: text for `category`, a number for numeric kinds, true/false for `flag`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

from scoring.rules.faces import linear

NUMERIC_KINDS = frozenset({"number", "count", "days", "share"})

Check = Callable[[Any, str], tuple[Any, str | None]]


@dataclass(frozen=True)
class Argument:
    """The shape of an operator's `value:`: a name for the docs, a help line and its check."""

    name: str
    help: str
    check: Check


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _scalar(value: Any, kind: str) -> str | None:
    if kind in NUMERIC_KINDS:
        return None if is_number(value) else f"expected a number, got {value!r}"
    if kind == "flag":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if isinstance(value, str) and value.strip():
        return None
    return f"expected a non-empty text, got {value!r}"


def _check_none(value: Any, kind: str) -> tuple[Any, str | None]:
    return None, None if value is None else "takes no value; remove `value:`"


def _check_scalar(value: Any, kind: str) -> tuple[Any, str | None]:
    return value, _scalar(value, kind)


def _check_scalars(value: Any, kind: str) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not value:
        return value, f"expected a non-empty list, got {value!r}"
    problems = [p for p in (_scalar(v, kind) for v in value) if p]
    return tuple(value), problems[0] if problems else None


def _check_range(value: Any, kind: str) -> tuple[Any, str | None]:
    if not (isinstance(value, list) and len(value) == 2 and all(map(is_number, value))):
        return value, f"expected [low, high] numbers, got {value!r}"
    low, high = value
    return (low, high), None if low <= high else f"low {low} is above high {high}"


def _check_number(value: Any, kind: str) -> tuple[Any, str | None]:
    return value, None if is_number(value) else f"expected a number, got {value!r}"


def _check_count(value: Any, kind: str) -> tuple[Any, str | None]:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value, None if ok else f"expected a whole number >= 0, got {value!r}"


def _check_texts(value: Any, kind: str) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not value:
        return value, f"expected a non-empty list of texts, got {value!r}"
    if not all(isinstance(v, str) and v for v in value):
        return value, f"expected non-empty texts, got {value!r}"
    return tuple(value), None


_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` would not behave the same in Python, PostgreSQL, DuckDB (RE2) and Spark (Java)."""
    try:
        with warnings.catch_warnings():  # "possible nested set" and the like: judged below
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(pattern)
    except re.error as exc:
        return f"not a regular expression: {exc}"
    try:
        linear(pattern)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        return f"the linear-time engine (RE2) refuses it: {reason}"
    unescaped = re.sub(r"\\.", "", pattern)
    rules = (
        (
            re.search(r"\\[A-Za-z0-9]", pattern),
            "\\d, \\w, \\b, \\1... differ between engines; use [0-9], [a-z]",
        ),
        ("(?" in pattern, "(?...) groups, flags and look-arounds are not portable"),
        ("[:" in unescaped, "POSIX classes like [[:alpha:]] are not portable"),
        (
            re.search(r"[A-Z]", unescaped),
            "values are lower-cased before matching: write the pattern in lower case",
        ),
        (
            "{" in unescaped and _QUANTIFIER.sub("", unescaped).count("{"),
            "braces must be a quantifier {m}, {m,} or {m,n}",
        ),
        (any(c in pattern for c in "\n\r\t"), "control characters are not allowed"),
    )
    return next((message for broken, message in rules if broken), None)


def _check_pattern(value: Any, kind: str) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not value:
        return value, f"expected a regular expression text, got {value!r}"
    return value, pattern_problem(value)


NONE = Argument("-", "no value", _check_none)
SCALAR = Argument("value", "one value of the column's type", _check_scalar)
SCALARS = Argument("[values]", "a non-empty list of values of the column's type", _check_scalars)
RANGE = Argument("[low, high]", "two numbers, low <= high, both inclusive", _check_range)
NUMBER = Argument("number", "a number", _check_number)
COUNT = Argument("n", "a whole number >= 0", _check_count)
TEXTS = Argument("[texts]", "a non-empty list of non-empty texts", _check_texts)
PATTERN = Argument(
    "pattern",
    "a regular expression in the portable subset (lower case; no \\d \\w, (?...), [[:class:]])",
    _check_pattern,
)
