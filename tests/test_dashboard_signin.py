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
from conftest import demo_database
from streamlit.testing.v1 import AppTest

from dashboard import lead_list
from scoring.access import Actor
from scoring.cli import main
from scoring.cli.dashboard import private_secrets, signin_section
from scoring.db import make_engine
from scoring.errors import NotPermitted
from scoring.policy import in_force
from scoring.settings import PROJECT_ROOT, Settings

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
ISSUER = "http://127.0.0.1:9"
VICTOR = {"is_logged_in": True, "email": "victor@example.com", "email_verified": True}
ALICE = {
    "is_logged_in": True,
    "email": "alice@example.com",
    "email_verified": True,
    "groups": ["revops"],
    "sub": "a1",
    "iss": ISSUER,
}
BOB = {**ALICE, "email": "bob@example.com", "sub": "b2"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "signin", 1500, 13)


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
    app = signed_in(
        {"is_logged_in": True, "email": "mallory@elsewhere.com", "email_verified": True}
    )
    [warning] = app.warning
    assert "mallory@elsewhere\\.com" in warning.value and "no rule" in warning.value
    assert [b.label for b in app.button] == ["Sign out"] and not app.metric


def test_a_viewer_has_no_publish_or_draft_control_and_no_what_if(signed_in: Callable) -> None:
    app = signed_in(VICTOR)
    assert [m.value for m in app.sidebar.markdown] == [
        ":material/person: **victor@example\\.com** · viewer"  # escaped: shown as it is
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
    home = no_secrets / "home"
    with private_secrets(section, from_settings, home) as options:
        path = Path(options[-1])
        assert options[-2] == "--secrets.files" and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert tomllib.loads(path.read_text())["auth"] == section
        # not under /tmp, whose cleaners may delete it while Streamlit runs
        assert (
            path.parent.parent == home / "run" and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        )
    assert not path.exists() and not path.parent.exists()


# --- fail closed when sign-in was expected (H1) ---------------------------------------------------


def _nothing_but_an_error(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    [error] = app.error
    assert "Sign-in is configured for this dashboard" in error.value
    assert not app.metric and not app.sidebar.caption and not app.button


def test_with_sign_in_expected_unreadable_secrets_open_nothing(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replayed attack: the temporary secrets file of `smarketing dashboard` was deleted (a /tmp
    cleaner) while the dashboard ran, Streamlit reloaded no secrets, and every visitor became the
    single-user admin."""
    monkeypatch.setenv("SMARKETING_DATABASE_URL", demo_url)
    monkeypatch.setenv("SMARKETING_SIGNIN", "1")  # as `smarketing dashboard` sets it with sign-in
    app = AppTest.from_file(APP, default_timeout=120).run()  # no secrets at all
    _nothing_but_an_error(app)
    app.switch_page("pages/leads.py").run()
    assert not app.dataframe and not app.download_button


@pytest.fixture
def broken_secrets(tmp_path: Path) -> Iterator[Path]:
    """Streamlit's secrets file exists but is not TOML (a typo while editing it)."""
    from streamlit import config

    path = tmp_path / "secrets.toml"
    path.write_text('[auth]\nclient_id = "smarketing\n')  # an unterminated string
    before = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    yield path
    config.set_option("secrets.files", before)


def test_a_secrets_file_that_cannot_be_parsed_opens_nothing(
    demo_url: str, broken_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replayed attack: a TOML typo made Streamlit report "no secrets", which read as single-user
    mode (admin for everyone), even when Streamlit was started by hand without SMARKETING_SIGNIN."""
    monkeypatch.setenv("SMARKETING_DATABASE_URL", demo_url)
    monkeypatch.delenv("SMARKETING_SIGNIN", raising=False)
    _nothing_but_an_error(AppTest.from_file(APP, default_timeout=120).run())
    monkeypatch.setenv("SMARKETING_SIGNIN", "1")
    _nothing_but_an_error(AppTest.from_file(APP, default_timeout=120).run())


@pytest.fixture
def started(
    no_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[list[str]], tuple[list[str], dict[str, str], list[Path]]]:
    """Run `smarketing dashboard` up to its Streamlit child: the command, its environment and the
    secrets files it named, as the child would get them (nothing is served)."""
    import scoring.cli.dashboard as command
    import scoring.sources.demo as demo

    monkeypatch.setenv("SMARKETING_HOME", str(no_secrets / "home"))
    monkeypatch.setattr(demo, "generate_demo", lambda *args, **kwargs: None)

    def run(args: list[str]) -> tuple[list[str], dict[str, str], list[Path]]:
        seen: dict[str, Any] = {}

        def child(cmd: list[str], env: dict[str, str]) -> int:
            files = [Path(cmd[i + 1]) for i, a in enumerate(cmd) if a == "--secrets.files"]
            seen.update(command=cmd, env=dict(env), files=files)
            seen["private"] = [f for f in files if f.exists() and "run" in f.parts]
            return 0

        monkeypatch.setattr(command, "run_child", child)
        with pytest.raises(SystemExit):
            main(["dashboard", "-d", f"sqlite:///{no_secrets / 'd.db'}", *args])
        return seen["command"], seen["env"], seen["private"]

    return run


def test_the_dashboard_command_decides_the_mode_once_for_its_child(
    started: Callable, no_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, env, private = started([])
    assert env["SMARKETING_SIGNIN"] == "0" and not private
    monkeypatch.setenv("SMARKETING_AUTH_SERVER_METADATA_URL", AUTH["server_metadata_url"])
    monkeypatch.setenv("SMARKETING_AUTH_CLIENT_ID", "smarketing")
    monkeypatch.setenv("SMARKETING_AUTH_CLIENT_SECRET", "test")
    monkeypatch.setenv("SMARKETING_AUTH_REDIRECT_URI", AUTH["redirect_uri"])
    _, env, private = started(["--address", "0.0.0.0"])
    assert env["SMARKETING_SIGNIN"] == "1"
    [secrets_file] = private
    assert secrets_file.is_relative_to(no_secrets / "home" / "run")  # not /tmp
    assert not secrets_file.exists()  # removed once the child ended


@pytest.fixture
def served_without_an_address() -> Iterator[None]:
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "")
    yield
    config.set_option("server.address", before)


@pytest.mark.usefixtures("served_without_an_address")
def test_without_sign_in_an_empty_address_counts_as_shared(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replayed attack: an empty server.address passed the loopback check, and Streamlit binds
    every interface when given none."""
    monkeypatch.setenv("SMARKETING_DATABASE_URL", demo_url)
    app = AppTest.from_file(APP, default_timeout=120).run()
    [error] = app.error
    assert "served on every interface" in error.value and not app.metric


# --- personal fields on every page (M5), proposal notes and the audit export (L4) -------------


@pytest.mark.parametrize("page", ["disqualification.py", "lifecycle.py"])
def test_a_viewer_sees_no_personal_field_on_any_table(signed_in: Callable, page: str) -> None:
    """Replayed leak: the disqualification drill-down (email, job title, who rejected) and the
    lifecycle page's waiting MQLs (email) showed, and through the table toolbar downloaded,
    personal fields to a viewer."""
    app = _page(signed_in(VICTOR), page)
    shown = {str(c) for d in app.dataframe for c in d.value.columns}
    assert not shown & set(lead_list.PERSONAL_COLUMNS), shown & set(lead_list.PERSONAL_COLUMNS)
    assert any("may not see personal fields" in c.value for c in app.caption)
    publisher = _page(signed_in(ALICE), page)
    assert "email" in {str(c) for d in publisher.dataframe for c in d.value.columns}


def _copy(demo_url: str, tmp_path: Path) -> str:
    import sqlite3

    copy = tmp_path / "copy.db"
    with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return f"sqlite:///{copy}"


def test_a_proposal_note_is_shown_as_text_and_a_viewer_exports_no_identity_claims(
    signed_in: Callable,
    demo_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    downloads: dict[str, Callable[[], Any]],
) -> None:
    """Replayed attacks: a note written as Markdown put a link and styled text on the approver's
    Audit page; the Audit CSV gave a viewer every publisher's subject, name and email claims."""
    from scoring.policy import propose

    url = _copy(demo_url, tmp_path)
    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    engine = make_engine(url)
    text = in_force(engine).definitions["rulebook"].text.replace("threshold: ", "threshold: 1", 1)
    note = "[Approve here](https://evil.example) :red[urgent] **now**"
    claims = {"email": "alice@example.com", "name": "Alice Ahlberg", "sub": "a1", "iss": ISSUER}
    alice = Actor("alice@example.com", "publisher", True, True, identity=claims)
    propose(engine, "rulebook", text, alice, note=note)

    bob = _page(signed_in(BOB), "audit.py")
    assert note in [t.value for t in bob.text]
    assert not [m.value for m in bob.markdown if "evil.example" in m.value]

    _page(signed_in(VICTOR), "audit.py")
    exported = downloads["audit_log.csv"]().decode("utf-8-sig")
    assert "alice@example.com" in exported  # who acted stays
    assert "Alice Ahlberg" not in exported and '""identity""' not in exported
    bob = _page(signed_in(BOB), "audit.py")
    assert "Alice Ahlberg" in downloads["audit_log.csv"]().decode("utf-8-sig")
