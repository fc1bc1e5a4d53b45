"""A parked verdict resolved at once by a person (`smarketing feedback resolve`) and by the CRM's
reason (the HubSpot webhook): one wins, the other is told who did, and nothing is overwritten
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from handoff_world import engine_of, hubspot_webhook
from sqlalchemy.orm import Session
from test_api_hubspot_values import _lead, _parked, change, client  # noqa: F401
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.errors import DataError
from scoring.policy import in_force
from scoring.signals import utcnow
from scoring.store.parked import claim, find, resolve

CRM_WON = [(1, "applied", "hs_lead_status=UNQUALIFIED", "competitor")]


def test_the_crm_resolving_first_makes_the_persons_resolve_fail_cleanly(client) -> None:  # noqa: F811
    engine = engine_of(client)
    hubspot_webhook(client, [change(1, "hs_lead_status", "UNQUALIFIED")])
    policy = in_force(engine)
    with Session(engine) as person:  # `feedback resolve 1` has read the row: waiting
        parked = find(person, 1)
        assert parked.status == "waiting"
        [crm] = hubspot_webhook(
            client, [change(2, "smarketing_disqualification_reason", "competitor")]
        )
        assert crm["status"] == "applied"
        with pytest.raises(DataError) as caught:
            resolve(person, parked, "bad_timing", contract=policy.contract,
                    vocabulary=policy.vocabulary, actor="ana", now=utcnow())  # fmt: skip
        person.commit()
    assert "parked verdict 1 is already applied by crm:hubspot (reason competitor)" in str(
        caught.value
    )
    assert _parked(engine) == CRM_WON
    stage, history = _lead(engine)
    assert stage == "disqualified" and history[-1] == ("disqualified", "competitor")
    assert [h for h in history if h[0] == "disqualified"] == [("disqualified", "competitor")]


def test_the_command_line_says_who_resolved_it_and_exits_1(client) -> None:  # noqa: F811
    engine = engine_of(client)
    hubspot_webhook(client, [change(1, "hs_lead_status", "UNQUALIFIED")])
    hubspot_webhook(client, [change(2, "smarketing_disqualification_reason", "competitor")])
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli, ["feedback", "resolve", "1", "--reason", "bad_timing", "-d", url]
    )
    assert result.exit_code == 1
    assert "already applied by crm:hubspot" in str(result.exception or result.output)
    assert _parked(engine) == CRM_WON


def test_only_one_of_two_sessions_claims_a_waiting_verdict(client) -> None:  # noqa: F811
    engine = engine_of(client)
    hubspot_webhook(client, [change(1, "hs_lead_status", "UNQUALIFIED")])
    with Session(engine) as first, Session(engine) as second:
        assert find(first, 1).status == find(second, 1).status == "waiting"
        assert claim(first, 1, "competitor", "crm:hubspot", utcnow())
        first.commit()
        assert not claim(second, 1, "bad_timing", "ana", utcnow())
        second.commit()
    assert _parked(engine) == CRM_WON


@pytest.mark.parametrize("raw", ["99999999999999999999", "0", "-3"])
def test_an_id_out_of_range_is_a_clear_error(raw: str) -> None:
    result = CliRunner().invoke(cli, ["feedback", "resolve", "--reason", "x", "--", raw])
    assert result.exit_code == 2
    assert "Invalid value for 'parked_id'" in result.output
    assert "OverflowError" not in result.output
