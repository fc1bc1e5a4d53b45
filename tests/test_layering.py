"""Layering: the core is pure on import, and the import-linter contracts hold and can break."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import CheckConstraint

from scoring.db.models import Contact
from scoring.lifecycle import CONTACT_FIELDS, LIFECYCLE_STAGES
from scoring.settings import PROJECT_ROOT

CORE = (
    "scoring",
    "scoring.errors",
    "scoring.settings",
    "scoring.located_yaml",
    "scoring.reasons",
    "scoring.access",
    "scoring.rules",
    "scoring.lifecycle",
    "scoring.features",
    "scoring.learn",
    "scoring.analytics",
)
FRAMEWORKS = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "streamlit",
    "uvicorn",
    "httpx",
    "prometheus_client",
)
EDGES = (
    "scoring.db",
    "scoring.store",
    "scoring.warehouse",
    "scoring.api",
    "scoring.handoff",
    "scoring.sources",
    "scoring.cli",
    "scoring.signals",
    "scoring.training_data",
    "scoring.metrics",
    "dashboard",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _loaded_after_importing(modules: tuple[str, ...], watched: tuple[str, ...]) -> list[str]:
    """The watched packages present in sys.modules of a fresh interpreter that imported `modules`."""
    code = (
        "import json, sys\n"
        f"for name in {modules!r}: __import__(name)\n"
        f"watched = {watched!r}\n"
        "loaded = {m for m in sys.modules for w in watched if m == w or m.startswith(w + '.')}\n"
        "print(json.dumps(sorted(loaded)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(pythonpath)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_core_loads_no_database_web_or_ui_framework() -> None:
    assert _loaded_after_importing(CORE, FRAMEWORKS) == []


def test_the_core_loads_no_edge_of_its_own_package() -> None:
    assert _loaded_after_importing(CORE, EDGES) == []


def test_reading_and_writing_tables_does_not_load_alembic() -> None:
    # Only `upgrade` needs Alembic; it is imported when a migration actually runs.
    assert _loaded_after_importing(("scoring.db", "scoring.store"), ("alembic",)) == []


def test_the_contact_fields_the_core_declares_are_the_columns_of_contacts() -> None:
    assert set(Contact.__table__.columns.keys()) == CONTACT_FIELDS


def test_the_database_accepts_exactly_the_stages_the_core_declares() -> None:
    checks = [c for c in Contact.__table__.constraints if isinstance(c, CheckConstraint)]
    stage_check = next(str(c.sqltext) for c in checks if "lifecycle_stage" in str(c.sqltext))
    assert re.findall(r"'([^']+)'", stage_check) == list(LIFECYCLE_STAGES)


def test_the_import_contracts_are_kept() -> None:
    result = _lint_imports(PROJECT_ROOT, PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_each_contract_breaks_when_its_rule_is_broken(tmp_path: Path) -> None:
    for package in ("scoring", "dashboard"):
        shutil.copytree(
            PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    violations = {
        "scoring/rules/hits.py": "import sqlalchemy",  # the core uses a database framework
        "scoring/lifecycle/sla.py": "import scoring.store.lifecycle",  # ... or an edge
        "scoring/settings.py": "import dashboard",  # scoring imports the dashboard
        "scoring/db/engine.py": "import scoring.store",  # an edge imports a layer above it
        "scoring/sources/entities.py": "from scoring.sources import transform",  # a cycle
    }
    for path, line in violations.items():
        module = tmp_path / path
        module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")

    result = _lint_imports(tmp_path, tmp_path)

    assert result.returncode != 0
    assert "0 kept, 4 broken" in result.stdout, result.stdout
    for importer in ("scoring.rules.hits", "scoring.lifecycle.sla", "scoring.settings"):
        assert importer in result.stdout, importer
    assert "in scoring.sources.\nIt could be made acyclic" in result.stdout
