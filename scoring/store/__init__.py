"""Storage edge of the core: reads and writes of features, lifecycle stages and reasons.

read_features(engine, as_of=...)                    # the feature frame from the canonical tables
apply_transition(session, contact_id, "mql", ...)   # the one write path of lifecycle stages
sync_reasons(connection, vocabulary)                # the reasons vocabulary into its table

The core (scoring.features, scoring.lifecycle, scoring.reasons) is pure; this package is the only
place where their frames and decisions meet SQLAlchemy.
"""

from __future__ import annotations

from scoring.store.features import read_features, write_features
from scoring.store.lifecycle import apply_transition, events, stage_entries
from scoring.store.reasons import sync_reasons

__all__ = [
    "apply_transition",
    "events",
    "read_features",
    "stage_entries",
    "sync_reasons",
    "write_features",
]
