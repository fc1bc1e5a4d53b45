"""Run a request's work in one transaction, retried when a concurrent writer got there first.

Two requests may create the same new lead or reuse the same event id at once; the loser's INSERT
fails on a unique key. Running the whole unit again sees the winner's rows and does the right thing
(update, or `duplicate`), so the caller never sees the race.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

T = TypeVar("T")
ATTEMPTS = 3


def committed(
    session: Session,
    work: Callable[[Session], T],
    attempts: int = ATTEMPTS,
    gate: AbstractContextManager[object] | None = None,
) -> T:
    """`work(session)` then commit; on a unique-key race or a lock timeout, roll back and retry.

    `gate` (scoring.handoff.gate) makes writers of a single-writer database take turns.
    """
    with gate or nullcontext():
        return _committed(session, work, attempts)


def _committed(session: Session, work: Callable[[Session], T], attempts: int) -> T:
    for attempt in range(1, attempts + 1):
        try:
            result = work(session)
            session.commit()
            return result
        except (IntegrityError, OperationalError):
            session.rollback()
            if attempt == attempts:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # the loop returns or raises
