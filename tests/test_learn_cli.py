"""`smarketing train | compare | suggest-rules` and `rules suggest` over a small demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from scoring.cli import learn
from scoring.learn import read_card
from scoring.rules import load_rulebook
from scoring.sources.demo import generate_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    from scoring.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('learn') / 'demo.db'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=8000, seed=3)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    learn.register(application)
    return application


@pytest.fixture(scope="module")
def model(app: typer.Typer, database: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "won.skops"
    args = [
        "train",
        "--target",
        "won",
        "--cutoff",
        "2026-03-01",
        "--kind",
        "logistic",
        "--backtest",
        "2",
    ]
    result = runner.invoke(
        app, [*args, "--out", str(path), "--resamples", "20", "--database", database]
    )
    assert result.exit_code == 0, result.output
    assert "roc_auc_low" in result.output  # the backtest table
    return path


def test_train_saves_a_model_with_its_card(model: Path) -> None:
    card = read_card(model)
    assert card.target["name"] == "won" and card.split["cutoff"] == "2026-03-01"
    assert card.context["rulebook_version"] == load_rulebook().version
    assert "rules_score" in card.features["numeric"]


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_compare_writes_the_report(
    app: typer.Typer, database: str, model: Path, tmp_path: Path, suffix: str
) -> None:
    report = tmp_path / f"report{suffix}"
    args = [
        "compare",
        "--report",
        str(report),
        "--model",
        str(model),
        "--resamples",
        "20",
        "--database",
        database,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "Capacity-matched" in text and "Leakage check" in text and "Per campaign" in text


def test_suggest_rules_writes_a_valid_rulebook(
    app: typer.Typer, database: str, tmp_path: Path
) -> None:
    out = tmp_path / "rulebook.v2.yaml"
    args = [
        "suggest-rules",
        "--out",
        str(out),
        "--cutoff",
        "2026-03-01",
        "--resamples",
        "20",
        "--database",
        database,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert load_rulebook(out).version.endswith("-suggested")
    assert "MQL threshold" in result.output


def test_rules_suggest_joins_an_existing_rules_group() -> None:
    application, rules = typer.Typer(), typer.Typer()

    @rules.command("check")
    def check() -> None: ...

    application.add_typer(rules, name="rules")
    learn.register(application)
    result = runner.invoke(application, ["rules", "suggest", "--help"])
    assert result.exit_code == 0 and "--out" in result.output


def test_a_bad_override_is_refused(app: typer.Typer, database: str) -> None:
    args = ["train", "--cutoff", "2026-03-01", "--override", "industry", "--database", database]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert "COLUMN=REASON" in str(result.exception)


@pytest.mark.parametrize("command", ["train", "compare", "suggest-rules"])
def test_the_smarketing_app_has_the_learn_commands(command: str) -> None:
    from scoring.cli import app as smarketing

    result = runner.invoke(smarketing, [command, "--help"])
    assert result.exit_code == 0, result.output


def test_train_and_compare_use_the_rulebook_and_model_in_force(
    app: typer.Typer, model: Path, tmp_path: Path
) -> None:
    """Without --rulebook and --model, the learn commands read what is in force in the database."""
    from scoring.db import make_engine, upgrade
    from scoring.policy import Change, in_force, publish_text
    from scoring.policy.model import publish_model

    url = f"sqlite:///{tmp_path / 'small.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=3000, seed=4)
    text = (
        in_force(engine).definitions["rulebook"].text.replace("  threshold: 60", "  threshold: 50")
    )
    version = publish_text(engine, "rulebook", text, Change("ana@example.com")).version
    path = tmp_path / "in-force.skops"
    args = ["train", "--cutoff", "2026-03-01", "--kind", "logistic", "--resamples", "20"]
    trained = runner.invoke(app, [*args, "--out", str(path), "--database", url])
    assert trained.exit_code == 0, trained.output
    assert read_card(path).context["rulebook_version"] == version
    publish_model(engine, path, Change("ana@example.com"))
    engine.dispose()
    path.rename(tmp_path / "moved.skops")  # compare must look for the model in force, not a default
    report = tmp_path / "report.md"
    compared = runner.invoke(
        app, ["compare", "--report", str(report), "--resamples", "20", "--database", url]
    )
    assert compared.exit_code != 0
    assert "in-force.skops is missing" in str(compared.exception)
    (tmp_path / "moved.skops").rename(path)
    compared = runner.invoke(
        app, ["compare", "--report", str(report), "--resamples", "20", "--database", url]
    )
    assert compared.exit_code == 0, compared.output
    assert report.is_file()
