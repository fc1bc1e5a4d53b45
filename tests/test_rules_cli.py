"""`smarketing rules check | sql | explain`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from lead_sources import AS_OF, insert_sources, lead_sources
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine, upgrade
from scoring.warehouse.dialects import register_sqlite_functions

runner = CliRunner()


def test_check_reports_a_valid_rulebook() -> None:
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "rulebook 2026.11.1 is valid" in result.output


def test_check_lists_every_problem_with_its_line_and_exits_1(tmp_path: Path) -> None:
    book = tmp_path / "bad.yaml"
    book.write_text(
        'version: "1"\nmql: {threshold: 1}\nrules:\n'
        "  - {id: a, group: fit, when: {column: nope, op: eq, value: x}, points: 1}\n"
        "  - {id: a, group: fit, when: {column: industry, op: eq, value: x}, points: 1, cap: 0}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "scoring.cli", "rules", "check", str(book)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{book}:4: unknown column 'nope'" in result.stderr
    assert f"{book}:5: duplicate rule id 'a'" in result.stderr
    assert f"{book}:5: cap must be positive" in result.stderr


def test_sql_prints_one_select_that_runs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "sql", "--dialect", "sqlite", "--table", "leads"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("SELECT ") and "FROM leads" in result.output
    rejected = runner.invoke(app, ["rules", "sql", "--dialect", "oracle"])
    assert rejected.exit_code != 0


def test_explain_prints_the_points_of_one_lead(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sources = lead_sources(20, seed=5)
    insert_sources(engine, sources)
    contacts = sources[0]
    lead = int(contacts.loc[contacts["created_at"] < AS_OF, "id"].iloc[0])
    args = [
        "rules",
        "explain",
        "--lead",
        str(lead),
        "--database",
        url,
        "--as-of",
        AS_OF.isoformat(),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"lead {lead}: score" in result.output and "fit" in result.output
    missing = subprocess.run(
        [sys.executable, "-m", "scoring.cli", *args[:2], "--lead", "999999", *args[4:]],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "lead 999999" in missing.stderr


def test_sqlite_functions_are_registered_on_a_plain_connection() -> None:
    connection = sqlite3.connect(":memory:")
    register_sqlite_functions(connection)
    assert connection.execute("select 'abc' REGEXP 'b', power(2.0, -1.0)").fetchone() == (1, 0.5)
