"""The vectorised contract check: routes, refusals and guards, and parity with the scalar guards."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.lifecycle import load_contract
from scoring.lifecycle.batch import check_moves
from scoring.lifecycle.batch_guards import scope_of
from scoring.lifecycle.guards import unmet_guard
from scoring.lifecycle.routes import routes
from scoring.reasons import load_reasons

VOCABULARY = load_reasons()
CONTRACT = load_contract(vocabulary=VOCABULARY)
STAGES = CONTRACT.stage_names


def _moves(*rows: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame.insert(0, "row", range(len(frame)))
    frame.insert(1, "contact", [f"c{i}" for i in range(len(frame))])
    return frame


def test_the_shortest_route_to_customer_starts_at_lead() -> None:
    found = routes(CONTRACT, "lead").shortest
    assert found[(None, "customer")] == (
        "lead", "mql", "sal", "sales_qualified", "opportunity", "customer"
    )  # fmt: skip
    assert found[("disqualified", "mql")] == ("nurture", "mql")
    assert ("customer", "lead") not in found


@pytest.mark.parametrize(
    ("move", "rule"),
    [
        ({"from_stage": "customer", "to_stage": "lead"}, "customer is terminal"),
        ({"from_stage": None, "to_stage": "mql"}, "a new contact enters at subscriber or lead"),
        ({"from_stage": "lead", "to_stage": "sal"}, "no transition lead -> sal"),
        ({"from_stage": "lead", "to_stage": "disqualified"}, "a reason code is required"),
        (
            {"from_stage": "lead", "to_stage": "disqualified", "reason_code": "spam"},
            "reason code 'spam' is retired",
        ),
        ({"from_stage": "mql", "to_stage": "sal", "witnessed": True}, "owner_rep_id is not set"),
        ({"from_stage": "lead", "to_stage": "gone"}, "unknown stage 'gone'"),
    ],
)
def test_a_refused_move_names_its_rule(move: dict[str, Any], rule: str) -> None:
    verdict = check_moves(_moves({"owner_rep_id": None, **move}), CONTRACT, VOCABULARY)
    [found] = verdict.violations["rule"].tolist()
    assert rule in found
    assert verdict.violations["row"].tolist() == [0]


def test_accepted_moves_record_their_steps_in_order() -> None:
    verdict = check_moves(
        _moves(
            {
                "from_stage": None,
                "to_stage": "disqualified",
                "reason_code": "no_need",
                "implied": True,
            },
            {"from_stage": "mql", "to_stage": "sal", "owner_rep_id": 3, "witnessed": True},
            {"from_stage": "lead", "to_stage": "lead"},
        ),
        CONTRACT,
        VOCABULARY,
    )
    assert verdict.ok
    steps = verdict.steps[["row", "from_stage", "to_stage", "reason_code"]]
    assert [tuple(r) for r in steps.astype(object).where(steps.notna(), None).to_numpy()] == [
        (0, None, "lead", None),
        (0, "lead", "disqualified", "no_need"),
        (1, "mql", "sal", None),
    ]


values = st.fixed_dictionaries(
    {
        "from_stage": st.sampled_from(STAGES),
        "to_stage": st.sampled_from(STAGES),
        "reason_code": st.sampled_from([None, "", "spam", *sorted(VOCABULARY.active_codes)]),
        "last_reason_code": st.sampled_from([None, "no_need", "bad_timing"]),
        "owner_rep_id": st.sampled_from([None, 7]),
        "account_id": st.sampled_from([None, 9]),
    }
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(values, min_size=1, max_size=30))
def test_direct_moves_agree_with_the_scalar_guards(rows: list[dict[str, Any]]) -> None:
    moves = _moves(*({**row, "witnessed": True} for row in rows))
    refused = set(check_moves(moves, CONTRACT, VOCABULARY).violations["row"])
    for index, row in enumerate(rows):
        if row["from_stage"] == row["to_stage"]:
            assert index not in refused
            continue
        transition = CONTRACT.transition(row["from_stage"], row["to_stage"])
        unmet = (
            [None]
            if transition is None
            else [
                g
                for g in transition.guards
                if scope_of(CONTRACT, g) != "fact" and unmet_guard(g, row, VOCABULARY)
            ]
        )
        assert (index in refused) == bool(unmet), row


def test_a_replay_flags_a_broken_chain_and_a_wrong_final_stage() -> None:
    from scoring.lifecycle.replay import replay

    events = pd.DataFrame(
        {
            "contact": ["a", "a", "b"],
            "from_stage": [None, "mql", None],
            "to_stage": ["lead", "sal", "lead"],
            "reason_code": [None, None, None],
        }
    )
    contacts = pd.DataFrame(
        {"lifecycle_stage": ["sal", "mql"], "owner_rep_id": [1, None], "account_id": [2, 2]},
        index=["a", "b"],
    )
    found = replay(events, CONTRACT, VOCABULARY, contacts=contacts)
    assert found[["row", "rule"]].to_numpy().tolist() == [
        [1, "the history is broken: the row before ends at lead"],
        [2, "the contact's stage is not where its history ends"],
    ]
