"""`rules diff A B` with its what-if effect: both rulebooks replayed on history, counted the one way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from scoring.cli import app
from scoring.policy import Change, in_force, publish_text
from scoring.rules import evaluate_hits, load_rulebook, score
from scoring.rules.diff import whatif_effect
from scoring.rules.lab import Outcomes
from scoring.sources.demo import generate_demo
from scoring.training_data import database_leads

runner = CliRunner()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pd.DataFrame]:
    from scoring.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('diff') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=3000, seed=21)
    frame = database_leads(engine)
    engine.dispose()
    return url, frame


def _counted(frame: pd.DataFrame, threshold: float) -> tuple[int, int]:
    """MQLs and wins among them, counted straight from the scores (not through the what-if)."""
    book = load_rulebook()
    book = dataclasses.replace(book, threshold=threshold, segments=())
    flags = score(evaluate_hits(book, frame)).frame()["mql"].to_numpy(dtype=bool)
    won = np.asarray(Outcomes.of(frame).won, dtype=bool)
    return int(flags.sum()), int((flags & won).sum())


def test_the_effect_counts_mqls_wins_recall_and_precision_of_both_rulebooks(
    history: tuple[str, pd.DataFrame],
) -> None:
    _, frame = history
    base = dataclasses.replace(load_rulebook(), segments=())
    lower = dataclasses.replace(base, threshold=base.threshold - 20)
    effect = whatif_effect(frame, base, lower).set_index("measure")
    for column, book in (("a", base), ("b", lower)):
        mqls, wins = _counted(frame, book.threshold)
        assert effect.loc["MQLs on history", column] == mqls
        assert effect.loc["wins captured", column] == wins
        total_wins = int(Outcomes.of(frame).won.sum())
        assert effect.loc["recall of wins", column] == pytest.approx(wins / total_wins)
        assert effect.loc["precision (won / MQL)", column] == pytest.approx(wins / mqls)
    assert effect.loc["MQLs on history", "b"] > effect.loc["MQLs on history", "a"]
    assert np.allclose(effect["change"], effect["b"] - effect["a"], equal_nan=True)


def test_the_cli_diff_prints_the_rule_changes_and_the_effect(
    history: tuple[str, pd.DataFrame],
) -> None:
    url, _ = history
    from scoring.db import make_engine

    engine: Engine = make_engine(url)
    shipped = in_force(engine).rulebook.version
    text = in_force(engine).definitions["rulebook"].text
    lowered = text.replace("  threshold: 60", "  threshold: 40", 1)
    assert lowered != text
    version = publish_text(engine, "rulebook", lowered, Change("ana@example.com")).version
    engine.dispose()
    out = runner.invoke(app, ["rules", "diff", shipped, version, "-d", url], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "threshold" in out.output and "what-if effect on history" in out.output
    for measure in ("MQLs on history", "recall of wins", "precision (won / MQL)"):
        assert measure in out.output
