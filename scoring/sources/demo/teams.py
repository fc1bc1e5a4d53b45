"""The demo's sales team: reps by territory (region x segment), capacity, and who owns what."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.sources.demo.market import REGIONS, SEGMENTS
from scoring.sources.demo.vocab import FIRST_NAMES, LAST_NAMES

REP_DOMAIN = "smarketing.example"

# (territory, team, regions served, segments served, reps, weekly capacity range)
TERRITORIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], int, tuple[int, int]], ...] = (
    ("NA-ENT", "Enterprise", ("NA",), ("ENT",), 5, (12, 20)),
    ("NA-MM", "Mid-Market", ("NA",), ("MM",), 7, (25, 40)),
    ("NA-SMB", "SMB Inside Sales", ("NA",), ("SMB",), 6, (45, 70)),
    ("EMEA-ENT", "Enterprise", ("EMEA",), ("ENT",), 4, (12, 20)),
    ("EMEA-MM", "Mid-Market", ("EMEA",), ("MM", "SMB"), 6, (25, 45)),
    ("APAC", "International", ("APAC",), SEGMENTS, 3, (25, 40)),
    ("LATAM", "International", ("LATAM",), SEGMENTS, 3, (25, 40)),
)
INACTIVE = ("NA-MM", "EMEA-MM")  # one rep in each has left; their accounts were never reassigned


def reps_frame(rng: np.random.Generator) -> pd.DataFrame:
    """One row per rep; the first rep of each INACTIVE territory is inactive with no capacity."""
    rows: list[dict[str, object]] = []
    total = sum(t[4] for t in TERRITORIES)
    firsts = rng.choice(FIRST_NAMES, total, replace=False)
    lasts = rng.choice(LAST_NAMES, total, replace=False)
    for territory, team, _regions, _segments, count, (low, high) in TERRITORIES:
        for k in range(count):
            i = len(rows)
            inactive = k == 0 and territory in INACTIVE
            rows.append(
                {
                    "id": i + 1,
                    "email": f"{firsts[i].lower()}.{lasts[i].lower()}@{REP_DOMAIN}",
                    "name": f"{firsts[i]} {lasts[i]}",
                    "team": team,
                    "territory": territory,
                    "weekly_capacity": 0 if inactive else int(rng.integers(low, high + 1)),
                    "active": not inactive,
                }
            )
    return pd.DataFrame(rows)


def territory_table(reps: pd.DataFrame, *, active: bool) -> np.ndarray:
    """Rep ids by (region, segment): a (regions x segments x slots) array padded with 0."""
    chosen = reps[reps["active"] == active]
    slots = np.zeros((len(REGIONS), len(SEGMENTS), max(1, len(chosen))), dtype=np.int64)
    for territory, _team, regions, segments, _count, _cap in TERRITORIES:
        ids = chosen.loc[chosen["territory"] == territory, "id"].to_numpy()
        for region in regions:
            for segment in segments:
                cell = slots[REGIONS.index(region), SEGMENTS.index(segment)]
                cell[: len(ids)] = ids
    return slots


def assign(
    table: np.ndarray, region: np.ndarray, segment: np.ndarray, key: np.ndarray
) -> np.ndarray:
    """Pick a rep for each (region, segment, key); unknown regions (-1) go to North America."""
    cells = table[np.where(region < 0, 0, region), segment]
    counts = (cells > 0).sum(axis=1)
    rep = cells[np.arange(len(cells)), key % np.maximum(counts, 1)]
    return rep
