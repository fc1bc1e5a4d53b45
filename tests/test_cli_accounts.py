"""`smarketing accounts`: the top accounts as a table or JSON, over a demo database."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.analytics.accounts import account_scores
from scoring.cli import main
from scoring.db import make_engine, upgrade
from scoring.db.frames import read_opportunities
from scoring.rules import DEFAULT_RULEBOOK, evaluate_hits, load_rulebook, score
from scoring.sources.demo import generate_demo
from scoring.store.accounts import account_inputs_from, read_account_inputs
from scoring.store.features import read_features
from scoring.training_data import read_lead_sources


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


def test_the_roll_up_from_held_tables_equals_the_roll_up_read_from_the_database(
    engine: Engine,
) -> None:
    """The dashboard rolls accounts up from the tables it already holds; the CLI and the API read
    the inputs with SQL. Same demo, same scores, same moment: the same accounts, on both backends."""
    generate_demo(engine, leads=600, seed=11)
    held = read_lead_sources(engine)
    moment = held["touches"]["occurred_at"].max().to_pydatetime() - timedelta(days=20)
    rulebook = load_rulebook(DEFAULT_RULEBOOK)
    scores = score(evaluate_hits(rulebook, read_features(engine, as_of=moment))).frame()
    from_held = account_inputs_from(
        held["contacts"], held["accounts"], held["touches"], read_opportunities(engine)
    )
    from_sql = read_account_inputs(engine)
    tables = [
        account_scores(
            scores, i.contacts, i.touches, i.opportunities, rulebook.accounts, as_of=moment,
            owners=i.owners,
        )
        for i in (from_held, from_sql)
    ]  # fmt: skip
    assert len(tables[0]) > 50 and (tables[0]["roles_engaged_count"] > 0).any()
    assert tables[0]["last_touch"].max() <= moment  # touches after the moment are left out
    pd.testing.assert_frame_equal(tables[0], tables[1])
