"""The feature dictionary (data/features.yaml): custom fields declared by hand, validated at load.

    fields:
      total_visits: {type: number, label: website visits, known_at: activity}
      lead_origin:  {type: category, known_at: creation}

Each entry names a custom field (`custom.<name>` in rules) with its type (number, category, flag),
an optional English label and help, and known_at (creation, activity or post_outcome). A profile's
`type` on an `attributes.<name>` column declares the same field; the dictionary refines it.
Every problem is reported at once with its line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scoring.errors import DefinitionError, Problem
from scoring.features.custom import KINDS, KNOWN_AT, CustomField
from scoring.features.names import clash_problems, name_problem
from scoring.located_yaml import LocatedDocument, load_located, parse_located

ENTRY_KEYS = ("type", "label", "help", "known_at")


def read_entry(
    doc: LocatedDocument, name: Any, raw: Any, problems: list[Problem]
) -> CustomField | None:
    """One `fields:` entry as a CustomField; None (and problems appended) when it is wrong."""
    path = ("fields", name)
    wrong = name_problem(name)
    if wrong is not None:
        problems.append(doc.problem(path, wrong))
        return None
    if not isinstance(raw, dict):
        problems.append(doc.problem(path, f"{name}: expected a mapping, got {type(raw).__name__}"))
        return None
    before = len(problems)
    for key in raw:
        if key not in ENTRY_KEYS:
            problems.append(doc.problem((*path, key), f"{name}: unknown key {key!r}"))
    kind, when = raw.get("type"), raw.get("known_at", "creation")
    if kind not in KINDS:
        where = (*path, "type") if "type" in raw else path
        problems.append(doc.problem(where, f"{name}: type must be one of {', '.join(KINDS)}"))
    if when not in KNOWN_AT:
        problems.append(
            doc.problem(
                (*path, "known_at"), f"{name}: known_at must be one of {', '.join(KNOWN_AT)}"
            )
        )
    for key in ("label", "help"):
        if key in raw and not isinstance(raw[key], str):
            problems.append(doc.problem((*path, key), f"{name}: {key} must be text"))
    if len(problems) > before:
        return None
    return CustomField(name, str(kind), raw.get("label", ""), str(when), raw.get("help", ""))


def field_clashes(doc: LocatedDocument, declared: Any, known: Iterable[str] = ()) -> list[Problem]:
    """Problems of `fields:` names equal ignoring case to another (or to a `known` field), and of
    more than MAX_FIELDS fields, each at its line."""
    names = [(n, ("fields", n)) for n in declared if isinstance(n, str) and not name_problem(n)]
    return [doc.problem(where, message) for where, message in clash_problems(names, known)]


def _dictionary(doc: LocatedDocument) -> dict[str, CustomField]:
    problems: list[Problem] = []
    top = doc.data
    if (
        not isinstance(top, dict)
        or set(top) - {"fields"}
        or not isinstance(top.get("fields"), dict)
    ):
        problems.append(doc.problem((), "expected a mapping with one key `fields` (name -> entry)"))
        raise DefinitionError(problems, source=doc.source)
    fields = [read_entry(doc, name, raw, problems) for name, raw in top["fields"].items()]
    problems.extend(field_clashes(doc, top["fields"]))
    if problems:
        raise DefinitionError(problems, source=doc.source)
    return {f.name: f for f in fields if f is not None}


def parse_feature_dictionary(text: str, source: str = "<features>") -> dict[str, CustomField]:
    """Parse feature dictionary YAML; raises DefinitionError listing every problem."""
    return _dictionary(parse_located(text, source, DefinitionError))


def load_feature_dictionary(path: Path | str) -> dict[str, CustomField]:
    """Read a feature dictionary file; raises DefinitionError listing every problem."""
    return _dictionary(load_located(path, DefinitionError))
