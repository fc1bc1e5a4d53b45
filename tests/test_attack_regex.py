"""Replayed attack: a `matches` rule with catastrophic backtracking was accepted and hung scoring.

`matches` runs on RE2 (google-re2) in the numpy face and in SQLite's REGEXP, DuckDB's regexp_matches
is RE2 itself: `(a+)+$` over 100,000 distinct job titles finishes (pytest-timeout bounds it; Python's
`re` takes minutes on one such title). A pattern RE2 cannot compile is refused when the rulebook is
loaded, naming the rule's line.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from sqlalchemy import create_engine, event

from scoring.errors import RulebookError
from scoring.features.table import feature_arrow
from scoring.rules import evaluate_hits, load_rulebook, score
from scoring.store.features import write_features
from scoring.warehouse import compile_rulebook
from scoring.warehouse.dialects import register_sqlite_functions

TITLES = 100_000
RULEBOOK = """\
version: "attack.1"
groups:
  fit: {{min: -40, max: 60}}
  engagement: {{min: -30, max: 70}}
grades:
  A: 40
  D: ~
mql:
  threshold: 60
rules:
  - id: harmless
    group: fit
    when: {{column: employees, op: gte, value: 10}}
    points: 1
  - id: nested
    group: fit
    when: {{column: job_title, op: matches, value: "{pattern}"}}
    points: 10
"""


def rulebook_file(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "rulebook.yaml"
    path.write_text(RULEBOOK.format(pattern=pattern), encoding="utf-8")
    return path


def features() -> pd.DataFrame:
    # every title is a run of a's then "!" (the worst case for a backtracking engine); one in ten
    # ends on the run and matches
    titles = [f"{i:06d}" + "a" * 40 + ("" if i % 10 == 0 else "!") for i in range(TITLES)]
    return pd.DataFrame(
        {
            "lead_id": range(1, TITLES + 1),
            "job_title": pd.Categorical(titles),
            "employees": [5] * TITLES,
        }
    )


@pytest.mark.timeout(5)
def test_nested_quantifiers_over_100k_titles_finish_in_the_scoring_engine(tmp_path: Path) -> None:
    rulebook = load_rulebook(rulebook_file(tmp_path, "(a+)+$"))
    fits = score(evaluate_hits(rulebook, features())).frame()["fit"]
    assert int((fits == 10).sum()) == TITLES // 10


@pytest.mark.timeout(15)
def test_nested_quantifiers_over_100k_titles_finish_in_sqlite_and_duckdb(tmp_path: Path) -> None:
    rulebook = load_rulebook(rulebook_file(tmp_path, "(a+)+$"))
    frame = features()
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda dbapi, record: register_sqlite_functions(dbapi))
    with engine.begin() as connection:
        write_features(connection, frame)
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(compile_rulebook(rulebook, "sqlite"))
        sqlite_matched = sum(1 for row in cursor.fetchall() if row[1] == 10)
    assert sqlite_matched == TITLES // 10

    duck = duckdb.connect()
    duck.register("source", feature_arrow(frame))
    duck.execute("CREATE TABLE features AS SELECT * FROM source")
    rows = duck.execute(compile_rulebook(rulebook, "duckdb")).fetchall()
    assert sum(1 for row in rows if row[1] == 10) == TITLES // 10


@pytest.mark.parametrize(
    "pattern", ["a{2000}", "(a{1000}){1000}"], ids=["repetition over 1000", "nested repetitions"]
)
def test_a_pattern_re2_refuses_is_rejected_at_load_with_the_rules_line(
    tmp_path: Path, pattern: str
) -> None:
    with pytest.raises(RulebookError) as refused:
        load_rulebook(rulebook_file(tmp_path, pattern))
    message = str(refused.value)
    assert f"{tmp_path / 'rulebook.yaml'}:" in message
    line = RULEBOOK.splitlines().index("  - id: nested") + 1
    assert any(f"rulebook.yaml:{n}" in message for n in range(line, line + 4)), message
    assert "RE2" in message
