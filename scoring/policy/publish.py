"""Publishing a definition version: validated, versioned, audited, all in one transaction.

The newest published version of a kind is the one in force (scoring.policy.resolve); a rollback is
a new publish of an old text. Every path that changes what is in force (dashboard, `smarketing
rules publish|rollback`, `lifecycle publish`, `reasons publish`) comes through `publish_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from scoring.db.audit import AuditEntry, PolicyVersion
from scoring.errors import ConfigError
from scoring.policy.resolve import (
    DEFAULT_FILES,
    Definition,
    InForce,
    Published,
    in_force,
    parsed_contract,
    parsed_reasons,
    parsed_rulebook,
    version_of,
)
from scoring.rules.spec import Rulebook
from scoring.rules.tuning import publishable_yaml, rule_changes
from scoring.store.reasons import sync_reasons

EDITABLE = ("rulebook", "lifecycle", "reasons")
_VERSION_LINE = re.compile(r"^version:.*$", re.MULTILINE)


@dataclass(frozen=True)
class Change:
    """What a publish is asked to do (the caller's identity and why)."""

    actor: str
    note: str = ""
    action: str = "published"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def next_version(current: str, now: datetime) -> str:
    """A new version label: the date plus a counter that never repeats the current one."""
    stem = now.strftime("%Y.%m.%d")
    if current.startswith(stem + "."):
        tail = current.removeprefix(stem + ".")
        return f"{stem}.{int(tail) + 1}" if tail.isdigit() else f"{current}.1"
    return f"{stem}.1"


def stamped(text: str, version: str) -> str:
    """The text with its top-level `version:` set to `version` (comments and layout kept)."""
    line = f'version: "{version}"'
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(line, text, count=1)
    return f"{line}\n{text}"


def validate(kind: str, text: str, current: InForce, version: str) -> None:
    """Parse `text` as a `kind` the way the resolver will; raises the loader's error with lines."""
    source = f"<{kind} {version}>"
    if kind == "rulebook":
        parsed_rulebook(text, source)
    elif kind == "lifecycle":
        parsed_contract(text, source, current.vocabulary)
    elif kind == "reasons":
        # The contract in force must still hold with the new vocabulary (guards name codes).
        lifecycle = current.definitions["lifecycle"]
        parsed_contract(
            lifecycle.text, f"<lifecycle {lifecycle.version}>", parsed_reasons(text, source)
        )
    else:
        raise ConfigError(f"cannot publish a {kind!r}; publishable: {', '.join(EDITABLE)}")


def write_version(
    connection: Connection,
    kind: str,
    text: str,
    *,
    version: str,
    parent: str,
    change: Change,
    detail: dict[str, Any],
    now: datetime,
) -> int:
    """Append one version row and its audit row on `connection` (the caller's transaction)."""
    row_id = connection.execute(
        insert(PolicyVersion)
        .values(
            kind=kind,
            version=version,
            parent_version=parent,
            text=text,
            published_at=now,
            published_by=change.actor,
            note=change.note,
        )
        .returning(PolicyVersion.id)
    ).scalar_one()
    connection.execute(
        insert(AuditEntry).values(
            occurred_at=now,
            actor=change.actor,
            action=f"{kind}_{change.action}",
            subject=version,
            detail={"from": parent, "to": version, "note": change.note, **detail},
        )
    )
    if kind == "reasons":
        sync_reasons(connection, parsed_reasons(text, f"<reasons {version}>"))
    return int(row_id)


@dataclass(frozen=True)
class Prepared:
    """A text checked and stamped as the next version of `kind`, ready to be written."""

    kind: str
    text: str
    version: str
    parent: str  # the version in force it replaces ("" when none was published yet)
    parent_text: str  # that version's text ("" when none was published yet)
    parent_id: int | None = None  # that version's row (None: the shipped default file)


def prepare(engine: Engine, kind: str, text: str, moment: datetime) -> Prepared:
    """Validate `text` as the next `kind` in force (stamped with its version); ConfigError when it
    equals the version in force, the loader's error with lines when it is invalid."""
    current = in_force(engine)
    before = current.definitions.get(kind)
    parent = before.version if before else ""
    version = next_version(parent, moment)
    text = stamped(text, version)
    validate(kind, text, current, version)
    if before and body(text) == body(before.text):
        raise ConfigError(f"nothing to publish: the {kind} equals the version in force ({parent})")
    return Prepared(
        kind,
        text,
        version,
        parent,
        before.text if before else "",
        before.row_id if before else None,
    )


def in_force_id(connection: Connection, kind: str) -> int | None:
    """The row of `kind`'s version in force, read inside the caller's writing transaction (None:
    the shipped default). Writers of `kind` take turns from here to their commit: PostgreSQL
    through a transaction-scoped advisory lock, SQLite through its single writer lock (held once
    the transaction has written)."""
    if connection.dialect.name == "postgresql":
        key = {"key": f"smarketing.policy.{kind}"}
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), key)
    newest = connection.scalar(select(func.max(PolicyVersion.id)).where(PolicyVersion.kind == kind))
    return None if newest is None else int(newest)


def write_prepared(
    connection: Connection,
    prepared: Prepared,
    change: Change,
    detail: dict[str, Any],
    now: datetime,
) -> int:
    """Write the version row and its audit row (inside the caller's transaction); the row id."""
    return write_version(
        connection,
        prepared.kind,
        prepared.text,
        version=prepared.version,
        parent=prepared.parent,
        change=change,
        detail=detail,
        now=now,
    )


def raced(prepared: Prepared) -> ConfigError:
    """The error when another writer took the version number between prepare and write."""
    return ConfigError(
        f"{prepared.kind} version {prepared.version} was published by someone else a moment ago; "
        "try again"
    )


def publish_text(
    engine: Engine,
    kind: str,
    text: str,
    change: Change,
    *,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Definition:
    """Validate `text`, stamp the next version on it and make it the `kind` in force."""
    if not change.actor.strip():
        raise ConfigError("publishing needs the name of who publishes (--by)")
    moment = now or _utcnow()
    prepared = prepare(engine, kind, text, moment)
    try:
        with engine.begin() as connection:
            if in_force_id(connection, kind) != prepared.parent_id:
                raise raced(prepared)
            row_id = write_prepared(connection, prepared, change, detail or {}, moment)
    except IntegrityError as exc:
        raise raced(prepared) from exc
    origin = f"published {moment:%Y-%m-%d %H:%M} by {change.actor}"
    return Definition(kind, prepared.version, prepared.text, origin, row_id)


def body(text: str) -> str:
    """A definition's text without its `version:` line (what a publish changes)."""
    return _VERSION_LINE.sub("", text).strip()


def tuning_text(current: Published, tuned: Rulebook) -> tuple[str, dict[str, Any]]:
    """The text publishing a tuning of the rulebook in force gives, and its changes for the audit;
    ConfigError when the tuning changes nothing."""
    changes = rule_changes(current.rulebook, tuned)
    if changes.empty:
        raise ConfigError("nothing to publish: the tuning equals the rulebook in force")
    text = publishable_yaml(current.text, tuned, current.rulebook.version)
    detail = {
        "changes": [[str(v) for v in row] for row in changes.itertuples(index=False)],
        "change_columns": [str(c) for c in changes.columns],
    }
    return text, detail


def publish(
    engine: Engine,
    current: Published,
    tuned: Rulebook,
    *,
    actor: str,
    note: str = "",
    now: datetime | None = None,
) -> Rulebook:
    """Publish a tuning of the rulebook in force (the scoring lab): its changes go to the audit."""
    text, detail = tuning_text(current, tuned)
    published = publish_text(engine, "rulebook", text, Change(actor, note), detail=detail, now=now)
    return parsed_rulebook(published.text, f"<published rulebook {published.version}>")


def versions(engine: Engine, kind: str) -> pd.DataFrame:
    """Every published version of `kind`, newest first, with who, when and why."""
    query = (
        select(
            PolicyVersion.version,
            PolicyVersion.parent_version,
            PolicyVersion.published_at,
            PolicyVersion.published_by,
            PolicyVersion.note,
        )
        .where(PolicyVersion.kind == kind)
        .order_by(PolicyVersion.id.desc())
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=["version", "parent", "published_at", "by", "note"])


def version_text(connection: Connection | Engine, kind: str, version: str) -> str:
    """The text of one published version; ConfigError naming the versions there are."""
    query = select(PolicyVersion.text).where(
        PolicyVersion.kind == kind, PolicyVersion.version == version
    )
    if isinstance(connection, Engine):
        with connection.connect() as c:
            text = c.scalar(query)
    else:
        text = connection.scalar(query)
    if text is None and kind in DEFAULT_FILES:
        shipped = DEFAULT_FILES[kind].read_text(encoding="utf-8")
        text = shipped if version_of(kind, shipped) == version else None
    if text is None:
        listing = "model show" if kind == "model" else f"policy versions {kind}"
        raise ConfigError(f"no published {kind} version {version!r} (see `smarketing {listing}`)")
    return str(text)


def rollback(engine: Engine, kind: str, version: str, change: Change) -> Definition:
    """Make an old version's text the one in force again, as a new (audited) publish."""
    text = version_text(engine, kind, version)
    rolled = Change(change.actor, change.note or f"rollback to {version}", "rolled_back")
    return publish_text(engine, kind, text, rolled, detail={"restores": version})
