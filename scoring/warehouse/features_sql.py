"""The feature frame compiled to SQL: canonical tables in, one row per lead as of a time out.

    sql = compile_features(datetime(2026, 11, 1), "duckdb", competitor_domains=load_competitors())

The SELECT reads the canonical tables (contacts, accounts, campaigns, touches: the names and
columns of scoring.db.models, or views over Parquet files of them) and yields the columns of
scoring.features.FEATURES in their order, with the semantics of scoring.features.build_features:
leads are the contacts created strictly before as-of, behaviour counts only touches strictly
before it, text is trimmed and blank means NULL. URL and asset classes are a mapping computed in
SQL from the DISTINCT values (the `url_classes` and `asset_classes` CTEs, first matching pattern
wins) and joined back, the way the numpy path classifies each distinct value once.

Pass `columns` to compute only what a rulebook reads (the aggregation is the expensive part).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Double, Select, and_, case, cast, false, func, literal_column, or_, select
from sqlalchemy import true as sql_true
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import CTE, TableClause, column, table

from scoring.errors import ConfigError
from scoring.features.columns import ASSET_NOUNS, FEATURES, KIND_NOUNS, PAGE_NOUNS, WINDOWS
from scoring.features.quality import EMAIL_PATTERN, PERSONAL_DOMAINS
from scoring.features.taxonomy import ASSET_PATTERNS, URL_PATTERNS
from scoring.warehouse.dialects import regex_search, render, text_literal
from scoring.warehouse.faces import literal
from scoring.warehouse.functions import (
    epoch_micros,
    full_match,
    micros,
    regex_capture,
    timestamp_literal,
)

Expr = ColumnElement[Any]

SOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": (
        "id",
        "email",
        "first_name",
        "last_name",
        "job_title",
        "seniority",
        "department",
        "phone",
        "country",
        "lead_source",
        "account_id",
        "original_campaign_id",
        "do_not_contact",
        "created_at",
    ),
    "accounts": ("id", "domain", "industry", "employees", "annual_revenue", "country", "region"),
    "campaigns": ("id", "code", "channel"),
    "touches": ("contact_id", "kind", "occurred_at", "url", "asset"),
}
"""The columns of the canonical tables the features read (a source may carry more)."""

DAY_NS = 86_400 * 10**9
_SUFFIXES = [f"{w}d" for w in WINDOWS] + ["total"]
PAGE_COLUMNS = {f"{c}_views_{s}" for c in PAGE_NOUNS for s in _SUFFIXES} | {
    f"days_since_{c}_view" for c in PAGE_NOUNS
}
ASSET_COLUMNS = {f"{c}_assets_{s}" for c in ASSET_NOUNS for s in _SUFFIXES}


def source_tables(schema: str | None = None) -> dict[str, Any]:
    """The four canonical tables as Core table clauses; in `schema`, aliased to their bare names."""
    tables = {
        name: table(name, *(column(c) for c in columns), schema=schema)
        for name, columns in SOURCE_COLUMNS.items()
    }
    if schema is None:
        return tables
    return {name: t.alias(name) for name, t in tables.items()}


def _blank(value: Expr) -> Expr:
    return func.nullif(func.trim(value), text_literal(""))


def _present(value: Expr) -> Expr:
    return and_(value.is_not(None), func.trim(value) != text_literal(""))


def _flag(condition: Expr) -> Expr:
    return case((condition, sql_true()), else_=false())


def _one(condition: Expr) -> Expr:
    return case((condition, 1), else_=0)


def in_domains(domain: Expr, listed: Collection[str]) -> Expr:
    """The domain, or a parent of it (sub.acme.com under acme.com), is listed (NULL: no)."""
    wanted = sorted({d.strip().lower() for d in listed})
    if not wanted:
        return false()
    escaped = [w.replace("/", "//").replace("%", "/%").replace("_", "/_") for w in wanted]
    parents = [domain.like(text_literal(f"%.{w}"), escape="/") for w in escaped]
    return or_(domain.in_([text_literal(w) for w in wanted]), *parents)


def _joined(sources: Mapping[str, Any], as_of: datetime) -> Any:
    """Leads with their account and campaign; each derived text computed once, by name."""
    c, a, m = sources["contacts"], sources["accounts"], sources["campaigns"]
    country = case((_present(a.c.country), a.c.country), else_=c.c.country)
    own = ["id", "created_at", "email", "first_name", "last_name", "job_title", "phone"]
    own += ["seniority", "department", "lead_source", "do_not_contact"]
    row = select(
        *(c.c[n] for n in own),
        a.c.id.label("account_key"),
        a.c.industry,
        a.c.employees,
        a.c.annual_revenue,
        a.c.region,
        m.c.code.label("campaign_code"),
        m.c.channel.label("campaign_channel"),
        country.label("country_raw"),
        regex_capture(func.lower(func.trim(c.c.email)), r"@([^@]+)$").label("domain_raw"),
        func.lower(func.trim(a.c.domain)).label("account_domain"),
    )
    joined = c.outerjoin(a, a.c.id == c.c.account_id).outerjoin(
        m, m.c.id == c.c.original_campaign_id
    )
    created = c.c.created_at < timestamp_literal(as_of)
    return row.select_from(joined).where(created).subquery("contacts_joined")


def _profile(sources: Mapping[str, Any], as_of: datetime, competitors: Collection[str]):
    j = _joined(sources, as_of)
    required = [j.c.email, j.c.first_name, j.c.last_name, j.c.job_title]
    present = [_one(_present(v)) for v in required]
    present += [_one(j.c.account_key.is_not(None)), _one(_present(j.c.country_raw))]
    total = present[0]
    for term in present[1:]:
        total = total + term
    domain = j.c.domain_raw
    expressions: dict[str, Expr] = {
        "lead_id": j.c.id,
        "created_at": j.c.created_at,
        "industry": _blank(j.c.industry),
        "employees": cast(j.c.employees, Double()),
        "annual_revenue": cast(j.c.annual_revenue, Double()),
        "country": _blank(j.c.country_raw),
        "region": _blank(j.c.region),
        **{name: _blank(j.c[name]) for name in ("seniority", "department", "job_title")},
        "lead_source": _blank(j.c.lead_source),
        "campaign_code": _blank(j.c.campaign_code),
        "campaign_channel": _blank(j.c.campaign_channel),
        "email_domain": _blank(domain),
        "do_not_contact": func.coalesce(j.c.do_not_contact, false()),
        "email_valid": _flag(full_match(func.trim(j.c.email), EMAIL_PATTERN)),
        "personal_email": _flag(in_domains(domain, PERSONAL_DOMAINS)),
        "competitor": _flag(
            or_(in_domains(domain, competitors), in_domains(j.c.account_domain, competitors))
        ),
        "has_phone": _flag(_present(j.c.phone)),
        "completeness": cast(total, Double()).op("/")(literal(6.0)),
    }
    return expressions, j


def _classes(touches: TableClause, name: str, patterns: Mapping[str, str], kind: str | None):
    """CTE `name`: each distinct value of the touch column and the index of its first pattern."""
    value = touches.c.url if name == "url_classes" else touches.c.asset
    distinct = select(value.label("value")).where(value.is_not(None))
    if kind is not None:
        distinct = distinct.where(touches.c.kind == text_literal(kind))
    values = distinct.distinct().subquery(f"{name}_values")
    whens = [
        (regex_search(values.c.value, f"(?i){pattern}"), index)
        for index, pattern in enumerate(patterns.values())
    ]
    return select(values.c.value, case(*whens).label("class_index")).cte(name)


def _windows(at: Expr, as_of: datetime) -> dict[str, Expr | None]:
    spans: dict[str, Expr | None] = {
        f"{w}d": at >= timestamp_literal(as_of - timedelta(days=w)) for w in WINDOWS
    }
    spans["total"] = None
    return spans


def _aggregates(events: Any, as_of: datetime) -> dict[str, Expr]:
    """Every behavioural column as an aggregate over the `events` rows of one lead."""
    view = events.c.kind == text_literal("page_view")
    kinds: dict[str, Expr | None] = {"touches": None}
    kinds.update({k: events.c.kind == text_literal(k) for k in KIND_NOUNS})
    kinds.update({f"{c}_views": and_(view, events.c.page == i) for i, c in enumerate(PAGE_NOUNS)})
    kinds.update({f"{c}_assets": events.c.asset == i for i, c in enumerate(ASSET_NOUNS)})
    out: dict[str, Expr] = {}
    for prefix, which in kinds.items():
        for suffix, span in _windows(events.c.occurred_at, as_of).items():
            conditions = [x for x in (which, span) if x is not None]
            count = func.count()
            out[f"{prefix}_{suffix}"] = count.filter(and_(*conditions)) if conditions else count
    last = {"days_since_touch": None, **{f"days_since_{k}": kinds[k] for k in KIND_NOUNS}}
    last.update({f"days_since_{c}_view": kinds[f"{c}_views"] for c in PAGE_NOUNS})
    for name, which in last.items():
        latest = func.max(events.c.occurred_at)
        out[name] = latest if which is None else latest.filter(which)
    return out


def _events(sources: Mapping[str, Any], as_of: datetime, needed: set[str]):
    touches = sources["touches"]
    columns = [touches.c.contact_id, touches.c.kind, touches.c.occurred_at]
    joined: Any = touches
    if needed & PAGE_COLUMNS:
        urls = _classes(touches, "url_classes", URL_PATTERNS, "page_view")
        joined = joined.outerjoin(urls, urls.c.value == touches.c.url)
        columns.append(urls.c.class_index.label("page"))
    if needed & ASSET_COLUMNS:
        assets = _classes(touches, "asset_classes", ASSET_PATTERNS, None)
        joined = joined.outerjoin(assets, assets.c.value == touches.c.asset)
        columns.append(assets.c.class_index.label("asset"))
    at = touches.c.occurred_at < timestamp_literal(as_of)
    return select(*columns).select_from(joined).where(at).cte("events")


def _days(latest: Expr, as_of: datetime) -> Expr:
    """(as_of - latest) in days as a double, computed exactly as the numpy path does (ns / DAY_NS)."""
    elapsed: Expr = literal_column(str(micros(as_of))) - epoch_micros(latest)
    nanoseconds = elapsed * literal_column("1000")
    return cast(nanoseconds, Double()).op("/")(literal(float(DAY_NS)))


def _behaviour(leads: CTE, sources: Mapping[str, Any], as_of: datetime, names: list[str]):
    if not names:
        return {}, leads
    events = _events(sources, as_of, set(names))
    aggregates = _aggregates(events, as_of)
    grouped = (
        select(events.c.contact_id, *(aggregates[n].label(n) for n in names))
        .group_by(events.c.contact_id)
        .subquery("behaviour")
    )
    values = {
        n: _days(grouped.c[n], as_of)
        if FEATURES[n].kind == "days"
        else func.coalesce(grouped.c[n], 0)
        for n in names
    }
    return values, leads.outerjoin(grouped, grouped.c.contact_id == leads.c.lead_id)


def _wanted(columns: Iterable[str] | None) -> list[str]:
    if columns is None:
        return list(FEATURES)
    chosen = set(columns) | {"lead_id"}
    unknown = sorted(chosen - set(FEATURES))
    if unknown:
        raise ConfigError(f"not feature columns: {', '.join(unknown)}")
    return [n for n in FEATURES if n in chosen]


def feature_select(
    as_of: datetime,
    *,
    columns: Iterable[str] | None = None,
    competitor_domains: Collection[str] = (),
    schema: str | None = None,
    sources: Mapping[str, Any] | None = None,
) -> Select:
    """The feature SELECT as a Core statement: FEATURES columns (or `columns`), one row per lead."""
    as_of = as_of.replace(tzinfo=None)
    names = _wanted(columns)
    tables = sources or source_tables(schema)
    expressions, joined = _profile(tables, as_of, competitor_domains)
    profile = [n for n in names if n in expressions]
    leads = select(*(expressions[n].label(n) for n in profile)).select_from(joined)
    leads_cte = leads.cte("leads")
    behaviour, source = _behaviour(
        leads_cte, tables, as_of, [n for n in names if n not in expressions]
    )
    picked = [leads_cte.c[n] if n in expressions else behaviour[n].label(n) for n in names]
    return select(*picked).select_from(source)


def compile_features(
    as_of: datetime,
    dialect: str,
    *,
    columns: Iterable[str] | None = None,
    competitor_domains: Collection[str] = (),
    schema: str | None = None,
) -> str:
    """The feature SELECT as SQL text for `dialect` (sqlite, postgresql, duckdb or spark)."""
    statement = feature_select(
        as_of, columns=columns, competitor_domains=competitor_domains, schema=schema
    )
    return render(statement, dialect)
