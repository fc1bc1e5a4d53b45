"""When to try a failed handoff again: exponential backoff with jitter, Retry-After, dead letters."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_HORIZON = timedelta(days=3)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff parameters of the worker.

    The n-th retry waits `base_s * 2**(n-1)` seconds capped at `cap_s`, multiplied by a random
    factor in [1 - jitter, 1] so that many failed rows do not come back at the same instant. A CRM's
    `Retry-After` is a floor: the wait is never shorter. A row whose next attempt would fall after its
    `dead_after` moment (created + `horizon`) becomes a dead letter instead.
    """

    base_s: float = 2.0
    cap_s: float = 900.0
    jitter: float = 0.5
    horizon: timedelta = DEFAULT_HORIZON

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 = the first attempt)."""
        exponent = min(max(attempt - 1, 0), 32)
        backoff = min(self.cap_s, self.base_s * 2**exponent)
        wait = backoff * (1 - self.jitter * rng.random())
        return max(wait, retry_after) if retry_after is not None else wait

    def next_attempt(
        self,
        attempt: int,
        retry_after: float | None,
        *,
        now: datetime,
        dead_after: datetime,
        rng: random.Random,
    ) -> datetime | None:
        """When to try again, or None when the row must become a dead letter."""
        due = now + timedelta(seconds=self.delay(attempt, retry_after, rng))
        return None if due > dead_after else due
