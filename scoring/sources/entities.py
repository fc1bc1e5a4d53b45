"""Turn each stream's aligned targets into entity rows: contacts, accounts, campaigns, touches, and
(through scoring.sources.deals and scoring.sources.roster) opportunities, products and reps.

Rules that hold whatever the profile: a won outcome makes the contact a customer; a disqualified
contact must cite an active reason; keys are required and contacts, emails and touches appear once
per import; an account or campaign named by several rows takes, field by field, the last value
given (a name left empty is filled at load: the stored name, else the key).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.errors import Problem
from scoring.sources.accounts import account_reference, account_rows, merge_accounts
from scoring.sources.dated import history_frame
from scoring.sources.deals import opportunity_rows, product_rows
from scoring.sources.fields import CRM_PREFIX, CRMS, UNQUOTED, is_attribute
from scoring.sources.frames import CITING_STAGES, CanonicalFrames, python_values
from scoring.sources.records import Issue, Record, locate, required
from scoring.sources.roster import merge_reps, rep_rows
from scoring.sources.spellings import likely_duplicates

CONTACT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "department",
    "phone",
    "country",
    "lead_source",
    "do_not_contact",
)
CAMPAIGN_COLUMNS = ("channel", "start_date", "end_date", "cost")
TOUCH_COLUMNS = ("kind", "occurred_at", "url", "asset")


def _blank(size: int, dtype: str = "object") -> pd.Series:
    return pd.Series([None] * size, dtype=dtype)


def _attributes(record: Record) -> pd.Series | None:
    names = [t for t in record.values if is_attribute(t)]
    base = record.values.get("contact.attributes")
    if not names and base is None:
        return None
    columns = []
    for target in names:
        values = record.values[target]
        if record.kinds.get(target) == "date":
            values = values.dt.strftime("%Y-%m-%d")
        elif record.kinds.get(target) == "datetime":
            values = values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        columns.append(python_values(values))
    keys = [t.split(".", 1)[1] for t in names]
    bases = python_values(base) if base is not None else [None] * record.size
    rows: list[tuple[object, ...]] = (
        list(zip(*columns, strict=True)) if columns else [()] * record.size
    )
    merged: list[dict[str, object] | None] = []
    for start, row in zip(bases, rows, strict=True):
        both = dict(start) if isinstance(start, dict) else {}
        both.update({k: v for k, v in zip(keys, row, strict=True) if v is not None})
        merged.append(both or None)
    return pd.Series(merged, dtype=object)


def _blank_value(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


def _reason_issues(record: Record, stage: pd.Series, active: frozenset[str]) -> list[Issue]:
    disqualified = (stage == "disqualified").fillna(False).to_numpy(dtype=bool)
    reason = record.values.get("contact.disqualification_reason")
    target = "contact.lifecycle_stage" if reason is None else "contact.disqualification_reason"
    bad = (
        disqualified.copy()
        if reason is None
        else disqualified & ~reason.isin(active).to_numpy(dtype=bool)
    )
    bad = bad & ~record.failed.get(target, np.zeros(record.size, dtype=bool))
    codes = ", ".join(sorted(active))
    issues = []
    for i in np.flatnonzero(bad):
        value = None if reason is None else reason.iat[int(i)]
        got = "none was given" if _blank_value(value) else f"{value!r} is not an active reason"
        message = f"contact.disqualification_reason: a disqualified contact needs an active reason ({codes}); {got}"
        issues.append(record.issue(target, int(i), message))
    return issues


def _outcome(
    record: Record, frame: dict[str, pd.Series], stage: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Won contacts become customers, as of their close date when the source has one."""
    values = record.values
    created = values.get("contact.created_at", _blank(record.size, "datetime64[us]"))
    if "outcome.won" not in values:
        return stage, created
    won = values["outcome.won"].fillna(False).astype(bool)
    frame["won"] = won
    if "outcome.amount" in values:
        frame["amount"] = values["outcome.amount"]
    if "outcome.closed_at" not in values:
        return stage.mask(won, "customer"), created
    closed = values["outcome.closed_at"]
    frame["closed_at"] = closed
    return stage.mask(won, "customer"), closed.where(won & closed.notna(), created)


def _references(record: Record, frame: dict[str, pd.Series]) -> dict[str, str]:
    """The contact's account and campaign: its own columns, else the record's account and campaign."""
    values = record.values
    checked = {}
    if "contact.account" in values:
        frame["account"], checked["account"] = values["contact.account"], "contact.account"
    elif (own := account_reference(record)) is not None:
        frame["account"], checked["account"] = own
    source = "contact.campaign" if "contact.campaign" in values else "campaign.code"
    if source in values:
        frame["campaign"], checked["campaign"] = values[source], source
    return checked


def _contacts(record: Record, active: frozenset[str]) -> tuple[pd.DataFrame | None, list[Issue]]:
    values = record.values
    if "contact.external_id" not in values:
        return None, []
    frame: dict[str, pd.Series] = {"external_id": values["contact.external_id"]}
    frame.update({c: values[f"contact.{c}"] for c in CONTACT_COLUMNS if f"contact.{c}" in values})
    stage = values.get("contact.lifecycle_stage", _blank(record.size)).astype(object)
    stage, stage_at = _outcome(record, frame, stage)
    issues = required(record, "contact.external_id") + _reason_issues(record, stage, active)
    frame["lifecycle_stage"] = stage
    frame["created_at"] = values.get("contact.created_at", _blank(record.size, "datetime64[us]"))
    frame["stage_at"] = stage_at
    reason = values.get("contact.disqualification_reason", _blank(record.size))
    frame["disqualification_reason"] = reason.where(stage.isin(CITING_STAGES))
    checked = {"email": "contact.email", **_references(record, frame)}
    for column, target in (
        ("lifecycle_stage", "contact.lifecycle_stage"),
        ("disqualification_reason", "contact.disqualification_reason"),
    ):
        if target in values:
            checked[column] = target
    attributes = _attributes(record)
    if attributes is not None:
        frame["attributes"] = attributes
    for crm in CRMS:
        if f"crm.{crm}_id" in values:
            frame[f"{CRM_PREFIX}{crm}"] = values[f"crm.{crm}_id"]
    locate(frame, record, checked)
    if "won" in frame:  # a won row's stage comes from its outcome column
        won_at = record.origins["outcome.won"].wheres()
        frame["_where_lifecycle_stage"] = won_at.where(
            frame["won"].to_numpy(dtype=bool), frame.get("_where_lifecycle_stage", frame["_where"])
        )
    return pd.DataFrame(frame), issues


def _keyed(record: Record, entity: str, key: str, columns: Sequence[str]) -> pd.DataFrame | None:
    """Rows of an entity named by its key in this record (accounts, campaigns)."""
    keys = record.values.get(f"{entity}.{key}")
    if keys is None:
        return None
    name = record.values.get(f"{entity}.name")
    frame: dict[str, pd.Series] = {
        key: keys,
        "name": _blank(record.size) if name is None else name,
    }
    frame.update(
        {c: record.values[f"{entity}.{c}"] for c in columns if f"{entity}.{c}" in record.values}
    )
    locate(frame, record, {})
    rows = keys.notna().to_numpy(dtype=bool)
    return pd.DataFrame(frame)[rows]


def _touches(record: Record) -> tuple[pd.DataFrame | None, list[Issue]]:
    values = record.values
    if "touch.external_id" not in values:
        return None, []
    contact = "touch.contact" if "touch.contact" in values else "contact.external_id"
    campaign = "touch.campaign" if "touch.campaign" in values else "campaign.code"
    frame: dict[str, pd.Series] = {
        "external_id": values["touch.external_id"],
        "contact": values[contact],
    }
    checked = {"contact": contact}
    if campaign in values:
        frame["campaign"] = values[campaign]
        checked["campaign"] = campaign
    frame.update({c: values[f"touch.{c}"] for c in TOUCH_COLUMNS if f"touch.{c}" in values})
    issues = [
        i
        for t in ("touch.external_id", contact, "touch.kind", "touch.occurred_at")
        for i in required(record, t)
    ]
    locate(frame, record, checked)
    return pd.DataFrame(frame), issues


def _duplicates(
    frame: pd.DataFrame, column: str, what: str, *, personal: bool = False
) -> list[Issue]:
    if column not in frame:
        return []
    values = frame[column]
    again = (values.duplicated(keep="first") & values.notna()).to_numpy(dtype=bool)
    if not again.any():
        return []
    where = frame.get(f"_where_{column}", frame["_where"])
    first = dict(zip(values[~again & values.notna().to_numpy()], where[~again], strict=True))
    return [
        (
            int(o),
            int(line),
            Problem(w, f"{what}: {UNQUOTED} appears again (first at {first[v]})")
            if personal
            else Problem(w, f"{what} {v!r} appears again (first at {first[v]})"),
        )
        for v, w, o, line in zip(
            values[again],
            where[again],
            frame["_where_order"][again],
            frame["_where_line"][again],
            strict=True,
        )
    ]


def _concat(frames: Sequence[pd.DataFrame | None]) -> pd.DataFrame:
    present = [f for f in frames if f is not None]
    if not present:
        return pd.DataFrame()
    return present[0] if len(present) == 1 else pd.concat(present, ignore_index=True)


def _merge_keyed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per key, with the last value given for each field."""
    if not len(frame):
        return frame
    return frame.groupby(key, sort=False).last().reset_index()


def build_frames(
    records: Sequence[Record], active: frozenset[str]
) -> tuple[CanonicalFrames, list[Issue]]:
    """Entity frames of all streams, plus every rule a row breaks."""
    issues: list[Issue] = []
    contacts, touches, accounts, campaigns, history = [], [], [], [], []
    opportunities, reps, products = [], [], []
    for record in records:
        dated, found = history_frame(record)
        history.append(dated)
        issues += found
        frame, found = _contacts(record, active)
        contacts.append(frame)
        issues += found
        frame, found = _touches(record)
        touches.append(frame)
        issues += found
        accounts.append(account_rows(record))
        campaigns.append(_keyed(record, "campaign", "code", CAMPAIGN_COLUMNS))
        frame, found = opportunity_rows(record)
        opportunities.append(frame)
        issues += found
        frame, found = rep_rows(record)
        reps.append(frame)
        issues += found
        products.append(product_rows(record))
        if "campaign.code" in record.values:
            rows = record.values["campaign.code"].notna().to_numpy(dtype=bool)
            issues += required(record, "campaign.channel", rows)
    contacts_frame, touches_frame = _concat(contacts), _concat(touches)
    issues += _duplicates(contacts_frame, "external_id", "contact external_id")
    issues += _duplicates(contacts_frame, "email", "email", personal=True)
    issues += _duplicates(touches_frame, "external_id", "touch external_id")
    opportunities_frame = _concat(opportunities)
    issues += _duplicates(opportunities_frame, "external_id", "opportunity external_id")
    frames = CanonicalFrames(
        merge_accounts(_concat(accounts)),
        _merge_keyed(_concat(campaigns), "code"),
        contacts_frame,
        touches_frame,
        _concat(history),
        opportunities=opportunities_frame,
        reps=merge_reps(_concat(reps)),
        products=_merge_keyed(_concat(products), "name"),
        likely_duplicates=likely_duplicates(records),
    )
    return frames, issues
