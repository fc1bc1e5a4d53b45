"""The Health page over a demo database: every shipped objective with its status in words, budget
and burn-rate charts, breaches with their likely cause and a link to the page that explains them,
and a formula-safe download."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

import pandas as pd
import pytest
from conftest import demo_database, open_page
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from dashboard.markup import plain
from scoring.db import make_engine
from scoring.health import health_history
from scoring.objectives import evaluate, load_objectives
from scoring.settings import DEFAULTS

PAGE = "pages/health.py"
DAY = date(2026, 9, 1)
GAPS = ["None", "nan", "NaN", "NaT", "<NA>", ""]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo whose campaign codes are Markdown links (as an import could name them)."""
    url = demo_database(tmp_path_factory, "health", 1500, 5)
    with make_engine(url).begin() as connection:
        connection.execute(text("UPDATE campaigns SET code = '[' || code || '](https://e.test)'"))
    return url


@pytest.fixture
def app(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> AppTest:
    page = cast(AppTest, open_page(demo_url, PAGE, monkeypatch))
    page.date_input(key="health_day").set_value(DAY).run()
    assert not page.exception, [e.value for e in page.exception]
    return page


def _statuses(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Budget left" in d.value.columns)


def test_every_objective_is_listed_in_words_as_the_check_judges_it(
    app: AppTest, demo_url: str
) -> None:
    table = _statuses(app)
    declared = load_objectives(DEFAULTS / "objectives.yaml")
    assert list(table["Objective"]) == [o.description for o in declared]
    assert not table.astype(str).isin(GAPS).any().any()
    assert "mql_volume" not in set(table["Kind"]) and "Score drift" in set(table["Kind"])
    at = datetime(DAY.year, DAY.month, DAY.day, 23, 59, 59)
    statuses = evaluate(declared, health_history(make_engine(demo_url)), at)
    words = {"breached": "Breached", "ok": "Met", "no data": "No data"}
    assert list(table["Status"]) == [words[s.state] for s in statuses]
    calibration = table.set_index("Kind").loc["Model calibration"]
    assert (calibration["Status"], calibration["Likely cause"]) == ("No data", "no model in force")
    metrics = {m.label: int(m.value) for m in app.metric}
    assert metrics["Objectives breached"] == sum(s.breached for s in statuses)
    assert sum(metrics.values()) == len(declared)


def test_budget_and_burn_rate_are_charted_with_titles_units_and_captions(app: AppTest) -> None:
    layouts = [json.loads(c.proto.spec)["layout"] for c in app.get("plotly_chart")]
    titles = {layout["title"]["text"]: layout["yaxis"]["title"]["text"] for layout in layouts}
    assert titles == {
        "Error budget left per objective, day by day": "budget left (% of the horizon's allowance)",
        "Burn rate per objective, day by day": "burn rate (× the sustainable rate)",
    }
    lines = [trace for c in app.get("plotly_chart") for trace in json.loads(c.proto.spec)["data"]]
    assert len(lines) == 2 * len(load_objectives(DEFAULTS / "objectives.yaml"))
    captions = " ".join(c.value for c in app.caption)
    assert "below the dotted line the objective is breached" in captions


def test_each_breach_names_its_cause_and_links_the_page_that_explains_it(app: AppTest) -> None:
    table = _statuses(app)
    breached = table[table["Status"] == "Breached"]
    assert len(breached) > 0
    said = " ".join(m.value for m in app.markdown)
    links = [link.proto.page for link in app.get("page_link")]
    for objective, cause in zip(breached["Objective"], breached["Likely cause"], strict=True):
        assert f"**{plain(objective)}** — {plain(cause)}" in said and cause != "–"
    assert "](https://e.test)" not in said
    assert "\\]\\(https\\://e\\.test\\)" in said  # campaign names shown as typed, not as links
    if "Disqualified share per campaign" in set(breached["Kind"]):
        assert any(link.endswith("disqualification.py") for link in links)
        causes = next(d.value for d in app.dataframe if "Disqualified share" in d.value.columns)
        assert "Share of the other campaigns" in causes.columns and len(causes) > 0
    assert len(links) == len(breached)


def test_the_status_table_downloads_through_the_safe_csv_export(
    app: AppTest, downloads: dict[str, Callable[[], Any]]
) -> None:
    made = downloads["objectives.csv"]()
    csv = made.decode() if isinstance(made, bytes) else str(made)
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("Objective,Kind,Status")
    assert "MQLs per week within the sales team's capacity band" in csv
