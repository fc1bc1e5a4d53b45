"""Candidate rules for the suggested rulebook, generated from the feature frame.

Frequent categorical values (`industry in [Software]`), frequent job-title words, flags
(`personal_email is_true`), behaviours (`pricing_views_30d at_least 1`, `... at_least 3`), recency
(`days_since_touch lte 7`) and size bands (`employees gte <quantile>`). Each is written in the
rulebook's own predicate language, so a chosen candidate drops into the YAML as it is and every engine
(pandas, SQL) evaluates it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.features.columns import FEATURES
from scoring.rules.hits import evaluate
from scoring.rules.spec import Condition, Predicate, Rulebook

CATEGORY_COLUMNS = (
    "industry",
    "seniority",
    "department",
    "region",
    "country",
    "lead_source",
    "campaign_channel",
    "campaign_code",
)
TITLE_WORDS = 12  # most frequent words of job titles tried as `job_title contains_any [word]`
BEHAVIOUR_WINDOWS = ("_30d", "_90d")
RECENCY_DAYS = (7, 30)
SIZE_QUANTILES = (0.5, 0.8, 0.95)


@dataclass(frozen=True)
class Candidate:
    """A rule the fit may pick: its id, group and one condition in the rulebook's language."""

    id: str
    group: str
    column: str
    op: str
    value: Any = None

    @property
    def predicate(self) -> Predicate:
        return Predicate((Condition(self.column, self.op, self.value),))

    def when(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"column": self.column, "op": self.op}
        if self.value is not None:
            spec["value"] = self.value
        return spec

    def english(self) -> str:
        return self.predicate.english()


def candidates(
    leads: pd.DataFrame, rulebook: Rulebook, *, min_support: float = 0.02
) -> list[Candidate]:
    """Candidates with at least `min_support` (and at most 1 - min_support) of leads, minus existing rules."""
    found = _categories(leads, min_support) + _titles(leads, min_support) + _flags(leads)
    found += _behaviours(leads) + _sizes(leads)
    existing = {
        (c.column, c.op, _key(c.value))
        for r in rulebook.rules
        for c in r.when.conditions
        if len(r.when.conditions) == 1
    }
    taken = {r.id for r in rulebook.rules}
    unique = {
        c.id if c.id not in taken else f"{c.id}_data": c
        for c in found
        if (c.column, c.op, _key(c.value)) not in existing
    }
    unique = {key: Candidate(key, c.group, c.column, c.op, c.value) for key, c in unique.items()}
    chosen = []
    for candidate in unique.values():
        share = float(evaluate(candidate.predicate, leads).mean()) if len(leads) else 0.0
        if min_support <= share <= 1 - min_support:
            chosen.append(candidate)
    return chosen


def candidate_hits(leads: pd.DataFrame, chosen: list[Candidate]) -> np.ndarray:
    """0/1 float32 matrix: one column per candidate."""
    hits = np.zeros((len(leads), len(chosen)), dtype=np.float32)
    for at, candidate in enumerate(chosen):
        hits[:, at] = evaluate(candidate.predicate, leads)
    return hits


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _slug(value: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_")[:40]


def _categories(leads: pd.DataFrame, min_support: float) -> list[Candidate]:
    out = []
    for column in CATEGORY_COLUMNS:
        if column not in leads:
            continue
        shares = leads[column].astype(object).value_counts(normalize=True)
        for value in shares[shares >= min_support].index[:10]:
            out.append(Candidate(f"{column}_{_slug(value)}", "fit", column, "in", [str(value)]))
    return out


def _titles(leads: pd.DataFrame, min_support: float) -> list[Candidate]:
    if "job_title" not in leads:
        return []
    words = (
        leads["job_title"].astype(object).dropna().astype(str).str.lower().str.findall(r"[a-z]{3,}")
    )
    shares = words.explode().value_counts() / max(len(leads), 1)
    return [
        Candidate(f"title_{_slug(word)}", "fit", "job_title", "contains_any", [str(word)])
        for word in shares[shares >= min_support].index[:TITLE_WORDS]
    ]


def _flags(leads: pd.DataFrame) -> list[Candidate]:
    return [
        Candidate(f"{name}_flag", "fit", name, "is_true")
        for name, spec in FEATURES.items()
        if spec.kind == "flag" and name in leads
    ]


def _behaviours(leads: pd.DataFrame) -> list[Candidate]:
    out = []
    for name, spec in FEATURES.items():
        if name not in leads:
            continue
        if spec.kind == "count" and name.endswith(BEHAVIOUR_WINDOWS):
            out += [Candidate(f"{name}_{n}plus", "engagement", name, "at_least", n) for n in (1, 3)]
        elif spec.kind == "days" and name == "days_since_touch":
            out += [
                Candidate(f"touched_within_{d}d", "engagement", name, "lte", d)
                for d in RECENCY_DAYS
            ]
    return out


def _sizes(leads: pd.DataFrame) -> list[Candidate]:
    out = []
    for name in ("employees", "annual_revenue"):
        if name not in leads or leads[name].notna().sum() == 0:
            continue
        for q in SIZE_QUANTILES:
            cut = float(np.nanquantile(leads[name].to_numpy(dtype=float), q))
            rounded = float(f"{cut:.2g}")
            out.append(
                Candidate(f"{name}_at_least_{_slug(int(rounded))}", "fit", name, "gte", rounded)
            )
    return out
