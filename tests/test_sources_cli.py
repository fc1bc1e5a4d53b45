"""`smarketing import PROFILE FILE... [--report]`: a summary on success, one clear line on failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sources_world import UCI, head_of, replace_cell
from sqlalchemy import func, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine
from scoring.db.models import Contact

runner = CliRunner()


@pytest.fixture
def uci_head(tmp_path: Path) -> Path:
    return head_of(UCI, tmp_path / "bank.csv", 200)


@pytest.fixture
def corrupted(uci_head: Path) -> Path:
    replace_cell(uci_head, 11, 0, "ten", ";")
    replace_cell(uci_head, 21, 12, "soon", ";")
    return uci_head


def _contacts(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Contact))
    engine.dispose()
    return int(count or 0)


def test_import_prints_what_it_wrote(sqlite_url: str, uci_head: Path) -> None:
    result = runner.invoke(
        app, ["import", "uci_bank_marketing", str(uci_head), "--database", sqlite_url]
    )
    assert result.exit_code == 0, result.output
    assert "imported 200 contacts (200 new, " in result.stdout
    assert _contacts(sqlite_url) == 200


def test_a_rejected_import_is_one_line_naming_the_first_bad_cell(
    sqlite_url: str, corrupted: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring.cli",
            "import",
            "uci_bank_marketing",
            str(corrupted),
            "-d",
            sqlite_url,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"error: {corrupted}:11:age: attributes.age: 'ten' is not a number (and 1 more: run with "
        "--report to list them); nothing was imported"
    )
    assert _contacts(sqlite_url) == 0


def test_report_lists_every_problem_and_exits_1(sqlite_url: str, corrupted: Path) -> None:
    result = runner.invoke(
        app, ["import", "uci_bank_marketing", str(corrupted), "--report", "-d", sqlite_url]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{corrupted}:11:age: attributes.age: 'ten' is not a number",
        f"{corrupted}:21:pdays: attributes.pdays: 'soon' is not a number",
    ]
    assert "2 problem(s); nothing was written" in result.stderr
    assert _contacts(sqlite_url) == 0


def test_report_on_a_clean_file_says_what_would_be_imported(
    sqlite_url: str, uci_head: Path
) -> None:
    result = runner.invoke(
        app, ["import", "uci_bank_marketing", str(uci_head), "--report", "-d", sqlite_url]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no problems: 200 contacts would be imported")
    assert _contacts(sqlite_url) == 0


def test_a_broken_profile_lists_its_problems_with_lines(
    sqlite_url: str, tmp_path: Path, uci_head: Path
) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text("files:\n  calls:\n    delimter: ';'\n    columns: {age: contact.agee}\n")
    result = runner.invoke(app, ["import", str(profile), str(uci_head), "-d", sqlite_url])
    assert result.exit_code == 1
    assert f"profile {profile} is invalid (2 problem(s)):" in result.stderr
    assert f"{profile}:3: files.calls: unknown option 'delimter'" in result.stderr
    assert (
        f"{profile}:4: files.calls.columns.age.to: unknown canonical field 'contact.agee'"
        in result.stderr
    )


def test_a_missing_file_of_a_two_file_profile_is_one_line(sqlite_url: str) -> None:
    result = runner.invoke(app, ["import", "olist_marketing_funnel", "mqls.csv", "-d", sqlite_url])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: profile olist_marketing_funnel needs deals too; give the files in this order: "
        "mqls deals (or NAME=PATH)"
    )
