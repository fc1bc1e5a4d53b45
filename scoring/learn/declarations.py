"""When a lead's fields are known, as declared by hand: the leakage check's declarations.

A mapping profile lists the columns filled in only after the outcome (`post_outcome: [duration]`); a
feature dictionary gives each custom field its `known_at` (creation, activity or post_outcome), and a
profile column may carry one too. A post-outcome column never trains; a column known at creation is
exempt from the inferred leakage signals (scoring.learn.leakage), which the model card records.

    declarations = declared_known_at(document, "data/features.yaml")   # a parsed YAML document
    train(leads, won, split=..., declared=declarations.post_outcome,
          known_at_creation=declarations.at_creation)

Pure: the document is read at an edge (the CLI) and handed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring.errors import ConfigError

CREATION = "creation"
POST_OUTCOME = "post_outcome"
KNOWN_AT = (CREATION, "activity", POST_OUTCOME)
PREFIXES = ("attributes.", "custom.")


@dataclass(frozen=True)
class Declarations:
    """Feature column -> where it was declared, for post-outcome columns and columns known at creation."""

    post_outcome: dict[str, str] = field(default_factory=dict)
    at_creation: dict[str, str] = field(default_factory=dict)

    def merged(self, other: Declarations) -> Declarations:
        return Declarations(
            {**self.post_outcome, **other.post_outcome}, {**self.at_creation, **other.at_creation}
        )

    def present(self, columns: object) -> Declarations:
        """Only the declarations that name one of `columns` (a frame's columns)."""
        names = set(columns)  # type: ignore[call-overload]
        return Declarations(
            {c: s for c, s in self.post_outcome.items() if c in names},
            {c: s for c, s in self.at_creation.items() if c in names},
        )


def column_names(name: str) -> tuple[str, ...]:
    """The feature columns a field may appear as: `visits`, `attributes.visits`, `custom.visits`."""
    base = name
    for prefix in PREFIXES:
        base = base.removeprefix(prefix)
    return (base, *(f"{prefix}{base}" for prefix in PREFIXES))


def declared_known_at(document: Any, source: str) -> Declarations:
    """The declarations of a parsed profile or feature dictionary (`fields: {name: {known_at}}`).

    Raises ConfigError naming every field whose `known_at` is not one of KNOWN_AT.
    """
    entries: dict[str, str] = {}
    if isinstance(document, Mapping):
        entries |= _dictionary_entries(document.get("fields"))
        entries |= _profile_entries(document.get("files"))
    wrong = sorted(name for name, when in entries.items() if when not in KNOWN_AT)
    if wrong:
        raise ConfigError(
            f"{source}: known_at must be one of {', '.join(KNOWN_AT)} (fields: {', '.join(wrong)})"
        )
    found = Declarations()
    for name, when in entries.items():
        columns = dict.fromkeys(column_names(name), source)
        if when == POST_OUTCOME:
            found = found.merged(Declarations(post_outcome=columns))
        elif when == CREATION:
            found = found.merged(Declarations(at_creation=columns))
    return found


def _dictionary_entries(fields: Any) -> dict[str, str]:
    if not isinstance(fields, Mapping):
        return {}
    return {
        str(name): str(entry.get("known_at", CREATION))
        for name, entry in fields.items()
        if isinstance(entry, Mapping)
    }


def _profile_entries(files: Any) -> dict[str, str]:
    """Targets of profile columns with a `known_at`, and of the columns listed in `post_outcome`."""
    entries: dict[str, str] = {}
    for spec in files.values() if isinstance(files, Mapping) else ():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("columns"), Mapping):
            continue
        late = set(spec.get("post_outcome") or ())
        for column, targets in spec["columns"].items():
            for target in targets if isinstance(targets, list) else [targets]:
                to = target if isinstance(target, str) else (target or {}).get("to")
                if not isinstance(to, str) or not to.startswith(("attributes.", "contact.")):
                    continue
                to = to.removeprefix("contact.")
                if column in late:
                    entries[to] = POST_OUTCOME
                elif isinstance(target, Mapping) and "known_at" in target:
                    entries[to] = str(target["known_at"])
    return entries
