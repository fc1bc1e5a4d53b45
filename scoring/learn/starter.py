"""A rulebook for someone else's data: propose fit and engagement rules from an empty or minimal one.

    proposal = propose_rulebook(leads, won, custom=fields)            # no dates needed
    print(proposal.diff, proposal.effect)                             # rules added; MQLs, precision
    Path("rulebook.proposed.yaml").write_text(proposal.yaml)

Candidates are the built-in ones (scoring.learn.candidates) plus, per custom field, its frequent values
(`custom.lead_origin in [...]`), its flag, and cuts of a number at its quantiles (`custom.total_visits
gte 5`). A custom field known at `creation` gives fit rules, one known with `activity` engagement
rules; a `post_outcome` field is never a candidate (it would leak the outcome). A sparse (L1) logistic
regression on the candidates' 0/1 hits picks the rules; points are whole numbers at
`points_per_doubling` points per doubling of the odds. The MQL threshold makes `mql_share` of the
leads MQLs. The rulebook written declares the custom fields it reads in its own `fields:` section, so
it loads anywhere (CLI, dashboard, a published policy) without the import's catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sklearn.linear_model import LogisticRegression

from scoring.errors import DataError, Problem
from scoring.features.custom import CustomField
from scoring.learn.candidates import Candidate, candidate_hits, candidates
from scoring.learn.suggest import rulebook_diff
from scoring.rules.hits import evaluate, evaluate_hits
from scoring.rules.loader import parse_rulebook
from scoring.rules.scores import score
from scoring.rules.spec import Rulebook

QUANTILES = (0.25, 0.5, 0.75, 0.9)
TOP_VALUES = 8
EMPTY = Rulebook(version="empty", rules=())


@dataclass(frozen=True)
class Proposal:
    """The proposed rulebook (YAML and parsed), its diff against the start and its what-if effect."""

    yaml: str
    rulebook: Rulebook
    diff: pd.DataFrame
    effect: (
        pd.DataFrame
    )  # one row per rulebook (current, proposed): leads, mqls, won_mqls, precision


def custom_candidates(
    leads: pd.DataFrame, fields: Mapping[str, CustomField], *, min_support: float = 0.02
) -> list[Candidate]:
    """Candidate rules over the custom columns of `leads` (post-outcome fields never)."""
    out: list[Candidate] = []
    for field in fields.values():
        if field.known_at == "post_outcome" or field.column not in leads:
            continue
        group = "engagement" if field.known_at == "activity" else "fit"
        values = leads[field.column]
        slug = field.name.lower()
        if field.kind == "flag":
            out.append(Candidate(f"{slug}_yes", group, field.column, "is_true"))
        elif field.kind == "category":
            shares = values.astype(object).value_counts(normalize=True)
            for value in shares[shares >= min_support].index[:TOP_VALUES]:
                key = _slug(value)
                out.append(Candidate(f"{slug}_{key}", group, field.column, "in", [str(value)]))
        else:
            numbers = values.to_numpy(dtype=float)
            if np.isnan(numbers).all():
                continue
            cuts = sorted({float(f"{np.nanquantile(numbers, q):.2g}") for q in QUANTILES})
            for cut in cuts:
                name = f"{slug}_at_least_{_slug(f'{cut:g}')}"
                out.append(Candidate(name, group, field.column, "gte", _plain(cut)))
    return [c for c in out if min_support <= _share(leads, c) <= 1 - min_support]


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _slug(value: object) -> str:
    text = "".join(ch if ch.isalnum() else "_" for ch in str(value).lower())
    return "_".join(part for part in text.split("_") if part)[:30] or "blank"


def _share(leads: pd.DataFrame, candidate: Candidate) -> float:
    return float(evaluate(candidate.predicate, leads).mean()) if len(leads) else 0.0


def _unique(found: list[Candidate], hits: np.ndarray) -> tuple[list[Candidate], np.ndarray]:
    seen: set[bytes] = set()
    keep: list[int] = []
    for j, candidate in enumerate(found):
        key = hits[:, j].tobytes()
        if key not in seen and candidate.id not in {found[k].id for k in keep}:
            seen.add(key)
            keep.append(j)
    return [found[j] for j in keep], hits[:, keep]


COMPLEMENTS = {"in": "not_in", "gte": "lt", "lte": "gt", "is_true": "is_false"}


def _complement(candidate: Candidate, hit: np.ndarray, leads: pd.DataFrame) -> Candidate | None:
    """The rule true exactly where `candidate` is false on these leads, if the language has one.

    Scores are floored at zero, so a rulebook of mostly negative points leaves most leads at 0 and no
    threshold between them: "not in May +12" ranks leads as "in May -12" does (the same odds, shifted),
    and spreads the scores. A complement that differs on any lead (a missing value is neither `gte 5`
    nor `lt 5`) is not used.
    """
    op = COMPLEMENTS.get(candidate.op)
    if op is None:
        return None
    flipped = Candidate(
        f"not_{candidate.id}", candidate.group, candidate.column, op, candidate.value
    )
    try:
        exact = bool(np.array_equal(evaluate(flipped.predicate, leads), ~hit.astype(bool)))
    except (TypeError, ValueError):
        return None
    return flipped if exact else None


def _points(hits: np.ndarray, y: np.ndarray, penalty: float, per_doubling: float) -> np.ndarray:
    if len(np.unique(y)) < 2:
        problem = "proposing rules needs leads with both outcomes (some won, some not)"
        raise DataError([Problem("outcomes", problem)])
    model = LogisticRegression(
        l1_ratio=1.0, C=penalty, solver="liblinear", max_iter=500, random_state=0
    )
    coef = model.fit(hits, y).coef_[0]
    return np.round(coef * per_doubling / math.log(2))


def _threshold(book: Rulebook, leads: pd.DataFrame, share: float) -> float:
    """The whole-number threshold making about `share` of the (ungated) leads MQLs, at least 1."""
    result = score(evaluate_hits(book, leads))
    eligible = np.sort(result.total[~result.failed.any(axis=1)])[::-1]
    if not len(eligible):
        return 1.0
    kth = eligible[max(round(share * len(eligible)), 1) - 1]
    return float(max(np.floor(kth), 1.0))


def _document(
    start: dict[str, Any], rules: list[dict[str, Any]], fields: dict[str, Any], threshold: float
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": f"{start.get('version', 'empty')}-proposed",
        "description": "Proposed from the data by `smarketing rules suggest`; review before publishing.",
    }
    fields = {**start.get("fields", {}), **fields}
    if fields:
        doc["fields"] = fields
    doc["mql"] = {"threshold": threshold}
    if start.get("gates"):
        doc["gates"] = start["gates"]
    doc["rules"] = [*start.get("rules", []), *rules]
    return doc


def _declared(chosen: list[Candidate], fields: Mapping[str, CustomField]) -> dict[str, Any]:
    used = {c.column for c in chosen}
    out: dict[str, Any] = {}
    for field in fields.values():
        if field.column in used:
            entry: dict[str, Any] = {"type": field.kind, "known_at": field.known_at}
            if field.label:
                entry["label"] = field.label
            out[field.name] = entry
    return out


def what_if(books: Mapping[str, Rulebook], leads: pd.DataFrame, won: np.ndarray) -> pd.DataFrame:
    """Per rulebook: MQLs, won MQLs and precision (won among MQLs) on the leads' known outcomes."""
    rows = []
    for name, book in books.items():
        mql = score(evaluate_hits(book, leads)).mql if book.rules else np.zeros(len(leads), bool)
        hits = int(np.count_nonzero(mql & won))
        count = int(np.count_nonzero(mql))
        rows.append(
            {
                "rulebook": name,
                "leads": len(leads),
                "mqls": count,
                "won_mqls": hits,
                "precision": hits / count if count else float("nan"),
                "base_rate": float(np.mean(won)) if len(won) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def propose_rulebook(
    leads: pd.DataFrame,
    won: np.ndarray,
    *,
    custom: Mapping[str, CustomField] = {},
    start: Rulebook = EMPTY,
    document: Mapping[str, Any] | None = None,
    max_rules: int = 10,
    mql_share: float = 0.2,
    penalty: float = 0.1,
    points_per_doubling: float = 10.0,
    min_support: float = 0.02,
    also: Mapping[str, Rulebook] = {},
) -> Proposal:
    """Propose rules (built-in and custom features) added to `start`, with their effect.

    Args:
        won: bool per lead, the known outcome (won or not).
        document: the YAML mapping `start` was read from (its rules and gates are kept as written).
        also: more rulebooks for the what-if table (e.g. the default one), by name.
    """
    y = np.asarray(won, dtype=bool)
    found = custom_candidates(leads, custom, min_support=min_support)
    found += candidates(leads, start, min_support=min_support)
    chosen, hits = _unique(found, candidate_hits(leads, found))
    if not chosen:
        raise DataError([Problem("leads", "no feature varies enough to propose a rule")])
    points = _points(hits, y, penalty, points_per_doubling)
    order = [j for j in np.argsort(-np.abs(points), kind="stable") if points[j] != 0][:max_rules]
    picked, weights = [], []
    for j in order:  # a negative rule becomes its complement with positive points, where exact
        flipped = _complement(chosen[j], hits[:, j], leads) if points[j] < 0 else None
        picked.append(flipped or chosen[j])
        weights.append(abs(int(points[j])) if flipped else int(points[j]))
    rules = [
        {
            "id": c.id,
            "group": c.group,
            "when": c.when(),
            "points": w,
            "note": "proposed from the data",
        }
        for c, w in zip(picked, weights, strict=True)
    ]
    base = dict(document or {"version": start.version})
    fields = _declared(picked, custom)
    draft = parse_rulebook(
        yaml.safe_dump(_document(base, rules, fields, 1.0), sort_keys=False), "<proposed>"
    )
    threshold = _threshold(draft, leads, mql_share)
    text = yaml.safe_dump(
        _document(base, rules, fields, threshold), sort_keys=False, allow_unicode=True
    )
    proposed = parse_rulebook(text, "<proposed>")
    diff, _ = rulebook_diff(start, proposed, picked)
    effect = what_if({**also, "current": start, "proposed": proposed}, leads, y)
    return Proposal(text, proposed, diff, effect)
