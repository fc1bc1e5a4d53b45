"""Replayed failures: SIGTERM to `smarketing dashboard` left its Streamlit child running; SIGHUP
(the terminal closing) ended the command without its cleanup, leaving the private secrets file of
a sign-in configured through SMARKETING_AUTH_* behind.

The real command runs (over a small demo database) until its Streamlit child is up; then SIGTERM,
SIGINT (as Ctrl-C sends) or SIGHUP goes to the command alone, and both processes must be gone, and
with them the secrets file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_services import free_port

from scoring.settings import PROJECT_ROOT

pytestmark = pytest.mark.timeout(240)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(p) for p in text.split()]
    return found


def descendants(pid: int) -> list[int]:
    found = children(pid)
    for child in list(found):
        found += descendants(child)
    return found


def is_streamlit(pid: int) -> bool:
    try:
        return b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


SMARKETING = [sys.executable, "-m", "scoring.cli", "dashboard"]
MANAGE = [
    sys.executable,
    str(PROJECT_ROOT / "manage.py"),
    "dashboard",
]  # the README's first command


def _signal_the_running_dashboard(
    tmp_path: Path,
    signum: signal.Signals,
    extra: dict[str, str] | None = None,
    launcher: list[str] = SMARKETING,
    nohup_: bool = False,
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "SMARKETING_DATABASE_URL": f"sqlite:///{tmp_path / 'dash.db'}",
        "SMARKETING_HOME": str(tmp_path / "home"),
        **(extra or {}),
    }
    log = (tmp_path / "dashboard.log").open("wb")
    command = [*launcher, "--demo-leads", "300"]
    proc = subprocess.Popen(
        [*command, "--port", str(free_port())],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the signal goes to the command only, not to a process group
        # As a terminal starts it, whatever this test runs under (`nohup` ignores SIGHUP for
        # every process it starts); `nohup_` replays the command started under nohup.
        preexec_fn=lambda: signal.signal(
            signal.SIGHUP, signal.SIG_IGN if nohup_ else signal.SIG_DFL
        ),
    )
    streamlit: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while not any(map(is_streamlit, streamlit)) and time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "dashboard.log").read_text(errors="replace")
            streamlit = descendants(proc.pid)  # the command's processes, Streamlit among them
            time.sleep(0.2)
        assert any(map(is_streamlit, streamlit)), "the dashboard never started Streamlit"
        time.sleep(2)  # let Streamlit get going: a signal during its start must work too
        proc.send_signal(signum)
        if nohup_:  # asked to outlive the terminal: SIGHUP changes nothing, SIGTERM still ends it
            time.sleep(3)
            assert proc.poll() is None and all(map(alive, streamlit))
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        gone = time.monotonic() + 15
        while any(map(alive, streamlit)) and time.monotonic() < gone:
            time.sleep(0.1)
        left = [pid for pid in streamlit if alive(pid)]
        assert not left, f"processes of the dashboard still run: {left}"
        assert proc.returncode != 0
    finally:
        for pid in [*streamlit, proc.pid]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


@pytest.mark.parametrize(
    "signum",
    [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
    ids=["SIGTERM", "SIGINT", "SIGHUP"],
)
def test_a_signal_to_the_dashboard_command_ends_its_streamlit_child(
    tmp_path: Path, signum: signal.Signals
) -> None:
    _signal_the_running_dashboard(tmp_path, signum)


def test_under_nohup_sighup_leaves_the_dashboard_running(tmp_path: Path) -> None:
    _signal_the_running_dashboard(tmp_path, signal.SIGHUP, nohup_=True)


def test_sigterm_to_the_readme_command_ends_the_dashboard_and_its_child(tmp_path: Path) -> None:
    """`python3 manage.py dashboard` becomes the command, so a signal to it reaches the dashboard."""
    _signal_the_running_dashboard(tmp_path, signal.SIGTERM, launcher=MANAGE)


def test_sighup_leaves_no_secrets_file_behind(tmp_path: Path) -> None:
    sign_in = {
        "SMARKETING_AUTH_SERVER_METADATA_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
        "SMARKETING_AUTH_CLIENT_ID": "smarketing",
        "SMARKETING_AUTH_CLIENT_SECRET": "a-client-secret",
        "SMARKETING_AUTH_REDIRECT_URI": "http://127.0.0.1:8501/oauth2callback",
    }
    _signal_the_running_dashboard(tmp_path, signal.SIGHUP, sign_in)
    run = tmp_path / "home" / "run"
    assert run.is_dir(), "the secrets file was not made under SMARKETING_HOME/run"
    assert not list(run.iterdir()), [str(p) for p in run.rglob("*")]
