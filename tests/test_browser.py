"""Real browser: Playwright drives Debian's Chromium against `streamlit run` over a demo database.

Skips (visibly) where no Chromium is installed; SMARKETING_REQUIRE_BROWSER=1 (set by .ci/run) turns
that into a failure. Screenshots of every page go to SMARKETING_SCREENSHOTS_DIR when it is set (the
README's pictures are made this way, with SMARKETING_BROWSER_LEADS=100000), else to a temporary
folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.browser import launch_chromium, streamlit_server
from dashboard.navigation import NAVIGATION
from scoring.db import make_engine, upgrade
from scoring.sources.demo import generate_demo

TITLES = [title for entries in NAVIGATION.values() for _, title, _ in entries]
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=int(os.environ.get("SMARKETING_BROWSER_LEADS", "4000")), seed=3)
    engine.dispose()
    with streamlit_server(url, log=folder / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def page(chromium: str, server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium)
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        tab = context.new_page()
        tab.set_default_timeout(90_000)
        tab.goto(server)
        yield tab
        browser.close()


def _screens() -> Path | None:
    folder = os.environ.get("SMARKETING_SCREENSHOTS_DIR")
    return Path(folder) if folder else None


def _settle(page: Any) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000
    )
    page.wait_for_timeout(300)


def _open(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_selector(f'h1:has-text("{title.split()[0]}")', timeout=120_000)
    _settle(page)


def _metric(page: Any, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return str(metric.locator('[data-testid="stMetricValue"]').inner_text())


@pytest.mark.parametrize("title", TITLES)
def test_every_page_opens_without_an_error(page: Any, title: str, tmp_path: Path) -> None:
    _open(page, title)
    if title == "Rules vs model":
        page.get_by_role("button", name="Train / retrain").click()
        page.get_by_text("Metrics with bootstrap 95% intervals").wait_for(timeout=180_000)
        _settle(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    page.mouse.move(5, 5)
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'))",
        timeout=60_000,
    )
    folder = _screens() or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z]+", "_", title.lower()).strip("_")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_moving_the_threshold_slider_changes_the_mql_metric(page: Any) -> None:
    _open(page, "Scoring lab")
    before = _metric(page, "MQLs on history")
    thumb = page.locator('[data-testid="stSlider"]', has_text="MQL threshold").get_by_role("slider")
    thumb.focus()
    for _ in range(10):
        thumb.press("ArrowLeft")
    _settle(page)
    page.wait_for_function(
        "([label, before]) => [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".some(m => m.innerText.includes(label) && !m.innerText.includes(before))",
        arg=["MQLs on history", before],
        timeout=60_000,
    )
    after = _metric(page, "MQLs on history")
    assert int(after.replace(",", "")) > int(before.replace(",", ""))


def test_downloading_the_mql_csv_gives_the_listed_rows(page: Any) -> None:
    _open(page, "Leads and export")
    listed = int(_metric(page, "Contacts listed").replace(",", ""))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == listed > 0
    assert {"contact_id", "email", "lifecycle_stage", "score", "top_reasons"} <= set(rows[0])
    assert {"owner_name", "owner_email", "account_name", "account_domain"} <= set(rows[0])
    # "MQLs" are the leads in stage mql now, not the ones the score would qualify.
    assert all(row["lifecycle_stage"] == "mql" for row in rows)
    assert all(row["contact_id"].isdigit() for row in rows)
    assert all(re.fullmatch(r"-?\d+(\.\d)?", row["score"]) for row in rows if row["score"])
