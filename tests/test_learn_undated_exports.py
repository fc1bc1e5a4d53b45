"""Exports without dates, end to end: import -> `smarketing train` -> `smarketing compare` on a real
SQLite database chooses a STRATIFIED CROSS-VALIDATION (said in capitals in the card, the report and
the dashboard), and the imported won leads' histories replay legally through the contract.

Two sources: a generated CRM export (final outcomes, no dates) and a subsample of the UCI bank
marketing calls (skipped when ../shared/datasets is absent).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import open_page
from new_user_export import write_export
from sources_world import UCI
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from scoring.cli import app as smarketing
from scoring.db import make_engine, upgrade
from scoring.db.models import Contact, LifecycleEvent
from scoring.learn import read_card
from scoring.learn.crossval import CROSS_VALIDATED
from scoring.lifecycle import load_contract
from scoring.lifecycle.replay import replay
from scoring.reasons import load_reasons
from scoring.sources import import_files, load_profile

runner = CliRunner()
CV_LABEL = "STRATIFIED 5-FOLD CROSS-VALIDATION"
UCI_EVERY = 20  # every 20th call: 2,060 calls, about 230 subscriptions


def _import(folder: Path, profile: str, csv: Path) -> str:
    url = f"sqlite:///{folder / 'leads.db'}"
    engine = make_engine(url)
    upgrade(engine)
    import_files(engine, load_profile(profile), [str(csv)])
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("export")
    csv, profile = write_export(folder, leads=300, seed=5)
    return profile, _import(folder, str(profile), csv)


@pytest.fixture(scope="module")
def uci(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not UCI.is_file():
        pytest.skip(f"the UCI data set is not at {UCI}")
    folder = tmp_path_factory.mktemp("uci")
    lines = UCI.read_text(encoding="utf-8").splitlines(keepends=True)
    sample = folder / "bank-sample.csv"
    sample.write_text(lines[0] + "".join(lines[1::UCI_EVERY]), encoding="utf-8")
    return _import(folder, "uci_bank_marketing", sample)


def _smarketing(home: Path, *args: str) -> str:
    result = runner.invoke(smarketing, list(args), env={"SMARKETING_HOME": str(home)})
    assert result.exit_code == 0, (result.output, result.exception)
    return " ".join(result.output.split())


def _train_and_compare(url: str, home: Path, *declarations: str) -> tuple[str, str, Path]:
    model, report = home / "won.skops", home / "report.md"
    common = ("--resamples", "20", "--database", url)
    trained = _smarketing(
        home, "train", "--kind", "logistic", "--out", str(model), *declarations, *common
    )
    compared = _smarketing(home, "compare", "--model", str(model), "--report", str(report), *common)
    return trained, compared, model


def test_an_export_without_dates_is_cross_validated_from_the_cli(
    export: tuple[Path, str], tmp_path: Path
) -> None:
    profile, url = export
    trained, compared, model = _train_and_compare(url, tmp_path, "--declarations", str(profile))
    assert f"evaluation: {CV_LABEL}, because all 300 leads were created within 0 days" in trained
    card = read_card(model)
    assert card.split["kind"] == CROSS_VALIDATED and card.split["folds"] == 5
    assert card.split["train_leads"] == card.split["test_leads"] == 300
    assert CV_LABEL in card.to_markdown() and "OUTCOMES TREATED AS FINAL" in card.to_markdown()
    assert {"column": "tags", "signal": "declared_post_outcome"}.items() <= card.excluded[0].items()
    assert CV_LABEL in compared
    report = (tmp_path / "report.md").read_text()
    assert report.index("## WARNING") < report.index(CV_LABEL) < report.index("## Split")
    assert "300 test leads" in report
    # compare refits the model out of fold: the same ROC AUC as the card's.
    line = next(r for r in report.splitlines() if r.startswith("| ROC AUC (higher is better)"))
    assert line.split(" | ")[-1].startswith(f"{card.metrics['roc_auc']['value']:.3f} [")


def test_the_uci_calls_imported_without_dates_are_cross_validated(uci: str, tmp_path: Path) -> None:
    trained, compared, model = _train_and_compare(
        uci, tmp_path, "--declarations", "uci_bank_marketing"
    )
    assert f"evaluation: {CV_LABEL}" in trained and CV_LABEL in compared
    card = read_card(model)
    excluded = {(e["column"], e["signal"]) for e in card.excluded}
    assert ("duration", "declared_post_outcome") in excluded  # the profile's post_outcome
    assert "duration" not in card.features["numeric"]
    assert card.split["test_leads"] == 41188 // UCI_EVERY + 1
    assert card.metrics["roc_auc"]["low"] > 0.7  # the calls separate well without the call length


def test_a_field_the_import_recorded_as_post_outcome_never_trains_unasked(
    uci: str, tmp_path: Path
) -> None:
    """No --declarations: the UCI profile's `post_outcome: [duration]` was recorded at import."""
    model = tmp_path / "won.skops"
    _smarketing(tmp_path, "train", "--kind", "logistic", "--resamples", "20", "--out", str(model),
                "--database", uci)  # fmt: skip
    card = read_card(model)
    assert ("duration", "declared_post_outcome") in {
        (e["column"], e["signal"]) for e in card.excluded
    }
    assert "duration" not in card.features["numeric"]


def test_an_explicit_time_split_still_needs_a_cutoff(export: tuple[Path, str]) -> None:
    result = runner.invoke(smarketing, ["train", "--evaluation", "time", "-d", export[1]])
    assert result.exit_code != 0
    assert "--evaluation time needs --cutoff DATE" in str(result.exception)


def test_a_cutoff_on_leads_without_dates_says_how_to_cross_validate(
    export: tuple[Path, str], tmp_path: Path
) -> None:
    args = ["train", "--cutoff", "2026-01-01", "--kind", "logistic", "-d", export[1]]
    result = runner.invoke(smarketing, args, env={"SMARKETING_HOME": str(tmp_path)})
    assert result.exit_code != 0
    said = str(result.exception)
    assert "training needs labelled leads of both outcomes before it" in said
    assert "created within 0 days of each other" in said
    assert "leave out --cutoff to cross-validate instead" in said


def _histories(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine: Engine = make_engine(url)
    with engine.connect() as connection:
        events = pd.DataFrame(
            connection.execute(
                select(
                    LifecycleEvent.contact_id.label("contact"),
                    LifecycleEvent.from_stage,
                    LifecycleEvent.to_stage,
                    LifecycleEvent.reason_code,
                    LifecycleEvent.occurred_at,
                ).order_by(LifecycleEvent.contact_id, LifecycleEvent.id)
            ).all()
        )
        contacts = pd.DataFrame(
            connection.execute(select(Contact.id, Contact.lifecycle_stage)).all()
        ).set_index("id")
    engine.dispose()
    return events, contacts


@pytest.mark.parametrize("source", ["export", "uci"])
def test_imported_won_leads_replay_legally_through_the_contract(
    source: str, request: pytest.FixtureRequest
) -> None:
    fixture = request.getfixturevalue(source)
    events, contacts = _histories(fixture[1] if source == "export" else fixture)
    vocabulary = load_reasons()
    # Declared steps in an unbroken chain with their reasons; the owner and score guards of the
    # route's steps are attested by the import (each step's note says so), not re-checked here.
    violations = replay(events, load_contract(vocabulary=vocabulary), vocabulary)
    assert violations.empty, violations.head().to_dict("records")
    last = events.groupby("contact")["to_stage"].last()
    assert (last == contacts["lifecycle_stage"].reindex(last.index)).all()
    customers = contacts.index[contacts["lifecycle_stage"] == "customer"]
    assert len(customers) > 0
    won = events[events["contact"].isin(customers)]
    assert not ((won["from_stage"] == "lead") & (won["to_stage"] == "customer")).any()
    # every won lead walks the contract's whole route, one history row per step
    assert (won.groupby("contact").size() == 6).all()


def test_a_dated_win_gets_a_dated_history_in_order(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "external_id,created_at,won,closed_at\n"
        "c-1,2025-01-01,true,2025-03-01\n"
        "c-2,2025-01-02,false,\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'dated.db'}"
    engine = make_engine(url)
    upgrade(engine)
    import_files(engine, load_profile("canonical"), [f"contacts={contacts}"])
    engine.dispose()
    events, stages = _histories(url)
    vocabulary = load_reasons()
    assert replay(events, load_contract(vocabulary=vocabulary), vocabulary).empty
    first = events[events["contact"] == stages.index[stages["lifecycle_stage"] == "customer"][0]]
    moments = pd.to_datetime(first["occurred_at"])
    assert moments.is_monotonic_increasing
    assert (moments.iloc[0], moments.iloc[-1]) == (
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-03-01"),
    )


def test_the_rules_vs_model_page_cross_validates_an_export_without_dates(
    export: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(export[1], "pages/rules_vs_model.py", monkeypatch)
    assert any(CV_LABEL in w.value and "Chosen because" in w.value for w in app.warning)
    app.selectbox(key="model_kind").set_value("logistic").run()
    app.button(key="model_train").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    titles = [e.label for e in app.expander]
    assert titles[0] == "WARNING"
    assert any(CV_LABEL in m.value for m in app.markdown)
    assert any("needs dates" in i.value for i in app.info)  # no suggestion without a time split
