"""The sidebar's Refresh reads every table again: an edit that adds no row (so leaves the data token
as it was) shows in the scores and on the Accounts page after it, not before."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import update

from scoring.db.engine import make_engine
from scoring.db.models import Account, Contact
from tests.conftest import demo_database


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "refresh", leads=600, seed=5)


def test_refresh_shows_edits_that_add_no_row(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import data

    monkeypatch.setenv("SMARKETING_AS_OF", "2026-10-30T00:00:00")
    data.engine.clear()
    data.forget_everything()
    source = data.snapshot(demo_url)
    moment = data.as_of(data.frames(source))
    _, before = data.current(source, moment)
    assert not _shows(data.account_view(source, moment, True).table, "Renamed Holdings")
    executives = before.set_index("lead_id")["score"]

    engine = make_engine(demo_url)
    with engine.begin() as connection:
        connection.execute(update(Contact).values(seniority="individual_contributor"))
        connection.execute(update(Account).values(name="Renamed Holdings"))
    engine.dispose()
    same = data.snapshot(demo_url)
    assert same.data == source.data  # nothing added: the token cannot tell

    _, stale = data.current(same, moment)
    assert stale["score"].equals(before["score"])  # cached until Refresh, as designed

    data.forget_everything()  # what the sidebar's Refresh does
    fresh_source = data.snapshot(demo_url)
    _, after = data.current(fresh_source, moment)
    changed = after.set_index("lead_id")["score"]
    assert (changed < executives.reindex(changed.index)).any()  # seniority points are gone
    assert _shows(data.account_view(fresh_source, moment, True).table, "Renamed Holdings")


def _shows(table: pd.DataFrame, text: str) -> bool:
    return bool(table.astype(str).eq(text).to_numpy().any())
