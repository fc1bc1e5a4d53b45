"""A new user's own export from the command line: import -> whatif -> mql-list -> train -> compare.

The export is generated (final outcomes, no dates, no e-mails, custom fields); every command runs
through the real `smarketing` entry point in a subprocess, so what a user would see is what is tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from new_user_export import export_frame, write_export

RULEBOOK = """\
version: "export.1"
description: A first rulebook for a lead export without dates.
groups:
  fit: {min: -40, max: 60}
  engagement: {min: -30, max: 70}
mql:
  threshold: 30
gates:
  - id: contactable
    require: {column: do_not_contact, op: is_false}
    message: the contact has not asked to be left alone
rules:
  - id: referred
    group: fit
    when: {column: lead_source, op: in, value: [Reference, Organic Search]}
    points: 30
  - id: senior_title
    group: fit
    when: {column: job_title, op: contains_any, value: [Head, VP]}
    points: 20
"""
LEADS, SEED = 500, 2


def smarketing(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SMARKETING_HOME": str(home), "COLUMNS": "200"}
    environment.pop("SMARKETING_TRACEBACK", None)
    return subprocess.run(
        [sys.executable, "-m", "scoring.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("new_user")
    csv, profile = write_export(folder, leads=LEADS, seed=SEED)
    rulebook = folder / "rulebook.yaml"
    rulebook.write_text(RULEBOOK, encoding="utf-8")
    database = folder / "leads.db"
    done = smarketing("import", str(profile), str(csv), "-d", f"sqlite:///{database}", home=folder)
    assert done.returncode == 0, done.stderr
    wins = int(export_frame(LEADS, SEED)["Converted"].sum())
    assert f"{wins:,} won without a close date: counted as won, date unknown" in said(done)
    return {"folder": folder, "rulebook": rulebook, "database": database}


def said(done: subprocess.CompletedProcess[str]) -> str:
    """stdout and stderr with rich's line wrapping undone."""
    return " ".join((done.stdout + done.stderr).split())


def _run(world: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    return smarketing(*args, "-d", f"sqlite:///{world['database']}", home=world["folder"])


def test_import_whatif_mql_list_train_compare_agree(world: dict[str, Path]) -> None:
    wins = int(export_frame(LEADS, SEED)["Converted"].sum())
    book = str(world["rulebook"])
    whatif = _run(world, "whatif", "--thresholds", "20,30,40", "--rulebook", book, "--json")
    assert whatif.returncode == 0, whatif.stderr
    figures = json.loads(whatif.stdout)
    assert figures["leads"] == LEADS and figures["wins"] == wins  # no win lost on the way back
    at30 = {row["threshold"]: row for row in figures["thresholds"]}[30.0]
    assert at30["mqls_per_week"] is None  # no dates: no weekly rate, said so
    assert 0 < at30["won"] <= at30["mqls"]
    assert at30["recall"] == pytest.approx(at30["won"] / wins)
    assert at30["blocked_by_gates"] == at30["blocked_by_gate"]["contactable"] > 0
    assert at30["over_capacity"] == at30["mqls"]  # no rep has capacity: every MQL would wait

    listed_path = world["folder"] / "mqls.csv"
    listed = _run(world, "mql-list", "--out", str(listed_path), "--rulebook", book)
    assert listed.returncode == 0, listed.stderr
    rows = pd.read_csv(listed_path, encoding="utf-8-sig")
    # The list and the what-if count the same MQLs: at or above the threshold, every gate passing.
    # (`status` says where each lead is, stage first, in the API's words; gates are their column.)
    gated = rows["failed_gates"].fillna("").astype(str) != ""
    assert (~gated).sum() == at30["mqls"]
    assert gated.sum() == at30["blocked_by_gates"]
    fresh = rows["status"].isin(["qualifies by score and gates"]) | rows["status"].str.startswith(
        "blocked by gates"
    )
    assert (rows.loc[fresh & gated, "status"].str.startswith("blocked by gates")).all()
    assert not rows["first_name"].astype(str).str.startswith("=").any()  # formula-safe
    assert rows["top_reasons"].str.contains("lead source").any()

    train = _run(world, "train", "--split", "random", "--kind", "logistic", "--rulebook", book,
                 "--resamples", "20")  # fmt: skip
    assert train.returncode == 0, train.stderr
    assert "STRATIFIED RANDOM SPLIT" in said(train) and "OUTCOMES TREATED AS FINAL" in said(train)
    assert "`tags`: single_column_auc" in said(
        train
    )  # the sales-filled column is caught by the leakage check
    report = world["folder"] / "report.md"
    compare = _run(
        world, "compare", "--report", str(report), "--rulebook", book, "--resamples", "20"
    )
    assert compare.returncode == 0, compare.stderr
    assert "STRATIFIED RANDOM SPLIT" in said(compare)
    assert "OUTCOMES TREATED AS FINAL" in report.read_text()
    test_leads = round(LEADS * 0.25)
    assert f"{test_leads} test leads" in report.read_text()


def test_compare_a_model_split_on_a_numeric_column(world: dict[str, Path]) -> None:
    from scoring.db import make_engine
    from scoring.learn import save_model, target_named, time_split, train

    engine = make_engine(f"sqlite:///{world['database']}")
    from scoring.training_data import database_leads

    leads = database_leads(engine)
    engine.dispose()
    won = target_named("won")
    split = time_split(leads, won, 4, time_column="total_visits")
    run = train(leads, won, split=split, kind="logistic", resamples=20, time_column="total_visits")
    model = save_model(run.model, world["folder"] / "by_visits.skops")
    report = world["folder"] / "by_visits.html"
    compare = _run(world, "compare", "--model", str(model), "--report", str(report),
                   "--rulebook", str(world["rulebook"]), "--resamples", "20")  # fmt: skip
    assert compare.returncode == 0, compare.stderr
    assert "before 4" in said(compare) and report.is_file()


BAD_INPUTS = [
    (("train", "--evaluation", "time"), "--evaluation time needs --cutoff"),
    (("train", "--split", "sideways"), "--evaluation 'sideways'"),
    (("train", "--evaluation", "cv", "--cutoff", "2020-01-01"), "cross-validation takes none"),
    (("train", "--evaluation", "cv", "--folds", "400"), "needs at least 400 labelled leads"),
    (("train", "--cutoff", "2020-01-01"), "training needs labelled leads"),
    (("train", "--split", "random", "--cutoff", "2020-01-01"), "a random split takes none"),
    (("train", "--split", "random", "--target", "lunch"), "unknown target 'lunch'"),
    (("train", "--split", "random", "--kind", "oracle"), "--kind 'oracle'"),
    (("train", "--cutoff", "yesterday-ish"), "needs a date"),
    (("train", "--cutoff", "3", "--split-column", "shoe_size"), "no such column"),
    (("compare", "--report", "r.txt"), "use a .html or .md file"),
    (("compare", "--report", "r.md", "--model", "none.skops"), "no such model file"),
    (("whatif", "--thresholds", "20,abc"), "give numbers separated by commas"),
    (("whatif", "--thresholds", ""), "give numbers separated by commas"),
    (("whatif", "--thresholds", "30", "--rulebook", "missing.yaml"), "missing.yaml"),
    (("mql-list", "--out", "list.docx"), "use a .csv, .parquet or .xlsx file"),
    (("score", "--out", "scores.json"), "use a .csv or .parquet file"),
    (("rules", "explain", "--lead", "999999"), "lead 999999"),
    (("import", "canonical", "no-such-file.csv"), "no-such-file.csv"),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_INPUTS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None
)
def test_bad_input_gives_one_clear_line(
    world: dict[str, Path], args: tuple[str, ...], message: str
) -> None:
    done = _run(world, *args)
    output = said(done)
    assert done.returncode != 0
    assert "Traceback" not in output and "unexpected" not in output, output
    assert message in output, output
