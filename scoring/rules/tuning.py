"""Tuning a rulebook without re-running its predicates: new points, half-lives, caps, segment
thresholds and switched-off gates on an existing Hits, and the tuned rulebook written back as a new
version.

The hit matrix keeps the days each decayed rule counts from, so a new half-life recomputes exactly the
factors a fresh evaluation gives. `tuned_rulebook` is the single description of a tuning: the lab
scores with it (through `retune`), the draft YAML and the publish write it, so what the lab shows is
what gets published, lead by lead (tests/test_lab_publish.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
import yaml

from scoring.errors import ConfigError, RulebookError
from scoring.located_yaml import parse_located
from scoring.rules.changes import rulebook_diff
from scoring.rules.hits import Hits
from scoring.rules.loader import parse_rulebook
from scoring.rules.mqls import at_threshold
from scoring.rules.spec import GROUPS, GroupCap, Rulebook


@dataclasses.dataclass(frozen=True)
class Tuning:
    """What the scoring lab's controls change: points per rule, threshold, half-lives, group caps,
    segment offsets (a segment's threshold minus the default threshold) and gates switched off.

    Moving the threshold moves every segment threshold with it; an offset pins a segment's
    distance from the default instead of the published one.
    """

    weights: tuple[tuple[str, float], ...] = ()
    threshold: float | None = None
    half_lives: tuple[tuple[str, float], ...] = ()
    caps: tuple[GroupCap, ...] = ()
    segment_offsets: tuple[tuple[str, float], ...] = ()
    gates_off: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        weights: Mapping[str, float] | None = None,
        threshold: float | None = None,
        half_lives: Mapping[str, float] | None = None,
        caps: Mapping[str, tuple[float | None, float | None]] | None = None,
        segment_offsets: Mapping[str, float] | None = None,
        gates_off: Collection[str] = (),
    ) -> Tuning:
        return cls(
            weights=tuple(sorted((weights or {}).items())),
            threshold=threshold,
            half_lives=tuple(sorted((half_lives or {}).items())),
            caps=tuple(GroupCap(g, lo, hi) for g, (lo, hi) in sorted((caps or {}).items())),
            segment_offsets=tuple(sorted((segment_offsets or {}).items())),
            gates_off=tuple(sorted(set(gates_off))),
        )


def _check_names(rulebook: Rulebook, tuning: Tuning) -> None:
    named = {
        "rules": (
            {k for k, _ in tuning.weights} | {k for k, _ in tuning.half_lives},
            {r.id for r in rulebook.rules},
        ),
        "segments": ({k for k, _ in tuning.segment_offsets}, {s.name for s in rulebook.segments}),
        "gates": (set(tuning.gates_off), {g.id for g in rulebook.gates}),
    }
    for kind, (asked, known) in named.items():
        unknown = sorted(asked - known)
        if unknown:
            raise ConfigError(f"tuning names unknown {kind}: {', '.join(unknown)}")


def tuned_rulebook(rulebook: Rulebook, tuning: Tuning) -> Rulebook:
    """The rulebook with the tuning's points, half-lives, caps, segments, gates and threshold.

    The threshold is applied last with scoring.rules.mqls.at_threshold, exactly as the lab moves it.
    """
    _check_names(rulebook, tuning)
    weights, half_lives = dict(tuning.weights), dict(tuning.half_lives)
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
    offsets = dict(tuning.segment_offsets)
    segments = tuple(
        dataclasses.replace(s, threshold=rulebook.threshold + float(offsets[s.name]))
        if s.name in offsets
        else s
        for s in rulebook.segments
    )
    book = dataclasses.replace(
        rulebook,
        rules=tuple(rules),
        caps=tuple(caps.get(g, GroupCap(g)) for g in GROUPS),
        segments=segments,
        gates=tuple(g for g in rulebook.gates if g.id not in tuning.gates_off),
    )
    return at_threshold(book, tuning.threshold)


def retune(hits: Hits, tuning: Tuning) -> Hits:
    """`hits` under the tuned rulebook, no predicates: decay factors follow the new half-lives
    (they are derived from `hits.days`, exactly as a fresh evaluation computes them)."""
    book = tuned_rulebook(hits.rulebook, tuning)
    kept = [g for g, gate in enumerate(hits.rulebook.gates) if gate.id not in tuning.gates_off]
    failed = hits.failed[:, kept]
    # Column order depends only on group and "special" (cap/decay), which tuning never changes.
    return hits.retuned(book, failed)


def _document_with(document: dict[str, Any], book: Rulebook, version: str) -> dict[str, Any]:
    updated = {**document, "version": version}
    mql = {**document.get("mql", {}), "threshold": _number(book.threshold)}
    segments = {s.name: s for s in book.segments}
    if "segments" in mql:
        mql["segments"] = [
            {**raw, "threshold": _number(segments[raw["name"]].threshold)}
            for raw in mql["segments"]
        ]
    updated["mql"] = mql
    if "gates" in document:
        kept = {g.id for g in book.gates}
        updated["gates"] = [raw for raw in document["gates"] if raw["id"] in kept]
    updated["groups"] = {  # an absent bound is left out ("no floor", "no ceiling"), never null
        c.group: {k: _number(v) for k, v in (("min", c.min), ("max", c.max)) if v is not None}
        for c in book.caps
    }
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
    """What a publish changes: one row per changed value (rules, gates, segments, caps, threshold)."""
    return rulebook_diff(before, after).rename(columns={"a": "published", "b": "new"})
