"""`smarketing accounts`: the top accounts as a table or JSON, over a demo database."""

from __future__ import annotations

import json

import pytest

from scoring.cli import main
from scoring.db import make_engine, upgrade
from scoring.sources.demo import generate_demo


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli_accounts') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=800, seed=5)
    engine.dispose()
    return url


def test_accounts_json_lists_the_top_accounts_best_first(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["accounts", "--top", "5", "--json", "-d", demo_url])
    assert done.value.code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 5
    scores = [row["account_score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert {"account_name", "roles_engaged", "pipeline_amount", "last_touch"} <= set(rows[0])


def test_accounts_table_names_the_rulebook(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["accounts", "--top", "3", "-d", demo_url])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "top 3 accounts under rulebook" in out
