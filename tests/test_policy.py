"""What is in force: the shipped files on a new database, then published versions, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.audit import AuditEntry, PolicyVersion
from scoring.db.models import DisqualificationReason
from scoring.errors import ContractError, RulebookError
from scoring.policy import Change, LivePolicy, in_force, publish_text, rollback
from scoring.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
runner = CliRunner()


def _text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _count(engine: Engine, table: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def test_a_new_database_has_the_shipped_files_in_force(engine: Engine) -> None:
    policy = in_force(engine)
    assert {k: d.origin.startswith("file ") for k, d in policy.definitions.items()} == {
        "rulebook": True,
        "lifecycle": True,
        "reasons": True,
    }
    assert policy.versions == {
        "rulebook": "2026.11.1",
        "lifecycle": "2026.11.1",
        "reasons": "2026.11.1",
    }
    assert policy.model is None and policy.token == (None, None, None, None, None)


def test_a_published_contract_and_reasons_list_are_in_force_and_audited(engine: Engine) -> None:
    contract = _text("lifecycle.yaml").replace("sla_business_days: 2", "sla_business_days: 1")
    published = publish_text(engine, "lifecycle", contract, Change("ops@example.com", "faster SLA"))
    reasons = _text("reasons.yaml") + (
        "  - code: duplicate_lead\n    label: Duplicate lead\n    description: Already known.\n"
    )
    listed = publish_text(engine, "reasons", reasons, Change("ops@example.com"))
    policy = in_force(engine)
    assert policy.contract.version == published.version != "2026.11.1"
    assert policy.contract.stage("mql").sla_business_days == 1
    assert policy.vocabulary.version == listed.version
    assert "duplicate_lead" in policy.vocabulary.active_codes
    with engine.connect() as connection:
        actions = connection.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        synced = connection.scalar(
            select(DisqualificationReason.label).where(
                DisqualificationReason.code == "duplicate_lead"
            )
        )
    assert actions == ["lifecycle_published", "reasons_published"]
    assert synced == "Duplicate lead"


def test_a_broken_rulebook_is_refused_with_its_line_and_nothing_is_written(engine: Engine) -> None:
    broken = _text("rulebook.yaml").replace("op: gte", "op: greater", 1)
    with pytest.raises(RulebookError) as error:
        publish_text(engine, "rulebook", broken, Change("ana@example.com"))
    assert "greater" in str(error.value) and ":" in str(error.value)
    assert _count(engine, PolicyVersion) == 0 and _count(engine, AuditEntry) == 0


def test_a_reasons_list_that_breaks_the_contract_is_refused(engine: Engine) -> None:
    # Drop the whole bad_timing entry: the contract's recyclable guard names that code.
    entries = _text("reasons.yaml").split("  - code: ")
    without = "  - code: ".join(e for e in entries if not e.startswith("bad_timing"))
    with pytest.raises(ContractError, match="bad_timing"):
        publish_text(engine, "reasons", without, Change("ops@example.com"))
    assert in_force(engine).vocabulary.version == "2026.11.1"


def test_publishing_the_version_in_force_again_is_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="nothing to publish"):
        publish_text(engine, "rulebook", _text("rulebook.yaml"), Change("ana@example.com"))


def test_rollback_publishes_the_old_text_as_a_new_version(engine: Engine) -> None:
    lower = _text("rulebook.yaml").replace("  threshold: 60", "  threshold: 40", 1)
    first = publish_text(engine, "rulebook", lower, Change("ana@example.com"))
    back = rollback(engine, "rulebook", "2026.11.1", Change("bo@example.com"))
    policy = in_force(engine)
    assert policy.rulebook.version == back.version not in ("2026.11.1", first.version)
    assert policy.rulebook.threshold == 60
    with engine.connect() as connection:
        last = connection.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "rulebook_rolled_back"
    assert last.detail["restores"] == "2026.11.1" and last.actor == "bo@example.com"


def test_a_live_policy_rebuilds_only_after_a_publish(engine: Engine) -> None:
    builds: list[str] = []

    def build(policy: object) -> str:
        version = policy.rulebook.version  # type: ignore[attr-defined]
        builds.append(version)
        return str(version)

    live = LivePolicy(engine, build, poll_s=0)
    assert [live.current(), live.current()] == ["2026.11.1", "2026.11.1"]
    lower = _text("rulebook.yaml").replace("  threshold: 60", "  threshold: 40", 1)
    published = publish_text(engine, "rulebook", lower, Change("ana@example.com"))
    assert live.current() == published.version
    assert builds == ["2026.11.1", published.version]


def test_the_cli_publishes_lists_diffs_and_shows_what_is_in_force(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    file = tmp_path / "rulebook.yaml"
    file.write_text(_text("rulebook.yaml").replace("  threshold: 60", "  threshold: 45", 1))
    published = runner.invoke(
        app, ["rules", "publish", str(file), "--by", "ana@example.com", "--database", url]
    )
    assert published.exit_code == 0, published.output
    version = in_force(engine).rulebook.version
    diff = runner.invoke(
        app, ["rules", "diff", "2026.11.1", version, "--no-effect", "--database", url]
    )
    assert diff.exit_code == 0, diff.output
    assert "threshold" in diff.output and "60" in diff.output and "45" in diff.output
    shown = runner.invoke(app, ["policy", "show", "--database", url], terminal_width=200)
    assert shown.exit_code == 0 and version in shown.output and "ana@example.com" in shown.output
    unknown = runner.invoke(app, ["rules", "rollback", "1999.1", "--by", "x", "--database", url])
    assert unknown.exit_code != 0
