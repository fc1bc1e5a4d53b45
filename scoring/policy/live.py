"""What is in force for a running process: re-read within seconds of a publish, never mid-request.

    live = LivePolicy(engine, build=lambda policy: pipeline_for(policy, settings))
    pipeline = live.current()      # once per request or batch; use that object throughout

A long-running API or worker holds one `LivePolicy`. `current()` checks the policy token (one
small query) at most every `poll_s` seconds and rebuilds the derived object only when a version
changed. Each caller keeps the object it got, so a request or a batch never mixes two versions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import Engine

from scoring.policy.resolve import InForce, in_force, policy_token

T = TypeVar("T")


class LivePolicy(Generic[T]):
    """The newest `build(in_force)` of a database, refreshed when a new version is published."""

    def __init__(
        self,
        engine: Engine,
        build: Callable[[InForce], T],
        *,
        poll_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.build = build
        self.poll_s = poll_s
        self.clock = clock
        self._lock = threading.Lock()
        self.policy: InForce | None = None  # read at the first `current()`, not at construction
        self._value: T | None = None
        self._checked = 0.0

    def current(self) -> T:
        """The object built from what is in force (at most `poll_s` seconds old)."""
        value, now = self._value, self.clock()
        if value is not None and now - self._checked < self.poll_s:
            return value
        with self._lock:
            value = self._value
            if value is None or now - self._checked >= self.poll_s:
                value = self._value = self._refreshed(value)
                self._checked = self.clock()
            return value

    def _refreshed(self, value: T | None) -> T:
        with self.engine.connect() as connection:
            token = policy_token(connection)
            if value is not None and self.policy is not None and token == self.policy.token:
                return value
            policy = in_force(connection)
        self.policy = policy
        return self.build(policy)
