"""`smarketing lifecycle show | check | move`: renderings, definition errors, refusals that change nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.models import Contact, LifecycleEvent, Rep
from scoring.lifecycle import dot, load_contract, markdown, mermaid
from scoring.settings import PROJECT_ROOT

runner = CliRunner()
NOW = datetime(2026, 1, 5, 9, 0)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _contact(engine: Engine, stage: str, **values: Any) -> int:
    row = {"external_id": "c-1", "lifecycle_stage": stage, "created_at": NOW, "updated_at": NOW}
    with engine.begin() as connection:
        return int(
            connection.execute(insert(Contact).values(**row, **values)).inserted_primary_key[0]
        )


def _rows(engine: Engine) -> tuple[list[Any], list[Any]]:
    with engine.connect() as connection:
        return (
            list(connection.execute(select(Contact.__table__))),
            list(connection.execute(select(LifecycleEvent.__table__))),
        )


@pytest.mark.parametrize(
    ("fmt", "render"), [("markdown", markdown), ("mermaid", mermaid), ("dot", dot)]
)
def test_show_prints_the_rendering(fmt: str, render: Any) -> None:
    result = runner.invoke(app, ["lifecycle", "show", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout == render(load_contract())


def test_show_table_lists_stages_and_transitions() -> None:
    result = runner.invoke(app, ["lifecycle", "show"])
    assert result.exit_code == 0, result.output
    for word in ("sales_qualified", "owner_assigned", "owner_rep_id is set", "terminal"):
        assert word in result.stdout


def test_check_accepts_the_shipped_contract() -> None:
    result = runner.invoke(
        app, ["lifecycle", "check", str(PROJECT_ROOT / "data" / "lifecycle.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "is valid" in result.stdout


def test_check_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "data" / "lifecycle.yaml").read_text(encoding="utf-8")
    text = text.replace("field: owner_rep_id", "field: owner").replace("to: sal\n", "to: sall\n")
    lines = text.splitlines()
    owner, sall = lines.index("    field: owner") + 1, lines.index("    to: sall") + 1
    bad = tmp_path / "lifecycle.yaml"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["lifecycle", "check", str(bad)])
    assert result.exit_code == 1
    assert "definition problems" in result.stderr
    assert f"{bad}:{owner}: guard 'owner_assigned' reads unknown field 'owner'" in result.stderr
    assert "did you mean 'owner_rep_id'?" in result.stderr
    assert f"{bad}:{sall}: unknown stage 'sall'" in result.stderr
    assert result.stdout == ""


def test_move_applies_a_declared_move(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(Rep).values(id=1, email="r@example.com", name="R", team="T", territory="EU")
        )
    contact_id = _contact(engine, "mql", owner_rep_id=1)
    result = runner.invoke(
        app,
        ["lifecycle", "move", str(contact_id), "sal", "--actor", "ana", "--database", _url(engine)],
    )
    assert result.exit_code == 0, result.output
    assert f"contact {contact_id}: mql -> sal" in result.stdout
    contacts, history = _rows(engine)
    assert contacts[0].lifecycle_stage == "sal"
    assert [(h.from_stage, h.to_stage, h.actor) for h in history] == [("mql", "sal", "ana")]


def test_move_takes_facts_and_cites_reasons(engine: Engine) -> None:
    contact_id = _contact(engine, "lead")
    facts = ["--fact", "score=72", "--fact", "threshold=60", "--fact", "failed_gates=[]"]
    url = ["--database", _url(engine)]
    moved = runner.invoke(app, ["lifecycle", "move", str(contact_id), "mql", *facts, *url])
    assert moved.exit_code == 0, moved.output
    args = ["lifecycle", "move", str(contact_id), "disqualified", "--reason", "no_budget"]
    dropped = runner.invoke(app, [*args, "--note", "two seats only", *url])
    assert dropped.exit_code == 0, dropped.output
    _, history = _rows(engine)
    assert [(h.to_stage, h.reason_code, h.note) for h in history] == [
        ("mql", None, None),
        ("disqualified", "no_budget", "two seats only"),
    ]


@pytest.mark.parametrize(
    ("reason", "refusal"),
    [
        ([], "a reason code is required"),
        (["--reason", "bad_karma"], "unknown reason code 'bad_karma'"),
        (["--reason", "spam"], "reason code 'spam' is retired (inactive)"),
    ],
)
def test_disqualifying_without_an_active_reason_exits_1_and_changes_no_row(
    engine: Engine, reason: list[str], refusal: str
) -> None:
    contact_id = _contact(engine, "sal")
    before = _rows(engine)
    args = ["lifecycle", "move", str(contact_id), "disqualified", *reason]
    result = runner.invoke(app, [*args, "--database", _url(engine)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"contact {contact_id}: sal -> disqualified not allowed" in lines[0]
    assert refusal in lines[0]
    assert result.stdout == ""
    assert _rows(engine) == before


def test_a_bad_fact_is_one_line_and_exit_1(sqlite_engine: Engine) -> None:
    contact_id = _contact(sqlite_engine, "lead")
    args = ["lifecycle", "move", str(contact_id), "mql", "--fact", "score"]
    result = runner.invoke(app, [*args, "--database", _url(sqlite_engine)])
    assert result.exit_code == 1
    assert "--fact expects NAME=VALUE" in result.stderr
