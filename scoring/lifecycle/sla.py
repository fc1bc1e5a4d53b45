"""Stage SLAs in business days: when a contact's time in a stage runs out, and who is past due."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from scoring.lifecycle.contract import Contract

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@dataclass(frozen=True)
class StageEntry:
    """When a contact entered the stage it is in now."""

    contact_id: int
    stage: str
    entered_at: datetime


@dataclass(frozen=True)
class Breach:
    """A contact that stayed in a stage past the stage's SLA."""

    contact_id: int
    stage: str
    entered_at: datetime
    due_at: datetime


def is_business_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def due_at(entered_at: datetime, business_days: int, holidays: Collection[date] = ()) -> datetime:
    """The moment `business_days` business days after `entered_at` have passed.

    Each business day moves the deadline to the same time on the next business day. A contact that
    enters on a weekend or holiday starts the clock at midnight of the next business day.
    """
    if business_days < 0:
        raise ValueError(f"business_days must not be negative, got {business_days}")
    start = entered_at
    if not is_business_day(start.date(), holidays):
        day = start.date() + timedelta(days=1)
        while not is_business_day(day, holidays):
            day += timedelta(days=1)
        start = datetime.combine(day, time())
    day, left = start.date(), business_days
    while left:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            left -= 1
    return datetime.combine(day, start.time())


def breaches(
    contract: Contract,
    entries: Iterable[StageEntry],
    now: datetime,
    holidays: Collection[date] = (),
) -> list[Breach]:
    """The entries whose stage has an SLA that ran out before `now`, oldest first."""
    limits = {s.name: s.sla_business_days for s in contract.stages if s.sla_business_days}
    found = []
    for entry in entries:
        limit = limits.get(entry.stage)
        if limit is None:
            continue
        deadline = due_at(entry.entered_at, limit, holidays)
        if deadline < now:
            found.append(Breach(entry.contact_id, entry.stage, entry.entered_at, deadline))
    return sorted(found, key=lambda b: (b.due_at, b.contact_id))
