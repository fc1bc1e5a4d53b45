"""The disqualification table on small hand-built frames: counts, rates, the most frequent reason and
the most over-represented one, and the order of the rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from scoring.analytics import disqualification_table, reason_deviation

T0 = datetime(2026, 3, 2, 9, 0)
REASONS = ["bad_timing", "no_budget", "no_need"]


def _counts(rows: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=REASONS)


def test_top_reason_is_the_most_frequent_and_over_represented_is_apart() -> None:
    # Everywhere no_budget is the most given reason; campaign "a" gives bad_timing far more often.
    counts = _counts({"a": [40, 50, 10], "b": [5, 75, 20], "c": [5, 75, 20]})
    table = reason_deviation(counts).set_index("group")
    assert table.loc["a", "top_reason"] == "no_budget"
    assert table.loc["a", "top_reason_share"] == pytest.approx(0.5)
    assert table.loc["a", "most_over_represented"] == "bad_timing"
    assert table.loc["a", "residual"] > 0
    assert table.loc["a", "deviates"]
    assert table.loc["b", "top_reason"] == "no_budget"


def test_the_table_is_sorted_by_count_descending_whatever_deviates() -> None:
    counts = _counts({"small": [1, 2, 2], "big": [10, 20, 20], "mid": [15, 2, 3], "tie": [1, 2, 2]})
    table = reason_deviation(counts, min_total=10)
    assert table["group"].tolist() == ["big", "mid", "small", "tie"]
    assert table["total"].tolist() == [50, 20, 5, 5]
    # Too few to test: a most frequent reason, but no over-represented one.
    small = table.set_index("group").loc["small"]
    assert not small["tested"] and small["top_reason"] == "no_budget"
    assert pd.isna(small["most_over_represented"])


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    contacts = pd.DataFrame(
        {
            "contact_id": [1, 2, 3, 4, 5, 6, 7],
            "campaign": ["web", "web", "web", "web", "ads", "ads", "fair"],
            "lifecycle_stage": ["lead", "disqualified", "nurture", "disqualified", "lead", "lead",
                                "lead"],
        }
    )  # fmt: skip
    moves = [
        (2, "mql", "disqualified", 1, "no_budget"),
        (3, "mql", "disqualified", 2, "no_need"),  # disqualified, later moved to nurture
        (3, "disqualified", "nurture", 3, None),
        (3, "nurture", "disqualified", 4, "no_need"),  # twice: two moves, one contact
        (3, "disqualified", "nurture", 5, None),
        (5, "mql", "disqualified", 6, "bad_timing"),
        (5, "disqualified", "lead", 7, None),
    ]
    events = pd.DataFrame(
        moves, columns=["contact_id", "from_stage", "to_stage", "day", "reason_code"]
    )
    events["occurred_at"] = [T0 + timedelta(days=d) for d in events.pop("day")]
    events["note"], events["actor"] = None, "sales"
    return contacts, events


def test_counts_rates_and_reasons_per_campaign() -> None:
    contacts, events = _frames()
    table = disqualification_table(contacts, events).set_index("campaign")
    web, ads, fair = table.loc["web"], table.loc["ads"], table.loc["fair"]
    # web: 2 moved once, 3 moved twice, 4 is disqualified without a recorded move (an import).
    assert (web["contacts"], web["disqualifications"], web["disqualified_contacts"]) == (4, 3, 3)
    assert web["disqualification_rate"] == pytest.approx(3 / 4)
    assert web["top_reason"] == "no_need"  # twice, against no_budget once
    assert (ads["contacts"], ads["disqualifications"], ads["disqualified_contacts"]) == (2, 1, 1)
    assert ads["disqualification_rate"] == pytest.approx(0.5)
    assert ads["top_reason"] == "bad_timing"
    # A campaign without a disqualification is listed, at rate 0, without a reason.
    assert (fair["contacts"], fair["disqualifications"], fair["disqualification_rate"]) == (1, 0, 0)
    assert pd.isna(fair["top_reason"])
    assert table.index.tolist() == ["web", "ads", "fair"]
    assert not table["tested"].any()  # fewer than 30 each: no test, no over-represented reason
    assert table["most_over_represented"].isna().all()


def test_rates_follow_the_sidebar_selection() -> None:
    contacts, events = _frames()
    chosen = contacts[contacts["campaign"] == "ads"]
    table = disqualification_table(chosen, events[events["contact_id"].isin(chosen["contact_id"])])
    assert table["campaign"].tolist() == ["ads"]
    assert table["disqualification_rate"].tolist() == [0.5]
    assert np.issubdtype(table["disqualifications"].dtype, np.integer)
