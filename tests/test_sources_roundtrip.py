"""Round trip: canonical frames -> CSV -> `canonical` profile -> database -> frames, unchanged."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from scoring.db.models import CHANNELS, TOUCH_KINDS, Base
from scoring.lifecycle.stages import LIFECYCLE_STAGES
from scoring.reasons import load_reasons
from scoring.sources import (
    CanonicalFrames,
    import_files,
    load_profile,
    read_canonical,
    write_canonical_csv,
)
from scoring.sources.export import COLUMNS

ACTIVE = sorted(load_reasons().active_codes)
# Awkward text: any unicode but control characters (NUL, which no database stores, and the others
# an import refuses, scoring.sources.read.BAD_TEXT) and lone surrogates, plus CSV's own special
# characters (tab and line breaks included) made likely.
AWKWARD = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs", "Cc"]),
        st.sampled_from(",;\"'\r\n\t |{}"),
    ),
    min_size=1,
    max_size=20,
)
MOMENTS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31))
DAYS = st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 12, 31))
MONEY = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    AWKWARD,
    st.floats(allow_nan=False, allow_infinity=False),
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _rows(draw: st.DrawFn, keys: list[Any], make: Any) -> pd.DataFrame:
    return pd.DataFrame([draw(make(key)) for key in keys], dtype=object)


@st.composite
def canonical_frames(draw: st.DrawFn) -> CanonicalFrames:
    domains = draw(
        st.lists(
            st.from_regex(r"[a-vx-z][a-z0-9]{0,7}\.(io|com|de)", fullmatch=True),
            max_size=4,
            unique=True,
        )
    )
    accounts = _rows(
        draw,
        domains,
        lambda domain: st.fixed_dictionaries(
            {
                "domain": st.just(domain),
                "name": AWKWARD,
                "industry": _maybe(AWKWARD),
                "employees": _maybe(st.integers(0, 2**31 - 1)),
                "annual_revenue": _maybe(MONEY),
                "country": _maybe(st.sampled_from(["US", "DE", "GB", "BR"])),
                "region": _maybe(AWKWARD),
                "created_at": _maybe(MOMENTS),
            }
        ),
    )
    codes = draw(st.lists(AWKWARD, max_size=3, unique=True))
    campaigns = _rows(
        draw,
        codes,
        lambda code: st.fixed_dictionaries(
            {
                "code": st.just(code),
                "name": AWKWARD,
                "channel": st.sampled_from(CHANNELS),
                "start_date": _maybe(DAYS),
                "end_date": _maybe(DAYS),
                "cost": _maybe(MONEY),
            }
        ),
    )
    people = draw(st.lists(AWKWARD, min_size=1, max_size=6, unique=True))
    emails = draw(
        st.lists(
            st.from_regex(r"[a-z0-9]{1,10}@[a-z]{1,8}\.(com|io)", fullmatch=True),
            min_size=len(people),
            max_size=len(people),
            unique=True,
        )
    )

    @st.composite
    def contact(draw: st.DrawFn, key: str) -> dict[str, Any]:
        won = draw(st.booleans())
        stage = "customer" if won else draw(st.sampled_from(LIFECYCLE_STAGES))
        row = {
            "external_id": key,
            "email": draw(_maybe(st.just(emails[people.index(key)]))),
            **{
                c: draw(_maybe(AWKWARD))
                for c in (
                    "first_name",
                    "last_name",
                    "job_title",
                    "seniority",
                    "department",
                    "phone",
                    "lead_source",
                )
            },
            "country": draw(_maybe(st.sampled_from(["US", "FR"]))),
            "account": draw(_maybe(st.sampled_from(domains))) if domains else None,
            "campaign": draw(_maybe(st.sampled_from(codes))) if codes else None,
            "lifecycle_stage": stage,
            "disqualification_reason": draw(st.sampled_from(ACTIVE))
            if stage in ("disqualified", "nurture")  # the contract: both cite a reason
            else None,
            "do_not_contact": draw(st.booleans()),
            "created_at": draw(MOMENTS),
            "attributes": draw(
                _maybe(st.dictionaries(AWKWARD, JSON_VALUES, min_size=1, max_size=3))
            ),
            "won": won,
            "closed_at": draw(_maybe(MOMENTS)) if won else None,
            "amount": draw(_maybe(MONEY)) if won else None,
        }
        return row

    contacts = _rows(draw, people, lambda key: contact(key))
    touch_keys = draw(st.lists(AWKWARD, max_size=5, unique=True))
    touches = _rows(
        draw,
        touch_keys,
        lambda key: st.fixed_dictionaries(
            {
                "external_id": st.just(key),
                "contact": st.sampled_from(people),
                "campaign": _maybe(st.sampled_from(codes)) if codes else st.none(),
                "kind": st.sampled_from(TOUCH_KINDS),
                "occurred_at": MOMENTS,
                "url": _maybe(AWKWARD),
                "asset": _maybe(AWKWARD),
            }
        ),
    )
    return CanonicalFrames(accounts, campaigns, contacts, touches)


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, dict | str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _comparable(frames: CanonicalFrames, entity: str) -> list[tuple[Any, ...]]:
    frame = frames.frame(entity).reindex(columns=list(COLUMNS[entity]))
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    return sorted(rows, key=lambda row: str(row[0]))


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=canonical_frames())
def test_canonical_frames_survive_csv_import_and_read_back(
    engine: Engine, frames: CanonicalFrames
) -> None:
    _empty(engine)
    with TemporaryDirectory() as folder:
        paths = write_canonical_csv(frames, Path(folder))
        import_files(engine, load_profile("canonical"), [str(p) for p in paths.values()])
    back = read_canonical(engine)
    for entity in ("accounts", "campaigns", "contacts", "touches"):
        assert _comparable(back, entity) == _comparable(frames, entity), entity
