"""scoring.learn is pure core: no UI, web or HTTP framework, and no database access, on import."""

from __future__ import annotations

import subprocess
import sys

import scoring.learn

MODULES = (
    "scoring.learn",
    "scoring.learn.compare",
    "scoring.learn.explain",
    "scoring.learn.history",
    "scoring.learn.methods",
    "scoring.learn.report",
    "scoring.learn.suggest",
    "scoring.learn.workflow",
)
FORBIDDEN = (
    "streamlit",
    "fastapi",
    "httpx",
    "uvicorn",
    "scoring.db",
    "scoring.training_data",
    "scoring.cli",
)


def test_the_learning_core_imports_no_edge() -> None:
    code = (
        "import sys\n"
        f"for name in {MODULES!r}: __import__(name)\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_public_api_is_exactly_what_is_listed() -> None:
    assert sorted(scoring.learn.__all__) == sorted(set(scoring.learn.__all__))
    for name in scoring.learn.__all__:
        assert hasattr(scoring.learn, name), name
    assert {"train", "time_split", "check_leakage", "save_model", "load_model", "compare"} <= set(
        scoring.learn.__all__
    )
