"""Operator semantics, one table: each case is checked on the numpy face AND the SQL face (SQLite,
DuckDB), and the English face is pinned. Missing values satisfy nothing but `is_missing`."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import case, create_engine, event, select

from scoring.features.columns import FEATURES, KINDS
from scoring.features.frame import as_category
from scoring.features.table import feature_arrow
from scoring.rules import OPERATORS
from scoring.rules.arguments import pattern_problem
from scoring.rules.faces import fold
from scoring.rules.hits import evaluate
from scoring.rules.spec import Condition, Predicate
from scoring.store.features import write_features
from scoring.warehouse.dialects import register_sqlite_functions, render
from scoring.warehouse.faces import SQL_FACES, sql_condition
from scoring.warehouse.rules_sql import predicate_sql
from scoring.warehouse.tables import feature_table

NAN = np.nan
LEADS = pd.DataFrame(
    {
        "lead_id": np.arange(1, 6, dtype=np.int64),
        "industry": as_category(pd.Series(["Software", "software", None, "Fintech", "Éducation"])),
        "job_title": as_category(
            pd.Series(["VP Sales", "Head of RevOps", None, "100% Growth_Lead", "ÉTUDIANT"])
        ),
        "employees": np.array([10, 200, NAN, 5000, 0], dtype=np.float64),
        "pricing_views_30d": np.array([0, 1, 2, 3, 4], dtype=np.int32),
        "days_since_touch": np.array([0, 7.5, NAN, 30, 90], dtype=np.float64),
        "email_valid": np.array([True, False, True, False, True]),
    }
)

CASES: list[tuple[str, str, Any, list[int]]] = [
    ("eq", "industry", "Software", [1, 0, 0, 0, 0]),  # exact, case-sensitive
    ("eq", "employees", 200, [0, 1, 0, 0, 0]),
    ("ne", "industry", "Software", [0, 1, 0, 1, 1]),  # missing is not "not Software"
    ("ne", "employees", 10, [0, 1, 0, 1, 1]),
    ("in", "industry", ["Software", "Fintech"], [1, 0, 0, 1, 0]),
    ("in", "employees", [0, 5000], [0, 0, 0, 1, 1]),
    ("in", "pricing_views_30d", [1, 3], [0, 1, 0, 1, 0]),
    ("not_in", "industry", ["Software"], [0, 1, 0, 1, 1]),  # missing: False
    ("not_in", "employees", [10], [0, 1, 0, 1, 1]),  # NaN: False
    ("between", "employees", [10, 200], [1, 1, 0, 0, 0]),  # inclusive
    ("between", "days_since_touch", [7.5, 30], [0, 1, 0, 1, 0]),
    ("gt", "days_since_touch", 7.5, [0, 0, 0, 1, 1]),
    ("gte", "days_since_touch", 7.5, [0, 1, 0, 1, 1]),
    ("lt", "employees", 200, [1, 0, 0, 0, 1]),
    ("lte", "employees", 200, [1, 1, 0, 0, 1]),
    ("at_least", "pricing_views_30d", 2, [0, 0, 1, 1, 1]),
    ("at_most", "pricing_views_30d", 0, [1, 0, 0, 0, 0]),
    ("contains_any", "job_title", ["vp"], [1, 0, 0, 0, 0]),  # ASCII case folded
    ("contains_any", "job_title", ["REVOP", "growth"], [0, 1, 0, 1, 0]),
    ("contains_any", "job_title", ["%"], [0, 0, 0, 1, 0]),  # LIKE wildcards are literal
    ("contains_any", "job_title", ["s_l"], [0, 0, 0, 0, 0]),  # would match "VP Sales" unescaped
    ("contains_any", "job_title", ["h_l"], [0, 0, 0, 1, 0]),
    ("contains_any", "job_title", ["é"], [0, 0, 0, 0, 0]),  # non-ASCII is not folded
    ("contains_any", "job_title", ["É"], [0, 0, 0, 0, 1]),
    ("matches", "job_title", "^(vp|head)", [1, 1, 0, 0, 0]),
    ("matches", "job_title", "^[0-9]+% ", [0, 0, 0, 1, 0]),
    ("matches", "job_title", "ops$", [0, 1, 0, 0, 0]),
    ("matches", "job_title", "^é", [0, 0, 0, 0, 0]),
    ("is_missing", "industry", None, [0, 0, 1, 0, 0]),
    ("is_missing", "employees", None, [0, 0, 1, 0, 0]),
    ("is_present", "days_since_touch", None, [1, 1, 0, 1, 1]),
    ("is_true", "email_valid", None, [1, 0, 1, 0, 1]),
    ("is_false", "email_valid", None, [0, 1, 0, 1, 0]),
]


def _condition(op: str, column: str, raw: Any) -> Condition:
    value, problem = OPERATORS[op].argument.check(raw, FEATURES[column].kind)
    assert problem is None
    return Condition(column, op, value)


def _sql(condition: Condition, dialect: str) -> str:
    source = feature_table("features", list(LEADS.columns))
    flag = case((predicate_sql(Predicate((condition,)), source), 1), else_=0)
    return render(select(source.c.lead_id, flag).order_by(source.c.lead_id), dialect)


@pytest.fixture(scope="module")
def sqlite_leads():
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda dbapi, record: register_sqlite_functions(dbapi))
    with engine.begin() as connection:
        write_features(connection, LEADS)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def duckdb_leads():
    connection = duckdb.connect()
    connection.register("source", feature_arrow(LEADS))
    connection.execute("CREATE TABLE features AS SELECT * FROM source")
    yield connection
    connection.close()


@pytest.mark.parametrize(("op", "column", "value", "expected"), CASES)
def test_numpy_face(op: str, column: str, value: Any, expected: list[int]) -> None:
    mask = evaluate(Predicate((_condition(op, column, value),)), LEADS)
    assert mask.astype(int).tolist() == expected


@pytest.mark.parametrize(("op", "column", "value", "expected"), CASES)
def test_sqlite_face(sqlite_leads, op: str, column: str, value: Any, expected: list[int]) -> None:
    with sqlite_leads.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        rows = cursor.execute(_sql(_condition(op, column, value), "sqlite")).fetchall()
    assert [flag for _, flag in rows] == expected


@pytest.mark.parametrize(("op", "column", "value", "expected"), CASES)
def test_duckdb_face(duckdb_leads, op: str, column: str, value: Any, expected: list[int]) -> None:
    rows = duckdb_leads.execute(_sql(_condition(op, column, value), "duckdb")).fetchall()
    assert [flag for _, flag in rows] == expected


@pytest.mark.parametrize(
    ("op", "column", "value", "english"),
    [
        ("eq", "seniority", "vp", "seniority is vp"),
        ("in", "industry", ["Software", "Fintech"], "industry is Software or Fintech"),
        ("in", "industry", ["A", "B", "C"], "industry is A, B or C"),
        ("not_in", "industry", ["A", "B"], "industry is neither A nor B"),
        ("not_in", "industry", ["A"], "industry is not A"),
        ("between", "employees", [200, 5000], "employees is between 200 and 5,000"),
        ("gte", "completeness", 0.8, "completeness is at least 0.8"),
        ("at_least", "pricing_views_30d", 2, "2 or more pricing page views in the last 30 days"),
        ("at_most", "touches_90d", 0, "no touches in the last 90 days"),
        (
            "contains_any",
            "job_title",
            ["vp", "chief"],
            'job title contains "vp" or "chief" (ignoring case)',
        ),
        ("matches", "job_title", "^vp", "job title matches the pattern /^vp/ (ignoring case)"),
        ("is_missing", "industry", None, "industry is missing"),
        ("is_true", "personal_email", None, "personal email: yes"),
    ],
)
def test_english_face(op: str, column: str, value: Any, english: str) -> None:
    assert _condition(op, column, value).english() == english


def test_every_operator_declares_its_pure_faces_and_a_valid_example() -> None:
    for name, op in OPERATORS.items():
        assert op.name == name and op.help and op.kinds <= set(KINDS)
        column, raw = op.example
        assert FEATURES[column].kind in op.kinds, name
        value, problem = op.argument.check(raw, FEATURES[column].kind)
        assert problem is None, (name, problem)
        assert callable(op.evaluate) and op.english("x", value)


def test_every_operator_has_exactly_one_sql_face_and_every_sql_face_an_operator() -> None:
    assert sorted(SQL_FACES) == sorted(OPERATORS)
    for name, op in OPERATORS.items():
        column, raw = op.example
        value, _ = op.argument.check(raw, FEATURES[column].kind)
        expression = sql_condition(name, feature_table("features", [column]).c[column], value)
        assert render(expression, "postgresql"), name


def test_folding_is_ascii_only_like_sqlite_lower() -> None:
    assert fold("ÀÉ İstanbul STRASSE ß") == "ÀÉ İstanbul strasse ß"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("^(vp|head) of", None),
        ("[0-9]{2,}", None),
        ("\\d+", "differ between engines"),
        ("(?i)vp", "not portable"),
        ("[[:alpha:]]", "not portable"),
        ("VP", "lower case"),
        ("a{,3}", "quantifier"),
        ("(unclosed", "not a regular expression"),
    ],
)
def test_patterns_must_be_portable(pattern: str, problem: str | None) -> None:
    found = pattern_problem(pattern)
    assert (found is None) if problem is None else (problem in (found or ""))
