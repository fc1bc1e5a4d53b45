"""Real browser, real sign-in: Chromium signs in to `streamlit run` through a real OpenID Connect
provider on 127.0.0.1 (oidc-provider-mock, docs/decisions/0015-sign-in.md) as people with
different roles.

A viewer gets no publish control and no personal fields (and the action functions refuse them when
called anyway); a publisher's proposal is not in force until a second publisher approves it, and
the audit log names both. Skips (visibly) where no Chromium is installed; SMARKETING_REQUIRE_BROWSER=1
(set by .ci/run) turns that into a failure.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from dashboard import lead_list
from dashboard.browser import free_port, launch_chromium, streamlit_server
from scoring.access import PUBLISH, Actor, identity_name, load_roles
from scoring.db import make_engine, upgrade
from scoring.errors import NotPermitted
from scoring.policy import in_force, propose
from scoring.sources.demo import generate_demo

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
]

SIDEBAR = '[data-testid="stSidebar"]'
PEOPLE = {  # the provider's users: subject -> identity-token claims
    "victor": {"email": "victor@example.com", "email_verified": True, "name": "Victor Viewer"},
    "alice": {"email": "alice@example.com", "email_verified": True, "groups": ["revops"]},
    "bob": {"email": "bob@example.com", "email_verified": True, "groups": ["revops"]},
}
ROLES = """\
version: "browser-test"
four_eyes: true
rules:
  - role: viewer
    emails: [victor@example.com]
  - role: publisher
    groups: [revops]
"""


@dataclass(frozen=True)
class Dashboard:
    url: str
    engine: Engine
    roles: Path


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on 127.0.0.1 whose sign-in page lists PEOPLE."""
    import oidc_provider_mock
    import werkzeug.serving

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    app = oidc_provider_mock.app(user_claims=users)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def dashboard(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("signin")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=1200, seed=3)
    roles = folder / "roles.yaml"
    roles.write_text(ROLES)
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-this-test-only-0123456789"\n'
        'client_id = "smarketing-dashboard"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    env = {"SMARKETING_ROLES": str(roles)}
    log = folder / "streamlit.log"
    with streamlit_server(url, log=log, port=port, secrets=secrets, env=env) as base:
        yield Dashboard(base, engine, roles)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright, chromium)
        yield launched
        launched.close()


def _settle(page: Any) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_timeout(300)


def _open(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_selector(f'h1:has-text("{title.split()[0]}")')
    _settle(page)


def _sign_in(browser: Any, dashboard: Dashboard, subject: str) -> Any:
    """A fresh browser profile that signs in as `subject` at the provider; the signed-in page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(dashboard.url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=subject, exact=True).click()  # the provider's own page
    page.locator(SIDEBAR, has_text=PEOPLE[subject]["email"]).wait_for()
    _settle(page)
    return page


def _actor(dashboard: Dashboard, subject: str) -> Actor:
    """The actor the dashboard makes of `subject`, from the same role mapping."""
    roles = load_roles(dashboard.roles)
    grant = roles.grant(PEOPLE[subject])
    assert grant is not None
    name = identity_name(PEOPLE[subject])
    return Actor(name, grant.role, signed_in=True, four_eyes=roles.four_eyes)


def _download(page: Any, button: str) -> str:
    """The text of the file a download button sends. The file is made on click; a click that lands
    while the page is still rerunning is lost, so a second click is tried before giving up."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    target = page.get_by_role("button", name=button)
    for attempt in range(2):
        target.wait_for(state="visible")
        _settle(page)
        try:
            with page.expect_download(timeout=45_000) as download:
                target.click()
            return Path(download.value.path()).read_text(encoding="utf-8-sig")
        except PlaywrightTimeout:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _csv_header(page: Any, button: str) -> list[str]:
    return next(csv.reader(io.StringIO(_download(page, button))))


def test_a_viewer_gets_no_publish_control_and_no_personal_fields(
    browser: Any, dashboard: Dashboard
) -> None:
    page = _sign_in(browser, dashboard, "victor")
    assert "viewer" in page.locator(SIDEBAR).inner_text()
    _open(page, "Scoring lab")
    for label in ("Propose for approval", "Publish new version", "Download YAML"):
        assert page.get_by_role("button", name=label).count() == 0, label
    assert page.get_by_text("Publishing needs the publisher role").count() == 1
    _open(page, "Leads and export")
    header = _csv_header(page, "Download CSV")
    assert "contact_id" in header and not set(header) & set(lead_list.PERSONAL_COLUMNS)
    page.context.close()

    viewer = _actor(dashboard, "victor")
    assert viewer.role == "viewer"
    with pytest.raises(NotPermitted):  # the action functions refuse whatever the page shows
        lead_list.export_frame(pd.DataFrame(columns=lead_list.SHOWN_COLUMNS), None, viewer)  # type: ignore[arg-type]
    text = in_force(dashboard.engine).definitions["rulebook"].text
    with pytest.raises(NotPermitted):
        propose(
            dashboard.engine, "rulebook", text.replace("threshold: ", "threshold: 1", 1), viewer
        )


def test_a_proposal_takes_effect_only_when_a_second_publisher_approves(
    browser: Any, dashboard: Dashboard
) -> None:
    before = in_force(dashboard.engine).rulebook
    alice = _sign_in(browser, dashboard, "alice")
    assert _actor(dashboard, "alice").may(PUBLISH)
    _open(alice, "Scoring lab")
    thumb = alice.locator('[data-testid="stSlider"]', has_text="MQL threshold").get_by_role(
        "slider"
    )
    thumb.focus()
    for _ in range(10):
        thumb.press("ArrowLeft")
    _settle(alice)
    note = alice.get_by_role("textbox", name="Why this change")
    note.fill("wider net for Q1")
    note.press("Enter")
    _settle(alice)
    alice.get_by_text("I have reviewed the changes above").click()
    _settle(alice)
    alice.get_by_role("button", name="Propose for approval").click()
    alice.get_by_text("Proposed as proposal").wait_for()
    assert in_force(dashboard.engine).rulebook.version == before.version  # not in force yet
    _open(alice, "Audit")
    assert alice.get_by_role("button", name="Approve and publish").count() == 0  # not her own
    alice.context.close()

    bob = _sign_in(browser, dashboard, "bob")
    _open(bob, "Audit")
    assert bob.get_by_text("proposed by alice@example.com").count() == 1
    bob.get_by_role("button", name="Approve and publish").click()
    bob.get_by_text("Approved proposal").wait_for()
    _settle(bob)
    after = in_force(dashboard.engine).rulebook
    assert after.version != before.version and after.threshold == before.threshold - 10

    rows = list(csv.DictReader(io.StringIO(_download(bob, "Download CSV"))))
    steps = [(row["action"], row["actor"]) for row in reversed(rows)]
    assert steps[-3:] == [
        ("rulebook_proposed", "alice@example.com"),
        ("rulebook_approved", "bob@example.com"),
        ("rulebook_published", "bob@example.com"),
    ]
    bob.context.close()
