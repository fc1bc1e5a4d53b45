"""Pure mapping of raw source frames into canonical frames, listing every bad value with its location.

Per file: apply missing-value tokens and value maps, parse each column as its target field,
render templates and constants. Joined files are aligned onto the rows of the file they join.
The aligned targets of each stream then become entity rows (scoring.sources.entities).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from scoring.errors import Problem
from scoring.sources.coerce import coerce, shown
from scoring.sources.consistency import PLACEHOLDER, constant_field
from scoring.sources.entities import build_frames
from scoring.sources.frames import CanonicalFrames
from scoring.sources.profile import ColumnTarget, FileSpec, JoinSpec, Profile
from scoring.sources.read import RawTable
from scoring.sources.records import Issue, Origin, Record


def as_text(raw: pd.Series) -> pd.Series:
    return raw if raw.dtype == "str" else raw.astype("str")


def _prepare(
    raw: pd.Series, tokens: frozenset[str], target: ColumnTarget
) -> tuple[pd.Series, list[tuple[int, str]]]:
    """Blank the missing-value tokens, then apply the value map."""
    if tokens:
        raw = raw.mask(as_text(raw).isin(tokens).fillna(False).to_numpy(dtype=bool))
    if not target.values:
        return raw, []
    text = as_text(raw)
    known = text.isin(list(target.values)).fillna(False).to_numpy(dtype=bool)
    mapped = text.astype(object).map(target.values).where(known)
    if target.other == "keep":
        return mapped.where(known, raw.astype(object)), []
    failures: list[tuple[int, str]] = []
    if target.other == "error":
        bad = np.flatnonzero(raw.notna().to_numpy() & ~known)
        keys = ", ".join(repr(k) for k in list(target.values)[:8])
        failures = [
            (int(i), f"{shown(raw.iat[int(i)], target.field)} is not in the value map ({keys})")
            for i in bad
        ]
    return mapped, failures


def _missing_columns(spec: FileSpec, table: RawTable, order: int) -> list[Issue]:

    header = [str(c) for c in table.frame.columns]
    needed = [c for c, targets in spec.columns.items() if not any(t.optional for t in targets)]
    needed += [n for t in spec.templates.values() for n in PLACEHOLDER.findall(t) if n != "row"]
    issues = []
    for column in dict.fromkeys(needed):
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1)
            hint = f" (the file has {close[0]!r})" if close else ""
            problem = Problem(table.header_where, f"column {column!r} is missing{hint}")
            issues.append((order, table.header_line or 0, problem))
    return issues


def _template(template: str, table: RawTable, trim: bool, tokens: frozenset[str]) -> pd.Series:
    size = len(table.frame)
    result = pd.Series([""] * size, dtype="str")
    for index, part in enumerate(PLACEHOLDER.split(template)):
        if index % 2 == 0:
            result = result + part
        elif part == "row":
            result = result + pd.Series(np.arange(1, size + 1)).astype("str")
        else:
            text = as_text(table.frame[part].reset_index(drop=True))
            text = text.str.strip() if trim else text
            result = result + text.mask(text.isin(tokens).fillna(False).to_numpy(dtype=bool))
    return result


def _map_columns(profile: Profile, spec: FileSpec, table: RawTable, record: Record) -> list[Issue]:
    issues: list[Issue] = []
    for column, targets in spec.columns.items():
        if column not in table.frame.columns:
            continue
        raw = table.frame[column].reset_index(drop=True)
        if profile.trims(spec) and raw.dtype == "str":
            raw = raw.str.strip()
        origin = Origin(table.label, column, table.lines)
        for target in targets:
            prepared, failures = _prepare(raw, profile.missing_tokens(spec, target), target)
            result = coerce(prepared, target.field, target.parsing)
            failed = np.zeros(len(raw), dtype=bool)
            for row, message in failures + result.failures:
                failed[row] = True
                problem = Problem(origin.where(row), f"{target.to}: {message}")
                issues.append((record.order, int(table.lines[row]), problem))
            record.values[target.to] = result.values
            record.kinds[target.to] = target.field.kind
            record.origins[target.to] = origin
            record.failed[target.to] = failed
    return issues


def _map_templates(profile: Profile, spec: FileSpec, table: RawTable, record: Record) -> None:
    tokens = frozenset(spec.missing if spec.missing is not None else profile.missing)
    header = {str(c) for c in table.frame.columns}
    for target, template in spec.templates.items():
        columns = [n for n in PLACEHOLDER.findall(template) if n != "row"]
        if any(c not in header for c in columns):
            continue  # reported as a missing column
        record.values[target] = _template(template, table, profile.trims(spec), tokens)
        record.kinds[target] = "text"
        via = f" (template {template!r})"
        record.origins[target] = Origin(
            table.label, columns[0] if columns else "row", table.lines, via
        )


def _map_constants(spec: FileSpec, table: RawTable, record: Record) -> None:
    for target, value in spec.constants.items():
        field = constant_field(target, value)
        if field is None:  # unreachable: the profile was checked at load
            continue
        one = coerce(pd.Series([value], dtype=object), field).values
        record.values[target] = one.iloc[[0] * len(table.frame)].reset_index(drop=True)
        record.kinds[target] = field.kind
        record.origins[target] = Origin(table.label, "(constant)", table.lines)


def map_file(
    profile: Profile, name: str, table: RawTable, order: int
) -> tuple[Record, list[Issue]]:
    """Parse every mapped column of one file; targets are aligned to that file's rows."""
    spec = profile.files[name]
    record = Record(name, order, table.label, table.lines)
    issues = _missing_columns(spec, table, order)
    issues += _map_columns(profile, spec, table, record)
    _map_templates(profile, spec, table, record)
    _map_constants(spec, table, record)
    return record, issues


def _key_issues(
    parent: RawTable, child: RawTable, column: str, keys: pd.Series, left: pd.Series, order: int
) -> tuple[dict[str, int], list[Issue]]:
    """First child row of each join key; empty, repeated and unmatched keys are issues."""
    empty = (keys.isna() | (keys == "")).to_numpy(dtype=bool)
    repeated = keys.duplicated(keep="first").to_numpy(dtype=bool) & ~empty
    first = {str(k): int(i) for i, k in enumerate(keys) if not empty[i] and not repeated[i]}
    orphan = ~keys.isin(set(left.dropna())).to_numpy(dtype=bool) & ~empty
    issues: list[Issue] = []
    for i in range(len(keys)):
        key = str(keys.iat[i])
        if empty[i]:
            message = "the join key is empty"
        elif repeated[i]:
            message = f"join key {key!r} appears twice (first on line {child.lines[first[key]]})"
        elif orphan[i]:
            message = f"join key {key!r} matches no row of {parent.label}"
        else:
            continue
        issues.append((order, int(child.lines[i]), Problem(child.where(i, column), message)))
    return first, issues


def _join_positions(
    parent: RawTable, child: RawTable, join: JoinSpec, order: int
) -> tuple[np.ndarray, list[Issue]]:
    """For each parent row, the matching child row (-1 for none); bad keys are issues."""
    for table, column in ((parent, join.left), (child, join.right)):
        if column not in table.frame.columns:
            problem = Problem(table.header_where, f"join column {column!r} is missing")
            return np.full(len(parent.frame), -1), [(order, table.header_line or 0, problem)]
    left = as_text(parent.frame[join.left].reset_index(drop=True)).str.strip()
    keys = as_text(child.frame[join.right].reset_index(drop=True)).str.strip()
    first, issues = _key_issues(parent, child, join.right, keys, left, order)
    positions = np.array(
        [first.get(k, -1) if isinstance(k, str) else -1 for k in left], dtype=np.int64
    )
    return positions, issues


def _align(record: Record, child: Record, positions: np.ndarray) -> None:
    matched = positions >= 0
    record.kinds.update(child.kinds)
    for target, values in child.values.items():
        record.values[target] = values.reindex(positions).reset_index(drop=True)
        origin = child.origins[target]
        lines = np.where(matched, origin.lines[np.maximum(positions, 0)], -1)
        record.origins[target] = Origin(origin.label, origin.column, lines, origin.via)
        failed = child.failed.get(target)
        if failed is not None:
            record.failed[target] = np.where(matched, failed[np.maximum(positions, 0)], False)


def map_stream(
    profile: Profile, stream: str, tables: Mapping[str, RawTable]
) -> tuple[Record, list[Issue]]:
    """A stream's record: its own targets plus those of every file joined onto it."""
    order = {name: i for i, name in enumerate(profile.files)}
    record, issues = map_file(profile, stream, tables[stream], order[stream])
    for name in profile.joined_onto(stream):
        join, matched = profile.files[name].join, profile.files[name].matched
        if join is None:
            continue
        positions = np.full(record.size, -1, dtype=np.int64)  # an optional file left out
        if name in tables:
            positions, join_issues = _join_positions(
                tables[stream], tables[name], join, order[name]
            )
            child, child_issues = map_file(profile, name, tables[name], order[name])
            _align(record, child, positions)
            issues += join_issues + child_issues
        if matched:
            record.values[matched] = pd.Series(positions >= 0, dtype="boolean")
            record.origins[matched] = Origin(record.label, join.left, record.lines)
    return record, issues


def transform(
    profile: Profile, tables: Mapping[str, RawTable], active_reasons: frozenset[str]
) -> tuple[CanonicalFrames, list[Problem]]:
    """Map raw tables (by profile file name) to canonical frames; problems come in file/line order."""
    records: list[Record] = []
    issues: list[Issue] = []
    for stream in profile.streams:
        if stream in tables:
            record, found = map_stream(profile, stream, tables)
            records.append(record)
            issues += found
    frames, found = build_frames(records, active_reasons)
    issues += found
    issues.sort(key=lambda issue: (issue[0], issue[1]))
    return frames, [problem for _, _, problem in issues]
