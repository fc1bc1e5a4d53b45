"""The account roll-up on hand-built frames with a known answer, and the rulebook's `accounts:` section."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from scoring.analytics.accounts import ACCOUNT_COLUMNS, account_scores
from scoring.errors import RulebookError
from scoring.rules.loader import DEFAULT_RULEBOOK, load_rulebook, parse_rulebook
from scoring.rules.spec import AccountRollup, BuyingRole

NOW = datetime(2026, 11, 30, 12, 0)
ROLLUP = AccountRollup(
    best_contact=True,
    roles=(
        BuyingRole("decision_maker", seniorities=("c_level", "vp")),
        BuyingRole("champion", seniorities=("director",), departments=("Marketing",)),
        BuyingRole("user", seniorities=("manager", "individual_contributor")),
    ),
    points_per_role=5,
    window_days=30,
)


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contact_id": [1, 2, 3, 4, 5],
            "account_id": [10, 10, 10, 20, None],
            "account_name": ["Acme", "Acme", "Acme", "Beta", None],
            "seniority": ["vp", "director", "manager", "c_level", "vp"],
            "department": ["Sales", "Marketing", "IT", "Executive", "Sales"],
            "employees": [500.0, 500.0, 500.0, 20.0, None],
            "region": ["EMEA", "EMEA", "EMEA", "NA", None],
            "owner_rep_id": [7, 7, 8, 9, None],
        }
    )


@pytest.fixture
def scores() -> pd.DataFrame:
    return pd.DataFrame({"lead_id": [1, 2, 3, 4, 5], "score": [40.0, 55.0, 12.0, 30.0, 99.0]})


@pytest.fixture
def touches() -> pd.DataFrame:
    # Acme: the VP and the director touched in the window, the manager 45 days ago (outside it).
    return pd.DataFrame(
        {
            "contact_id": [1, 2, 2, 3, 4],
            "occurred_at": pd.to_datetime(
                ["2026-11-20", "2026-11-01", "2026-11-28", "2026-10-16", "2026-12-05"]
            ),
        }
    )


@pytest.fixture
def opportunities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [10, 10, 10, None],
            "is_closed": [False, False, True, False],
            "amount": [1000.0, 250.0, 9000.0, 77.0],
        }
    )


def test_an_account_scores_its_best_contact_plus_each_role_engaged_in_the_window(
    scores: pd.DataFrame,
    contacts: pd.DataFrame,
    touches: pd.DataFrame,
    opportunities: pd.DataFrame,
) -> None:
    table = account_scores(scores, contacts, touches, opportunities, ROLLUP, as_of=NOW)
    acme = table.set_index("account_id").loc[10]
    assert list(table.columns) == list(ACCOUNT_COLUMNS)
    assert acme["best_contact_score"] == 55.0 and acme["best_contact_id"] == 2
    # decision maker (VP) and champion (Marketing director) engaged; the user was touched too long ago
    assert acme["roles_engaged"] == "Decision maker, Champion"
    assert acme["roles_engaged_count"] == 2
    assert acme["account_score"] == 55.0 + 2 * 5
    assert (acme["contacts"], acme["engaged_contacts"]) == (3, 2)
    assert (acme["open_opportunities"], acme["pipeline_amount"]) == (2, 1250.0)
    assert acme["last_touch"] == pd.Timestamp("2026-11-28")
    assert acme["owner_rep_id"] == 7  # the best contact's owner: no account owner given
    assert acme["segment"] == "Mid-market" and acme["region"] == "EMEA"


def test_touches_after_the_moment_do_not_engage_and_contacts_without_account_are_left_out(
    scores: pd.DataFrame,
    contacts: pd.DataFrame,
    touches: pd.DataFrame,
    opportunities: pd.DataFrame,
) -> None:
    table = account_scores(scores, contacts, touches, opportunities, ROLLUP, as_of=NOW)
    assert list(table["account_id"]) == [10, 20]  # best account first; contact 5 has none
    beta = table.set_index("account_id").loc[20]
    assert (beta["roles_engaged"], beta["engaged_contacts"], beta["account_score"]) == ("", 0, 30.0)
    assert pd.isna(beta["last_touch"])
    assert (beta["open_opportunities"], beta["pipeline_amount"]) == (0, 0.0)


def test_an_account_owner_wins_over_the_best_contacts_owner(
    scores: pd.DataFrame,
    contacts: pd.DataFrame,
    touches: pd.DataFrame,
    opportunities: pd.DataFrame,
) -> None:
    owners = pd.DataFrame({"account_id": [10], "account_owner_rep_id": [3]})
    table = account_scores(
        scores, contacts, touches, opportunities, ROLLUP, as_of=NOW, owners=owners
    ).set_index("account_id")
    assert (table.loc[10, "owner_rep_id"], table.loc[20, "owner_rep_id"]) == (3, 9)


def test_without_best_contact_an_account_scores_its_roles_only(
    scores: pd.DataFrame,
    contacts: pd.DataFrame,
    touches: pd.DataFrame,
    opportunities: pd.DataFrame,
) -> None:
    rollup = AccountRollup(False, ROLLUP.roles, 5, 30)
    table = account_scores(scores, contacts, touches, opportunities, rollup, as_of=NOW)
    assert table.set_index("account_id").loc[10, "account_score"] == 10.0


def test_the_shipped_rulebook_declares_a_buying_group() -> None:
    rollup = load_rulebook(DEFAULT_RULEBOOK).accounts
    assert rollup.best_contact and rollup.points_per_role > 0
    assert {"decision_maker", "champion", "user", "finance"} <= {r.name for r in rollup.roles}


def test_a_rulebook_without_accounts_rolls_up_the_best_contact_only() -> None:
    text = DEFAULT_RULEBOOK.read_text().split("\naccounts:")[0]
    assert parse_rulebook(text, "x.yaml").accounts == AccountRollup()


def test_every_accounts_problem_is_reported_with_its_line() -> None:
    text = DEFAULT_RULEBOOK.read_text()
    lines = text.splitlines()
    bad = (
        text.replace("points_per_role: 5", "points_per_role: lots")
        .replace("best_contact: true", "best_contact: maybe")
        .replace("finance: {department: [Finance]}", "finance: {dept: [Finance]}")
    )
    with pytest.raises(RulebookError) as raised:
        parse_rulebook(bad, "x.yaml")
    message = str(raised.value)
    line = next(i for i, text in enumerate(lines, 1) if "points_per_role: 5" in text)
    assert f"x.yaml:{line}: points_per_role must be a number" in message
    assert "best_contact must be true or false" in message
    assert "unknown key 'dept'" in message


def test_accounts_without_any_touch_roll_up_with_no_last_touch() -> None:
    """A database with no touches at all (the API's first account lookup) used to raise TypeError."""
    contacts = pd.DataFrame(
        {"contact_id": [1, 2], "account_id": [10, 10], "seniority": ["vp", None],
         "department": ["Sales", None]}
    )  # fmt: skip
    scores = pd.DataFrame({"lead_id": [1, 2], "score": [10.0, 5.0]})
    touches = pd.DataFrame(
        {"contact_id": pd.Series([], dtype="int64"),
         "occurred_at": pd.Series([], dtype="datetime64[us]")}
    )  # fmt: skip
    deals = pd.DataFrame(
        {"account_id": pd.Series([], dtype="int64"), "is_closed": pd.Series([], dtype=bool),
         "amount": pd.Series([], dtype=float)}
    )  # fmt: skip
    rollup = load_rulebook().accounts
    row = account_scores(scores, contacts, touches, deals, rollup, as_of=datetime(2026, 12, 1))
    assert row.iloc[0]["account_score"] == 10.0
    assert pd.isna(row.iloc[0]["last_touch"]) and row.iloc[0]["engaged_contacts"] == 0
