"""Publishing a rulebook version: the newest published version is the one in force.

Until something is published, the rulebook file (`data/rulebook.yaml`) is in force. Publishing
validates the new YAML with the loader, then writes the version and one audit row in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select

from scoring.db.audit import AuditEntry, RulebookVersion
from scoring.errors import ConfigError
from scoring.rules.loader import DEFAULT_RULEBOOK, parse_rulebook
from scoring.rules.spec import Rulebook
from scoring.rules.tuning import publishable_yaml, rule_changes


@dataclass(frozen=True)
class Published:
    rulebook: Rulebook
    text: str
    origin: str  # "file <path>" or "published <when> by <who>"


def published_rulebook(engine: Engine, default: Path = DEFAULT_RULEBOOK) -> Published:
    """The rulebook in force for this database: its newest published version, else the file."""
    with engine.connect() as connection:
        row = connection.execute(
            select(RulebookVersion).order_by(RulebookVersion.published_at.desc()).limit(1)
        ).first()
    if row is None:
        text = default.read_text(encoding="utf-8")
        return Published(parse_rulebook(text, str(default)), text, f"file {default}")
    source = f"<published rulebook {row.version}>"
    return Published(
        parse_rulebook(row.yaml, source),
        row.yaml,
        f"published {row.published_at:%Y-%m-%d %H:%M} by {row.published_by}",
    )


def next_version(current: str, now: datetime) -> str:
    """A new version label: the date plus a counter that never repeats the current one."""
    stem = now.strftime("%Y.%m.%d")
    if current.startswith(stem + "."):
        tail = current.removeprefix(stem + ".")
        return f"{stem}.{int(tail) + 1}" if tail.isdigit() else f"{current}.1"
    return f"{stem}.1"


def publish(
    engine: Engine,
    current: Published,
    tuned: Rulebook,
    *,
    actor: str,
    note: str = "",
    now: datetime | None = None,
) -> Rulebook:
    """Write `tuned` as the next version (with an audit row listing the changes); return it."""
    if not actor.strip():
        raise ConfigError("publishing needs the name of who publishes")
    moment = now or datetime.now(UTC).replace(tzinfo=None)
    version = next_version(current.rulebook.version, moment)
    text = publishable_yaml(current.text, tuned, version)
    changes = rule_changes(current.rulebook, tuned)
    if changes.empty:
        raise ConfigError("nothing to publish: the tuning equals the rulebook in force")
    detail = {
        "from": current.rulebook.version,
        "to": version,
        "note": note,
        "changes": [[str(v) for v in row] for row in changes.itertuples(index=False)],
    }
    with engine.begin() as connection:
        connection.execute(
            insert(RulebookVersion).values(
                version=version,
                parent_version=current.rulebook.version,
                yaml=text,
                published_at=moment,
                published_by=actor,
                note=note,
            )
        )
        connection.execute(
            insert(AuditEntry).values(
                occurred_at=moment,
                actor=actor,
                action="rulebook_published",
                subject=version,
                detail=detail,
            )
        )
    return parse_rulebook(text, f"<published rulebook {version}>")
