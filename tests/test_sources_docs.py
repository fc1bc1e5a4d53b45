"""docs/mapping-profiles.md: its example runs as written, and every option and target is documented."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, select

from scoring.db.models import Account, Contact, LifecycleEvent, Opportunity
from scoring.settings import PROJECT_ROOT
from scoring.sources import import_files, load_profile
from scoring.sources.fields import FIELDS
from scoring.sources.profile import ColumnTarget, FileSpec, JoinSpec, Profile

DOC = (PROJECT_ROOT / "docs" / "mapping-profiles.md").read_text(encoding="utf-8")


def _block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", DOC, re.S)
    assert match, f"no {language} block"
    return match.group(1)


@pytest.fixture
def example(tmp_path: Path) -> tuple[Path, Path]:
    profile = tmp_path / "webinar_leads.yaml"
    profile.write_text(_block("yaml"), encoding="utf-8")
    data = tmp_path / "webinar.csv"
    data.write_text(_block("csv"), encoding="utf-8")
    return profile, data


def test_the_documented_example_imports_as_described(
    sqlite_engine: Engine, example: tuple[Path, Path]
) -> None:
    profile, data = example
    result = import_files(sqlite_engine, load_profile(profile), [str(data)])
    assert result.written is not None and result.written.lifecycle_events == 6 + 2 + 1
    with sqlite_engine.connect() as connection:
        contacts = {c.external_id: c for c in connection.execute(select(Contact)).all()}
        [account] = connection.execute(select(Account)).all()
        [deal] = connection.execute(select(Opportunity)).all()
        reasons = connection.execute(select(LifecycleEvent.reason_code)).scalars().all()
    ada, bob, cat = contacts["webinar:101"], contacts["webinar:102"], contacts["webinar:103"]
    assert (ada.lifecycle_stage, ada.account_id, ada.country) == ("customer", account.id, "DE")
    assert (account.domain, account.name) == ("example.com", "Analytical Engines")
    assert (deal.external_id, deal.amount, deal.primary_contact_id) == (
        "webinar:101:won",
        Decimal("12500.00"),
        ada.id,
    )
    assert (bob.lifecycle_stage, bob.attributes) == (
        "disqualified",
        {"attendee_id": "102", "company": "Bobcorp"},
    )
    assert sorted(r for r in reasons if r) == ["no_budget"]
    assert (cat.lifecycle_stage, cat.email, cat.lead_source) == ("lead", None, "webinar")
    assert ada.attributes == {
        "attendee_id": "101",
        "company": "Analytical Engines",
        "minutes_watched": 42,
    }
    assert load_profile(profile).post_outcome_fields == ("outcome.won", "outcome.amount")


@pytest.mark.parametrize("model", [Profile, FileSpec, ColumnTarget, JoinSpec])
def test_every_profile_option_is_documented(model: type[BaseModel]) -> None:
    missing = [name for name in model.model_fields if f"`{name}`" not in DOC]
    assert not missing, f"docs/mapping-profiles.md does not document {missing}"


def test_every_canonical_target_is_documented() -> None:
    missing = [target for target in FIELDS if f"`{target}`" not in DOC]
    assert not missing, f"docs/mapping-profiles.md does not document {missing}"


def test_every_controlled_vocabulary_is_listed_in_the_mapping_docs() -> None:
    from typing import get_args

    from scoring.api.hubspot import hubspot_values
    from scoring.api.schemas.feedback import Outcome
    from scoring.db.models import CHANNELS, LIFECYCLE_STAGES, TOUCH_KINDS
    from scoring.reasons import load_reasons
    from scoring.settings import PROJECT_ROOT
    from scoring.sources.fields import OPPORTUNITY_STATUSES

    text = (PROJECT_ROOT / "docs" / "mapping-profiles.md").read_text(encoding="utf-8")
    section = text.split("## Controlled vocabularies", 1)[1].split("\n## ", 1)[0]
    values = [
        *CHANNELS,
        *TOUCH_KINDS,
        *LIFECYCLE_STAGES,
        *load_reasons().active_codes,
        *get_args(Outcome),
        *(f"{name}={value}" for name, vs in hubspot_values().properties.items() for value in vs),
        *OPPORTUNITY_STATUSES,
    ]
    missing = [v for v in values if f"`{v}`" not in section and f"`{v}` →" not in section]
    assert not missing, f"docs/mapping-profiles.md misses {missing}"
