"""Publishing a tuned rulebook: a new version in force, with its audit row, on every backend."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from scoring.db.audit import AuditEntry, PolicyVersion
from scoring.errors import ConfigError
from scoring.policy import next_version, publish, published_rulebook
from scoring.rules.tuning import Tuning, tuned_rulebook

NOW = datetime(2026, 11, 20, 10, 0)


def test_the_file_is_in_force_until_something_is_published(engine: Engine) -> None:
    current = published_rulebook(engine)
    assert current.origin.startswith("file ")
    assert current.rulebook.version == "2026.11.1"


def test_publish_writes_a_version_and_an_audit_row(engine: Engine) -> None:
    current = published_rulebook(engine)
    rule = current.rulebook.rules[0]
    tuned = tuned_rulebook(
        current.rulebook, Tuning.of(weights={rule.id: rule.points + 5}, threshold=50)
    )
    new = publish(engine, current, tuned, actor="revops@example.com", note="more fit", now=NOW)
    assert new.version == "2026.11.20.1"
    in_force = published_rulebook(engine)
    assert in_force.rulebook.version == new.version
    assert in_force.rulebook.threshold == 50
    assert in_force.rulebook.rule(rule.id).points == rule.points + 5
    with engine.connect() as connection:
        audit = connection.execute(select(AuditEntry)).one()
        parent = connection.scalar(select(PolicyVersion.parent_version))
    assert (audit.actor, audit.action, audit.subject) == (
        "revops@example.com",
        "rulebook_published",
        new.version,
    )
    assert audit.detail["from"] == "2026.11.1"
    assert any(change[1] == "threshold" for change in audit.detail["changes"])
    assert parent == "2026.11.1"


def test_publishing_nothing_new_is_refused_and_writes_nothing(engine: Engine) -> None:
    current = published_rulebook(engine)
    with pytest.raises(ConfigError, match="nothing to publish"):
        publish(engine, current, current.rulebook, actor="a", now=NOW)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(PolicyVersion)) == 0
        assert connection.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("2026.11.1", "2026.11.20.1"),
        ("2026.11.20.1", "2026.11.20.2"),
        ("2026.11.20.x", "2026.11.20.x.1"),
    ],
)
def test_next_version_never_repeats(current: str, expected: str) -> None:
    assert next_version(current, NOW) == expected
