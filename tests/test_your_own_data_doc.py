"""docs/your-own-data.md, run: every `$ smarketing` line of the walk-through, in order, on every fifth
UCI call (the sample the page quotes), and the figures the page gives are the ones printed.

Skipped when ../shared/datasets is absent.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from sources_world import UCI
from typer.testing import CliRunner

from scoring.cli import app
from scoring.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "your-own-data.md"
DATASET = "../shared/datasets/uci_bank_marketing/bank-additional-full.csv"


def _commands() -> list[list[str]]:
    lines = re.findall(r"^\$ smarketing (.+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    return [shlex.split(line) for line in lines]


def test_the_page_names_each_step_once_in_order() -> None:
    steps = [c[0] if c[0] != "rules" else f"rules {c[1]}" for c in _commands()]
    assert steps == [
        "import", "whatif", "rules suggest", "rules check", "rules publish", "whatif", "train",
        "compare",
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not UCI.is_file(), reason=f"{UCI} is not present")
def test_the_walk_through_runs_and_prints_the_figures_it_quotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = UCI.read_text(encoding="utf-8").splitlines(keepends=True)
    sample = tmp_path / "bank-sample.csv"
    sample.write_text(lines[0] + "".join(lines[4::5]), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    said: dict[str, str] = {}
    for args in _commands():
        args = [
            url if a == "sqlite:///bank.db" else str(sample) if a == DATASET else a for a in args
        ]
        result = runner.invoke(
            app, args, env={"SMARKETING_HOME": str(tmp_path / "home"), "COLUMNS": "140"}
        )
        assert result.exit_code == 0, (args, result.output, result.exception)
        key = args[0] if args[0] != "rules" else f"rules {args[1]}"
        said[key] = said.get(key, "") + " ".join(result.output.split())
    assert "936 won without a close date" in said["import"]
    assert "│ 30 │ 0 │" in said["whatif"]  # the shipped rulebook: no MQL on a bank's calls
    suggest = said["rules suggest"]
    assert "| proposed | 8237 | 1997 | 633 | 0.317 | 0.114 |" in suggest
    assert "nr employed is less than 5,100" in suggest and "duration" not in suggest.split("|")[-1]
    assert "STRATIFIED 5-FOLD CROSS-VALIDATION, because all 8,237 leads" in said["train"]
    assert "`duration`: declared_post_outcome" in said["train"]
    compare = said["compare"]
    assert "0.797 [0.780, 0.813] │ 1997 │ 633" in compare
    assert "0.803 [0.786, 0.818] │ 1997 │ 632" in compare
    assert (tmp_path / "bank-rulebook.yaml").is_file() and (tmp_path / "bank-report.md").is_file()
