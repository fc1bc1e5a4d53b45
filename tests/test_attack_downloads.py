"""Every download on every page is formula-safe: no CSV cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.navigation import NAVIGATION
from scoring.db import make_engine, upgrade
from scoring.exports import FORMULA_TRIGGERS
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE_FILES = [file for entries in NAVIGATION.values() for file, _, _ in entries]


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo database whose campaign names and lead names start with formula triggers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('downloads') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=800, seed=5)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE campaigns SET code = '=HYPERLINK(1)' || code, name = '+' || name"
        )
        connection.exec_driver_sql("UPDATE contacts SET first_name = '@SUM(1)' || first_name")
    engine.dispose()
    return url


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Every file handed to a download button, as (mimetype, bytes)."""
    seen: list[tuple[str, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self: Any, path_or_data: Any, mimetype: str, kind: Any, filename: Any = None) -> str:
        if isinstance(path_or_data, (bytes, str)):
            data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
            seen.append((mimetype, data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    # A download whose file is built only when clicked (a callable) is built now, so it is checked.
    button = DeltaGenerator.download_button

    def eager(self: Any, label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        return button(self, label, data() if callable(data) else data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", eager)
    return seen


def _unsafe_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [
        c for row in csv.reader(io.StringIO(text)) for c in row if c.startswith(FORMULA_TRIGGERS)
    ]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_no_csv_download_on_the_page_holds_a_formula(
    page: str, hostile_url: str, downloads: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_DATABASE_URL", hostile_url)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page(str(Path("pages") / page))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    csvs = [data for mimetype, data in downloads if mimetype.startswith("text/csv")]
    for data in csvs:
        assert not _unsafe_cells(data)


def test_the_campaigns_download_was_checked(
    hostile_url: str, downloads: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_DATABASE_URL", hostile_url)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("pages/campaigns.py")
    app.run()
    [data] = [d for m, d in downloads if m.startswith("text/csv")]
    assert "'=HYPERLINK" in data.decode("utf-8-sig")


def test_the_leads_export_built_on_click_was_checked(
    hostile_url: str, downloads: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_DATABASE_URL", hostile_url)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("pages/leads.py")
    app.run()
    texts = [d.decode("utf-8-sig") for m, d in downloads if m.startswith("text/csv")]
    assert any("'@SUM(1)" in text for text in texts)  # the hostile first names, neutralised
    assert not any(_unsafe_cells(d) for m, d in downloads if m.startswith("text/csv"))
