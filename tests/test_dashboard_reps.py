"""The Reps and territories page over a demo database (opened as a shared link would open it): labels
not codes, no gaps shown as None/nan, capacity lines inside the plotted range, the assignment rules in
words, the what-if moving with its slider, and no server path anywhere on the page."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import demo_database, open_link
from streamlit.testing.v1 import AppTest

from scoring.db import make_engine
from scoring.db.frames import read_contacts
from scoring.settings import PROJECT_ROOT

PAGE = "pages/reps.py"
GAPS = ["None", "nan", "NaN", "NaT", "<NA>"]
TEXT_ELEMENTS = ("title", "subheader", "markdown", "caption", "code", "warning", "info", "error")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "reps", 1500, 11)


@pytest.fixture(scope="module")
def last_week(demo_url: str) -> str:
    """A day of the demo's last week of leads (the clock is weeks past the generated history)."""
    engine = make_engine(demo_url)
    last = read_contacts(engine)["created_at"].max()
    engine.dispose()
    return str((last - timedelta(days=2)).date())


def texts(app: AppTest) -> list[str]:
    """Every text the page shows: headings, markdown, captions, notices, table cells, chart specs."""
    found = [str(e.value) for kind in TEXT_ELEMENTS for e in app.get(kind)]
    found += [d.value.to_csv() for d in app.dataframe]
    found += [c.proto.spec for c in app.get("plotly_chart")]
    return found


def _frame(app: AppTest, column: str) -> pd.DataFrame:
    """The table of the page holding `column` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def numbers(values: Any) -> list[float]:
    """A trace's values from a chart's JSON (plotly writes arrays as base64 "bdata")."""
    if isinstance(values, dict):
        raw = base64.b64decode(values["bdata"])
        return [float(v) for v in np.frombuffer(raw, dtype=np.dtype(values["dtype"]))]
    return [float(v) for v in values]


def charts(app: AppTest) -> dict[str, dict[str, Any]]:
    return {c.proto.id: json.loads(c.proto.spec) for c in app.get("plotly_chart")}


@pytest.fixture
def app(
    demo_url: str,
    last_week: str,
    monkeypatch: pytest.MonkeyPatch,
    downloads: dict[str, Callable[[], Any]],
) -> AppTest:
    return open_link(demo_url, PAGE, {"reps_week": last_week}, monkeypatch)


def test_the_load_table_is_labelled_and_has_no_gaps(app: AppTest) -> None:
    table = _frame(app, "MQLs received")
    assert list(table.columns[:3]) == ["Rep", "Team", "Office"]
    assert {"MQLs received", "Accepted by sales", "Waiting past SLA now", "Weekly capacity",
            "Utilisation", "Win rate"} <= set(table.columns)  # fmt: skip
    assert not {"rep_id", "assigned", "open_past_sla", "win_rate"} & set(table.columns)
    assert table["MQLs received"].sum() > 0  # the demo's last week had MQLs
    for frame in (d.value for d in app.dataframe):
        assert not frame.astype(str).isin(GAPS).any().any(), frame
    assert app.title[0].value.startswith("Reps and territories: by rep, week of ")


def _inside(figure: dict[str, Any]) -> None:
    """Every capacity line of `figure` lies inside its y range, with its number written by it."""
    top = figure["layout"]["yaxis"]["range"][1]
    assert figure["layout"]["title"]["text"] and figure["layout"]["yaxis"]["title"]["text"]
    bars, *lines = figure["data"]
    assert max(numbers(bars["y"])) < top
    for line in lines:  # per group: a short line at each group's capacity
        assert max(numbers(line["y"])) < top
        assert all(t.startswith("capacity ") for t in line["text"])
    for shape in figure["layout"].get("shapes", []):  # one line at 100 % of capacity
        assert 0 < shape["y0"] < top
        assert figure["layout"]["annotations"][0]["text"] == "capacity 100%"
    assert lines or figure["layout"].get("shapes")


def test_capacity_lines_sit_inside_the_plotted_range_with_their_number(app: AppTest) -> None:
    drawn = charts(app)
    assert len(drawn) == 2
    for figure in drawn.values():
        _inside(figure)
    app.radio(key="reps_by").set_value("team").run()
    app.radio(key="reps_whatif_by").set_value("office").run()
    for figure in charts(app).values():
        _inside(figure)


def test_grouping_by_team_pools_the_reps(app: AppTest) -> None:
    per_rep = _frame(app, "MQLs received")
    app.radio(key="reps_by").set_value("team").run()
    per_team = _frame(app, "MQLs received")
    assert list(per_team.columns[:1]) == ["Team"]
    assert per_team["MQLs received"].sum() == per_rep["MQLs received"].sum()
    assert set(per_team["Team"]) == set(per_rep["Team"])


def test_the_rules_are_in_plain_english(app: AppTest) -> None:
    rules = next(m.value for m in app.markdown if "Account owner first" in m.value)
    assert "go to team Enterprise" in rules and "Round robin" in rules and "Capacity" in rules
    assert "when:" not in rules and "{" not in rules


def test_a_lower_threshold_sends_more_mqls_to_the_teams(app: AppTest) -> None:
    def weekly() -> float:
        return float(pd.to_numeric(_frame(app, "MQLs per week")["MQLs per week"]).sum())

    before = weekly()
    app.slider(key="reps_threshold").set_value(10.0).run()
    assert weekly() > before
    said = next(m.value for m in app.markdown if m.value.startswith("At threshold"))
    assert "**10**" in said


def test_no_server_path_shows_anywhere(app: AppTest, demo_url: str) -> None:
    folder = str(Path(demo_url.removeprefix("sqlite:///")).parent)
    shown = "\n".join(texts(app))
    assert folder not in shown and str(PROJECT_ROOT) not in shown
    assert "sqlite file demo.db" in shown  # the database is named by its file only


def test_a_hostile_link_is_ignored_with_a_notice(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"reps_by": "<script>x</script>", "reps_week": "not-a-day", "reps_threshold": "1e999"}
    app = open_link(demo_url, PAGE, params | {"reps_whatif_by": "x" * 5000}, monkeypatch)
    notice = app.warning[0].value
    assert "ignored" in notice and "week" in notice and "threshold" in notice
    assert "x" * 41 not in notice  # a long value is cut, not repeated
    assert "<script>" not in notice  # escaped, never markup
    assert app.title[0].value.startswith("Reps and territories: by rep")
