"""Custom field names: one check shared by mapping profiles, the feature dictionary and rulebooks.

A custom field's name becomes a column of the side table `custom_features` (SQLite and PostgreSQL)
and of the feature table `rules sql` builds (DuckDB, warehouses), so it must be a name every one of
them stores as it is:

- letters, digits and `_`, not starting with a digit, matched in full (no trailing newline);
- at most 63 characters (PostgreSQL cuts longer identifiers, so two long names would collide);
- unique ignoring case (SQLite and DuckDB refuse `Visits` beside `visits`; PostgreSQL would not);
- never `contact_id` (the side table's own key), in any case;
- at most MAX_FIELDS of them in one data set (SQLite allows 2000 columns, PostgreSQL 1600).

    problem = name_problem("total_visits")            # None: a good name
    for where, message in clash_problems([("Visits", 3), ("visits", 7)]):   # (7, "... 'Visits' ...")
        ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_WELL_FORMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_LENGTH = 63
MAX_FIELDS = 500
RESERVED = frozenset({"contact_id"})
"""Columns of the side table that are not custom fields (compared ignoring case)."""

Where = TypeVar("Where")


def shown(name: object, limit: int = 40) -> str:
    """`name` quoted for a message, cut to `limit` characters (a hostile name can be huge)."""
    text = repr(name)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(name)):,} characters)"


def name_problem(name: object) -> str | None:
    """What is wrong with `name` as a custom field name, or None when it is good."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        if isinstance(name, str) and _WELL_FORMED.fullmatch(name):
            return f"field name {shown(name)} is longer than {MAX_LENGTH} characters"
        return f"field name {shown(name)} must be letters, digits and _"
    if name.lower() in RESERVED:
        return f"field name {name!r} is reserved (a column of the custom_features table)"
    return None


def clash_problems(
    names: Iterable[tuple[str, Where]], known: Iterable[str] = ()
) -> list[tuple[Where, str]]:
    """(where, message) for each name equal ignoring case to a different earlier or `known` name,
    and one for the first name beyond MAX_FIELDS distinct names. Repeats of one name are fine."""
    first: dict[str, str] = {name.lower(): name for name in known}
    problems: list[tuple[Where, str]] = []
    counted = False
    for name, where in names:
        key = name.lower()
        if key not in first:
            first[key] = name
            if len(first) > MAX_FIELDS and not counted:
                problems.append((where, too_many()))
                counted = True
        elif first[key] != name:
            problems.append(
                (where, f"field name {name!r} differs from field {first[key]!r} only in case")
            )
    return problems


def too_many() -> str:
    return (
        f"more than {MAX_FIELDS} custom fields (from here on); a data set may declare at most "
        f"{MAX_FIELDS} (see docs/rulebook.md#custom-fields)"
    )


def case_clashes(fields: Mapping[str, object], declared: Iterable[str]) -> list[str]:
    """Messages for `declared` names equal ignoring case to a different name of `fields`."""
    lower = {name.lower(): name for name in fields}
    return [
        f"field name {name!r} differs from recorded field {lower[name.lower()]!r} only in case"
        for name in declared
        if lower.get(name.lower(), name) != name
    ]
