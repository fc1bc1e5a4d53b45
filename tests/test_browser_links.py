"""Real browser: a shared link (the page's address with its query) opens the same view, filters and
title included; a filter changed on screen shows in the address, and that address opened in another
tab shows the same view (Playwright driving Debian's Chromium, `streamlit run`).

Skips (visibly) where no Chromium is installed; SMARKETING_REQUIRE_BROWSER=1 turns that into a
failure, as in tests/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import demo_database

from dashboard.browser import launch_chromium, streamlit_server

SIDEBAR = '[data-testid="stSidebar"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = demo_database(tmp_path_factory, "browser_links", 1500, 8)
    log = tmp_path_factory.mktemp("browser_links_log") / "streamlit.log"
    with streamlit_server(url, log=log) as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright, chromium)
        yield launched
        launched.close()


def _tab(browser: Any, address: str) -> Any:
    tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    tab.set_default_timeout(90_000)
    tab.goto(address)
    return tab


def _settle(tab: Any) -> None:
    tab.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000
    )
    tab.wait_for_timeout(300)


def _title(tab: Any, starts: str) -> str:
    heading = tab.locator("h1", has_text=starts).first
    heading.wait_for(timeout=120_000)
    _settle(tab)
    return str(heading.inner_text()).strip()


def test_a_shared_link_opens_with_the_same_filters(server: str, browser: Any) -> None:
    link = (
        f"{server}/leads?leads_list=Every+contact&leads_stages=Marketing-qualified+lead"
        "&filter_segments=Enterprise"
    )
    tab = _tab(browser, link)  # the server's first visitor: nobody has opened app.py yet
    assert _title(tab, "Leads and export") == "Leads and export: every contact, 2 more filters"
    # It went through app.py (sign-in gate, navigation by people's titles), not the file alone.
    navigation = tab.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in navigation and "Leads and export" in navigation  # titles, not files
    assert "app" not in navigation.split()
    listed = tab.locator('[data-testid="stMarkdown"]', has_text="Listed:").first.inner_text()
    assert (
        "segment is one of Enterprise" in listed
        and "lifecycle stage is one of Marketing-qualified lead" in listed
    )
    stages = tab.locator('[data-testid="stMultiSelect"]', has_text="Lifecycle stage")
    assert "Marketing-qualified lead" in stages.inner_text()  # the label, not the code
    assert (
        "Enterprise"
        in tab.locator(SIDEBAR)
        .locator('[data-testid="stMultiSelect"]', has_text="Segment")
        .inner_text()
    )
    tab.context.close()


def test_a_filter_changed_on_screen_is_in_the_address_and_reopens(
    server: str, browser: Any
) -> None:
    tab = _tab(browser, f"{server}/reps")
    _title(tab, "Reps and territories")
    tab.locator('[data-testid="stRadio"]', has_text="Group by").get_by_text(
        "Office", exact=True
    ).click()
    tab.wait_for_function("() => location.search.includes('reps_by=Office')", timeout=60_000)
    assert _title(tab, "Reps and territories: by office")
    address = tab.url
    assert parse_qs(urlsplit(address).query)["reps_by"] == ["Office"]
    again = _tab(browser, address)
    assert _title(again, "Reps and territories: by office").startswith(
        "Reps and territories: by office, week of"
    )
    again.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    tab.context.close()
    again.context.close()


def test_a_made_up_link_shows_a_notice_not_an_error(server: str, browser: Any) -> None:
    tab = _tab(browser, f"{server}/accounts?accounts_segments=%3Cimg+src%3Dx%3E&accounts_sort=rm")
    _title(tab, "Accounts")
    notice = tab.locator('[data-testid="stAlertContentWarning"]').first
    notice.wait_for(timeout=60_000)
    assert "ignored" in notice.inner_text() and "<img src=x>" in notice.inner_text()
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.locator("img[src=x]").count() == 0
    tab.context.close()
