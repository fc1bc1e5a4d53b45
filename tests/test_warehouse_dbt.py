"""`dbt build` on the generated project (dbt-duckdb over the demo's Parquet) passes, and its scores
equal the numpy path lead by lead.

dbt-core pins protobuf below the version the main environment needs (streamlit), so dbt lives in an
environment of its own: SMARKETING_DBT names its `dbt` executable; by default var/dbt-venv under the
project, created here on first use (docs/decisions/0011-dbt-in-its-own-environment.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import skip_unless_required
from warehouse_world import AS_OF, assert_same_scores, exact_groups, make_world

from scoring.db import make_engine, upgrade
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo
from scoring.warehouse.dbt import write_dbt_project

DBT_REQUIREMENTS = ["dbt-core>=1.10,<1.11", "dbt-duckdb>=1.9,<1.12", "duckdb==2.0.1"]


def _dbt() -> Path:
    named = os.environ.get("SMARKETING_DBT")
    if named:
        return Path(named)
    venv = PROJECT_ROOT / "var" / "dbt-venv"
    executable = venv / "bin" / "dbt"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", *DBT_REQUIREMENTS]
        if subprocess.run(pip, check=False).returncode != 0:
            skip_unless_required("dbt-duckdb could not be installed into var/dbt-venv")
    return executable


@pytest.mark.slow
def test_dbt_build_passes_and_scores_equal_numpy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=2000, seed=12)
    world = make_world(engine, url, tmp_path / "parquet")
    engine.dispose()
    project = tmp_path / "project"
    write_dbt_project(
        project, world.rulebook, AS_OF, parquet=world.parquet, competitor_domains=world.competitors
    )
    command = [str(_dbt()), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=project, check=False)
    assert run.returncode == 0, run.stdout[-4000:]
    assert "ERROR=0" in run.stdout and "PASS=" in run.stdout
    with duckdb.connect(str(project / "smarketing.duckdb"), read_only=True) as connection:
        scores = connection.sql("select * from scores").df()
    assert_same_scores(scores, world.scores, exact_groups(world.rulebook))
