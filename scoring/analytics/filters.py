"""The dashboard's shared lead filter: date range, campaign, channel, segment, country."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

# Company size segments by employees, as sales teams usually split territories.
SEGMENTS = (("SMB", 0, 200), ("Mid-market", 200, 1000), ("Enterprise", 1000, None))
UNKNOWN_SEGMENT = "Unknown"


def segment_of(employees: pd.Series) -> pd.Series:
    """Segment name per row from an employees column (Unknown where missing)."""
    values = pd.to_numeric(employees, errors="coerce").to_numpy(dtype=float)
    names = np.full(len(values), UNKNOWN_SEGMENT, dtype=object)
    for name, low, high in SEGMENTS:
        upper = np.inf if high is None else high
        names[(values >= low) & (values < upper)] = name
    return pd.Series(names, index=employees.index, dtype="object")


@dataclass(frozen=True)
class LeadFilter:
    """A hashable selection of leads; empty tuples mean "all"."""

    start: date | None = None
    end: date | None = None
    campaigns: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    def mask(self, contacts: pd.DataFrame) -> np.ndarray:
        """Boolean array over `contacts` rows (needs created_at, campaign, channel, employees, country)."""
        keep = np.ones(len(contacts), dtype=bool)
        created = pd.to_datetime(contacts["created_at"])
        if self.start is not None:
            keep &= (created >= pd.Timestamp(self.start)).to_numpy()
        if self.end is not None:
            keep &= (created < pd.Timestamp(self.end) + pd.Timedelta(days=1)).to_numpy()
        for column, chosen in (
            ("campaign", self.campaigns),
            ("channel", self.channels),
            ("country", self.countries),
        ):
            if chosen:
                keep &= contacts[column].isin(chosen).to_numpy()
        if self.segments:
            keep &= segment_of(contacts["employees"]).isin(self.segments).to_numpy()
        return keep

    @property
    def active(self) -> bool:
        return self != LeadFilter()
