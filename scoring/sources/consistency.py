"""Whole-profile checks that pydantic cannot do field by field: joins, duplicates, what each entity needs.

Runs after the profile's structure is valid and returns every problem with its YAML line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scoring.errors import Problem
from scoring.features.names import clash_problems
from scoring.located_yaml import LocatedDocument
from scoring.sources.coerce import bad_character, invalid_values
from scoring.sources.fields import (
    KEYS,
    REQUIRED,
    TEMPLATE_KINDS,
    Field,
    entity_of,
    field_for,
    is_attribute,
    unknown_target_message,
)
from scoring.sources.profile import FileSpec, Profile

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_ATTRIBUTE_KIND = {bool: "boolean", int: "integer", float: "number"}

Path = tuple[Any, ...]


def constant_field(target: str, value: Any) -> Field | None:
    """The field a constant writes; attribute constants take their kind from the YAML value."""
    return field_for(target, _ATTRIBUTE_KIND.get(type(value), "text"))


def _constant_problems(doc: LocatedDocument, name: str, spec: FileSpec) -> list[Problem]:
    problems = []
    for target, value in spec.constants.items():
        path = ("files", name, "constants", target)
        field = constant_field(target, value)
        if field is None:
            problems.append(doc.problem(path, unknown_target_message(target)))
            continue
        for message in invalid_values(field, [value]):
            problems.append(doc.problem(path, f"constant for {target}: {message}"))
    return problems


def _template_problems(doc: LocatedDocument, name: str, spec: FileSpec) -> list[Problem]:
    problems = []
    for target, template in spec.templates.items():
        path = ("files", name, "templates", target)
        field = field_for(target)
        if field is None:
            problems.append(doc.problem(path, unknown_target_message(target)))
        elif field.kind not in TEMPLATE_KINDS:
            problems.append(doc.problem(path, f"{target} is {field.kind}; templates build text"))
        if "{" in PLACEHOLDER.sub("", template) or "}" in PLACEHOLDER.sub("", template):
            problems.append(doc.problem(path, f"template {template!r} has an unbalanced brace"))
        if why := bad_character(template):
            problems.append(doc.problem(path, f"template {template!r} {why}"))
        elif not PLACEHOLDER.search(template):
            problems.append(
                doc.problem(path, f"template {template!r} uses no column; use a constant")
            )
    return problems


def _file_problems(
    doc: LocatedDocument, profile: Profile, name: str, spec: FileSpec
) -> Iterator[Problem]:
    base = ("files", name)
    yield from _constant_problems(doc, name, spec)
    yield from _template_problems(doc, name, spec)
    for column in spec.post_outcome:
        if column not in spec.columns:
            yield doc.problem(
                (*base, "post_outcome"),
                f"post_outcome column {column!r} is not mapped in `columns`",
            )
    yield from _join_problems(doc, profile, name, spec)
    if spec.format in ("csv", "parquet") and (spec.table or spec.query):
        yield doc.problem(base, "`table`/`query` are for SQL sources")
    if spec.format == "sql" and bool(spec.table) == bool(spec.query):
        yield doc.problem(base, "a SQL source needs exactly one of `table` or `query`")


def _join_problems(
    doc: LocatedDocument, profile: Profile, name: str, spec: FileSpec
) -> Iterator[Problem]:
    base = ("files", name)
    if spec.matched is not None:
        field = field_for(spec.matched)
        if spec.join is None:
            yield doc.problem((*base, "matched"), "`matched` needs a `join`")
        if field is None or field.kind != "boolean":
            yield doc.problem(
                (*base, "matched"), f"`matched` must name a true/false field, not {spec.matched!r}"
            )
    if spec.join is not None:
        parent = profile.files.get(spec.join.file)
        if parent is None or spec.join.file == name:
            yield doc.problem((*base, "join", "file"), f"join to unknown file {spec.join.file!r}")
        elif parent.join is not None:
            yield doc.problem(
                (*base, "join", "file"), f"{spec.join.file!r} is itself joined; join to its stream"
            )


def _settings(profile: Profile, stream: str) -> Iterator[tuple[str, Path]]:
    """Every (target, where it is set) in a stream and the files joined onto it."""
    for name in (stream, *profile.joined_onto(stream)):
        spec = profile.files[name]
        for column, targets in spec.columns.items():
            for mapped in targets:
                yield mapped.to, ("files", name, "columns", column)
        for constant in spec.constants:
            yield constant, ("files", name, "constants", constant)
        for templated in spec.templates:
            yield templated, ("files", name, "templates", templated)
        if spec.matched:
            yield spec.matched, ("files", name, "matched")


def _key_problems(
    doc: LocatedDocument, base: Path, entities: set[str], seen: dict[str, Path]
) -> Iterator[Problem]:
    """Accounts and reps are named by one of several keys: a record needs at least one."""
    for entity in sorted(entities & set(KEYS)):
        if not any(target in seen for target in KEYS[entity]):
            yield doc.problem(
                base,
                f"records with {entity} fields need one of {', '.join(KEYS[entity])} "
                "(a column or a template)",
            )


def _stream_problems(doc: LocatedDocument, profile: Profile, stream: str) -> Iterator[Problem]:
    seen: dict[str, Path] = {}
    for target, path in _settings(profile, stream):
        if target in seen:
            first = doc.where(seen[target])
            yield doc.problem(path, f"{target} is set twice in one record (also at {first})")
        seen.setdefault(target, path)
    base = ("files", stream)
    if not seen:
        yield doc.problem(base, f"file {stream!r} maps no column, constant or template")
    entities = {entity_of(t) for t in seen}
    for entity in sorted(entities & set(REQUIRED)):
        for target in REQUIRED[entity]:
            if target not in seen:
                yield doc.problem(
                    base, f"records with {entity} fields need {target} (a column or a template)"
                )
    yield from _key_problems(doc, base, entities, seen)
    if any(t.startswith("outcome.") for t in seen) and "outcome.won" not in seen:
        yield doc.problem(
            base, "outcome fields need outcome.won (a column, a constant or `matched`)"
        )
    for entity, key, what in (
        ("touch", "touch.contact", "touches"),
        ("history", "history.contact", "history rows"),
    ):
        if entity in entities and key not in seen and "contact.external_id" not in seen:
            yield doc.problem(
                base, f"{what} need {key} (or a contact.external_id in the same record)"
            )


def _attribute_problems(doc: LocatedDocument, profile: Profile) -> Iterator[Problem]:
    """Attribute names equal ignoring case to another, and more than MAX_FIELDS of them: each
    becomes a column of the custom_features table (scoring.features.names)."""
    names: list[tuple[str, Path]] = []
    for name, spec in profile.files.items():
        for column, targets in spec.columns.items():
            names.extend(
                (mapped.to.split(".", 1)[1], ("files", name, "columns", column))
                for mapped in targets
                if is_attribute(mapped.to)
            )
        for kind, targets_set in (("constants", spec.constants), ("templates", spec.templates)):
            names.extend(
                (target.split(".", 1)[1], ("files", name, kind, target))
                for target in targets_set
                if is_attribute(target)
            )
    for where, message in clash_problems(names):
        yield doc.problem(where, message)


def consistency_problems(profile: Profile, doc: LocatedDocument) -> list[Problem]:
    """Every problem of a structurally valid profile, in file order."""
    problems: list[Problem] = []
    for name, spec in profile.files.items():
        problems.extend(_file_problems(doc, profile, name, spec))
    problems.extend(_attribute_problems(doc, profile))
    for stream in profile.streams:
        problems.extend(_stream_problems(doc, profile, stream))
    return problems
