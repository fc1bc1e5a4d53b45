"""Encode demo frames as flat lists of driver-ready values for the bulk writers.

Datetimes become the text SQLAlchemy's SQLite dialect stores ("YYYY-MM-DD HH:MM:SS.ffffff"), which
PostgreSQL parses as well; dates "YYYY-MM-DD"; missing values None. Everything is column-wise numpy
work, then one strided interleave per column: no tuple per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime

from scoring.db.models import Base
from scoring.sources.demo.dataset import DemoChunk


@dataclass(frozen=True)
class Batch:
    """Rows of one table, flattened row-major: values[i * len(columns) + j] is row i, column j."""

    table: str
    columns: tuple[str, ...]
    values: list[Any]

    @property
    def rows(self) -> int:
        return len(self.values) // len(self.columns) if self.columns else 0


_SECONDS: np.ndarray | None = None


def _time_of_day() -> np.ndarray:
    """ " HH:MM:SS.000000" for every second of a day (built once)."""
    global _SECONDS
    if _SECONDS is None:
        s = np.arange(86_400)
        parts = [np.strings.zfill(x.astype(str), 2) for x in (s // 3600, s // 60 % 60, s % 60)]
        clock = np.strings.add(np.strings.add(parts[0], ":"), np.strings.add(parts[1], ":"))
        _SECONDS = np.strings.add(np.strings.add(" ", clock), np.strings.add(parts[2], ".000000"))
    return _SECONDS


def datetime_text(values: np.ndarray, *, date_only: bool = False) -> list[str | None]:
    """datetime64 values as SQLAlchemy's SQLite text (or "YYYY-MM-DD"); NaT becomes None."""
    seconds = values.astype("datetime64[s]").astype(np.int64)
    missing = np.isnat(values)
    seconds = np.where(missing, 0, seconds)
    day, second = np.divmod(seconds, 86_400)
    first = int(day.min()) if len(day) else 0
    dates = np.datetime_as_string(
        np.arange(first, int(day.max(initial=first)) + 1).astype("datetime64[D]")
    )
    text = dates[day - first]
    if not date_only:
        text = np.strings.add(text, _time_of_day()[second])
    out: list[str | None] = text.tolist()
    for row in np.flatnonzero(missing).tolist():
        out[row] = None
    return out


def column_values(series: pd.Series, sql_type: Any) -> list[Any]:
    """One frame column as Python values the DB-API drivers accept (None for missing)."""
    if isinstance(sql_type, DateTime | Date):
        return datetime_text(
            series.to_numpy(dtype="datetime64[s]"), date_only=not isinstance(sql_type, DateTime)
        )
    if series.dtype == object:
        return series.to_numpy().tolist()
    if series.hasnans:
        loose: Any = series  # the stubs do not accept na_value=None
        return loose.to_numpy(dtype=object, na_value=None).tolist()
    return series.to_numpy().tolist()


def encode(name: str, frame: pd.DataFrame) -> Batch:
    """The table's columns present in the frame (hidden columns are left out), flattened."""
    table = Base.metadata.tables[name]
    names = tuple(c.name for c in table.columns if c.name in frame.columns)
    flat: list[Any] = [None] * (len(frame) * len(names))
    for j, n in enumerate(names):
        # Strided slice assignment interleaves the columns in C, without a tuple per row.
        flat[j :: len(names)] = column_values(frame[n], table.c[n].type)
    return Batch(name, names, flat)


def encode_chunk(chunk: DemoChunk) -> list[Batch]:
    return [encode(name, frame) for name, frame in chunk.tables()]
