"""Loading the lifecycle contract: the shipped file is valid; every definition problem is reported."""

from __future__ import annotations

from textwrap import dedent

import pytest

import scoring.lifecycle
from scoring.errors import ContractError
from scoring.lifecycle import load_contract, parse_contract
from scoring.reasons import load_reasons

# An entry stage, a terminal stage and a disqualification that cites a reason: the smallest valid
# contract. Each case below edits it to break exactly one thing.
VALID = """\
version: "1"
stages:
  lead:
    label: Lead
    initial: true
  mql:
    label: MQL
    sla_business_days: 2
  customer:
    label: Customer
    terminal: true
  disqualified:
    label: Disqualified
facts:
  score: the score
  threshold: the threshold
guards:
  hot:
    kind: at_least
    field: score
    minimum: threshold
  owned:
    kind: present
    field: owner_rep_id
  why:
    kind: reason_required
transitions:
  - from: lead
    to: mql
    guards: [hot]
  - from: mql
    to: customer
    guards: [owned]
  - from: disqualified
    to: lead
  - from: "*"
    to: disqualified
    guards: [why]
"""


def _problems(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(ContractError) as caught:
        parse_contract(text, source="c.yaml", **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_the_shipped_contract_is_valid_with_the_shipped_vocabulary() -> None:
    contract = load_contract(vocabulary=load_reasons())
    assert contract.initial_stages == ("subscriber", "lead")
    assert contract.terminal_stages == ("customer",)
    assert contract.stage("mql") is not None
    assert contract.stage("mql").sla_business_days == 2  # type: ignore[union-attr]


def test_the_minimal_contract_is_valid() -> None:
    contract = parse_contract(VALID)
    assert contract.version == "1"
    assert [(t.source, t.target) for t in contract.transitions] == [
        ("lead", "mql"),
        ("mql", "customer"),
        ("disqualified", "lead"),
        ("lead", "disqualified"),
        ("mql", "disqualified"),
    ]


def test_unreachable_trap_and_two_unknown_guard_fields_are_reported_together() -> None:
    text = dedent(
        """\
        version: "1"
        stages:
          lead:
            label: Lead
            initial: true
          mql:
            label: MQL
          customer:
            label: Customer
            terminal: true
          nurture:
            label: Nurture
          disqualified:
            label: Disqualified
        facts:
          score: the score
          threshold: the threshold
        guards:
          hot:
            kind: at_least
            field: scroe
            minimum: threshold
          owned:
            kind: present
            field: owner_id
          why:
            kind: reason_required
        transitions:
          - from: lead
            to: mql
            guards: [hot]
          - from: mql
            to: customer
            guards: [owned]
          - from: nurture
            to: mql
          - from: lead
            to: disqualified
            guards: [why]
        """
    )
    problems = _problems(text)
    assert len(problems) == 4, problems
    assert problems[0] == "c.yaml:11: stage 'nurture' is unreachable from lead"
    assert problems[1] == (
        "c.yaml:13: stage 'disqualified' is a trap: it is not terminal and has no way out"
    )
    assert problems[2].startswith("c.yaml:21: guard 'hot' reads unknown field 'scroe'")
    assert problems[2].endswith("did you mean 'score'?")
    assert problems[3].startswith("c.yaml:25: guard 'owned' reads unknown field 'owner_id'")


def test_a_loop_with_exits_but_no_way_to_a_terminal_stage_is_a_trap() -> None:
    # mql -> customer is gone: lead, mql and disqualified still have exits, but only among
    # themselves; customer can no longer be reached.
    problems = _problems(VALID.replace("    to: customer\n", "    to: lead\n"))
    assert problems == [
        "c.yaml:9: stage 'customer' is unreachable from lead",
        *(
            f"c.yaml:{line}: stage {name!r} is a trap: it is not terminal and no path from it"
            " reaches a terminal stage (customer)"
            for line, name in ((3, "lead"), (6, "mql"), (12, "disqualified"))
        ),
    ]


BROKEN = [
    pytest.param(
        ("    to: mql\n    guards: [hot]", "    to: mqll\n    guards: [hot]"),
        "c.yaml:29: unknown stage 'mqll' (declared: lead, mql, customer, disqualified)",
        id="unknown-stage-in-transition",
    ),
    pytest.param(
        ("  disqualified:\n", "  hot_lead:\n    label: Hot\n  disqualified:\n"),
        "c.yaml:12: unknown stage 'hot_lead'",
        id="stage-the-database-does-not-know",
    ),
    pytest.param(
        ("    guards: [owned]", "    guards: [owned, ownd]"),
        "c.yaml:33: unknown guard 'ownd' (declared: hot, owned, why)",
        id="unknown-guard-name",
    ),
    pytest.param(
        ("    kind: present", "    kind: presnt"),
        "c.yaml:23: unknown guard kind 'presnt'",
        id="unknown-guard-kind",
    ),
    pytest.param(
        ("    minimum: threshold\n", ""),
        "c.yaml:18: a at_least guard needs 'minimum'",
        id="missing-guard-parameter",
    ),
    pytest.param(
        ("    kind: reason_required", "    kind: reason_required\n    field: email"),
        "c.yaml:27: a reason_required guard takes no 'field'",
        id="parameter-the-kind-does-not-take",
    ),
    pytest.param(
        ("sla_business_days: 2", "sla_business_days: -1"),
        "c.yaml:8: an SLA is a positive whole number of business days, not -1",
        id="negative-sla",
    ),
    pytest.param(
        ("    terminal: true", "    terminal: true\n    sla_business_days: 3"),
        "c.yaml:12: terminal stage 'customer' cannot have an SLA",
        id="sla-on-terminal-stage",
    ),
    pytest.param(
        ("  - from: disqualified\n", "  - from: customer\n    to: mql\n  - from: disqualified\n"),
        "c.yaml:34: terminal stage 'customer' cannot have a way out (-> mql)",
        id="terminal-stage-with-exit",
    ),
    pytest.param(
        ("  - from: disqualified\n", "  - from: lead\n    to: mql\n  - from: disqualified\n"),
        "c.yaml:35: lead -> mql is declared twice",
        id="duplicate-transition",
    ),
    pytest.param(
        ("    guards: [why]", "    guards: []"),
        "c.yaml:38: moving to disqualified must cite a reason: add a reason_required guard",
        id="disqualify-without-reason-guard",
    ),
    pytest.param(
        ("  score: the score", "  score: the score\n  email: shadows a column"),
        "c.yaml:16: fact 'email' has the name of a contact column or built-in field",
        id="fact-shadowing-a-column",
    ),
    pytest.param(
        ("    label: MQL", "    label: MQL\n    colour: red"),
        "c.yaml:8: unknown key 'colour'",
        id="unknown-stage-key",
    ),
    pytest.param(
        ("    initial: true", "    initial: yes please"),
        "c.yaml:5: expected true or false",
        id="flag-not-boolean",
    ),
    pytest.param(
        ('version: "1"\n', ""),
        "c.yaml:1: the contract needs a version",
        id="missing-version",
    ),
    pytest.param(
        ("    label: Lead\n    initial: true", "    label: Lead"),
        "c.yaml:2: no initial stage",
        id="no-initial-stage",
    ),
    pytest.param(
        ("    label: Customer\n    terminal: true", "    label: Customer"),
        "c.yaml:2: no terminal stage",
        id="no-terminal-stage",
    ),
    pytest.param(
        ("stages:\n", "stages: [\n"),
        "c.yaml:4: invalid YAML",
        id="invalid-yaml",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), BROKEN)
def test_definition_problems_name_their_line(edit: tuple[str, str], expected: str) -> None:
    old, new = edit
    assert old in VALID
    problems = _problems(VALID.replace(old, new, 1))
    assert any(p.startswith(expected) for p in problems), problems


def test_reason_codes_in_guards_are_checked_against_the_vocabulary() -> None:
    text = VALID.replace(
        "  why:\n",
        "  recyclable:\n    kind: one_of\n    field: last_reason_code\n"
        "    values: [bad_timing, bad_karma]\n  why:\n",
    )
    assert parse_contract(text)  # without a vocabulary the codes are not checked
    problems = _problems(text, vocabulary=load_reasons())
    assert problems == ["c.yaml:28: unknown reason code 'bad_karma' in the vocabulary"]


def test_a_missing_file_is_a_contract_error_naming_it() -> None:
    with pytest.raises(ContractError, match=r"nope\.yaml: cannot read"):
        load_contract("nope.yaml")


def test_public_api_is_exactly_what_is_listed() -> None:
    assert scoring.lifecycle.__all__ == [
        "CONTACT_FIELDS",
        "DEFAULT_CONTRACT",
        "GUARD_KINDS",
        "LIFECYCLE_STAGES",
        "Breach",
        "Contract",
        "Fact",
        "Guard",
        "GuardKind",
        "Stage",
        "StageEntry",
        "Transition",
        "breaches",
        "check_reason",
        "describe",
        "dot",
        "due_at",
        "load_contract",
        "markdown",
        "mermaid",
        "parse_contract",
    ]
    for name in scoring.lifecycle.__all__:
        assert hasattr(scoring.lifecycle, name), name
