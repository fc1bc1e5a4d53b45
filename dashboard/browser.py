"""Serve the dashboard on a free 127.0.0.1 port and open it in Debian's Chromium (tests, benchmarks).

Playwright's own browser download is not used: Chromium comes from the system (`SMARKETING_CHROMIUM`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent / "app.py"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None where none is installed."""
    path = os.environ.get("SMARKETING_CHROMIUM", "/usr/bin/chromium")
    return path if Path(path).is_file() and os.access(path, os.X_OK) else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout_s:.0f} s")


@contextmanager
def streamlit_server(
    database_url: str,
    *,
    timeout_s: float = 60.0,
    log: Path | None = None,
    port: int | None = None,
    secrets: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run `streamlit run dashboard/app.py` over `database_url`; yield its base URL; stop it after.

    `secrets`: the only secrets file Streamlit reads (an `[auth]` section turns sign-in on);
    `env`: more environment for the server (SMARKETING_ROLES, ...).
    """
    port = port or free_port()
    environ = {**os.environ, **(env or {}), "SMARKETING_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    command += ["--client.toolbarMode", "viewer"]
    if secrets is not None:
        command += ["--secrets.files", str(secrets)]
    sink: Any = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=environ, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, timeout_s)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            sink.close()


def launch_chromium(playwright: Any, executable: str) -> Any:
    """A headless Chromium browser from a Playwright instance."""
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
    )
