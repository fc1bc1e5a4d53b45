"""The lifecycle contract as values: stages, facts, named guards and the transitions between stages."""

from __future__ import annotations

from dataclasses import dataclass, field

from scoring.lifecycle.paths import ViaPath
from scoring.settings import DEFAULTS

DEFAULT_CONTRACT = DEFAULTS / "lifecycle.yaml"

ANY_STAGE = "*"
"""`from: "*"` in a transition: every stage that is not terminal (and is not the target)."""


@dataclass(frozen=True)
class Stage:
    """One lifecycle stage. `initial`: a contact may enter here; `terminal`: the lifecycle ends here."""

    name: str
    label: str
    description: str = ""
    initial: bool = False
    terminal: bool = False
    sla_business_days: int | None = None


@dataclass(frozen=True)
class Fact:
    """A value a caller supplies with a move (a score, a threshold) that the contact row does not hold."""

    name: str
    help: str


@dataclass(frozen=True)
class Guard:
    """A named condition of the contract; `kind` names its entry in the guard registry.

    `field` is the value it reads, `minimum` a number or the name of another field, `values` the
    accepted values of a `one_of` guard. Which of them a kind needs is declared in `guards.py`.
    """

    name: str
    kind: str
    field: str = ""
    minimum: float | str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    """An allowed move from `source` to `target`, possible only when every guard holds.

    `entry` is the position of the declaring item in the file's `transitions` list (one item with a
    list or `"*"` as its `from` declares several transitions); `any_source` marks a `"*"` item.
    """

    source: str
    target: str
    guards: tuple[Guard, ...] = ()
    any_source: bool = False
    entry: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Contract:
    """A checked lifecycle contract: only `load_contract` builds one from a file."""

    version: str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    guards: tuple[Guard, ...] = ()
    facts: tuple[Fact, ...] = ()
    source: str = ""
    paths: tuple[ViaPath, ...] = ()

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def initial_stages(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages if s.initial)

    @property
    def terminal_stages(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages if s.terminal)

    @property
    def fact_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.facts)

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def transition(self, source: str, target: str) -> Transition | None:
        """The declared move from `source` to `target`, or None when the contract has none."""
        return next(
            (t for t in self.transitions if t.source == source and t.target == target), None
        )

    def path(self, source: str, target: str) -> ViaPath | None:
        """The declared `via` path from `source` to `target` (a jump walked step by step), or None."""
        return next((p for p in self.paths if p.source == source and p.target == target), None)

    def exits(self, source: str) -> tuple[Transition, ...]:
        """Every declared move out of `source`, in file order."""
        return tuple(t for t in self.transitions if t.source == source)
