"""The Accounts page over a demo database: labels not codes, no gaps shown as None/nan, the
download formula-safe, and owners left out for roles without personal fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pandas as pd
import pytest
from conftest import demo_database, open_page
from streamlit.testing.v1 import AppTest

from dashboard import account_list
from scoring.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "pages/accounts.py"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "accounts", 1500, 11)


@pytest.fixture
def app(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], Any]]
) -> AppTest:
    return cast(AppTest, open_page(demo_url, PAGE, monkeypatch))


def _table(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Account score" in d.value.columns)


def test_the_accounts_page_lists_labelled_accounts_without_gaps(app: AppTest) -> None:
    table = _table(app)
    assert not app.error
    assert {"Account", "Segment", "Region", "Roles engaged", "Open pipeline amount"} <= set(
        table.columns
    )
    assert "account_id" not in table.columns and "owner_rep_id" not in table.columns
    cells = table.astype(str)
    assert not cells.isin(["None", "nan", "NaN", "NaT", "<NA>"]).any().any()
    assert set(table["Segment"]) <= {"SMB", "Mid-market", "Enterprise", "Unknown"}
    assert list(table["Account score"]) == sorted(table["Account score"], reverse=True)
    listed = next(m.value for m in app.metric if m.label == "Accounts listed")
    assert int(listed.replace(",", "")) >= len(table) > 0
    assert not any("/" in c.value and c.value.startswith("/") for c in app.caption)


def test_a_segment_filter_narrows_the_list_and_is_said(app: AppTest) -> None:
    before = len(_table(app))
    app.multiselect(key="accounts_segments").set_value(["Enterprise"]).run()
    after = _table(app)
    assert 0 < len(after) < before and set(after["Segment"]) == {"Enterprise"}
    assert any("segment is one of Enterprise" in m.value for m in app.markdown)


def test_the_download_is_the_listed_table_made_formula_safe(
    app: AppTest, downloads: dict[str, Callable[[], Any]]
) -> None:
    exported = downloads["accounts.csv"]().decode("utf-8-sig")
    header = exported.splitlines()[0]
    assert header.startswith("Account,Segment,Region,Owner,Account score")


def test_owners_are_left_out_without_personal_fields() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": [1],
            "account_name": [None],
            "segment": ["SMB"],
            "region": [None],
            "owner_rep_id": [4],
            "account_score": [10.0],
            "best_contact_score": [None],
            "roles_engaged": [""],
            "roles_engaged_count": [0],
            "contacts": [1],
            "engaged_contacts": [0],
            "open_opportunities": [0],
            "pipeline_amount": [0.0],
            "last_touch": [pd.NaT],
        }
    )
    reps = pd.DataFrame({"rep_id": [4], "name": ["Dana Rep"]})
    hidden = account_list.display(
        account_list.account_table(accounts, reps, personal=False), personal=False
    )
    assert "Owner" not in hidden.columns
    assert hidden.iloc[0].to_dict() | {} == hidden.iloc[0].to_dict()
    assert (hidden.iloc[0]["Account"], hidden.iloc[0]["Region"]) == ("Account 1", "Unknown")
    assert (hidden.iloc[0]["Roles engaged"], hidden.iloc[0]["Last touch"]) == ("none", "never")
    shown = account_list.display(
        account_list.account_table(accounts, reps, personal=True), personal=True
    )
    assert shown.iloc[0]["Owner"] == "Dana Rep"
