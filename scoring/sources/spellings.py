"""Likely duplicates: values of one field that differ only in spacing or case, with their rows.

A CRM export often spells one product, account or rep two ways ("GTX Pro" in the price list,
"GTXPro" on the deals). An import cannot know which is right, so it imports both as they are and
`smarketing import --report` lists each group with the rows that write every spelling. Values of
people (rep names, managers) are never shown, only their rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from scoring.sources.frames import LikelyDuplicate, Spelling
from scoring.sources.records import Record

SPELLED: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("product", ("product.name", "opportunity.product"), False),
    ("account", ("account.name", "opportunity.account", "account.parent"), False),
    ("rep", ("rep.external_id", "rep.name", "opportunity.owner", "account.owner"), True),
    ("manager", ("rep.manager",), True),
    ("team", ("rep.team",), False),
    ("office", ("rep.office",), False),
    ("opportunity stage", ("opportunity.stage",), False),
)
"""Fields compared, by what they name: (label, targets read, personal)."""
_SPACES = re.compile(r"\s+")


def _values(records: Sequence[Record], targets: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    for record in records:
        for target in targets:
            values = record.values.get(target)
            if values is None or record.kinds.get(target) not in (None, "text"):
                continue
            present = values.notna().to_numpy(dtype=bool)
            if not present.any():
                continue
            wheres = record.origins[target].wheres()
            parts.append(
                pd.DataFrame(
                    {
                        "value": values[present].astype(str).to_numpy(),
                        "where": wheres[present].to_numpy(),
                        "line": record.origins[target].lines[present],
                        "order": record.order,
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["value", "where", "line", "order"])
    return pd.concat(parts, ignore_index=True)


def _groups(values: pd.DataFrame, label: str, personal: bool) -> list[LikelyDuplicate]:
    """One pass over the values: group by the spelling-free key, keep keys spelled more than one
    way, and collect each spelling's rows (linear in the rows, however many groups there are)."""
    values = values.sort_values(["order", "line"], kind="stable")
    norm = values["value"].str.replace(_SPACES, "", regex=True).str.casefold()
    values = values.assign(norm=norm)
    several = values.groupby("norm", sort=False)["value"].transform("nunique") > 1
    rows = values[several.to_numpy()].groupby(["norm", "value"], sort=False)["where"].agg(tuple)
    spellings: dict[str, list[Spelling]] = {}
    for (key, value), wheres in zip(rows.index, rows.tolist(), strict=True):
        spellings.setdefault(str(key), []).append(Spelling(str(value), tuple(wheres)))
    return [LikelyDuplicate(label, tuple(found), personal) for found in spellings.values()]


def likely_duplicates(records: Sequence[Record]) -> tuple[LikelyDuplicate, ...]:
    """Every group of spellings, field by field, in the order the files first show them."""
    found: list[LikelyDuplicate] = []
    for label, targets, personal in SPELLED:
        values = _values(records, targets)
        if len(values):
            found += _groups(values, label, personal)
    return tuple(found)
