"""Synthetic canonical tables as Parquet, generated inside DuckDB with range() and hash().

    write_synthetic(Path("var/bench"), leads=10_000_000, touches_per_lead=5)

DuckDB streams each `COPY (SELECT ... FROM range(n)) TO 'x.parquet'`, so memory stays bounded at
any size. Values are drawn by hashing (row, salt) into the demo's vocabularies: realistic enough to
exercise every rule, gate and feature (not to be learnable; the demo generator is for that).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

AS_OF = datetime(2026, 11, 1)
START = "TIMESTAMP '2025-01-01 00:00:00'"
SPAN_S = int((AS_OF - datetime(2025, 1, 1)).total_seconds())


def _pick(values: Sequence[str | None], salt: int, key: str = "i") -> str:
    items = ", ".join("NULL" if v is None else "'" + v.replace("'", "''") + "'" for v in values)
    return f"([{items}])[1 + CAST(hash({key}, {salt}) % {len(values)} AS INTEGER)]"


def _draw(salt: int, modulo: int, key: str = "i") -> str:
    return f"CAST(hash({key}, {salt}) % {modulo} AS BIGINT)"


INDUSTRIES = ["Software", "Fintech", "Media", "Insurance", "Education", "Government", "Retail"]
SENIORITY = ["c_level", "vp", "director", "manager", "individual", "student", None]
DEPARTMENTS = ["Marketing", "Sales", "Revenue Operations", "Executive", "HR", "Engineering", None]
TITLES = ["VP Marketing", "Head of RevOps", "Sales Ops Manager", "Student", "CTO", "Engineer", None]
KINDS = ["page_view"] * 6 + [
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "email_open",
    "email_click",
    "email_click",
    "form_submit",
    "demo_request",
    "event_attended",
    "meeting_booked",
    "unsubscribe",
    "call",
]
URLS = ["/pricing", "/docs/api", "/blog/mql", "/careers", "/product/tour", "/", "/about"]
ASSETS = ["case-study-acme.pdf", "whitepaper.pdf", "ROI calculator", "ebook", None, None, None]


def _contacts(leads: int, accounts: int) -> str:
    domain = (
        f"CASE WHEN {_draw(1, 10)} = 0 THEN 'gmail.com' "
        f"ELSE 'firm' || CAST(hash(i, 2) % {accounts} AS VARCHAR) || '.com' END"
    )
    return f"""
    SELECT i AS id, 'bench:' || CAST(i AS VARCHAR) AS external_id,
      CASE WHEN {_draw(3, 50)} = 0 THEN 'broken' ELSE 'p' || CAST(i AS VARCHAR) || '@' || {domain} END
        AS email,
      'First' AS first_name, CASE WHEN {_draw(4, 20)} = 0 THEN NULL ELSE 'Last' END AS last_name,
      {_pick(TITLES, 5)} AS job_title, {_pick(SENIORITY, 6)} AS seniority,
      {_pick(DEPARTMENTS, 7)} AS department,
      CASE WHEN {_draw(8, 3)} = 0 THEN NULL ELSE '+1 555 0100' END AS phone,
      {_pick(["US", "DE", "GB", "ZA", None], 9)} AS country,
      {_pick(["web", "event", "partner", None], 10)} AS lead_source,
      CASE WHEN {_draw(11, 8)} = 0 THEN NULL ELSE 1 + {_draw(12, accounts)} END AS account_id,
      1 + {_draw(13, 16)} AS original_campaign_id, 'lead' AS lifecycle_stage,
      {_draw(14, 40)} = 0 AS do_not_contact,
      {START} + to_seconds({_draw(15, SPAN_S + 86_400 * 30)}) AS created_at,
      {START} AS updated_at
    FROM range(1, {leads + 1}) t(i)"""


def _accounts(accounts: int) -> str:
    return f"""
    SELECT i AS id, 'Firm ' || CAST(i AS VARCHAR) AS name,
      'firm' || CAST(i - 1 AS VARCHAR) || '.com' AS domain, {_pick([*INDUSTRIES, None], 21)} AS industry,
      CASE WHEN {_draw(22, 9)} = 0 THEN NULL ELSE 1 + {_draw(23, 20000)} END AS employees,
      CAST({_draw(24, 200_000_000)} AS DOUBLE) AS annual_revenue,
      {_pick(["US", "DE", "FR", None], 25)} AS country, {_pick(["NA", "EMEA", "APAC", None], 26)} AS region,
      {START} AS created_at
    FROM range(1, {accounts + 1}) t(i)"""


def _touches(leads: int, touches: int) -> str:
    return f"""
    SELECT j AS id, 'bench-touch:' || CAST(j AS VARCHAR) AS external_id,
      1 + {_draw(31, leads, "j")} AS contact_id, NULL::BIGINT AS campaign_id,
      {_pick(KINDS, 32, "j")} AS kind,
      {START} + to_seconds({_draw(33, SPAN_S + 86_400 * 30, "j")}) AS occurred_at,
      {_pick(URLS, 34, "j")} AS url, {_pick(ASSETS, 35, "j")} AS asset
    FROM range(1, {touches + 1}) t(j)"""


def _campaigns() -> str:
    return f"""
    SELECT i AS id, 'C-' || CAST(i AS VARCHAR) AS code, 'Campaign ' || CAST(i AS VARCHAR) AS name,
      {_pick(["paid_social", "webinar", "event", "email"], 41)} AS channel,
      DATE '2025-01-01' AS start_date, NULL::DATE AS end_date, 1000.0 AS cost
    FROM range(1, 17) t(i)"""


def write_synthetic(folder: Path, leads: int, touches_per_lead: int = 5, threads: int = 2) -> None:
    """contacts/accounts/campaigns/touches.parquet in `folder` (DuckDB, streamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    accounts = max(1, leads // 4)
    statements = {
        "campaigns": _campaigns(),
        "accounts": _accounts(accounts),
        "contacts": _contacts(leads, accounts),
        "touches": _touches(leads, leads * touches_per_lead),
    }
    with duckdb.connect() as connection:
        connection.execute(f"SET threads = {threads}")
        connection.execute("SET preserve_insertion_order = false")
        for name, sql in statements.items():
            path = str(folder / f"{name}.parquet")
            connection.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)")
