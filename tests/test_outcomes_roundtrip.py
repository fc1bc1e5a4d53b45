"""Imported outcomes without close dates survive the round trip through every reader, with one count."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from new_user_export import export_frame, write_export
from sqlalchemy import Engine

from scoring.analytics.campaigns import campaign_table
from scoring.analytics.funnel import funnel_counts, reached_stages
from scoring.db import frames as tables
from scoring.learn import target_named
from scoring.learn.targets import happened, label
from scoring.learn.validation import random_split
from scoring.rules import evaluate_hits, load_rulebook, score
from scoring.rules.lab import Outcomes
from scoring.rules.whatif import ThresholdIndex
from scoring.sources import import_files, load_profile
from scoring.training_data import database_leads


def _imported(engine: Engine, folder: Path) -> int:
    csv, profile = write_export(folder, leads=300, seed=4)
    import_files(engine, load_profile(str(profile)), [str(csv)])
    return int(export_frame(300, 4)["Converted"].sum())


def test_won_without_a_close_date_counts_as_won_in_every_reader(
    engine: Engine, tmp_path: Path
) -> None:
    wins = _imported(engine, tmp_path)
    assert 0 < wins < 300
    contacts = tables.read_contacts(engine)
    events = tables.read_lifecycle_events(engine)
    reached = reached_stages(contacts, events)
    funnel = funnel_counts(reached).set_index("stage")["contacts"]
    assert funnel["customer"] == wins
    by_campaign = campaign_table(
        contacts, reached, events, tables.read_opportunities(engine), tables.read_campaigns(engine),
        by="campaign",
    )  # fmt: skip
    assert by_campaign["won"].sum() == wins

    leads = database_leads(engine)
    assert leads["won_at"].isna().all()  # no date is invented...
    assert leads["won_date_unknown"].sum() == wins  # ...the frame says the date is unknown
    assert happened(leads, "won_at").sum() == wins

    won = target_named("won")
    labelled = label(leads, won, final=True)
    assert len(labelled.y) == 300 and labelled.y.sum() == wins
    split = random_split(leads, won)
    assert split.y_train.sum() + split.y_test.sum() == wins
    assert "OUTCOMES TREATED AS FINAL" in split.description

    outcomes = Outcomes.of(leads)  # the dashboard's data layer reads the same frame this way
    assert outcomes.won.sum() == wins
    book = load_rulebook()
    index = ThresholdIndex.from_scores(
        score(evaluate_hits(book, leads)), won=outcomes.won, accepted=outcomes.accepted
    )
    assert index.won_total == wins
    assert np.isfinite(index.at(-1000).recall_won) or index.at(-1000).mqls == 0


def test_a_dated_win_keeps_its_date_and_no_flag() -> None:
    from scoring.learn.history import outcome_times

    opportunities = pd.DataFrame(
        {
            "primary_contact_id": [1, 2, 2],
            "is_won": [True, True, True],
            "closed_at": pd.to_datetime(["2026-01-05", None, "2026-02-01"]),
        }
    )
    events = pd.DataFrame({"contact_id": [], "to_stage": [], "occurred_at": []})
    times = outcome_times(events, opportunities)
    assert times.loc[2, "won_at"] == pd.Timestamp("2026-02-01")
    assert not times["won_date_unknown"].fillna(False).any()
