"""The MQL list sales ops hand to reps: who qualifies (or would, under a proposed threshold), and why.

    leads = mql_list(engine, rulebook, as_of=now, threshold=55)

One row per lead scoring at or above its threshold, gate-blocked ones included (their failed gates
say why): name, e-mail, company, owner, stage, score, status (scoring.handoff.batch), top reasons.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from scoring.db.models import Account, Contact, Rep
from scoring.db.reading import read_frame
from scoring.handoff.batch import BLOCKED, MOVED, PAST_MQL, QUALIFIES
from scoring.rules import Rulebook, evaluate_hits, explain, score
from scoring.rules.hits import Hits
from scoring.store.features import read_features

LIST_COLUMNS = (
    "lead_id",
    "external_id",
    "first_name",
    "last_name",
    "email",
    "company",
    "owner",
    "stage",
    "score",
    "fit",
    "engagement",
    "threshold",
    "status",
    "top_reasons",
    "failed_gates",
)


def weekly_capacity(engine: Engine) -> float:
    """MQLs the active reps can take per week (0 when there are none)."""
    query = select(func.coalesce(func.sum(Rep.weekly_capacity), 0)).where(Rep.active.is_(True))
    with engine.connect() as connection:
        return float(connection.scalar(query) or 0)


def top_reasons(hits: Hits, lead_id: int, count: int = 3) -> str:
    """The `count` rules that gave the lead the most points, in plain English, separated by '; '."""
    lines = [line for line in explain(hits, lead_id).lines if line.rule and line.points > 0]
    lines.sort(key=lambda line: -line.points)
    return "; ".join(line.text for line in lines[:count])


def _people(engine: Engine) -> pd.DataFrame:
    query = (
        select(
            Contact.id.label("lead_id"),
            Contact.external_id,
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            Contact.lifecycle_stage.label("stage"),
            Contact.attributes,
            Account.name.label("account_name"),
            Rep.name.label("owner"),
        )
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Rep, Rep.id == Contact.owner_rep_id)
    )
    people = read_frame(engine, query)
    attributes = people.pop("attributes")
    company = attributes.map(lambda a: a.get("company") if isinstance(a, dict) else None)
    people["company"] = people.pop("account_name").fillna(company)  # an export's own company field
    return people.set_index("lead_id")


def _status(stage: pd.Series, mql: pd.Series, gates: pd.Series) -> pd.Series:
    status = pd.Series(QUALIFIES, index=stage.index, dtype=object)
    status[~mql] = BLOCKED + " by gates: " + gates[~mql]
    status[stage == "mql"] = MOVED  # the stage first, as the API's lead lookup and score --out
    past = stage.isin(list(PAST_MQL))
    status[past] = "past MQL (stage " + stage[past] + ")"
    return status


def mql_list(
    engine: Engine,
    rulebook: Rulebook,
    *,
    as_of: datetime,
    threshold: float | None = None,
    competitor_domains: Collection[str] = (),
) -> pd.DataFrame:
    """Leads at or above the threshold (the rulebook's, or `threshold`), best score first."""
    features = read_features(engine, as_of=as_of, competitor_domains=competitor_domains)
    hits = evaluate_hits(rulebook, features)
    scores = score(hits, threshold=threshold).frame()
    chosen = scores[scores["score"] >= scores["threshold"]].sort_values("score", ascending=False)
    people = _people(engine).reindex(chosen["lead_id"].astype(int).to_numpy())
    listed = chosen.set_index(chosen["lead_id"].astype(int).to_numpy()).join(people)
    listed["status"] = _status(listed["stage"], listed["mql"], listed["failed_gates"])
    listed["top_reasons"] = [top_reasons(hits, int(i)) for i in listed.index]
    return listed.reset_index(drop=True)[list(LIST_COLUMNS)]


def status_counts(listed: pd.DataFrame) -> dict[str, int]:
    """How many listed leads qualify, moved, are past MQL, or are blocked by gates."""
    head = listed["status"].str.split(":").str[0].str.replace(r" \(stage .*\)$", "", regex=True)
    return {str(k): int(v) for k, v in head.value_counts().items()} if len(listed) else {}


__all__ = ["LIST_COLUMNS", "mql_list", "status_counts", "top_reasons", "weekly_capacity"]
