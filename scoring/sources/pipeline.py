"""One import run: read every source, transform, check against the database, write in one transaction.

All or nothing: any problem (a bad value, a broken join, an email taken by another contact)
rejects the run with every problem listed and nothing written. A report run finds the same
problems and never writes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine

from scoring.errors import ConfigError, ImportRejected, Problem
from scoring.features.custom import CustomField, fields_from_profile, merged
from scoring.features.names import MAX_FIELDS, case_clashes, too_many
from scoring.lifecycle.contract import Contract
from scoring.policy import in_force
from scoring.reasons import Vocabulary
from scoring.sources.crm_load import plan_crm
from scoring.sources.deals import mark_won, won_contacts
from scoring.sources.frames import CanonicalFrames, LikelyDuplicate
from scoring.sources.load import Written, write_frames
from scoring.sources.profile import Profile
from scoring.sources.read import RawTable, is_url, read_source
from scoring.sources.references import check_against
from scoring.sources.stages import plan_stages
from scoring.sources.transform import transform
from scoring.sources.upsert import Progress
from scoring.store.custom import read_custom_fields, refresh_custom_features
from scoring.store.reasons import sync_reasons


def _ignore(phase: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class ImportResult:
    """What a run found and (unless it was a report) wrote."""

    profile: str
    rows: Mapping[str, int]
    won: int
    problems: tuple[Problem, ...] = ()
    written: Written | None = None
    seconds: float = 0.0
    files: Mapping[str, str] = field(default_factory=dict)
    won_undated: int = 0  # won rows without outcome.closed_at: won, date unknown (never dropped)
    likely_duplicates: tuple[LikelyDuplicate, ...] = ()

    def summary(self) -> str:
        """One line for people: what was imported (or, for a report, would be), per table."""
        written = self.written
        if written is None:
            rows = ", ".join(f"{n:,} {entity}" for entity, n in self.rows.items() if n)
            return f"no problems: {rows or 'nothing'} would be imported ({self.won:,} won)"
        parts = []
        if written.contacts or not (written.accounts or written.opportunities or written.reps):
            parts.append(
                f"{written.contacts:,} contacts ({written.new_contacts:,} new, {self.won:,} won)"
            )
        for label, count in (
            ("accounts", written.accounts),
            ("campaigns", written.campaigns),
            ("touches", written.touches),
            ("opportunities", written.opportunities),
            ("opportunity stage changes", written.opportunity_stage_changes),
            ("reps", written.reps),
            ("products", written.products),
            ("history rows", written.lifecycle_events),
            ("CRM ids", written.crm_ids),
        ):
            if count:
                parts.append(f"{count:,} {label}")
        undated = (
            f"; {self.won_undated:,} won without a close date: counted as won, date unknown"
            if self.won_undated
            else ""
        )
        return (
            f"imported {', '.join(parts)} through {self.profile} in {self.seconds:.1f} s{undated}"
        )


def assign_files(profile: Profile, files: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """Match inputs to the profile's files: `NAME=PATH` or a file called NAME.* by name, the rest in order."""
    if isinstance(files, Mapping):
        named, positional = dict(files), list[str]()
    else:
        named, positional = {}, list[str]()
        for item in files:
            name, sep, location = item.partition("=")
            if sep and name in profile.files:
                named[name] = location
            elif (
                Path(item).stem in profile.files
                and Path(item).stem not in named
                and not is_url(item)
            ):
                named[Path(item).stem] = item
            else:
                positional.append(item)
    unknown = sorted(set(named) - set(profile.files))
    if unknown:
        raise ConfigError(f"profile {profile.name} has no file named {', '.join(unknown)}")
    free = [name for name in profile.files if name not in named]
    if len(positional) > len(free):
        raise ConfigError(
            f"profile {profile.name} reads {len(profile.files)} file(s) ({', '.join(profile.files)}); got more"
        )
    assigned = {**named, **dict(zip(free, positional, strict=False))}
    needed = [n for n, spec in profile.files.items() if not spec.optional and n not in assigned]
    if needed:
        raise ConfigError(
            f"profile {profile.name} needs {', '.join(needed)} too; give the files in this order: "
            f"{' '.join(profile.files)} (or NAME=PATH)"
        )
    return {name: assigned[name] for name in profile.files if name in assigned}


def read_sources(
    profile: Profile, files: Mapping[str, str], progress: Progress = _ignore
) -> tuple[dict[str, RawTable], list[Problem]]:
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for done, (name, location) in enumerate(files.items(), start=1):
        tables[name], found = read_source(name, profile.files[name], location)
        problems += found
        progress("reading", done, len(files))
    return tables, problems


def import_files(
    engine: Engine,
    profile: Profile,
    files: Sequence[str] | Mapping[str, str],
    *,
    report: bool = False,
    vocabulary: Vocabulary | None = None,
    contract: Contract | None = None,
    progress: Progress = _ignore,
    run_time: datetime | None = None,
) -> ImportResult:
    """Import `files` through `profile`; raise ImportRejected (nothing written) on any problem.

    Every stage set or changed is checked against `contract` (default: data/lifecycle.yaml) in
    one vectorised pass; a refused move is a problem like any other. With `report=True` nothing
    is written and the result lists every problem instead.
    """
    started = time.perf_counter()
    if vocabulary is None or contract is None:
        policy = in_force(engine)
        vocabulary = vocabulary or policy.vocabulary
        contract = contract or policy.contract
    now = run_time or datetime.now(UTC).replace(tzinfo=None)
    assigned = assign_files(profile, files)
    tables, problems = read_sources(profile, assigned, progress)
    progress("checking", 0, 1)
    frames, found = transform(profile, tables, vocabulary.active_codes)
    problems += found
    with engine.begin() as connection:
        crm = plan_crm(connection, frames)
        problems += crm.problems + check_against(connection, frames)
        problems += recorded_clashes(connection, fields_from_profile(profile))
        # A won opportunity makes its contact won: in this import, or stored (`elsewhere`).
        contacts, elsewhere = mark_won(frames.contacts, won_contacts(frames.opportunities))
        frames = replace(frames, contacts=contacts)
        parts = [(frames, crm)]
        if len(elsewhere):
            parts.append(
                (CanonicalFrames(contacts=elsewhere), plan_crm(connection, CanonicalFrames()))
            )
        plans = [plan_stages(connection, part, contract, vocabulary, now) for part, _ in parts]
        seen = {p.where for p in problems}  # a bad reason is reported once, where it was read
        problems += [p for plan in plans for p in plan.problems if p.where not in seen]
        progress("checking", 1, 1)
        result = ImportResult(
            profile.name,
            frames.counts(),
            frames.won + len(elsewhere),
            tuple(problems),
            files=assigned,
            likely_duplicates=frames.likely_duplicates,
        )
        if report:
            return _timed(result, started, frames)
        if problems:
            raise ImportRejected(problems, source=", ".join(assigned.values()))
        if any(_cites_reasons(plan.steps) for plan in plans):
            sync_reasons(connection, vocabulary)
        written = [
            write_frames(
                connection,
                part,
                plan,
                actor=profile.actor,
                run_time=now,
                crm=part_crm,
                contract_version=contract.version,
                progress=progress,
            )
            for (part, part_crm), plan in zip(parts, plans, strict=True)
        ]
        refresh_custom_features(connection, fields_from_profile(profile))
    return _timed(
        replace(result, problems=(), written=_total(written)),
        started,
        frames,
    )


def recorded_clashes(connection: Connection, declared: Mapping[str, CustomField]) -> list[Problem]:
    """The profile's custom fields against those earlier imports recorded: a name equal to a
    recorded one ignoring case, or more than MAX_FIELDS together, is refused before any write."""
    if not declared:
        return []
    recorded = read_custom_fields(connection)
    messages = case_clashes(recorded, declared)
    if len(merged(recorded, declared)) > MAX_FIELDS:
        messages.append(too_many())
    return [Problem("profile attributes", message) for message in messages]


def _total(parts: Sequence[Written]) -> Written:
    """One import's writes: the contacts won through stored opportunities count with the rest."""
    first, *rest = parts
    for more in rest:
        first = replace(
            first,
            contacts=first.contacts + more.contacts,
            lifecycle_events=first.lifecycle_events + more.lifecycle_events,
        )
    return first


def _cites_reasons(steps: pd.DataFrame) -> bool:
    return bool(len(steps)) and bool(steps["reason_code"].notna().any())


def _undated_wins(frames: CanonicalFrames) -> int:
    contacts = frames.contacts
    if "won" not in contacts:
        return 0
    won = contacts["won"].fillna(False).astype(bool)
    closed = contacts.get("closed_at")
    return int(won.sum() if closed is None else (won & closed.isna()).sum())


def _timed(result: ImportResult, started: float, frames: CanonicalFrames) -> ImportResult:
    return replace(result, seconds=time.perf_counter() - started, won_undated=_undated_wins(frames))
