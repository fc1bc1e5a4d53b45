"""The Data source page imports an uploaded file into a new SQLite database and says what it wrote."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from scoring.db import make_engine, upgrade
from scoring.db.models import Account, Contact, LifecycleEvent
from scoring.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "pages/data_source.py"
HEADER = ("Record ID", "First Name", "Last Name", "Email", "Company Name", "Website URL")
HEADER += ("Lifecycle Stage", "Create Date")
STAGES = {"Subscriber": "subscriber", "Lead": "lead", "Marketing Qualified Lead": "mql"}
COMPANIES = (("Analytical Engines", "analytical.io"), ("Difference Works", "difference.dev"))


def _export(contacts: int) -> tuple[bytes, list[tuple[str, ...]]]:
    """A HubSpot contacts export of `contacts` rows spread over two companies and three stages."""
    labels = list(STAGES)
    rows = []
    for i in range(contacts):
        company, domain = COMPANIES[i % 2]
        rows.append(
            (
                str(7000 + i),
                f"First{i}",
                f"Last{i}",
                f"person{i}@{domain}",
                company,
                f"https://www.{domain}/",
                labels[i % 3],
                f"2026-03-{i + 1:02d} 09:30",
            )
        )
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8"), rows


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    default = f"sqlite:///{tmp_path / 'default.db'}"
    engine = make_engine(default)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path))
    monkeypatch.setenv("SMARKETING_DATABASE_URL", default)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page(PAGE)
    app.run()
    return app


def test_an_uploaded_export_is_imported_and_the_page_reports_what_was_written(
    app: AppTest, tmp_path: Path
) -> None:
    content, rows = _export(7)
    app.selectbox(key="source_profile").set_value("hubspot_contacts")
    app.file_uploader(key="source_upload").set_value(("contacts.csv", content, "text/csv"))
    app.run()
    app.button(key="source_import").click()
    app.run()

    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    [message] = [s.value for s in app.success]
    assert message.startswith("Imported 7 contacts (7 new, 0 won), 2 accounts, "), message
    [database] = (tmp_path / "uploads").glob("upload-*.db")
    assert message.endswith(f"; now reading sqlite:///{database}.")
    assert app.session_state["database_url"] == f"sqlite:///{database}"

    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        contacts = {c.external_id: c for c in connection.execute(select(Contact))}
        domains = set(connection.scalars(select(Account.domain)))
        history = connection.scalar(select(func.count()).select_from(LifecycleEvent))
    engine.dispose()
    # One row per step of each contact's path through the contract from its entry stage.
    assert f", {history} history rows through hubspot_contacts in " in message
    assert {f"hubspot:{r[0]}": (r[3], STAGES[r[6]]) for r in rows} == {
        key: (c.email, c.lifecycle_stage) for key, c in contacts.items()
    }
    assert domains == {domain for _, domain in COMPANIES}
    assert history >= 7


def test_a_rejected_upload_shows_one_error_and_keeps_the_database_in_use(
    app: AppTest, tmp_path: Path
) -> None:
    content, _ = _export(3)
    broken = content.replace(b"Marketing Qualified Lead", b"Hot lead")
    app.selectbox(key="source_profile").set_value("hubspot_contacts")
    app.file_uploader(key="source_upload").set_value(("contacts.csv", broken, "text/csv"))
    app.run()
    app.button(key="source_import").click()
    app.run()

    assert not app.exception, [e.value for e in app.exception]
    [error] = [e.value for e in app.error]
    assert "contacts.csv:4:Lifecycle Stage" in error, error
    assert not app.success
    assert "database_url" not in app.session_state
