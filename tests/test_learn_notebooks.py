"""The notebooks run end to end (so they cannot rot), and are committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from scoring.settings import PROJECT_ROOT
from scoring.training_data import UCI_FILE

NOTEBOOKS = PROJECT_ROOT / "notebooks"
NEEDS_DATA = {"uci_bank_marketing.ipynb": UCI_FILE}


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    needed = NEEDS_DATA.get(path.name)
    if needed is not None and not needed.exists():
        pytest.skip(f"{needed} not present")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    ).execute()
    errors = [
        o
        for cell in notebook.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    assert all(not c["outputs"] and c["execution_count"] is None for c in code), (
        "run `nbstripout notebooks/*.ipynb`"
    )


def test_there_are_a_walkthrough_and_a_real_data_notebook() -> None:
    assert {p.name for p in notebooks()} >= {"walkthrough.ipynb", "uci_bank_marketing.ipynb"}
