"""Starting, promoting and aborting a shadow or canary rulebook: each one a versioned, audited publish.

    start_shadow(engine, text, Change("ana@example.com", "wider net"))            # shadow
    start_shadow(engine, text, Change("ana@example.com"), mode="canary", share=0.1)
    promote_shadow(engine, Change("bo@example.com"))   # the candidate is the rulebook in force
    abort_shadow(engine, Change("bo@example.com"))     # nothing runs beside the live rulebook

One shadow runs at a time. Promotion publishes the candidate's text as the next rulebook version
through the same path as every publish (scoring.policy.publish) and ends the shadow in the same
transaction; it is refused when another rulebook was published since the shadow started (the
comparison measured the candidate against that one).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from scoring.db.audit import PolicyVersion
from scoring.db.models import Contact
from scoring.errors import ConfigError
from scoring.policy.candidate import (
    MODES,
    OFF,
    Shadow,
    candidate_label,
    shadow_document,
    shadow_of,
)
from scoring.policy.publish import (
    Change,
    body,
    in_force_id,
    next_version,
    prepare,
    raced,
    stamped,
    write_prepared,
    write_version,
)
from scoring.policy.resolve import Definition, in_force, parsed_rulebook

KIND = "shadow"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _newest(engine: Engine) -> tuple[int | None, str]:
    """The newest shadow row and its version label ((None, "") before the first shadow)."""
    query = (
        select(PolicyVersion.id, PolicyVersion.version)
        .where(PolicyVersion.kind == KIND)
        .order_by(PolicyVersion.id.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return (None, "") if row is None else (int(row.id), str(row.version))


def _checked(change: Change, mode: str, share: float) -> None:
    if not change.actor.strip():
        raise ConfigError("publishing needs the name of who publishes (--by)")
    if mode not in MODES:
        raise ConfigError(f"unknown mode {mode!r}: use {' or '.join(MODES)}")
    if mode == "canary" and not 0 < share <= 1:
        raise ConfigError(f"canary share {share:g}: give a share above 0 and at most 1 (0.1 = 10%)")
    if mode == "shadow" and share:
        raise ConfigError("a shadow hands nothing off: a canary share needs the canary mode")


def _write(
    connection: Connection,
    doc: dict[str, object],
    *,
    version: str,
    parent: str,
    change: Change,
    detail: dict[str, Any],
    now: datetime,
) -> int:
    text = json.dumps({**doc, "version": version}, sort_keys=True)
    return write_version(
        connection,
        KIND,
        text,
        version=version,
        parent=parent,
        change=change,
        detail=detail,
        now=now,
    )


def start_shadow(
    engine: Engine,
    text: str,
    change: Change,
    *,
    mode: str = "shadow",
    share: float = 0.0,
    now: datetime | None = None,
) -> Shadow:
    """Publish `text` as the candidate rulebook scoring beside the live one (`shadow`), or scoring
    and handing off a `share` of new leads (`canary`); refused while another one runs."""
    _checked(change, mode, share)
    moment = now or _utcnow()
    current = in_force(engine)
    if current.shadow is not None:
        running = current.shadow
        raise ConfigError(
            f"{running.mode} {running.version} is running: promote or abort it first "
            "(one shadow at a time)"
        )
    previous_id, previous = _newest(engine)
    version = next_version(previous, moment)
    label = candidate_label(mode, version)
    candidate = stamped(text, label)
    parsed_rulebook(candidate, f"<{mode} rulebook {version}>")  # every problem, with its line
    live = current.definitions["rulebook"]
    if body(candidate) == body(live.text):
        raise ConfigError(
            f"nothing to compare: the candidate equals the rulebook in force ({live.version})"
        )
    try:
        with engine.begin() as connection:
            if in_force_id(connection, KIND) != previous_id:
                raise ConfigError("a shadow was started by someone else a moment ago; try again")
            after = int(connection.scalar(select(func.max(Contact.id))) or 0)
            doc = shadow_document(mode, share, after, live.version, candidate)
            detail = {"mode": mode, "share": share, "candidate": label, "live": live.version}
            row_id = _write(
                connection,
                doc,
                version=version,
                parent=previous,
                change=change,
                detail={**detail, "after_lead_id": after},
                now=moment,
            )
    except IntegrityError as exc:
        raise ConfigError(f"shadow version {version} was taken a moment ago; try again") from exc
    origin = f"published {moment:%Y-%m-%d %H:%M} by {change.actor}"
    started = shadow_of(
        version, json.dumps({**doc, "version": version}, sort_keys=True), origin, row_id
    )
    if started is None:  # pragma: no cover - a started document is never `off`
        raise ConfigError(f"shadow version {version}: not running after its start")
    return started


def _running(engine: Engine) -> Shadow:
    running = in_force(engine).shadow
    if running is None:
        raise ConfigError(
            "no shadow or canary rulebook is running (`smarketing rules shadow status`)"
        )
    return running


def _end(
    connection: Connection, running: Shadow, change: Change, moment: datetime, **detail: Any
) -> str:
    """Write the `off` version that ends `running` (inside the caller's transaction)."""
    if in_force_id(connection, KIND) != running.row_id:
        raise ConfigError(f"{running.mode} {running.version} changed a moment ago; look again")
    version = next_version(running.version, moment)
    doc = shadow_document(OFF, 0.0, running.after_lead_id, running.live_version, running.text)
    ended = {"mode": running.mode, "candidate": running.rulebook.version, **detail}
    _write(
        connection,
        doc,
        version=version,
        parent=running.version,
        change=change,
        detail=ended,
        now=moment,
    )
    return version


def abort_shadow(engine: Engine, change: Change, *, now: datetime | None = None) -> str:
    """End the running shadow or canary without publishing it; returns the (audited) version."""
    _checked(change, "shadow", 0.0)
    running, moment = _running(engine), now or _utcnow()
    aborted = Change(change.actor, change.note, "aborted")
    try:
        with engine.begin() as connection:
            return _end(connection, running, aborted, moment)
    except IntegrityError as exc:
        raise ConfigError("the shadow was ended by someone else a moment ago") from exc


def promote_shadow(engine: Engine, change: Change, *, now: datetime | None = None) -> Definition:
    """Publish the running candidate as the rulebook in force (the next rulebook version, through
    the one publish path) and end the shadow, in one transaction."""
    _checked(change, "shadow", 0.0)
    running, moment = _running(engine), now or _utcnow()
    live = in_force(engine).rulebook.version
    if live != running.live_version:
        raise ConfigError(
            f"rulebook {live} was published since the {running.mode} started against "
            f"{running.live_version}: abort it and start it again on the rulebook in force"
        )
    prepared = prepare(engine, "rulebook", running.text, moment)
    note = change.note or f"promoted {running.mode} {running.version}"
    detail = {"promotes": running.version, "candidate": running.rulebook.version}
    try:
        with engine.begin() as connection:
            if in_force_id(connection, "rulebook") != prepared.parent_id:
                raise raced(prepared)
            row_id = write_prepared(
                connection, prepared, Change(change.actor, note), detail, moment
            )
            promoted = Change(change.actor, note, "promoted")
            _end(connection, running, promoted, moment, rulebook=prepared.version)
    except IntegrityError as exc:
        raise raced(prepared) from exc
    origin = f"published {moment:%Y-%m-%d %H:%M} by {change.actor} (promoted {running.version})"
    return Definition("rulebook", prepared.version, prepared.text, origin, row_id)
