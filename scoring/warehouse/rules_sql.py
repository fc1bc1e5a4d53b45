"""Push the rulebook down: ONE SELECT that scores a whole feature table inside the database.

    print(compile_rulebook(load_rulebook(), "duckdb", table="features"))

Columns: lead_id, fit, engagement, score, grade, failed_gates (comma-separated gate ids, '' if none),
mql (1/0), threshold (the lead's MQL threshold) and rulebook_version: those of Scores.frame().
The statement nests four levels, each a plain projection (portable to SQLite, PostgreSQL,
DuckDB and Spark SQL): per-rule points, group sums, group caps, then score/grade/MQL. Rules are summed
in `rulebook.ordered`, the order the numpy engine uses. Every number is a DOUBLE so no engine falls
back to integer or decimal arithmetic; missing values must be NULL (see scoring.warehouse.tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Double, Select, and_, case, cast, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Subquery, TableClause

from scoring.rules.hits import DECAY_FRESH, DECAY_HORIZON
from scoring.rules.spec import GROUPS, Predicate, Rule, Rulebook
from scoring.warehouse.dialects import render, text_literal
from scoring.warehouse.faces import literal, sql_condition
from scoring.warehouse.tables import feature_table

Expr = ColumnElement[Any]


def _number(value: float) -> Expr:
    return literal(float(value))


def predicate_sql(predicate: Predicate, source: TableClause, *, null_free: bool = True) -> Expr:
    """The predicate with every condition made NULL-free (a missing value satisfies nothing).

    `null_free=False` leaves out the COALESCE wrappers: right where the predicate only feeds a
    CASE WHEN, which treats NULL as false, and without NOT above it NULL AND/OR agree with FALSE.
    """
    faces = [sql_condition(c.op, source.c[c.column], c.value) for c in predicate.conditions]
    conditions = [func.coalesce(f, false()) for f in faces] if null_free else faces
    if len(conditions) == 1:
        return conditions[0]
    return and_(*conditions) if predicate.mode == "all" else or_(*conditions)


def _decay(days: Expr, half_life: float) -> Expr:
    """2^(-days/half_life) clamped exactly like scoring.rules.hits.decay_factor (NULL stays NULL)."""
    # .op("/"): plain division of doubles (the `/` operator would add integer-division guards)
    exponent = (-days).op("/")(_number(half_life))
    return case(
        (days > _number(half_life * DECAY_HORIZON), _number(0.0)),
        (days < _number(half_life * DECAY_FRESH), _number(1.0)),
        else_=func.power(_number(2.0), exponent),
    )


def _rule_points(rule: Rule, source: TableClause) -> Expr:
    """Points before the rule cap: [count x] points [x 2^(-days/half_life)], 0 when not hit."""
    points: Expr = _number(rule.points)
    if rule.per is not None:
        points = cast(source.c[rule.per], Double()) * points
    if rule.decay is not None:
        points = points * func.coalesce(
            _decay(source.c[rule.decay.since], rule.decay.half_life_days), _number(0.0)
        )
    return case((predicate_sql(rule.when, source, null_free=False), points), else_=_number(0.0))


def _clip(value: Expr, low: float | None, high: float | None) -> Expr:
    whens = []
    if high is not None:
        whens.append((value > _number(high), _number(high)))
    if low is not None:
        whens.append((value < _number(low), _number(low)))
    return case(*whens, else_=value) if whens else value


def _sum(terms: Sequence[Expr]) -> Expr:
    total = terms[0] if terms else _number(0.0)
    for term in terms[1:]:
        total = total + term
    return total


def _hits(rulebook: Rulebook, source: TableClause) -> Subquery:
    rules = [_rule_points(r, source).label(f"r_{r.id}") for r in rulebook.ordered]
    gates = [
        case((predicate_sql(g.require, source, null_free=False), 0), else_=1).label(f"g_{g.id}")
        for g in rulebook.gates
    ]
    segments = [
        (predicate_sql(s.when, source, null_free=False), _number(s.threshold))
        for s in rulebook.segments
    ]
    threshold = (
        case(*segments, else_=_number(rulebook.threshold))
        if segments
        else _number(rulebook.threshold)
    )
    return select(source.c.lead_id, *rules, *gates, threshold.label("mql_threshold")).subquery(
        "hits"
    )


def _groups(rulebook: Rulebook, hits: Subquery) -> Subquery:
    sums = []
    for group in GROUPS:
        terms = [
            _clip(hits.c[f"r_{r.id}"], -r.cap if r.cap else None, r.cap)
            for r in rulebook.ordered
            if r.group == group
        ]
        sums.append(_sum(terms).label(f"{group}_raw"))
    pieces = [
        case((hits.c[f"g_{g.id}"] == 1, text_literal(f",{g.id}")), else_=text_literal(""))
        for g in rulebook.gates
    ]
    failed_text = func.substr(_sum(pieces), 2) if pieces else text_literal("")
    failed_count = _sum([hits.c[f"g_{g.id}"] for g in rulebook.gates]) if pieces else _number(0.0)
    return select(
        hits.c.lead_id,
        *sums,
        failed_text.label("failed_gates"),
        failed_count.label("failed_count"),
        hits.c.mql_threshold,
    ).subquery("groups")


def _capped(rulebook: Rulebook, groups: Subquery) -> Subquery:
    capped = [
        _clip(groups.c[f"{g}_raw"], rulebook.cap(g).min, rulebook.cap(g).max).label(g)
        for g in GROUPS
    ]
    rest = (groups.c.failed_gates, groups.c.failed_count, groups.c.mql_threshold)
    return select(groups.c.lead_id, *capped, *rest).subquery("capped")


def rulebook_select(rulebook: Rulebook, table: str = "features") -> Select:
    """The scoring SELECT as a SQLAlchemy Core statement over `table` (optionally schema.table)."""
    source = feature_table(table, sorted(rulebook.columns | {"lead_id"}), dict(rulebook.custom))
    capped = _capped(rulebook, _groups(rulebook, _hits(rulebook, source)))
    total = capped.c.fit + capped.c.engagement
    bands = [
        (capped.c.fit >= _number(m), text_literal(name))
        for name, m in rulebook.grades
        if m is not None
    ]
    grade = (
        case(*bands, else_=text_literal(rulebook.grades[-1][0]))
        if bands
        else text_literal(rulebook.grades[-1][0])
    )
    mql = case((and_(capped.c.failed_count == 0, total >= capped.c.mql_threshold), 1), else_=0)
    return select(
        capped.c.lead_id,
        capped.c.fit,
        capped.c.engagement,
        total.label("score"),
        grade.label("grade"),
        capped.c.failed_gates,
        mql.label("mql"),
        capped.c.mql_threshold.label("threshold"),
        text_literal(rulebook.version).label("rulebook_version"),
    )


def compile_rulebook(rulebook: Rulebook, dialect: str, table: str = "features") -> str:
    """One SELECT scoring every row of `table` on `dialect` (sqlite, postgresql, duckdb or spark)."""
    return render(rulebook_select(rulebook, table), dialect)
