"""The Leads page over a demo database: what "MQLs" means, every filter said, no hidden cut-off, and
the export's rows and columns (collected from the download button as a browser would get them)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest
from conftest import demo_database, open_page
from streamlit.testing.v1 import AppTest

from scoring.db import make_engine, upgrade
from scoring.db.frames import read_contacts, read_lifecycle_events, read_reps
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "pages/leads.py"
EXPORT_COLUMNS = {"contact_id", "email", "lifecycle_stage", "owner_name", "owner_email"}
EXPORT_COLUMNS |= {"account_name", "account_domain", "score", "top_reasons", "would_qualify"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "leads", 3000, 11)


@pytest.fixture
def app(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> AppTest:
    return cast(AppTest, open_page(demo_url, PAGE, monkeypatch))


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _listed(app: AppTest) -> int:
    return int(next(m.value for m in app.metric if m.label == "Contacts listed").replace(",", ""))


def _said(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**Listed:**"))


def test_the_mql_export_holds_exactly_the_leads_in_stage_mql_with_owner_and_account(
    app: AppTest, demo_url: str, downloads: dict[str, Callable[[], Any]]
) -> None:
    engine = make_engine(demo_url)
    contacts = read_contacts(engine)
    reps = read_reps(engine).set_index("rep_id")
    engine.dispose()
    in_mql = contacts[contacts["lifecycle_stage"] == "mql"].set_index("contact_id")
    assert len(in_mql) > 0

    rows = _rows(downloads["mqls_now.csv"]())
    assert "lifecycle stage is mql now" in _said(app)
    assert len(rows) == _listed(app) == len(in_mql)
    assert set(rows[0]) >= EXPORT_COLUMNS
    assert {row["lifecycle_stage"] for row in rows} == {"mql"}
    assert {int(row["contact_id"]) for row in rows} == set(in_mql.index)
    for row in rows:
        assert re.fullmatch(r"\d+", row["contact_id"]), row["contact_id"]  # no "12.0"
        assert re.fullmatch(r"-?\d+(\.\d)?", row["score"]), row["score"]  # one decimal at most
        contact = in_mql.loc[int(row["contact_id"])]
        assert row["email"] == contact["email"]
        named = contact["account_name"]
        assert row["account_name"] == ("" if pd.isna(named) else named)
        if pd.notna(contact["owner_rep_id"]):  # the contact's own rep, by name and e-mail
            rep = reps.loc[int(contact["owner_rep_id"])]
            assert (row["owner_name"], row["owner_email"]) == (rep["name"], rep["email"])
            assert row["owner_from"] == "contact"
        if row["account_name"]:
            assert row["account_domain"], row
        assert row["top_reasons"] or row["score"] in ("", "0.0") or float(row["score"]) <= 0


def test_would_qualify_is_a_separate_list_of_scores_whatever_the_stage(
    app: AppTest, downloads: dict[str, Callable[[], Any]]
) -> None:
    app.radio(key="leads_list").set_value("qualifying").run()
    assert not app.exception, [e.value for e in app.exception]
    assert "would qualify under rulebook" in _said(app)
    rows = _rows(downloads["would_qualify.csv"]())
    assert len(rows) == _listed(app) > 0
    assert {row["would_qualify"] for row in rows} == {"True"}
    assert len({row["lifecycle_stage"] for row in rows}) > 1  # a score, not a stage


def test_no_hidden_cut_off_hides_negative_scores_and_every_filter_is_said(
    app: AppTest, demo_url: str, downloads: dict[str, Callable[[], Any]]
) -> None:
    engine = make_engine(demo_url)
    everyone = len(read_contacts(engine))
    engine.dispose()
    app.radio(key="leads_list").set_value("every").run()
    assert _listed(app) == everyone
    assert _said(app) == "**Listed:** every contact"
    scores = [float(r["score"]) for r in _rows(downloads["leads.csv"]()) if r["score"]]
    assert min(scores) < 0  # negative-scored leads are listed

    # A sidebar filter is said on the page too (set by its key: AppTest drops sidebar widgets).
    first = app.sidebar.multiselect(key="filter_campaigns").options[0]
    app.session_state["filter_campaigns"] = [first]
    app.run()
    assert f"campaign is one of {first}" in _said(app) and 0 < _listed(app) < everyone
    app.number_input(key="leads_min_score").set_value(10.0).run()
    app.multiselect(key="leads_stages").set_value(["lead", "nurture"]).run()
    said = _said(app)
    assert "score at least 10" in said and "lifecycle stage is one of Lead, Nurture" in said
    rows = _rows(downloads["leads.csv"]())
    assert len(rows) == _listed(app)
    assert all(
        float(r["score"]) >= 10 and r["lifecycle_stage"] in ("lead", "nurture") for r in rows
    )


def test_scores_are_as_of_the_clock_not_the_newest_row(app: AppTest, demo_url: str) -> None:
    from dashboard import data

    engine = make_engine(demo_url)
    newest = read_lifecycle_events(engine)["occurred_at"].max()
    engine.dispose()
    started = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    data.forget_everything()  # what the sidebar's Refresh does: read (and so date) the data again
    app.run()
    caption = next(c.value for c in app.caption if c.value.startswith("Scores as of"))
    moment = datetime.strptime(
        caption.split(" UTC")[0].removeprefix("Scores as of "), "%Y-%m-%d %H:%M"
    )
    assert started <= moment <= datetime.now(UTC).replace(tzinfo=None)
    assert moment > newest + timedelta(days=1)


def test_the_lifecycle_sla_clock_is_the_configured_moment(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_AS_OF", "2026-09-01 08:00:00")
    app.switch_page("pages/lifecycle.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("as of 2026-09-01 08:00 UTC" in c.value for c in app.caption)


def test_the_export_made_on_click_is_formula_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> None:
    # The export is made when the button is clicked, so tests/test_attack_downloads.py (which sees
    # the files handed over while the page runs) does not see it: it is checked here.
    from scoring.exports import FORMULA_TRIGGERS

    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=600, seed=5)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE contacts SET first_name = '@SUM(1)' || first_name")
        connection.exec_driver_sql("UPDATE accounts SET name = '=HYPERLINK(1)' || name")
    engine.dispose()
    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page(PAGE).run()
    app.radio(key="leads_list").set_value("every").run()
    assert not app.exception, [e.value for e in app.exception]
    text = downloads["leads.csv"]().decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    numbers = re.compile(r"-?\d+(\.\d+)?")  # a negative score is a number, not a formula
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not numbers.fullmatch(c)]
    assert any(c.startswith("'@SUM(1)") for c in cells)
    assert any(c.startswith("'=HYPERLINK(1)") for c in cells)
