"""`smarketing db upgrade`, `smarketing info` and the one-line error contract of the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine

runner = CliRunner()


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'x.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert result.exit_code == 0, result.output
    assert "contacts" in inspect(make_engine(url)).get_table_names()


def test_info_lists_every_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = runner.invoke(app, ["info", "--database", url])
    assert result.exit_code == 0, result.output
    for table in ("contacts", "accounts", "touches", "opportunities", "lifecycle_events"):
        assert table in result.output


def test_bad_database_url_is_one_clear_line_and_exit_1() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scoring.cli", "info", "--database", "nosuch://x"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "nosuch://x" in lines[0]


def test_upgrade_runs_the_migrations_only_when_the_schema_is_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scoring.db import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    migrate.upgrade(engine, "0015_needs_reason")
    ran: list[str] = []
    real = migrate.command.upgrade
    monkeypatch.setattr(
        migrate.command, "upgrade", lambda config, rev: (ran.append(rev), real(config, rev))
    )
    migrate.upgrade(engine)  # behind: the newest migration runs
    assert ran == ["head"] and migrate.is_current(engine)
    assert "shadow_scores" in inspect(engine).get_table_names()
    migrate.upgrade(engine)  # current: nothing to run
    assert ran == ["head"]
