"""Pure demo-data simulation: a seed in, frames out, one chunk of leads at a time (bounded memory).

Each chunk draws from its own generator (seed, chunk number), so a chunk does not depend on how the
previous ones were consumed; ids run on across chunks. The contacts frame carries the hidden
`propensity` (never written to the database) so benchmarks can measure how learnable outcomes are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from scoring.errors import ConfigError
from scoring.sources.demo import campaigns as c
from scoring.sources.demo.chunk import ChunkIds, simulate_chunk
from scoring.sources.demo.firmographics import competitor_firms
from scoring.sources.demo.market import COMPETITORS
from scoring.sources.demo.teams import reps_frame

CHUNK_SIZE = 25_000


@dataclass(frozen=True)
class DemoChunk:
    """One chunk's rows, table by table, in an order that satisfies foreign keys."""

    accounts: pd.DataFrame
    contacts: pd.DataFrame
    touches: pd.DataFrame
    opportunities: pd.DataFrame
    lifecycle_events: pd.DataFrame

    def tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


@dataclass(frozen=True)
class Demo:
    """A demo data set: `leads` contacts from `seed`; reps and campaigns up front, the rest in chunks."""

    leads: int
    seed: int
    chunk_size: int
    reps: pd.DataFrame
    campaigns: pd.DataFrame

    def chunks(self) -> Iterator[DemoChunk]:
        """The chunks in order (regenerated on every call; identical every time)."""
        ids = ChunkIds(contact=1, account=len(COMPETITORS) + 1, touch=1, event=1, opportunity=1)
        arrival = _arrival_table()
        offset = int(np.random.default_rng([self.seed, 1 << 20]).integers(0, 1 << 40))
        for number, start in enumerate(range(0, self.leads, self.chunk_size)):
            count = min(self.chunk_size, self.leads - start)
            rng = np.random.default_rng([self.seed, number])
            chunk, ids = simulate_chunk(
                rng, self.reps, arrival, start, count, self.leads, ids, offset,
                competitors=competitor_firms() if number == 0 else None,
            )  # fmt: skip
            yield DemoChunk(**chunk)

    def frames(self) -> DemoChunk:
        """All chunks concatenated: for small demos, tests and notebooks."""
        parts = list(self.chunks())
        return DemoChunk(
            **{
                name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)
                for name in (f.name for f in fields(DemoChunk))
            }
        )


def _arrival_table() -> tuple[np.ndarray, np.ndarray]:
    """Cumulative lead volume over days, and per day the cumulative campaign mix."""
    intensity = c.daily_intensity()
    per_day = intensity.sum(axis=1)
    mix = np.cumsum(intensity / per_day[:, None], axis=1)
    return np.cumsum(per_day / per_day.sum()), mix


def simulate(leads: int, seed: int, *, chunk_size: int = CHUNK_SIZE) -> Demo:
    """A deterministic demo data set of `leads` contacts; the same seed gives identical frames."""
    if leads < 1:
        raise ConfigError(f"the demo needs at least one lead, not {leads}")
    if seed < 0:
        raise ConfigError(f"the demo seed must be zero or positive, not {seed}")
    if chunk_size < 1:
        raise ConfigError(f"chunk size must be positive, not {chunk_size}")
    rng = np.random.default_rng([seed, 1 << 21])
    return Demo(
        leads=leads,
        seed=seed,
        chunk_size=chunk_size,
        reps=reps_frame(rng),
        campaigns=c.campaigns_frame(leads, rng),
    )


__all__ = ["CHUNK_SIZE", "Demo", "DemoChunk", "simulate"]
