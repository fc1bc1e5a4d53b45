"""The guard registry: each guard kind declared once with its parameters, fields, sentence and test."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scoring.lifecycle.contract import Guard
from scoring.lifecycle.stages import CONTACT_FIELDS
from scoring.reasons import Vocabulary

Values = Mapping[str, Any]
"""Everything a guard may read: the contact's columns, move arguments, history fields, facts."""

MOVE_FIELDS = {"reason_code": "the reason code cited with the move"}
HISTORY_FIELDS = {"last_reason_code": "the reason code of the contact's latest lifecycle event"}
REASON_FIELDS = frozenset({"reason_code", "last_reason_code"})
BUILTIN_FIELDS = CONTACT_FIELDS | MOVE_FIELDS.keys() | HISTORY_FIELDS.keys()


def check_reason(vocabulary: Vocabulary, code: str | None) -> str | None:
    """Why `code` cannot be cited for a disqualification, or None when it can.

    Pure: every write path (import, CLI, API, dashboard) calls it before writing a reason.
    """
    if not code:
        return "a reason code is required"
    reason = vocabulary.get(code)
    if reason is None:
        return f"unknown reason code {code!r}"
    if not reason.active:
        return f"reason code {code!r} is retired (inactive)"
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _show(value: float | str | None) -> str:
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _present(guard: Guard, values: Values, _vocabulary: Vocabulary) -> str | None:
    value = values[guard.field]
    return f"{guard.field} is not set" if value is None or value == "" else None


def _at_least(guard: Guard, values: Values, _vocabulary: Vocabulary) -> str | None:
    value = _number(values[guard.field])
    minimum = guard.minimum
    bound = _number(values[minimum]) if isinstance(minimum, str) else _number(minimum)
    if value is None:
        return f"{guard.field} is not a number ({values[guard.field]!r})"
    if bound is None:
        return f"{minimum} is not a number ({values.get(str(minimum))!r})"
    if value < bound:
        return f"{guard.field} {value:g} is below {_show(minimum)} ({bound:g})"
    return None


def _empty(guard: Guard, values: Values, _vocabulary: Vocabulary) -> str | None:
    value = values[guard.field]
    if not value:
        return None
    shown = ", ".join(map(str, value)) if isinstance(value, list | tuple | set) else str(value)
    return f"{guard.field} is not empty: {shown}"


def _one_of(guard: Guard, values: Values, _vocabulary: Vocabulary) -> str | None:
    value = values[guard.field]
    if value in guard.values:
        return None
    return f"{guard.field} is {value!r}, not one of {', '.join(guard.values)}"


def _reason(_guard: Guard, values: Values, vocabulary: Vocabulary) -> str | None:
    return check_reason(vocabulary, values["reason_code"])


@dataclass(frozen=True)
class GuardKind:
    """One kind of guard: the parameters it takes, the fields it reads, its sentence and its test."""

    name: str
    params: tuple[str, ...]
    sentence: Callable[[Guard], str]
    unmet: Callable[[Guard, Values, Vocabulary], str | None]
    fixed_fields: tuple[str, ...] = ()

    def fields(self, guard: Guard) -> tuple[str, ...]:
        """Names of the values `guard` reads: its field, a field-valued minimum, fixed fields."""
        named = [guard.field] if "field" in self.params else []
        if "minimum" in self.params and isinstance(guard.minimum, str):
            named.append(guard.minimum)
        return (*named, *self.fixed_fields)


GUARD_KINDS: dict[str, GuardKind] = {
    kind.name: kind
    for kind in (
        GuardKind("present", ("field",), lambda g: f"{g.field} is set", _present),
        GuardKind(
            "at_least",
            ("field", "minimum"),
            lambda g: f"{g.field} >= {_show(g.minimum)}",
            _at_least,
        ),
        GuardKind("empty", ("field",), lambda g: f"{g.field} is empty", _empty),
        GuardKind(
            "one_of",
            ("field", "values"),
            lambda g: f"{g.field} is one of {', '.join(g.values)}",
            _one_of,
        ),
        GuardKind(
            "reason_required",
            (),
            lambda g: "a reason code from the active vocabulary",
            _reason,
            fixed_fields=("reason_code",),
        ),
    )
}


def describe(guard: Guard) -> str:
    """The guard in plain English, e.g. `score >= threshold`."""
    kind = GUARD_KINDS.get(guard.kind)
    return kind.sentence(guard) if kind else f"unknown guard kind {guard.kind!r}"


def guard_fields(guard: Guard) -> tuple[str, ...]:
    kind = GUARD_KINDS.get(guard.kind)
    return kind.fields(guard) if kind else ()


def unmet_guard(guard: Guard, values: Values, vocabulary: Vocabulary) -> str | None:
    """Why `guard` does not hold for `values` (naming the guard), or None when it holds."""
    kind = GUARD_KINDS[guard.kind]
    missing = [name for name in kind.fields(guard) if name not in values]
    if missing:
        return f"guard {guard.name}: {', '.join(missing)} not supplied"
    reason = kind.unmet(guard, values, vocabulary)
    return f"guard {guard.name}: {reason}" if reason else None
