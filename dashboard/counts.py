"""The dashboard's one vocabulary of counts: every KPI label with exactly what it counts.

Pages draw a KPI with `metric(where, label, value)`: the label must be one of `COUNTS` and its entry
is the help text shown next to it, so one word means one count on every page. The stage words are
the README glossary's: a Lead is a contact in stage `lead` now, an MQL one in stage `mql` now;
"Reached X" counts contacts that got to X or past it, and "MQLs on history" counts scores, not
stages.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from streamlit.delta_generator import DeltaGenerator

COUNTS: dict[str, str] = {
    "Contacts": "People in the database, whatever their lifecycle stage (on pages with sidebar "
    "filters: the ones the filters select).",
    "Leads": "Contacts whose lifecycle stage is `lead` now.",
    "MQLs now": "Contacts whose lifecycle stage is `mql` now: qualified by marketing, waiting for "
    "sales to accept or reject them.",
    "Reached lead": "Contacts that reached stage `lead` or went past it (any later funnel stage).",
    "Reached MQL": "Contacts that reached stage `mql` or went past it (SAL, sales-qualified, "
    "opportunity, customer), whatever their stage now.",
    "Reached SAL": "Contacts that sales accepted (stage `sal`) or that went past it.",
    "Reached opportunity": "Contacts that reached stage `opportunity` or went past it.",
    "Won": "Contacts that reached stage `customer`: their deal was won.",
    "MQLs on history": "Leads of the history, each scored as it looked at its decision time, that "
    "would qualify under the rulebook as tuned here: score at or above their threshold and every "
    "gate passed. A count of scores, not of stages.",
    "MQLs per week": "MQLs on history created per week: mean of the last 12 full weeks.",
    "Win precision": "Won leads among the MQLs on history.",
    "Win recall": "Share of all won leads of the history that are MQLs on history.",
    "Contacts listed": "Contacts matching every filter written above the list.",
    "Disqualifications": "Moves to stage `disqualified` of the selected contacts (a contact "
    "disqualified twice counts twice).",
    "Disqualified contacts": "Selected contacts moved to `disqualified` at least once, or there now.",
    "Disqualification rate": "Disqualified contacts / contacts selected by the sidebar filters.",
    "Past their SLA now": "Contacts still in a stage with an SLA, there for longer than that SLA "
    "(business days) at the moment shown above.",
    "Invalid emails": "Contacts whose e-mail is not of the form name@domain.tld.",
    "Personal email domains": "Contacts with an e-mail at a free mailbox provider (gmail.com, "
    "yahoo.com, ...).",
    "Accounts listed": "Accounts with at least one contact matching every filter written above "
    "the list.",
    "Accounts engaged": "Listed accounts where a contact of a buying-group role was touched "
    "within the rulebook's window (its `accounts:` section).",
    "Open pipeline": "Sum of the amounts of the listed accounts' open opportunities (currency as "
    "imported).",
    "Likely duplicates": "Contacts sharing first name, last name and account with another one.",
    "Objectives breached": "Revenue objectives (data/objectives.yaml) whose error budget is spent "
    "or whose current window misses its target, on the day judged.",
    "Objectives met": "Revenue objectives within their target and error budget on the day judged.",
    "Objectives without data": "Revenue objectives with nothing to judge in any window of the "
    "horizon (no model in force, too few leads or handoffs).",
}


def metric(
    where: DeltaGenerator | ModuleType, label: str, value: str, *, detail: str = "", **options: Any
) -> None:
    """Draw one KPI with its vocabulary help text, plus `detail` (what it is compared with)."""
    where.metric(label, value, help=f"{COUNTS[label]} {detail}".strip(), **options)
