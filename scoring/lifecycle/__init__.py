"""The lifecycle contract: stages, guarded transitions, SLAs, and the one function that moves a contact."""

from __future__ import annotations

from scoring.lifecycle.apply import apply_transition
from scoring.lifecycle.contract import DEFAULT_CONTRACT, Contract, Fact, Guard, Stage, Transition
from scoring.lifecycle.guards import GUARD_KINDS, GuardKind, check_reason, describe
from scoring.lifecycle.history import events, stage_entries
from scoring.lifecycle.loader import load_contract, parse_contract
from scoring.lifecycle.render import dot, markdown, mermaid
from scoring.lifecycle.sla import Breach, StageEntry, breaches, due_at

__all__ = [
    "DEFAULT_CONTRACT",
    "GUARD_KINDS",
    "Breach",
    "Contract",
    "Fact",
    "Guard",
    "GuardKind",
    "Stage",
    "StageEntry",
    "Transition",
    "apply_transition",
    "breaches",
    "check_reason",
    "describe",
    "dot",
    "due_at",
    "events",
    "load_contract",
    "markdown",
    "mermaid",
    "parse_contract",
    "stage_entries",
]
