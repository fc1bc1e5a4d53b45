"""Replayed failures of the command line with its database.

- A read-only database gave a 61-line traceback: now one line naming the file and the fix.
- `--database` put the password in `ps`: the URL may come from SMARKETING_DATABASE_URL or a file
  (SMARKETING_DATABASE_URL_FILE); `--database` with a password still works but warns, and no
  message ever echoes the password.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.db import make_engine, upgrade
from scoring.settings import PROJECT_ROOT

NOBODY = 65534
PASSWORD = "hunter2-s3cret"


def smarketing(*args: str, user: int | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env}
    environ.pop("SMARKETING_TRACEBACK", None)
    return subprocess.run(
        [sys.executable, "-m", "scoring.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=PROJECT_ROOT,
        timeout=120,
        user=user,
    )


@pytest.fixture
def read_only_database() -> Iterator[Path]:
    """A migrated SQLite file in a folder, both read-only to the user who runs the command."""
    folder = Path(tempfile.mkdtemp(prefix="smarketing-ro-"))
    path = folder / "smarketing.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    for leftover in folder.glob("smarketing.db-*"):
        leftover.unlink()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield path
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_database_is_one_line_naming_the_file_and_the_fix(
    read_only_database: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run the command as another user (root can write any file)")
    done = smarketing(
        "info", user=NOBODY, SMARKETING_DATABASE_URL=f"sqlite:///{read_only_database}"
    )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, done.stderr
    assert str(read_only_database) in errors[0]
    assert "read-only" in errors[0] and "chmod u+w" in errors[0]
    assert "Traceback" not in done.stdout + done.stderr


def test_the_database_url_can_come_from_a_file(tmp_path: Path) -> None:
    url_file = tmp_path / "database-url"
    url_file.write_text(f"sqlite:///{tmp_path / 'from-file.db'}\n", encoding="utf-8")
    url_file.chmod(0o600)
    done = smarketing("db", "upgrade", SMARKETING_DATABASE_URL_FILE=str(url_file))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "from-file.db").exists()
    missing = smarketing("db", "upgrade", SMARKETING_DATABASE_URL_FILE=str(tmp_path / "nope"))
    assert missing.returncode == 1
    assert "SMARKETING_DATABASE_URL_FILE" in missing.stderr and "Traceback" not in missing.stderr


def test_a_password_on_the_command_line_warns_and_is_never_echoed() -> None:
    url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:1/nowhere"
    done = smarketing("info", "--database", url)
    said = done.stdout + done.stderr
    assert "warning:" in said and "process list" in said and "SMARKETING_DATABASE_URL_FILE" in said
    assert PASSWORD not in said
    assert done.returncode == 1  # nothing listens on port 1: one line says so
    assert "cannot reach the database" in said and "postgres:***@" in said
    assert "Traceback" not in said


def test_a_malformed_url_with_a_password_is_not_echoed_either() -> None:
    done = smarketing("info", "--database", f"postgresql://ada:{PASSWORD}@[broken")
    said = done.stdout + done.stderr
    assert done.returncode == 1
    assert PASSWORD not in said


def test_the_environment_url_with_a_password_does_not_warn(tmp_path: Path) -> None:
    done = smarketing("db", "upgrade", SMARKETING_DATABASE_URL=f"sqlite:///{tmp_path / 'e.db'}")
    assert done.returncode == 0
    assert "warning" not in done.stderr
