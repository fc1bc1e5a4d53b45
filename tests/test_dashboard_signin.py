"""Sign-in and roles on the dashboard (AppTest with `st.user` set), single-user mode, and
`smarketing dashboard --address` refusing to listen beyond this machine without sign-in."""

from __future__ import annotations

import csv
import io
import os
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import lead_list
from scoring.access import Actor
from scoring.cli import main
from scoring.cli.dashboard import private_secrets, signin_section
from scoring.db import make_engine, upgrade
from scoring.errors import NotPermitted
from scoring.policy import in_force
from scoring.settings import PROJECT_ROOT, Settings
from scoring.sources.demo import generate_demo

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "smarketing",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = """\
version: "test"
four_eyes: true
rules:
  - role: viewer
    emails: [victor@example.com]
  - role: publisher
    groups: [revops]
"""
VICTOR = {"is_logged_in": True, "email": "victor@example.com", "email_verified": True}
ALICE = {"is_logged_in": True, "email": "alice@example.com", "groups": ["revops"], "sub": "a1"}
BOB = {"is_logged_in": True, "email": "bob@example.com", "groups": ["revops"], "sub": "b2"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('signin') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=1500, seed=13)
    engine.dispose()
    return url


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """What each download button would send, by file name (made on click)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, Callable[[], Any]] = {}
    original = MediaFileManager.add_deferred

    def recording(self: MediaFileManager, data: Callable[[], Any], *args: Any, **kw: Any) -> str:
        made[str(kw.get("file_name"))] = data
        return original(self, data, *args, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return made


@pytest.fixture
def signed_in(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, Any]], AppTest]:
    """An AppTest of the dashboard with sign-in configured, as the given identity."""
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("SMARKETING_DATABASE_URL", demo_url)
    monkeypatch.setenv("SMARKETING_ROLES", str(roles))

    def make(user: dict[str, Any]) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=120)
        app.secrets["auth"] = AUTH
        app.user = dict(user)
        return app.run()

    return make


def _page(app: AppTest, page: str) -> AppTest:
    app.switch_page(f"pages/{page}").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def _table(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page holding `columns`."""
    return next(d.value for d in app.dataframe if set(columns) <= set(d.value.columns))


def _keys(app: AppTest, kind: str) -> set[str]:
    return {str(w.key) for w in app.get(kind) if getattr(w, "key", None)}


def test_without_sign_in_the_sidebar_says_single_user_mode(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_DATABASE_URL", demo_url)
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Single-user mode" in c.value for c in app.sidebar.caption)
    assert not any(b.label == "Sign out" for b in app.sidebar.button)


@pytest.fixture
def served_on_every_interface() -> Iterator[None]:
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


@pytest.mark.usefixtures("served_on_every_interface")
def test_without_sign_in_the_dashboard_refuses_to_run_on_a_shared_address(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_DATABASE_URL", demo_url)
    app = AppTest.from_file(APP, default_timeout=120).run()
    [error] = app.error
    assert "served on 0.0.0.0 without sign-in" in error.value
    assert "SMARKETING_AUTH_CLIENT_ID" in error.value and ".streamlit/secrets.toml" in error.value
    assert not app.metric


def test_signed_out_people_see_only_the_sign_in_page(signed_in: Callable) -> None:
    app = signed_in({"is_logged_in": False})
    assert [b.label for b in app.button] == ["Sign in"]
    assert not app.metric and not app.sidebar.caption


def test_a_signed_in_person_without_a_role_sees_nothing_but_a_page_saying_so(
    signed_in: Callable,
) -> None:
    app = signed_in({"is_logged_in": True, "email": "mallory@elsewhere.com"})
    [warning] = app.warning
    assert "mallory@elsewhere.com" in warning.value and "no rule" in warning.value
    assert [b.label for b in app.button] == ["Sign out"] and not app.metric


def test_a_viewer_has_no_publish_or_draft_control_and_no_what_if(signed_in: Callable) -> None:
    app = signed_in(VICTOR)
    assert [m.value for m in app.sidebar.markdown] == [
        ":material/person: **victor@example.com** · viewer"
    ]
    app = _page(app, "scoring_lab.py")
    assert "lab_publish" not in _keys(app, "button")
    assert "lab_download" not in _keys(app, "download_button")
    assert app.slider(key="lab_threshold").disabled
    assert any("Publishing needs the publisher role" in c.value for c in app.caption)


def test_a_viewer_sees_and_downloads_no_personal_fields(
    signed_in: Callable, downloads: dict[str, Callable[[], Any]]
) -> None:
    app = _page(signed_in(VICTOR), "leads.py")
    table = _table(app, "contact_id", "lifecycle_stage")
    assert "email" not in table.columns and "contact_id" in table.columns
    exported = downloads["mqls_now.csv"]().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(exported)))
    assert not set(header) & set(lead_list.PERSONAL_COLUMNS)
    assert {"contact_id", "score", "top_reasons"} <= set(header)


def test_the_export_function_itself_refuses_personal_fields_to_a_viewer() -> None:
    viewer = Actor("victor@example.com", "viewer", signed_in=True)
    shown = pd.DataFrame(columns=list(lead_list.SHOWN_COLUMNS))
    with pytest.raises(NotPermitted, match=r"\(viewer\) may not see and export personal fields"):
        lead_list.export_frame(shown, hits=None, actor=viewer, personal=True)  # type: ignore[arg-type]


def test_a_viewer_cannot_approve_or_roll_back_on_the_audit_page(signed_in: Callable) -> None:
    app = _page(signed_in(VICTOR), "audit.py")
    assert not [k for k in _keys(app, "button") if k.startswith(("audit_approve", "audit_reject"))]
    assert not [e for e in app.expander if e.label == "Roll back a definition"]


def test_a_proposal_from_the_lab_waits_for_a_second_publisher_on_the_audit_page(
    signed_in: Callable, demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    copy = tmp_path / "four_eyes.db"
    with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    engine = make_engine(url)
    before = in_force(engine).rulebook

    alice = _page(signed_in(ALICE), "scoring_lab.py")
    alice.slider(key="lab_threshold").set_value(before.threshold - 10).run()
    alice.text_input(key="lab_publish_note").input("wider net").run()
    alice.checkbox(key="lab_publish_confirm").check().run()
    assert alice.button(key="lab_publish").label == "Propose for approval"
    alice.button(key="lab_publish").click().run()
    assert any("Proposed as proposal 1" in s.value for s in alice.success)
    assert in_force(engine).rulebook.version == before.version

    alice = _page(alice, "audit.py")
    assert "audit_approve_1" not in _keys(alice, "button")  # not by the one who proposed it

    bob = _page(signed_in(BOB), "audit.py")
    effect = _table(bob, "measure", "in force", "proposed")
    assert "MQLs on history" in effect["measure"].tolist()
    bob.button(key="audit_approve_1").click().run()
    assert not bob.exception, [e.value for e in bob.exception]
    assert any("Approved proposal 1" in s.value for s in bob.success)
    after = in_force(engine).rulebook
    assert after.version != before.version and after.threshold == before.threshold - 10
    log = _table(bob, "actor", "action")
    assert {"alice@example.com", "bob@example.com"} <= set(log["actor"])


# --- `smarketing dashboard` -------------------------------------------------------------------


@pytest.fixture
def no_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder and working folder without any .streamlit/secrets.toml, and no SMARKETING_AUTH_*."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("SMARKETING_AUTH_")]:
        monkeypatch.delenv(name)
    return tmp_path


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    return int(exited.value.code or 0), capsys.readouterr().err


@pytest.mark.usefixtures("no_secrets")
@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::"])
def test_the_dashboard_command_refuses_a_shared_address_without_sign_in(
    address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite:///{tmp_path / 'never.db'}"
    code, said = _cli(["dashboard", "--address", address, "-d", database], capsys)
    assert code == 1
    line = " ".join(said.split())
    assert f"--address {address} would let anyone on the network" in line
    assert ".streamlit/secrets.toml" in line and "SMARKETING_AUTH_CLIENT_ID" in line
    assert not (tmp_path / "never.db").exists()  # refused before anything was made


@pytest.mark.usefixtures("no_secrets")
def test_half_configured_sign_in_is_refused_naming_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARKETING_AUTH_CLIENT_ID", "smarketing")
    code, said = _cli(["dashboard", "-d", f"sqlite:///{tmp_path / 'x.db'}"], capsys)
    assert code == 1
    assert "SMARKETING_AUTH_CLIENT_SECRET" in said and "SMARKETING_AUTH_REDIRECT_URI" in said


def test_an_incomplete_secrets_file_is_refused(no_secrets: Path) -> None:
    folder = no_secrets / ".streamlit"
    folder.mkdir()
    (folder / "secrets.toml").write_text('[auth]\nredirect_uri = "http://x/oauth2callback"\n')
    with pytest.raises(Exception, match="cookie_secret"):
        signin_section(Settings.from_env(), [folder / "secrets.toml"])


def test_sign_in_settings_reach_streamlit_as_a_private_secrets_file(no_secrets: Path) -> None:
    env = {
        "SMARKETING_AUTH_SERVER_METADATA_URL": AUTH["server_metadata_url"],
        "SMARKETING_AUTH_CLIENT_ID": "smarketing",
        "SMARKETING_AUTH_CLIENT_SECRET": 'with "quotes" and \\ slash',
        "SMARKETING_AUTH_REDIRECT_URI": "https://dash.example.com/oauth2callback",
    }
    section, from_settings = signin_section(Settings.from_env(env), [])
    assert section is not None and from_settings and len(section["cookie_secret"]) >= 32
    with private_secrets(section, from_settings) as options:
        path = Path(options[-1])
        assert options[-2] == "--secrets.files" and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert tomllib.loads(path.read_text())["auth"] == section
    assert not path.exists() and not path.parent.exists()
