"""The training frame carries the canonical contact and account fields beside the imported attributes,
the same way from the database and from files read through a profile; `not_features` leaves columns out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from new_user_export import write_export
from sqlalchemy import Engine

from scoring.learn.imported import ACCOUNT_FIELDS, CONTACT_FIELDS
from scoring.learn.synthetic import synthetic_leads
from scoring.learn.targets import target_named
from scoring.learn.training import train
from scoring.sources import import_files, load_profile
from scoring.training_data import database_leads, profile_leads

CANONICAL = ["lead_source", "job_title", "do_not_contact"]
CUSTOM = ["lead_origin", "total_visits", "time_on_site", "occupation"]


def test_database_and_profile_frames_carry_canonical_fields_and_attributes(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    path, profile = write_export(tmp_path, leads=300, seed=2)
    import_files(sqlite_engine, load_profile(str(profile)), [str(path)])
    from_database = database_leads(sqlite_engine)
    from_files, declared = profile_leads(str(profile), [str(path)])
    source = pd.read_csv(path, dtype=str, keep_default_na=False)
    for frame in (from_database, from_files):
        assert set(CANONICAL + CUSTOM) <= set(frame.columns)
        assert len(frame) == len(source)
    # The same values through both readers, row for row (joined on the lead's position in the file).
    by_file = from_files.sort_values("lead_id").reset_index(drop=True)
    by_database = from_database.sort_values("lead_id").reset_index(drop=True)
    for column in ("lead_source", "job_title", "occupation", "total_visits"):
        left = by_file[column].astype("string").fillna("")
        right = by_database[column].astype("string").fillna("")
        assert (left == right).all(), column
    assert (
        by_file["lead_source"].astype("string").fillna("").tolist()
        == source["Lead Source"].replace("Select", "").tolist()
    )
    assert "tags" in declared or any("Tags" in where for where in declared.values())


def test_an_attribute_named_like_a_canonical_field_is_kept_beside_it_in_both_readers() -> None:
    from scoring.learn.imported import attribute_leads

    contacts = pd.DataFrame(
        {
            "external_id": ["a", "b"],
            "job_title": ["CTO", "Analyst"],
            "attributes": [{"job_title": "cto (crm)", "visits": 3}, {"visits": 1}],
            "won": [True, False],
        }
    )
    frame = attribute_leads(contacts)
    assert frame["job_title"].tolist() == ["CTO", "Analyst"]
    assert frame["attributes.job_title"].tolist()[0] == "cto (crm)"
    assert frame["visits"].tolist() == [3, 1]
    assert set(CONTACT_FIELDS) >= {"job_title"} and "industry" in ACCOUNT_FIELDS


def test_not_features_are_left_out_of_the_model_and_named_in_its_card() -> None:
    leads = synthetic_leads(2000, seed=3)
    dropped = "employees"
    assert dropped in leads.columns
    run = train(
        leads,
        target_named("won"),
        cutoff="2024-12-01",
        kind="logistic",
        resamples=10,
        not_features=[dropped],
    )
    assert dropped not in run.model.schema.columns
    assert dropped in run.model.card.to_markdown()
    with pytest.raises(Exception, match="shoe_size"):
        train(leads, target_named("won"), cutoff="2024-12-01", not_features=["shoe_size"])
