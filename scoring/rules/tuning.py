"""Tuning a rulebook without re-running its predicates: new half-lives and caps on an existing Hits,
and the tuned rulebook written back as a new version.

A decayed rule stores its factor f = 2**(-days / h). Under a new half-life h' the factor is
2**(-days / h') = f ** (h / h'), so the hit matrix is re-used and no feature column is read again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import yaml

from scoring.errors import ConfigError, RulebookError
from scoring.located_yaml import parse_located
from scoring.rules.hits import Hits
from scoring.rules.loader import parse_rulebook
from scoring.rules.spec import GROUPS, GroupCap, Rulebook


@dataclasses.dataclass(frozen=True)
class Tuning:
    """What the scoring lab's sliders change: points per rule, threshold, half-lives, group caps."""

    weights: tuple[tuple[str, float], ...] = ()
    threshold: float | None = None
    half_lives: tuple[tuple[str, float], ...] = ()
    caps: tuple[GroupCap, ...] = ()

    @classmethod
    def of(
        cls,
        weights: Mapping[str, float] | None = None,
        threshold: float | None = None,
        half_lives: Mapping[str, float] | None = None,
        caps: Mapping[str, tuple[float | None, float | None]] | None = None,
    ) -> Tuning:
        return cls(
            weights=tuple(sorted((weights or {}).items())),
            threshold=threshold,
            half_lives=tuple(sorted((half_lives or {}).items())),
            caps=tuple(GroupCap(g, lo, hi) for g, (lo, hi) in sorted((caps or {}).items())),
        )


def tuned_rulebook(rulebook: Rulebook, tuning: Tuning) -> Rulebook:
    """The rulebook with the tuning's points, threshold, half-lives and caps (same version)."""
    weights, half_lives = dict(tuning.weights), dict(tuning.half_lives)
    known = {r.id for r in rulebook.rules}
    unknown = sorted((set(weights) | set(half_lives)) - known)
    if unknown:
        raise ConfigError(f"tuning names unknown rules: {', '.join(unknown)}")
    rules = []
    for rule in rulebook.rules:
        changes: dict[str, Any] = {}
        if rule.id in weights:
            changes["points"] = float(weights[rule.id])
        if rule.id in half_lives:
            if rule.decay is None:
                raise ConfigError(f"rule {rule.id!r} has no decay to tune")
            if half_lives[rule.id] <= 0:
                raise ConfigError(f"half-life of {rule.id!r} must be positive")
            changes["decay"] = dataclasses.replace(
                rule.decay, half_life_days=float(half_lives[rule.id])
            )
        rules.append(dataclasses.replace(rule, **changes) if changes else rule)
    caps = {c.group: c for c in rulebook.caps} | {c.group: c for c in tuning.caps}
    return dataclasses.replace(
        rulebook,
        rules=tuple(rules),
        threshold=rulebook.threshold if tuning.threshold is None else float(tuning.threshold),
        caps=tuple(caps.get(g, GroupCap(g)) for g in GROUPS),
    )


def retune(hits: Hits, tuning: Tuning) -> Hits:
    """`hits` under the tuned rulebook: decay factors re-based on the new half-lives, no predicates."""
    book = tuned_rulebook(hits.rulebook, tuning)
    decay = hits.decay
    old = hits.rulebook.ordered
    new = {r.id: r for r in book.rules}
    rebased = []
    for k, position in enumerate(hits.rulebook.decayed):
        before = old[position].decay
        after = new[old[position].id].decay
        assert before is not None and after is not None  # decayed positions keep their decay
        ratio = before.half_life_days / after.half_life_days
        rebased.append(decay[:, k] if ratio == 1.0 else np.power(decay[:, k], ratio))
    if rebased:
        decay = np.asfortranarray(np.column_stack(rebased))
    # Column order depends only on group and "special" (cap/decay), which tuning never changes.
    return dataclasses.replace(hits, rulebook=book, decay=decay)


def _document_with(document: dict[str, Any], book: Rulebook, version: str) -> dict[str, Any]:
    updated = {**document, "version": version}
    updated["mql"] = {**document.get("mql", {}), "threshold": _number(book.threshold)}
    updated["groups"] = {c.group: {"min": _number(c.min), "max": _number(c.max)} for c in book.caps}
    rules = {r.id: r for r in book.rules}
    raw_rules = []
    for raw in document.get("rules", []):
        rule = rules[raw["id"]]
        item = {**raw, "points": _number(rule.points)}
        if rule.decay is not None and "decay" in raw:
            item["decay"] = {**raw["decay"], "half_life_days": _number(rule.decay.half_life_days)}
        raw_rules.append(item)
    updated["rules"] = raw_rules
    return updated


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def publishable_yaml(source_text: str, book: Rulebook, version: str) -> str:
    """The YAML of a new rulebook version: the source document with `book`'s tunable values.

    The result is parsed back with the loader, so an invalid tuning fails here, not in production.
    """
    document = parse_located(source_text, f"<rulebook {version}>", RulebookError).data
    text = yaml.safe_dump(
        _document_with(document, book, version), sort_keys=False, allow_unicode=True
    )
    parse_rulebook(text, f"<rulebook {version}>")
    return text


def rule_changes(before: Rulebook, after: Rulebook) -> pd.DataFrame:
    """What a publish changes: one row per changed rule value, threshold and cap."""
    rows: list[tuple[str, str, object, object]] = []
    old = {r.id: r for r in before.rules}
    for rule in after.rules:
        prior = old[rule.id]
        if rule.points != prior.points:
            rows.append((rule.id, "points", prior.points, rule.points))
        if rule.decay and prior.decay and rule.decay.half_life_days != prior.decay.half_life_days:
            rows.append(
                (rule.id, "half-life (days)", prior.decay.half_life_days, rule.decay.half_life_days)
            )
    if after.threshold != before.threshold:
        rows.append(("mql", "threshold", before.threshold, after.threshold))
    for group in GROUPS:
        a, b = before.cap(group), after.cap(group)
        if (a.min, a.max) != (b.min, b.max):
            rows.append((group, "cap (min, max)", (a.min, a.max), (b.min, b.max)))
    return pd.DataFrame(rows, columns=["item", "what", "published", "new"])
