"""The lifecycle contract: stages, guarded transitions, guards and SLAs. Pure: no database access.

The one function that moves a contact (apply_transition) and the history readers live at the
storage edge, scoring.store.lifecycle.
"""

from __future__ import annotations

from scoring.lifecycle.contract import DEFAULT_CONTRACT, Contract, Fact, Guard, Stage, Transition
from scoring.lifecycle.guards import GUARD_KINDS, GuardKind, check_reason, describe
from scoring.lifecycle.loader import load_contract, parse_contract
from scoring.lifecycle.render import dot, markdown, mermaid
from scoring.lifecycle.sla import Breach, StageEntry, breaches, due_at
from scoring.lifecycle.stages import CONTACT_FIELDS, LIFECYCLE_STAGES

__all__ = [
    "CONTACT_FIELDS",
    "DEFAULT_CONTRACT",
    "GUARD_KINDS",
    "LIFECYCLE_STAGES",
    "Breach",
    "Contract",
    "Fact",
    "Guard",
    "GuardKind",
    "Stage",
    "StageEntry",
    "Transition",
    "breaches",
    "check_reason",
    "describe",
    "dot",
    "due_at",
    "load_contract",
    "markdown",
    "mermaid",
    "parse_contract",
]
