"""The rulebook as values: frozen dataclasses produced by the loader and read by every engine.

The order of the hit matrix columns (`Rulebook.ordered`) groups rules by group (fit, then engagement)
and, inside a group, puts the plain rules (0/1 or per-occurrence, no cap, no decay) before the
"special" ones (capped or decayed). Plain rules then form one contiguous block that scores with a
single matrix-vector product; specials are added one by one in this same order by every engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scoring.features.custom import column_label
from scoring.rules.operators import OPERATORS

GROUPS = ("fit", "engagement")


@dataclass(frozen=True)
class Condition:
    """`column op value`, e.g. industry in [Software, Fintech]."""

    column: str
    op: str
    value: Any = None
    label: str = field(default="", compare=False)
    """The column's English label when declared elsewhere (a custom field's); else looked up."""

    def english(self) -> str:
        return OPERATORS[self.op].english(self.label or column_label(self.column), self.value)


@dataclass(frozen=True)
class Predicate:
    """Conditions joined by `all` (and) or `any` (or); a single condition is `all` of one."""

    conditions: tuple[Condition, ...]
    mode: str = "all"

    def english(self) -> str:
        joiner = " and " if self.mode == "all" else " or "
        return joiner.join(c.english() for c in self.conditions)

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(c.column for c in self.conditions)


@dataclass(frozen=True)
class Decay:
    """Strength halves every `half_life_days` days since the touch named by `since` (a days column)."""

    half_life_days: float
    since: str


@dataclass(frozen=True)
class Rule:
    """Points for leads matching `when`; per occurrence of a count column, capped, decayed."""

    id: str
    group: str
    when: Predicate
    points: float
    per: str | None = None
    cap: float | None = None
    decay: Decay | None = None
    note: str = ""

    @property
    def special(self) -> bool:
        return self.cap is not None or self.decay is not None

    @property
    def columns(self) -> frozenset[str]:
        extra = {self.per} if self.per else set()
        if self.decay:
            extra.add(self.decay.since)
        return self.when.columns | extra

    def english(self) -> str:
        return self.when.english()


@dataclass(frozen=True)
class Gate:
    """A data-quality gate: a lead whose `require` does not hold cannot become an MQL."""

    id: str
    require: Predicate
    message: str

    def english(self) -> str:
        return self.require.english()


@dataclass(frozen=True)
class GroupCap:
    """Bounds of a group's points (fit or engagement); None is unbounded."""

    group: str
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Segment:
    """Leads matching `when` use `threshold` instead of the default (first matching segment wins)."""

    name: str
    when: Predicate
    threshold: float


@dataclass(frozen=True)
class BuyingRole:
    """A buying-group role: contacts whose seniority is one of `seniorities` and whose department is
    one of `departments` (an empty list matches any) play it; a contact plays its first match."""

    name: str
    seniorities: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    def english(self) -> str:
        said = [
            f"{what} is one of {', '.join(values)}"
            for what, values in (("seniority", self.seniorities), ("department", self.departments))
            if values
        ]
        return " and ".join(said) or "any contact"


@dataclass(frozen=True)
class AccountRollup:
    """How an account's score is rolled up from its contacts (the rulebook's `accounts:` section).

    Account score = the best contact's score (when `best_contact`) + `points_per_role` for each
    buying-group role played by a contact touched in the last `window_days` days.
    """

    best_contact: bool = True
    roles: tuple[BuyingRole, ...] = ()
    points_per_role: float = 0.0
    window_days: float = 30.0


@dataclass(frozen=True)
class Rulebook:
    """A validated rulebook (see docs/rulebook.md)."""

    version: str
    rules: tuple[Rule, ...]
    gates: tuple[Gate, ...] = ()
    caps: tuple[GroupCap, ...] = (GroupCap("fit"), GroupCap("engagement"))
    threshold: float = 0.0
    segments: tuple[Segment, ...] = ()
    grades: tuple[tuple[str, float | None], ...] = (("A", None),)
    source: str = ""
    accounts: AccountRollup = AccountRollup()
    custom: tuple[tuple[str, str], ...] = ()
    """(column, kind) of every custom field (`custom.<name>`) the rulebook reads, as validated."""

    @cached_property
    def ordered(self) -> tuple[Rule, ...]:
        """Rules in hit-matrix column order: per group, plain rules then special ones."""
        return tuple(
            rule
            for group in GROUPS
            for special in (False, True)
            for rule in self.rules
            if rule.group == group and rule.special == special
        )

    @cached_property
    def blocks(self) -> dict[str, tuple[int, int, int]]:
        """Per group (start, end of plain rules, end) as column positions in `ordered`."""
        out, position = {}, 0
        for group in GROUPS:
            plain = sum(1 for r in self.rules if r.group == group and not r.special)
            special = sum(1 for r in self.rules if r.group == group and r.special)
            out[group] = (position, position + plain, position + plain + special)
            position += plain + special
        return out

    @cached_property
    def decayed(self) -> tuple[int, ...]:
        """Positions (in `ordered`) of decayed rules; the hit matrix keeps their factors apart."""
        return tuple(i for i, rule in enumerate(self.ordered) if rule.decay is not None)

    @property
    def columns(self) -> frozenset[str]:
        """Every feature column the rulebook reads."""
        used: set[str] = set()
        for rule in self.rules:
            used |= rule.columns
        for gate in self.gates:
            used |= gate.require.columns
        for segment in self.segments:
            used |= segment.when.columns
        return frozenset(used)

    def cap(self, group: str) -> GroupCap:
        return next((c for c in self.caps if c.group == group), GroupCap(group))

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)
