"""The per-source rate limit: requests of the last minute, counted in `request_nonces`.

The rows of a source's nonces in the last minute are its request count (scoring.api.auth records
one per verified request). Counting them reads as many rows as the source sent, so one server
process keeps a view of each source and counts again only when needed (`RateCounts`).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scoring.db.models import RequestNonce
from scoring.errors import RateLimited
from scoring.signals import utcnow
from scoring.signatures import SOURCE_HEADER
from scoring.store.credentials import Credential

RATE_WINDOW_S = 60.0


def _rate(sessions: sessionmaker[Session], found: Credential) -> int:
    """The source's requests in the last minute; RateLimited (with the seconds until a slot
    frees) when it used its minute."""
    since = utcnow() - timedelta(seconds=RATE_WINDOW_S)
    recent = (RequestNonce.source == found.source) & (RequestNonce.received_at >= since)
    with sessions() as session:
        used, oldest = session.execute(
            select(func.count(), func.min(RequestNonce.received_at)).where(recent)
        ).one()
    if used < found.rate_per_minute:
        return int(used)
    wait = RATE_WINDOW_S - (utcnow() - oldest).total_seconds() if oldest else RATE_WINDOW_S
    raise RateLimited(
        f"source {found.source!r} sent {used} requests in the last minute "
        f"(limit {found.rate_per_minute})",
        SOURCE_HEADER,
        retry_after=max(1, math.ceil(wait)),
    )


@dataclass
class _Window:
    counted: int  # the source's requests in its last minute, counted at `at`
    at: float  # time.monotonic()
    since: int = 0  # requests this process let through since then


class RateCounts:
    """The rate limit without a count per request: one server process's view of each source.

    Counting a source's minute reads as many rows as it sent (60,000 at 1,000 requests/s). The
    exact count is read again when the last one is REFRESH_S old, or whenever the estimate (last
    count plus the requests let through since) reaches half the limit, so a source near its limit
    is always counted exactly; below that a request costs no query. Requests of other server
    processes show within REFRESH_S.
    """

    REFRESH_S = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def check(self, sessions: sessionmaker[Session], found: Credential) -> None:
        """RateLimited when the source used its minute (see the class text)."""
        with self._lock:
            window = self._windows.get(found.source)
            if (
                window is not None
                and time.monotonic() - window.at < self.REFRESH_S
                and 2 * (window.counted + window.since + 1) <= found.rate_per_minute
            ):
                window.since += 1
                return
        used = _rate(sessions, found)
        with self._lock:
            self._windows[found.source] = _Window(used + 1, time.monotonic())
