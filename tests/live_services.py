"""The real API and worker as processes on 127.0.0.1, for tests of what running services do."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from handoff_world import CRM_SECRET, SECRET, fresh_timestamp, signed

from scoring.settings import PROJECT_ROOT

SECRETS = f"web={SECRET},crm={CRM_SECRET}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the API did not answer at {url}: {log.read_text(errors='replace')}")


@contextmanager
def services(database_url: str, logs: Path, **settings: str) -> Iterator[str]:
    """`smarketing serve` and `smarketing worker` on one database; yields the API's base URL."""
    port = free_port()
    env = {
        **os.environ,
        "SMARKETING_DATABASE_URL": database_url,
        "SMARKETING_SOURCE_SECRETS": SECRETS,
        "SMARKETING_RESCORE": "queue",
        **settings,
    }
    cli = [sys.executable, "-m", "scoring.cli"]
    commands = {
        "api": [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        "worker": [*cli, "worker", "--poll", "0.1", "--id", "live"],
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, command in commands.items():
            log = logs / f"{name}.log"
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        command, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=env
                    )
                )
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/v1/health", procs[0], logs / "api.log")
        yield base
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def api_process(
    database_url: str, logs: Path, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`smarketing serve` alone on a migrated database; yields its base URL and process."""
    port = free_port()
    env = {
        **os.environ,
        "SMARKETING_DATABASE_URL": database_url,
        "SMARKETING_SOURCE_SECRETS": SECRETS,
        **settings,
    }
    command = [sys.executable, "-m", "scoring.cli", "serve", "--host", "127.0.0.1"]
    log = logs / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env=env,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/v1/health", proc, log)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def post_events(base: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """POST /v1/events signed as the web source; the answer's JSON."""
    body = json.dumps({"events": events}).encode()
    request = urllib.request.Request(
        f"{base}/v1/events",
        data=body,
        headers=signed(body, at=fresh_timestamp()),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    return result
