"""Replayed attack: 8 concurrent 100 MB POSTs took the API to 1.7 GB (bodies read whole, before
authentication, with no limit).

The real server (`smarketing serve`, uvicorn) runs on 127.0.0.1; its resident memory is sampled
from /proc while eight senders stream 100 MB each from generators (the test holds one 64 KiB chunk
per sender, never the bodies). Three kinds of sender: an unsigned chunked body (refused from the
headers), a declared 100 MB Content-Length (refused before routing), and a body signed with a valid
source's headers but chunked past the limit (read to 1 MiB, then refused).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from handoff_world import SECRET, SOURCE, signed
from live_services import api_process

from scoring.db import make_engine, upgrade

pytestmark = pytest.mark.timeout(300)

SENDERS = 8
BODY_BYTES = 100 * 1024 * 1024
CHUNK = b"x" * (64 * 1024)
RSS_LIMIT_BYTES = 300 * 1024 * 1024


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def body(total: int = BODY_BYTES) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield CHUNK
        sent += len(CHUNK)


def send(base: str, kind: str) -> int | str:
    """One attacking request; the status it got (or how the connection ended)."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers: dict[str, str] = {"Content-Type": "application/json"}
    if kind == "signed":
        headers |= {k: v for k, v in signed(b"", source=SOURCE, secret=SECRET).items()}
    try:
        if kind == "declared":
            headers["Content-Length"] = str(BODY_BYTES)
            connection.putrequest("POST", "/v1/events")
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            for chunk in body():
                connection.send(chunk)
        else:
            connection.request(
                "POST", "/v1/events", body=body(), headers=headers, encode_chunked=True
            )
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        try:  # the server answered and closed while we were still sending
            return connection.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            return type(exc).__name__
    finally:
        connection.close()


def attack(base: str, kind: str) -> list[int | str]:
    """SENDERS requests of `kind` at once; their outcomes."""
    outcome: list[int | str] = []
    threads = [
        threading.Thread(target=lambda: outcome.append(send(base, kind))) for _ in range(SENDERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def test_eight_concurrent_100_mb_posts_keep_the_server_under_300_mb(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with api_process(url, tmp_path) as (base, proc):
        before = rss(proc.pid)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss(proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        results: dict[str, list[int | str]] = {}
        try:
            for kind in ("unsigned", "declared", "signed"):
                results[kind] = attack(base, kind)
        finally:
            done.set()
            sampler.join()
        health = http.client.HTTPConnection(
            urlsplit(base).hostname, urlsplit(base).port, timeout=10
        )
        health.request("GET", "/v1/health")
        assert health.getresponse().status == 200  # still serving
    print(json.dumps({"rss_before_mb": before / 2**20, "rss_peak_mb": peak[0] / 2**20, **results}))
    assert results["unsigned"] == [401] * SENDERS
    assert results["declared"] == [413] * SENDERS
    assert results["signed"] == [413] * SENDERS
    assert peak[0] < RSS_LIMIT_BYTES, f"peak RSS {peak[0] / 2**20:.0f} MB"
