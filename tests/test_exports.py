"""Exports are formula-injection safe and lossless otherwise."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.exports import FORMULA_TRIGGERS, formula_safe, to_parquet, to_safe_csv

hostile = st.one_of(
    st.text(max_size=30),
    st.builds(lambda t, s: t + s, st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=30)),
    st.sampled_from(
        ["=1+1", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
    ),
)


def _read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@given(st.lists(hostile, min_size=1, max_size=20))
def test_no_exported_cell_starts_with_a_formula_trigger(values: list[str]) -> None:
    rows = _read_back(to_safe_csv(pd.DataFrame({"name": values})))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) - 1 == len(values)
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]


@given(st.lists(hostile, min_size=1, max_size=20))
def test_neutralising_only_prefixes_a_quote(values: list[str]) -> None:
    safe = formula_safe(pd.DataFrame({"name": values}))["name"].tolist()
    for before, after in zip(values, safe, strict=True):
        expected = "'" + before if before.startswith(FORMULA_TRIGGERS) else before
        assert after == expected


def test_numbers_stay_numbers_and_column_names_are_neutralised() -> None:
    frame = pd.DataFrame({"=score": [-5, 10], "email": ["a@x.com", "@evil"]})
    rows = _read_back(to_safe_csv(frame))
    assert rows == [["'=score", "email"], ["-5", "a@x.com"], ["10", "'@evil"]]


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@a", "\tx", "\rx"])
def test_every_trigger_is_neutralised(value: str) -> None:
    assert formula_safe(pd.DataFrame({"c": [value]}))["c"][0] == "'" + value


def test_parquet_round_trip_keeps_values() -> None:
    frame = pd.DataFrame({"id": [1, 2], "name": ["=x", None]})
    back = pd.read_parquet(io.BytesIO(to_parquet(frame)))
    assert back["id"].tolist() == [1, 2]
    assert back["name"][0] == "=x"
    assert pd.isna(back["name"][1])
