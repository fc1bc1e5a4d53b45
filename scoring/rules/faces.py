"""Building blocks of the operator faces: numpy evaluation on categoricals, and English.

Kept apart from scoring.rules.operators so that the registry there reads as one declaration table.
The SQL face of every operator lives at the edge, in scoring.warehouse.faces.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import re2

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """ASCII-only lower case, exactly what SQLite's lower() and the translate() faces do."""
    return text.translate(ASCII_LOWER)


FEW_CODES = 8
"""Up to this many matching (or non-matching) categories, compare codes instead of gathering."""


def on_categories(values: pd.Series, test: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Run `test` on the distinct categories only, then broadcast through the codes (missing: False).

    Codes are small integers (int8 for up to 127 categories): a few equality tests over them cost
    less than gathering the table through codes widened to 64-bit positions.
    """
    categories = np.asarray(values.cat.categories, dtype=object)
    table = np.asarray(test(categories), dtype=bool)
    codes = values.cat.codes.to_numpy()
    hits, misses = np.flatnonzero(table), np.flatnonzero(~table)
    if len(hits) <= FEW_CODES:
        return _any_equal(codes, hits)
    if len(misses) <= FEW_CODES:  # everything known except a few: not those, and not missing
        out = _any_equal(codes, misses)
        np.logical_not(out, out=out)
        out &= codes >= 0
        return out
    return np.append(table, False)[codes]


def _any_equal(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    out = np.zeros(len(codes), dtype=bool)
    for code in wanted:
        out |= codes == int(code)  # a Python int keeps the comparison in the codes' width
    return out


def is_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype)


def numbers(values: pd.Series) -> np.ndarray:
    return values.to_numpy()


def missing(values: pd.Series, value: Any = None) -> np.ndarray:
    return values.isna().to_numpy(dtype=bool)


def flags(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=bool)


def equal(values: pd.Series, value: Any) -> np.ndarray:
    if is_text(values):
        return on_categories(values, lambda c: c == value)
    return numbers(values) == value


def one_of(values: pd.Series, value: Sequence[Any]) -> np.ndarray:
    if is_text(values):
        return on_categories(values, lambda c: np.isin(c, list(value)))
    return np.isin(numbers(values), list(value))


def none_of(values: pd.Series, value: Sequence[Any]) -> np.ndarray:
    return ~one_of(values, value) & ~missing(values)


def contains_any(values: pd.Series, value: Sequence[str]) -> np.ndarray:
    needles = [fold(v) for v in value]
    return on_categories(
        values, lambda c: np.array([any(n in fold(s) for n in needles) for s in c], dtype=bool)
    )


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported by the loader, not on stderr


@functools.lru_cache(maxsize=256)
def linear(pattern: str) -> Any:
    """`pattern` compiled by RE2: matching time is linear in the text, whatever the pattern
    (no catastrophic backtracking). re2.error for what RE2 does not accept (back-references,
    look-arounds)."""
    return re2.compile(pattern, _OPTIONS)


def matches(values: pd.Series, value: str) -> np.ndarray:
    regex = linear(value)
    return on_categories(
        values, lambda c: np.array([regex.search(fold(s)) is not None for s in c], dtype=bool)
    )


def show(value: Any) -> str:
    """A value as English shows it: yes/no, 5,000, 2.5, text as is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}" if value != int(value) else f"{int(value):,}"
    return str(value)


def either(values: Sequence[Any], word: str = "or", quote: bool = False) -> str:
    """'A', 'A or B', 'A, B or C' (word 'nor' for neither...)."""
    shown = [f'"{v}"' if quote else show(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {word} {shown[-1]}"
