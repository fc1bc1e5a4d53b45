"""The SQL face of every rule operator: one table, operator name -> SQLAlchemy Core builder.

The pure faces (numpy evaluation, English) are declared in scoring.rules.operators; this table holds
the third face, kept at the edge so the core never imports SQLAlchemy. A convention test keeps the
two tables in step: every operator has exactly one SQL face and every SQL face an operator.
Expressions are rendered per target by scoring.warehouse.dialects; a missing value may yield NULL
here (the compiler wraps every condition in COALESCE(..., FALSE)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Double, cast, false, literal_column, or_, true
from sqlalchemy.sql.elements import ColumnElement

from scoring.rules.faces import fold
from scoring.warehouse.dialects import ascii_lower, regex_search, text_literal

Column = ColumnElement[Any]
SqlFace = Callable[[Column, Any], Column]


def literal(value: Any) -> Column:
    """A SQL constant: exact integers, doubles as CAST(... AS DOUBLE), quoted text, booleans."""
    if isinstance(value, bool):
        return true() if value else false()
    if isinstance(value, int):
        return literal_column(str(value))
    if isinstance(value, float):
        return cast(literal_column(repr(value)), Double())
    return text_literal(str(value))


def like_any(column: Column, value: Sequence[str]) -> Column:
    """ascii_lower(column) LIKE '%needle%' for any needle, wildcards in the needles escaped."""

    def pattern(needle: str) -> str:
        escaped = fold(needle).replace("/", "//").replace("%", "/%").replace("_", "/_")
        return f"%{escaped}%"

    lowered = ascii_lower(column)
    return or_(*(lowered.like(text_literal(pattern(n)), escape="/") for n in value))


SQL_FACES: dict[str, SqlFace] = {
    "eq": lambda c, v: c == literal(v),
    "ne": lambda c, v: c != literal(v),
    "in": lambda c, v: c.in_([literal(x) for x in v]),
    "not_in": lambda c, v: c.not_in([literal(x) for x in v]),
    "between": lambda c, v: c.between(literal(v[0]), literal(v[1])),
    "gt": lambda c, v: c > literal(v),
    "gte": lambda c, v: c >= literal(v),
    "lt": lambda c, v: c < literal(v),
    "lte": lambda c, v: c <= literal(v),
    "at_least": lambda c, v: c >= literal(v),
    "at_most": lambda c, v: c <= literal(v),
    "contains_any": like_any,
    "matches": lambda c, v: regex_search(ascii_lower(c), v),
    "is_missing": lambda c, v: c.is_(None),
    "is_present": lambda c, v: c.is_not(None),
    "is_true": lambda c, v: c == true(),
    "is_false": lambda c, v: c == false(),
}
"""The SQL builder of every operator in scoring.rules.OPERATORS, by operator name."""


def sql_condition(op: str, column: Column, value: Any) -> Column:
    """The SQL face of operator `op` applied to `column` and a checked `value`."""
    return SQL_FACES[op](column, value)
