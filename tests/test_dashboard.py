"""Dashboard smoke tests with Streamlit's AppTest."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, insert
from streamlit.testing.v1 import AppTest

from scoring.db.models import Contact
from scoring.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    now = datetime(2026, 1, 1)
    with sqlite_engine.begin() as connection:
        connection.execute(
            insert(Contact),
            [
                {
                    "external_id": f"c{i}",
                    "created_at": now,
                    "updated_at": now,
                    "lifecycle_stage": "lead",
                }
                for i in range(3)
            ],
        )
    monkeypatch.setenv("SMARKETING_DATABASE_URL", str(sqlite_engine.url))
    return AppTest.from_file(APP, default_timeout=30)


def test_overview_page_shows_table_counts(app: AppTest) -> None:
    app.run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Contacts"] == "3"
    assert metrics["Touches"] == "0"
