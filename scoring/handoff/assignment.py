"""Who receives an MQL: account owner first, then territory rules, then weighted round robin.

The rules live in `data/assignment.yaml`; the reps are the roster in the database (an imported
one included: reps with a team, an office, a weekly capacity). Within a team (or an office), reps
are taken in weighted round robin
over the current ISO week: the active rep under weekly capacity with the lowest
(assigned this week + 1) / weight wins, ties to the rep assigned least overall, then the lowest id.
Every assignment writes an `assignments` row saying which rule decided and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.db.models import Account, Assignment, Contact, Rep
from scoring.errors import AssignmentError
from scoring.located_yaml import load_located
from scoring.settings import DEFAULTS

DEFAULT_ASSIGNMENT = DEFAULTS / "assignment.yaml"
MATCH_KEYS = ("country", "region", "segment")


@dataclass(frozen=True)
class Pool:
    """The reps a rule hands to: a team, narrowed to a territory and an office when given."""

    team: str | None
    territory: str | None = None
    office: str | None = None

    def __str__(self) -> str:
        narrowed = [p for p in (self.territory, self.office and f"office {self.office}") if p]
        where = f" ({', '.join(narrowed)})" if narrowed else ""
        return f"{'team ' + self.team if self.team else 'reps'}{where}"


def who(rep: Rep) -> str:
    """How a reason names a rep: e-mail, else the roster's id, else the name."""
    return rep.email or rep.external_id or rep.name


class Segment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    min_employees: int = Field(ge=0)


class Territory(BaseModel):
    """A rule: when every listed key matches one of its values, the MQL goes to `team`.

    `territory` and `office`, when given, narrow the pool to the reps of that sales territory and
    that office (an imported roster's regional office). A rule names a team, an office or both.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    when: dict[str, list[str]] = Field(default_factory=dict)
    team: str | None = Field(default=None, min_length=1)
    territory: str | None = None
    office: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _names_a_pool(self) -> Territory:
        if self.team is None and self.office is None:
            raise ValueError("a territory rule needs a `team`, an `office` or both")
        return self

    def matches(self, facts: dict[str, str | None]) -> bool:
        return all(facts.get(key) in values for key, values in self.when.items())

    @property
    def pool(self) -> Pool:
        return Pool(self.team, self.territory, self.office)


class AssignmentRules(BaseModel):
    """The parsed `data/assignment.yaml`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    account_owner_first: bool = True
    segments: list[Segment] = Field(default_factory=list)
    territories: list[Territory] = Field(min_length=1)
    weights: dict[str, float] = Field(default_factory=dict)
    overflow_team: str | None = None

    def segment(self, employees: int | None) -> str | None:
        if employees is None:
            return None
        ranked = sorted(self.segments, key=lambda s: s.min_employees, reverse=True)
        return next((s.name for s in ranked if employees >= s.min_employees), None)


def _check(rules: AssignmentRules) -> list[tuple[tuple[str | int, ...], str]]:
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, territory in enumerate(rules.territories):
        for key in territory.when:
            if key not in MATCH_KEYS:
                path = ("territories", index, "when", key)
                problems.append((path, f"unknown key {key!r}; use {', '.join(MATCH_KEYS)}"))
    for email, weight in rules.weights.items():
        if weight <= 0:
            problems.append((("weights", email), f"weight of {email} must be positive"))
    return problems


def load_assignment(path: Path = DEFAULT_ASSIGNMENT) -> AssignmentRules:
    """Parse and check the assignment rules; every problem is reported at once with its line."""
    doc = load_located(path, AssignmentError)
    try:
        rules = AssignmentRules.model_validate(doc.data)
    except ValidationError as exc:
        problems = [doc.problem(e["loc"], e["msg"]) for e in exc.errors(include_url=False)]
        raise AssignmentError(problems, source=str(path)) from exc
    found = _check(rules)
    if found:
        raise AssignmentError([doc.problem(p, m) for p, m in found], source=str(path))
    return rules


@dataclass(frozen=True)
class Decision:
    """The rep an MQL goes to, the rule that decided and a sentence saying why."""

    rep: Rep
    team: str | None
    rule: str
    reason: str


def week_start(now: datetime) -> datetime:
    monday = now.date() - timedelta(days=now.weekday())
    return datetime(monday.year, monday.month, monday.day)


def _owner(session: Session, account: Account | None) -> Decision | None:
    if account is None or account.owner_rep_id is None:
        return None
    rep = session.get(Rep, account.owner_rep_id)
    if rep is None or not rep.active:
        return None
    reason = f"{who(rep)} owns account {account.name} ({account.domain or account.id})"
    return Decision(rep, rep.team, "account_owner", reason)


def _pool_reps(session: Session, pool: Pool) -> list[Rep]:
    query = select(Rep).where(Rep.active.is_(True))
    for column, value in (
        (Rep.team, pool.team),
        (Rep.territory, pool.territory),
        (Rep.office, pool.office),
    ):
        if value is not None:
            query = query.where(column == value)
    # Lock the pool's reps so concurrent assignments see each other's counts.
    return list(session.scalars(query.order_by(Rep.id).with_for_update(key_share=True)))


def _round_robin(
    session: Session, rules: AssignmentRules, pool: Pool, now: datetime
) -> tuple[Rep, str] | None:
    since = week_start(now)
    reps = _pool_reps(session, pool)
    if not reps:
        return None
    ids = [r.id for r in reps]
    counted = select(Assignment.rep_id, func.count()).group_by(Assignment.rep_id)
    week = dict(
        session.execute(
            counted.where(Assignment.rep_id.in_(ids), Assignment.assigned_at >= since)
        ).all()
    )
    total = dict(session.execute(counted.where(Assignment.rep_id.in_(ids))).all())
    open_reps = [r for r in reps if week.get(r.id, 0) < r.weekly_capacity]
    if not open_reps:
        return None

    def weight(rep: Rep) -> float:
        return rules.weights.get(rep.email or "", 1.0)

    def load(rep: Rep) -> tuple[float, int, int]:
        return ((week.get(rep.id, 0) + 1) / weight(rep), total.get(rep.id, 0), rep.id)

    rep = min(open_reps, key=load)
    reason = (
        f"weighted round robin in {pool}: {who(rep)} had {week.get(rep.id, 0)} of "
        f"{rep.weekly_capacity} this week (weight {weight(rep):g}); {len(open_reps)} of {len(reps)} "
        "active reps under capacity"
    )
    return rep, reason


def _facts(
    rules: AssignmentRules, contact: Contact, account: Account | None
) -> dict[str, str | None]:
    country = (account.country if account else None) or contact.country
    return {
        "country": country,
        "region": account.region if account else None,
        "segment": rules.segment(account.employees if account else None),
    }


def decide(
    session: Session, rules: AssignmentRules, contact: Contact, now: datetime
) -> Decision | None:
    """The rep for `contact`, or None when no rule yields an active rep with capacity."""
    account = session.get(Account, contact.account_id) if contact.account_id else None
    if rules.account_owner_first:
        owner = _owner(session, account)
        if owner is not None:
            return owner
    facts = _facts(rules, contact, account)
    territory = next((t for t in rules.territories if t.matches(facts)), None)
    pools = [(territory.pool, f"territory:{territory.name}")] if territory else []
    if rules.overflow_team:
        pools.append((Pool(rules.overflow_team), "overflow"))
    shown = ", ".join(f"{k}={v}" for k, v in facts.items())
    for pool, rule in pools:
        picked = _round_robin(session, rules, pool, now)
        if picked is not None:
            rep, how = picked
            team = pool.team or rep.team
            return Decision(rep, team, rule, f"{shown} -> {rule} -> {pool}; {how}")
    return None


def assign(
    session: Session, rules: AssignmentRules, contact: Contact, now: datetime
) -> Decision | None:
    """Decide, then record the assignment and make the rep the contact's owner (same transaction)."""
    decision = decide(session, rules, contact, now)
    if decision is None:
        return None
    session.add(
        Assignment(
            contact_id=contact.id,
            rep_id=decision.rep.id,
            team=decision.team,
            rule=decision.rule,
            reason=decision.reason,
            assigned_at=now,
        )
    )
    contact.owner_rep_id = decision.rep.id
    return decision
