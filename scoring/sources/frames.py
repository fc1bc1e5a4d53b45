"""Canonical frames: what a transform hands to the loader, one frame per entity, keyed by natural keys.

Columns are canonical field names (`email`, `domain`, ...); references use the other entity's
natural key (`account` = account domain, `campaign` = campaign code, `contact` = contact external
id). A column that the profile does not set is absent, so an update leaves that column alone.
Columns starting with `_where` locate each row (and each checked value) in its source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ENTITY_FRAMES = ("accounts", "campaigns", "contacts", "touches")
"""The entities of the canonical CSV files (scoring.sources.export)."""
CRM_FRAMES = ("opportunities", "reps", "products")
"""The pipeline entities a CRM export adds: deals, the sales roster and the price list."""
CITING_STAGES = ("disqualified", "nurture")
"""Stages a contact enters citing a reason (the contract's reason guards); others drop the reason."""
KEYS = {
    "accounts": "domain",
    "campaigns": "code",
    "contacts": "external_id",
    "touches": "external_id",
    "opportunities": "external_id",
    "products": "name",
}


@dataclass(frozen=True)
class Spelling:
    """One way a value is written, and the rows (file:row:column) that write it so."""

    value: str
    wheres: tuple[str, ...]


@dataclass(frozen=True)
class LikelyDuplicate:
    """Values of one field that differ only in spacing or case ("GTX Pro", "GTXPro").

    `personal` values (people's names) are never shown; the rows are.
    """

    field: str
    spellings: tuple[Spelling, ...]
    personal: bool = False

    def lines(self, shown_rows: int = 5) -> list[str]:
        """For people: one line per spelling with its first rows and how many more."""
        lines = [f"likely duplicates in {self.field}: {len(self.spellings)} spellings"]
        for number, spelling in enumerate(self.spellings, start=1):
            name = f"spelling {number}" if self.personal else repr(spelling.value)
            rows = ", ".join(spelling.wheres[:shown_rows])
            more = len(spelling.wheres) - shown_rows
            tail = f" and {more:,} more" if more > 0 else ""
            lines.append(f"  {name}: {len(spelling.wheres):,} row(s): {rows}{tail}")
        return lines


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class CanonicalFrames:
    """One import's rows per entity; `contacts` also carries the outcome and the stage's reason.

    `history` holds dated stage changes (contact key, stage, occurred_at, reason) when the profile
    maps `history.*` targets; it is checked and written with the contacts, never exported.
    `opportunities`, `reps` and `products` come from CRM exports; `likely_duplicates` lists values
    that differ only in spacing or case (reported, never rejected).
    """

    accounts: pd.DataFrame = field(default_factory=_empty)
    campaigns: pd.DataFrame = field(default_factory=_empty)
    contacts: pd.DataFrame = field(default_factory=_empty)
    touches: pd.DataFrame = field(default_factory=_empty)
    history: pd.DataFrame = field(default_factory=_empty)
    opportunities: pd.DataFrame = field(default_factory=_empty)
    reps: pd.DataFrame = field(default_factory=_empty)
    products: pd.DataFrame = field(default_factory=_empty)
    likely_duplicates: tuple[LikelyDuplicate, ...] = ()

    def frame(self, entity: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, entity)
        return frame

    @property
    def won(self) -> int:
        contacts = self.contacts
        return int(won_flags(contacts).sum())

    def counts(self) -> dict[str, int]:
        counts = {entity: len(self.frame(entity)) for entity in ENTITY_FRAMES}
        crm = {entity: len(self.frame(entity)) for entity in CRM_FRAMES}
        return {**counts, "history": len(self.history), **crm}


def won_flags(contacts: pd.DataFrame) -> np.ndarray:
    """Per contact row: won by its outcome (`outcome.won`) or by a won opportunity (`deal_won`)."""
    won = np.zeros(len(contacts), dtype=bool)
    for column in ("won", "deal_won"):
        if column in contacts:
            won |= contacts[column].fillna(False).to_numpy(dtype=bool)
    return won


def data_columns(frame: pd.DataFrame) -> list[str]:
    """The canonical columns of a frame, without the `_where` locators."""
    return [c for c in frame.columns if not str(c).startswith("_where")]


def python_values(series: pd.Series) -> list[object]:
    """A column as plain Python values (None for missing; datetimes as `datetime`)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        objects = pd.Series(series.dt.to_pydatetime(), index=series.index, dtype=object)
    else:
        objects = series.astype(object)
    return objects.where(series.notna(), None).tolist()
