"""Real browser: an import and a publish made by other processes show in the open dashboard on the
next interaction, without a restart (Playwright driving Debian's Chromium, `streamlit run`).

Skips (visibly) where no Chromium is installed; SMARKETING_REQUIRE_BROWSER=1 turns that into a
failure, as in tests/test_browser.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.browser import launch_chromium, streamlit_server
from scoring.db import make_engine, upgrade
from scoring.policy import in_force
from scoring.sources.demo import generate_demo

SIDEBAR = '[data-testid="stSidebar"]'
NEW_CONTACTS = (
    "external_id,email,first_name,last_name,lifecycle_stage,created_at\r\n"
    "fresh-1,ada@fresh-import.example,Ada,One,mql,2026-12-01 09:00:00\r\n"
    "fresh-2,bob@fresh-import.example,Bob,Two,mql,2026-12-01 10:00:00\r\n"
    "fresh-3,cy@fresh-import.example,Cy,Three,lead,2026-12-01 11:00:00\r\n"
)


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=1500, seed=4)
    engine.dispose()
    return url


@pytest.fixture
def tab(chromium: str, database: str, tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with (
        streamlit_server(database, log=tmp_path / "streamlit.log") as base,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright, chromium)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(90_000)
        page.goto(base)
        page.wait_for_selector('h1:has-text("Overview")', timeout=120_000)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
        _settle(page)
        yield page
        browser.close()


def _settle(page: Any) -> None:
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000
    )
    page.wait_for_timeout(300)


def _metric(page: Any, label: str) -> int:
    """The value of the KPI labelled exactly `label`."""
    for metric in page.locator('[data-testid="stMetric"]').all():
        if metric.locator('[data-testid="stMetricLabel"]').inner_text().strip() == label:
            return int(
                metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")
            )
    raise AssertionError(f"no metric labelled {label!r}")


def _cli(*arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scoring.cli", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _open(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_selector(f'h1:has-text("{title.split()[0]}")', timeout=120_000)
    _settle(page)


def test_an_import_and_a_publish_in_other_processes_show_on_the_next_interaction(
    tab: Any, database: str, tmp_path: Path
) -> None:
    engine = make_engine(database)
    policy = in_force(engine)
    before = {label: _metric(tab, label) for label in ("Contacts", "MQLs now", "Leads")}
    assert f"rulebook {policy.rulebook.version} in force" in tab.locator(SIDEBAR).inner_text()

    rulebook = tmp_path / "rulebook.yaml"
    text = policy.definitions["rulebook"].text
    rulebook.write_text(text.replace("  threshold: 60", "  threshold: 55", 1), encoding="utf-8")
    assert rulebook.read_text(encoding="utf-8") != text
    _cli(
        "rules",
        "publish",
        str(rulebook),
        "--by",
        "ana@example.com",
        "--note",
        "wider",
        "-d",
        database,
    )
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(NEW_CONTACTS, encoding="utf-8")
    _cli("import", "canonical", str(contacts), "-d", database)
    published = in_force(engine).rulebook.version
    engine.dispose()
    assert published != policy.rulebook.version

    # Any interaction reruns the page: here, opening another page and coming back. No Refresh.
    _open(tab, "Campaigns")
    tab.wait_for_function(
        "([selector, text]) => document.querySelector(selector).innerText.includes(text)",
        arg=[SIDEBAR, f"rulebook {published} in force"],
        timeout=60_000,
    )
    _open(tab, "Overview")
    tab.wait_for_function(
        "([selector, text]) => document.querySelector(selector).innerText.includes(text)",
        arg=[SIDEBAR, f"{before['Contacts'] + 3:,} contacts"],
        timeout=60_000,
    )
    tab.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    _settle(tab)
    after = {label: _metric(tab, label) for label in before}
    assert after == {
        "Contacts": before["Contacts"] + 3,
        "MQLs now": before["MQLs now"] + 2,
        "Leads": before["Leads"] + 1,
    }

    # The Leads page scores under the new version, and Refresh reads everything again cleanly.
    _open(tab, "Leads and export")
    tab.get_by_text(f"under rulebook {published}").first.wait_for(timeout=60_000)
    tab.locator(SIDEBAR).get_by_role("button", name="Refresh").click()
    _settle(tab)
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert f"rulebook {published} in force" in tab.locator(SIDEBAR).inner_text()
