"""Replayed failure: NUL bytes in an imported file crashed the PostgreSQL import with a traceback
that printed row values (personal data in logs).

A file with a NUL byte, a byte that is not UTF-8 and a control character is imported into SQLite
and PostgreSQL, through the library and through `smarketing import`: each bad cell is named
`file:row:column`, no value of the file appears in the problems, the logs or the terminal, and
nothing is written.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sources_world import snapshot
from sqlalchemy import Engine

from scoring.errors import ImportRejected
from scoring.settings import PROJECT_ROOT
from scoring.sources import import_files, load_profile

HEADER = "external_id,email,first_name,phone,lifecycle_stage,created_at"
PRIVATE = ("Lovelace", "ada@private.example", "555-0199", "Grace", "hopper")


def poisoned(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.csv"
    rows = [
        HEADER.encode(),
        b"c-1,ok@x.example,Ann,,lead,",
        b"c-2,ada@private.example,Ada\x00Lovelace,,lead,",  # line 3: NUL in first_name
        b"c-3,hopper\xff@x.example,Grace,,lead,",  # line 4: not UTF-8 in email
        b"c-4,b@x.example,Bob,555-0199\x07,lead,",  # line 5: BEL in phone
    ]
    path.write_bytes(b"\r\n".join(rows) + b"\r\n")
    return path


EXPECTED = [
    ":3:first_name: contains a NUL byte (0x00)",
    ":4:email: byte 0xff is not valid utf-8",
    ":5:phone: contains the control character U+0007",
]


def test_bad_bytes_are_named_by_file_row_column_without_values(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = poisoned(tmp_path)
    before = snapshot(engine)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, load_profile("canonical"), [str(path)])
    problems = [str(p) for p in rejected.value.problems]
    assert [p.removeprefix(str(path)) for p in problems[:3]] == [
        e if "utf-8" not in e else e.replace("utf-8", _encoding()) for e in EXPECTED
    ]
    said = "\n".join([str(rejected.value), *problems, caplog.text])
    assert not [value for value in PRIVATE if value in said]
    assert snapshot(engine) == before


def _encoding() -> str:
    return load_profile("canonical").files["contacts"].encoding


@pytest.mark.postgres
def test_the_cli_import_into_postgresql_says_where_and_shows_no_value(
    postgres_url: str, tmp_path: Path
) -> None:
    path = poisoned(tmp_path)
    env = {**os.environ, "SMARKETING_DATABASE_URL": postgres_url, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("SMARKETING_TRACEBACK", None)
    done = subprocess.run(
        [sys.executable, "-m", "scoring.cli", "import", "canonical", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "Traceback" not in said
    assert f"{path}{EXPECTED[0]}" in said.replace("\n", "")
    assert "and 2 more" in said and "nothing was imported" in said
    assert not [value for value in PRIVATE if value in said]
