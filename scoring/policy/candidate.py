"""The shadow (or canary) rulebook in force beside the live one, and which new leads a canary takes.

A shadow is a published policy version of kind `shadow` whose text is a small JSON document: the
candidate rulebook's text, the mode (`shadow`, `canary`, or `off` once promoted or aborted), the
canary share and the highest lead id when it started. The candidate is stamped `<mode>-<version>`
so every score, transition and payload it produces names it.

Canary assignment is a pure function of the lead id: bucket(id) = splitmix64(id) / 2**64, and a
lead is in the canary when it is new (its id is above `after_lead_id`) and bucket(id) < share. The
same lead always lands in the same bucket, in every process and on every machine.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from scoring.errors import ConfigError
from scoring.rules.loader import parse_rulebook
from scoring.rules.spec import Rulebook

MODES = ("shadow", "canary")
OFF = "off"


@dataclass(frozen=True)
class Shadow:
    """The candidate rulebook running beside the live one."""

    version: str  # the shadow publish (policy version of kind `shadow`)
    mode: str  # shadow | canary
    share: float  # canary: the share of new leads scored and handed off under the candidate
    after_lead_id: int  # leads with a larger id arrived after it started (the canary's "new")
    live_version: str  # the rulebook in force when it started
    rulebook: Rulebook
    text: str  # the candidate rulebook's text, stamped with `candidate_label`
    origin: str
    row_id: int | None = None

    def canary_ids(self, lead_ids: Collection[int]) -> set[int]:
        """The leads among `lead_ids` that the canary scores and hands off under the candidate."""
        if self.mode != "canary" or not lead_ids:
            return set()
        ids = np.fromiter(lead_ids, dtype=np.int64, count=len(lead_ids))
        chosen = ids[in_canary(ids, self.share) & (ids > self.after_lead_id)]
        return {int(i) for i in chosen}


def candidate_label(mode: str, version: str) -> str:
    """The version the candidate rulebook is stamped with (`shadow-2026.12.07.1`)."""
    return f"{mode}-{version}"


def bucket(lead_ids: np.ndarray) -> np.ndarray:
    """A stable position in [0, 1) per lead id: the splitmix64 finaliser of the id, over 2**64."""
    z = lead_ids.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def in_canary(lead_ids: np.ndarray, share: float) -> np.ndarray:
    """Whether each lead id falls in a canary of `share` (new or not: see `Shadow.canary_ids`)."""
    return bucket(np.asarray(lead_ids, dtype=np.int64)) < share


def shadow_document(
    mode: str, share: float, after_lead_id: int, live_version: str, text: str
) -> dict[str, object]:
    """The JSON a shadow publish stores (mode `off`: nothing runs beside the live rulebook)."""
    return {
        "mode": mode,
        "share": share,
        "after_lead_id": after_lead_id,
        "live_version": live_version,
        "rulebook": text,
    }


@lru_cache(maxsize=8)
def shadow_of(version: str, text: str, origin: str, row_id: int | None) -> Shadow | None:
    """The shadow a stored `shadow` version describes (None once it was promoted or aborted)."""
    try:
        doc = json.loads(text)
        mode = str(doc["mode"])
        if mode == OFF:
            return None
        book = str(doc["rulebook"])
        share = float(doc["share"])
        after, live = int(doc["after_lead_id"]), str(doc["live_version"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"shadow version {version}: unreadable ({exc})") from exc
    if mode not in MODES:
        raise ConfigError(f"shadow version {version}: unknown mode {mode!r}")
    rulebook = parse_rulebook(book, f"<{mode} rulebook {version}>")
    return Shadow(version, mode, share, after, live, rulebook, book, origin, row_id)
