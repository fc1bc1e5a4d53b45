"""Shareable views: a link's query parameters set the filters of the Leads, Accounts, Campaigns,
Scoring lab and Reps pages and the sidebar; the view round-trips through the link; Reset puts the
defaults back and clears the link; values a link makes up are ignored with a notice, never an error.
The Leads page's journey of the lead the link names is checked here too."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import pandas as pd
import pytest
from conftest import demo_database, open_link
from streamlit.testing.v1 import AppTest

GAPS = ["None", "nan", "NaN", "NaT", "<NA>"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "links", 1500, 5)


def _open(url: str, page: str, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return cast(AppTest, open_link(url, f"pages/{page}.py", params, monkeypatch))


def _listed(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "contact_id" in d.value.columns)


LEADS_LINK = {
    "leads_list": "Every contact",
    "leads_stages": ["Marketing-qualified lead", "Sales-accepted lead"],  # links carry labels
    "leads_min_score": "5",
}


def test_a_leads_link_opens_the_same_view_and_round_trips(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> None:
    app = _open(demo_url, "leads", LEADS_LINK, monkeypatch)
    assert app.radio(key="leads_list").value == "every"
    assert app.multiselect(key="leads_stages").value == ["mql", "sal"]
    assert app.number_input(key="leads_min_score").value == 5.0
    assert app.title[0].value == "Leads and export: every contact, 2 more filters"
    listed = _listed(app)
    shown = {"Marketing-qualified lead", "Sales-accepted lead"}  # stages by their labels
    assert set(listed["lifecycle_stage"]) <= shown and (listed["score"] >= 5).all()
    assert not app.warning
    # The link is left as it came (nothing dropped), so opening it again shows the same list.
    carried = dict(app.query_params)
    assert {k: carried[k] for k in LEADS_LINK} == LEADS_LINK
    again = _open(demo_url, "leads", carried, monkeypatch)
    pd.testing.assert_frame_equal(_listed(again), listed)
    assert again.title[0].value == app.title[0].value


def test_a_link_made_when_links_carried_stage_codes_opens_the_same_view(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _open(demo_url, "leads", {**LEADS_LINK, "leads_stages": ["mql", "sal"]}, monkeypatch)
    assert app.multiselect(key="leads_stages").value == ["mql", "sal"]
    assert not app.warning
    assert _listed(app)["lifecycle_stage"].isin(set(LEADS_LINK["leads_stages"])).all()


def test_reset_puts_the_defaults_back_and_clears_the_link(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> None:
    app = _open(demo_url, "leads", LEADS_LINK, monkeypatch)
    app.button(key="leads_reset").click().run()
    assert app.radio(key="leads_list").value == "mqls_now"
    assert app.multiselect(key="leads_stages").value == []
    assert app.number_input(key="leads_min_score").value is None
    assert not set(LEADS_LINK) & set(app.query_params)
    assert app.title[0].value == "Leads and export: MQLs now"


def test_the_journey_of_the_lead_a_link_names(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> None:
    first = _open(demo_url, "leads", {}, monkeypatch)
    lead = int(_listed(first)["contact_id"].iloc[1])
    app = _open(demo_url, "leads", {"leads_selected": str(lead)}, monkeypatch)
    assert app.selectbox(key="leads_selected").value == lead
    timeline = next(d.value for d in app.dataframe if "Step" in d.value.columns)
    assert {"Touch", "Stage"} <= set(timeline["Step"])
    moves = timeline.loc[timeline["Step"] == "Stage", "What"]
    assert "created → Lead" in set(moves)  # stages by the contract's labels, not their codes
    assert not moves.str.contains(r"(?:^|→ )(?:lead|mql|sal|opportunity|customer)\b").any()
    assert list(timeline.columns) == ["When (UTC)", "Step", "What", "Why", "By / to"]
    assert not timeline.astype(str).isin(GAPS).any().any()
    assert any("Total" in c.value or "points" in c.value for c in app.code)  # the explanation
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    low, high = figure["layout"]["yaxis"]["range"]
    threshold = figure["layout"]["shapes"][0]["y0"]
    assert low < threshold < high
    assert "MQL threshold" in figure["layout"]["annotations"][0]["text"]
    exported = downloads[f"lead_{lead}_journey.csv"]().decode("utf-8-sig")
    assert exported.splitlines()[0] == "When (UTC),Step,What,Why,By / to"


@pytest.mark.parametrize(
    ("page", "params", "key", "value", "title"),
    [
        ("accounts", {"accounts_segments": "Enterprise", "accounts_sort": "Last touch"},
         "accounts_sort", "last_touch", "Accounts: filtered, by last touch"),
        ("campaigns", {"campaigns_by": "channel"}, "campaigns_by", "channel",
         "Campaigns: by channel"),
        ("scoring_lab", {"lab_threshold": "45"}, "lab_threshold", 45.0, "Scoring lab: threshold 45"),
        ("reps", {"reps_by": "Office"}, "reps_by", "office", "Reps and territories: by office"),
    ],
)  # fmt: skip
def test_each_page_opens_the_view_its_link_names(
    demo_url: str,
    monkeypatch: pytest.MonkeyPatch,
    downloads: dict[str, Callable[[], Any]],
    page: str,
    params: dict[str, str],
    key: str,
    value: object,
    title: str,
) -> None:
    app = _open(demo_url, page, params, monkeypatch)
    found = [w for kind in ("radio", "selectbox", "slider") for w in app.get(kind)]
    widget = next(w for w in found if getattr(w, "key", None) == key)
    assert widget.value == value
    assert app.title[0].value.startswith(title)
    assert not app.warning


def test_the_sidebar_filters_live_in_the_link_too(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> None:
    app = _open(
        demo_url,
        "leads",
        {"leads_list": "Every contact", "filter_segments": ["Enterprise", "Galactic"]},
        monkeypatch,
    )
    assert app.sidebar.multiselect(key="filter_segments").value == ["Enterprise"]
    assert any("segment is one of Enterprise" in m.value for m in app.markdown)
    notice = " ".join(w.value for w in app.sidebar.warning)
    assert "segment = 'Galactic'" in notice


@pytest.mark.parametrize(
    "params",
    [
        {"leads_stages": "x" * 100_000},
        {"leads_min_score": ["nan", "inf", "-1e309", "1; DROP TABLE contacts"]},
        {"leads_list": "[evil](javascript:alert(1))", "leads_selected": "99999999999999999999"},
        {"filter_dates": ["1900-01-01", "9999-12-31"], "filter_campaigns": ":red[boom]"},
    ],
)
def test_a_made_up_link_is_ignored_with_a_notice_never_an_error(
    demo_url: str,
    monkeypatch: pytest.MonkeyPatch,
    downloads: dict[str, Callable[[], Any]],
    params: dict[str, Any],
) -> None:
    app = _open(demo_url, "leads", params, monkeypatch)  # asserts no exception
    notices = [w.value for w in app.warning] + [w.value for w in app.sidebar.warning]
    assert notices and all("ignored" in n for n in notices)
    assert all(len(n) < 600 for n in notices)  # a long value is cut, not repeated
    assert not any("](" in n or ":red[" in n for n in notices)  # escaped: shown, not rendered
    assert _listed(app) is not None
