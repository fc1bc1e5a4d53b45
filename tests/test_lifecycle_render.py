"""The contract rendered for people: Markdown tables, mermaid and dot; the docs match the file."""

from __future__ import annotations

import re

import pytest

from scoring.lifecycle import GUARD_KINDS, Contract, dot, load_contract, markdown, mermaid
from scoring.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "lifecycle.md"
SECTION = re.compile(r"<!-- contract:begin -->\n(.*)<!-- contract:end -->", re.DOTALL)


@pytest.fixture
def contract() -> Contract:
    return load_contract()


def test_the_docs_show_the_current_contract(contract: Contract) -> None:
    found = SECTION.search(DOC.read_text(encoding="utf-8"))
    assert found, "docs/lifecycle.md lost its <!-- contract:begin/end --> markers"
    assert found.group(1) == markdown(contract), (
        "docs/lifecycle.md is stale: paste `smarketing lifecycle show --format markdown`"
        " between its contract markers"
    )


def test_every_guard_kind_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert [kind for kind in GUARD_KINDS if f"| `{kind}` |" not in text] == []


def test_markdown_lists_every_stage_guard_and_declared_transition(contract: Contract) -> None:
    text = markdown(contract)
    for stage in contract.stages:
        assert f"| `{stage.name}` | {stage.label} |" in text
    assert "| `mql` | Marketing-qualified lead |  | 2 business days |" in text
    assert "| lead | mql | score_reaches_threshold, quality_gates_pass |" in text
    assert "| mql, sal, sales_qualified, opportunity | nurture | reason_from_vocabulary |" in text
    assert "| any stage that is not terminal | disqualified | reason_from_vocabulary |" in text
    assert "| `score_reaches_threshold` | score >= threshold |" in text
    assert "| `owner_assigned` | owner_rep_id is set |" in text


def test_mermaid_has_one_edge_per_transition_and_marks_entry_and_end(contract: Contract) -> None:
    lines = mermaid(contract).splitlines()
    assert lines[0] == "stateDiagram-v2"
    edges = [line for line in lines if "-->" in line and "[*]" not in line]
    assert len(edges) == len(contract.transitions)
    assert "    mql --> sal : owner_assigned" in lines
    assert "    sal --> sales_qualified" in lines
    assert "    [*] --> subscriber" in lines
    assert "    customer --> [*]" in lines
    assert '    state "Marketing-qualified lead (SLA 2 business days)" as mql' in lines


def test_dot_is_a_digraph_with_every_edge_and_a_double_border_on_terminal_stages(
    contract: Contract,
) -> None:
    text = dot(contract)
    assert text.startswith("digraph lifecycle {\n") and text.endswith("}\n")
    assert text.count(" -> ") == len(contract.transitions) + len(contract.initial_stages)
    assert '    customer [label="Customer", peripheries=2];' in text
    assert '    mql [label="Marketing-qualified lead\\nSLA 2 business days"];' in text
    assert '    lead -> mql [label="score_reaches_threshold, quality_gates_pass"];' in text
