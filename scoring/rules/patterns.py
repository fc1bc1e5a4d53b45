"""What re-weighting reads: each group's distinct plain hit patterns and its special rules' rows.

A plain rule (no `per`, cap or decay) adds its points or nothing, so a group's plain points depend
only on WHICH of its plain rules hit: the lead's pattern. A million leads share a few thousand
patterns, so new weights are summed once per distinct pattern and gathered by each lead's pattern
code (about 8 bytes read per lead) instead of a matrix-vector product over N x R strengths.
Special rules (capped or decayed) add points on the rows they hit only, with their strength and
decay factor gathered once: the rows some special rule touches are summed apart (a dense copy of
about half the leads) and written back after the group cap; every other row reads its pattern's
capped points. Arithmetic per lead is the one scoring.rules.scores documents, so
scores stay bit for bit what the dense matrix gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.rules.spec import GROUPS, Rulebook

Plain = dict[str, tuple[np.ndarray | None, np.ndarray]]
"""Per group: (codes, patterns) of its plain block; codes None when it is scored densely."""

MAX_PATTERN_RULES = 64
"""A group with more plain rules than bits in a uint64 key is scored from the dense matrix."""


@dataclass(frozen=True, eq=False)
class Special:
    """One capped or decayed rule on the rows it hits: strength (float32) and decay (float64)."""

    position: int
    rows: np.ndarray  # intp: the rows it hits
    at: np.ndarray  # intp: where those rows are in the group's `touched`
    strength: np.ndarray  # float32 at rows
    decay: np.ndarray | None  # float64 at rows; None for an undecayed rule


@dataclass(frozen=True, eq=False)
class GroupWeighting:
    """One group: each lead's plain pattern code, the distinct patterns, the special rules."""

    codes: np.ndarray | None  # intp (N,); None: too many plain rules, use the dense matrix
    patterns: np.ndarray  # float32 (K, P): the distinct plain strengths
    specials: tuple[Special, ...]
    touched: np.ndarray  # intp: rows some special rule hits (sorted)
    touched_codes: np.ndarray | None  # intp: their pattern codes


@dataclass(frozen=True, eq=False)
class Weighting:
    groups: dict[str, GroupWeighting]


def pattern_keys(block: np.ndarray) -> np.ndarray:
    """uint64 (or uint32) key of each row of a bool (N, P) block: bit j set when column j is."""
    n, width = block.shape
    dtype: type[np.unsignedinteger[Any]] = np.uint32 if width <= 32 else np.uint64
    key = np.zeros(n, dtype=dtype)
    shifted = np.empty(n, dtype=np.uint8)
    for first in range(0, width, 8):  # build each byte with uint8 arithmetic, then widen once
        byte = np.zeros(n, dtype=np.uint8)
        for bit in range(min(8, width - first)):
            np.left_shift(block[:, first + bit].view(np.uint8), bit, out=shifted)
            np.bitwise_or(byte, shifted, out=byte)
        np.bitwise_or(key, np.left_shift(byte.astype(dtype), first, dtype=dtype), out=key)
    return key


def distinct_patterns(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes intp (N,), patterns float32 (K, P)) with block == patterns[codes]."""
    codes, keys = pd.factorize(pattern_keys(block), sort=False)
    keys = np.asarray(keys, dtype=np.uint64)
    bits = np.arange(block.shape[1], dtype=np.uint64)
    patterns = ((keys[:, None] >> bits[None, :]) & np.uint64(1)).astype(np.float32)
    return np.asarray(codes, dtype=np.intp), patterns


def plain_patterns(
    rulebook: Rulebook, hit: np.ndarray
) -> dict[str, tuple[np.ndarray | None, np.ndarray]]:
    """Per group (codes, patterns) of its plain block of `hit` (bool N x R); codes None: dense."""
    out: Plain = {}
    for group in GROUPS:
        start, plain_end, _ = rulebook.blocks[group]
        plain = rulebook.ordered[start:plain_end]
        if len(plain) <= MAX_PATTERN_RULES and all(rule.per is None for rule in plain):
            out[group] = distinct_patterns(hit[:, start:plain_end])
        else:
            out[group] = None, np.zeros((0, plain_end - start), dtype=np.float32)
    return out


def weighting(
    rulebook: Rulebook,
    hit: np.ndarray,
    peak: np.ndarray,
    plain: Plain,
    strength_at: Callable[[int, np.ndarray], np.ndarray],
    decay_at: Callable[[int, np.ndarray], np.ndarray | None],
) -> Weighting:
    """Patterns (from plain_patterns) and the specials of every group of `hit` (bool N x R)."""
    groups = {}
    for group in GROUPS:
        _, plain_end, end = rulebook.blocks[group]
        positions = [p for p in range(plain_end, end) if peak[p] != 0]  # others add exact zeros
        touches = np.logical_or.reduce(hit[:, positions], axis=1) if positions else None
        touched = np.flatnonzero(touches) if touches is not None else np.zeros(0, dtype=np.intp)
        place = np.cumsum(touches, dtype=np.intp) - 1 if touches is not None else None
        specials = []
        for position in positions:
            rows = np.flatnonzero(hit[:, position])
            assert place is not None  # there is a special rule, so `touches` was computed
            at = np.take(place, rows)
            specials.append(
                Special(position, rows, at, strength_at(position, rows), decay_at(position, rows))
            )
        codes, patterns = plain[group]
        touched_codes = None if codes is None else codes[touched]
        groups[group] = GroupWeighting(codes, patterns, tuple(specials), touched, touched_codes)
    return Weighting(groups)
