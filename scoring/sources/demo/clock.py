"""The demo's fixed calendar: a reference "now", the 18-month window before it and daily lead volume.

Everything is in whole seconds since the Unix epoch (int64) while simulating; frames carry
`datetime64[s]` columns.
"""

from __future__ import annotations

import numpy as np

NOW = np.datetime64("2026-10-31T00:00:00", "s")
START = np.datetime64("2025-05-01T00:00:00", "s")
DAY = 86_400
HOUR = 3_600
NOW_S = int(NOW.astype(np.int64))
START_S = int(START.astype(np.int64))
DAYS = (NOW_S - START_S) // DAY

_WEEKDAY_VOLUME = np.array([1.0, 1.05, 1.05, 1.0, 0.9, 0.35, 0.3])  # Monday first


def day_volume() -> np.ndarray:
    """Relative lead volume of each day in the window: growing ~2.3x over 18 months, quiet weekends."""
    days = np.arange(DAYS)
    weekday = (days + _weekday(START_S)) % 7
    return (0.6 + 0.8 * days / DAYS) * _WEEKDAY_VOLUME[weekday]


def _weekday(seconds: int) -> int:
    return int((seconds // DAY + 3) % 7)  # 1970-01-01 was a Thursday


def day_of(date: str) -> int:
    """Index of an ISO date within the window."""
    return int((np.datetime64(date, "s").astype(np.int64) - START_S) // DAY)


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight (UTC) with a business-hours peak."""
    hours = np.where(rng.random(n) < 0.85, rng.normal(14.0, 3.0, n), rng.uniform(0, 24, n))
    return (np.clip(hours, 0.0, 23.999) * HOUR).astype(np.int64)


def to_datetime(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (int64) as datetime64[s]; negative values mean "missing" (NaT)."""
    values = seconds.astype("datetime64[s]")
    values[seconds < 0] = np.datetime64("NaT")
    return values
