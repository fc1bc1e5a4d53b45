"""A dbt project generated from the same compilers: sources, a features model, a scores model, tests.

    write_dbt_project(Path("scoring_dbt"), rulebook, as_of, parquet=Path("exports/2026-11-01"))

models/features.sql is the feature SELECT over `{{ source('smarketing', ...) }}`; models/scores.sql
the rulebook's SELECT over `{{ ref('features') }}`. Tests: lead ids not null and unique in both
models, grades and MQL flags among the accepted values, failed gates only the rulebook's gate ids.
The as-of time and the rulebook version are fixed when the project is written (the SQL carries
them as literals): regenerate the project with the run's as-of, or schedule the generation.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import column, select, table

from scoring.rules.spec import Rulebook
from scoring.warehouse.dialects import render
from scoring.warehouse.features_sql import SOURCE_COLUMNS, feature_select
from scoring.warehouse.functions import full_match
from scoring.warehouse.rules_sql import rulebook_select

_SOURCE_SCHEMA = "smarketing_source_placeholder"
_FEATURES = "smarketing_features_placeholder"
PROJECT = "smarketing_scores"


def _features_sql(as_of: datetime, rulebook: Rulebook, dialect: str, competitors: Any) -> str:
    statement = feature_select(
        as_of, columns=None, competitor_domains=competitors, schema=_SOURCE_SCHEMA
    )
    sql = render(statement, dialect)
    for name in SOURCE_COLUMNS:
        sql = sql.replace(f"{_SOURCE_SCHEMA}.{name}", f"{{{{ source('smarketing', '{name}') }}}}")
    return sql


def _scores_sql(rulebook: Rulebook, dialect: str) -> str:
    sql = render(rulebook_select(rulebook, _FEATURES), dialect)
    return sql.replace(_FEATURES, "{{ ref('features') }}")


def _gates_test(rulebook: Rulebook, dialect: str) -> str:
    ids = "|".join(g.id for g in rulebook.gates) or "none"
    scores = table(_FEATURES, column("lead_id"), column("failed_gates"))
    known = full_match(scores.c.failed_gates, f"({ids})(,({ids}))*")
    query = select(scores.c.lead_id, scores.c.failed_gates).where(
        scores.c.failed_gates != "", ~known
    )
    return render(query, dialect).replace(_FEATURES, "{{ ref('scores') }}")


def _sources(parquet: Path | None) -> dict[str, Any]:
    tables: list[dict[str, Any]] = []
    for name in SOURCE_COLUMNS:
        entry: dict[str, Any] = {"name": name}
        if parquet is not None:
            entry["meta"] = {"external_location": str(parquet.resolve() / f"{name}.parquet")}
        tables.append(entry)
    return {"version": 2, "sources": [{"name": "smarketing", "tables": tables}]}


def _schema(rulebook: Rulebook) -> dict[str, Any]:
    lead_id = {"name": "lead_id", "data_tests": ["not_null", "unique"]}
    grades = [name for name, _ in rulebook.grades]
    return {
        "version": 2,
        "models": [
            {"name": "features", "columns": [lead_id]},
            {
                "name": "scores",
                "description": f"Scores of rulebook {rulebook.version}",
                "columns": [
                    lead_id,
                    {
                        "name": "grade",
                        "data_tests": [{"accepted_values": {"arguments": {"values": grades}}}],
                    },
                    {
                        "name": "mql",
                        "data_tests": [{"accepted_values": {"arguments": {"values": [0, 1]}}}],
                    },
                ],
            },
        ],
    }


def write_dbt_project(
    folder: Path,
    rulebook: Rulebook,
    as_of: datetime,
    *,
    dialect: str = "duckdb",
    parquet: Path | None = None,
    competitor_domains: Collection[str] = (),
) -> list[Path]:
    """Write the project into `folder` (created); returns the files written.

    With `parquet`, the sources read that folder's Parquet files (dbt-duckdb's external_location).
    A profiles.yml for dbt-duckdb (database file `smarketing.duckdb` in the folder) comes along.
    """
    files: dict[str, str] = {
        "dbt_project.yml": yaml.safe_dump(
            {
                "name": PROJECT,
                "version": "1.0.0",
                "config-version": 2,
                "profile": PROJECT,
                "vars": {"as_of": as_of.isoformat(), "rulebook_version": rulebook.version},
                "models": {PROJECT: {"+materialized": "table"}},
            },
            sort_keys=False,
        ),
        "profiles.yml": yaml.safe_dump(
            {
                PROJECT: {
                    "target": "dev",
                    "outputs": {
                        "dev": {
                            "type": "duckdb",
                            "path": str(folder.resolve() / "smarketing.duckdb"),
                        }
                    },
                }
            }
        ),
        "models/sources.yml": yaml.safe_dump(_sources(parquet), sort_keys=False),
        "models/schema.yml": yaml.safe_dump(_schema(rulebook), sort_keys=False),
        "models/features.sql": _features_sql(as_of, rulebook, dialect, competitor_domains) + "\n",
        "models/scores.sql": _scores_sql(rulebook, dialect) + "\n",
        "tests/failed_gates_are_known.sql": _gates_test(rulebook, dialect) + "\n",
    }
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
