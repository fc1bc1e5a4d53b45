"""Canonical frames: what a transform hands to the loader, one frame per entity, keyed by natural keys.

Columns are canonical field names (`email`, `domain`, ...); references use the other entity's
natural key (`account` = account domain, `campaign` = campaign code, `contact` = contact external
id). A column that the profile does not set is absent, so an update leaves that column alone.
Columns starting with `_where` locate each row (and each checked value) in its source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ENTITY_FRAMES = ("accounts", "campaigns", "contacts", "touches")
CITING_STAGES = ("disqualified", "nurture")
"""Stages a contact enters citing a reason (the contract's reason guards); others drop the reason."""
KEYS = {
    "accounts": "domain",
    "campaigns": "code",
    "contacts": "external_id",
    "touches": "external_id",
}


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class CanonicalFrames:
    """One import's rows per entity; `contacts` also carries the outcome and the stage's reason.

    `history` holds dated stage changes (contact key, stage, occurred_at, reason) when the profile
    maps `history.*` targets; it is checked and written with the contacts, never exported.
    """

    accounts: pd.DataFrame = field(default_factory=_empty)
    campaigns: pd.DataFrame = field(default_factory=_empty)
    contacts: pd.DataFrame = field(default_factory=_empty)
    touches: pd.DataFrame = field(default_factory=_empty)
    history: pd.DataFrame = field(default_factory=_empty)

    def frame(self, entity: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, entity)
        return frame

    @property
    def won(self) -> int:
        contacts = self.contacts
        return int(contacts["won"].fillna(False).sum()) if "won" in contacts else 0

    def counts(self) -> dict[str, int]:
        counts = {entity: len(self.frame(entity)) for entity in ENTITY_FRAMES}
        return {**counts, "history": len(self.history)}


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
