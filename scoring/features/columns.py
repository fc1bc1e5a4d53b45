"""The FEATURES registry: every column of the lead feature frame, declared once with its type and help.

Rules may only name columns listed here; the docs table and the SQL table schema are generated from it.
Column kinds:

    id         int64 lead key
    timestamp  datetime64[us] (naive UTC)
    category   pandas Categorical of strings (dictionary-encoded); missing = NaN code -1
    number     float64; missing = NaN
    count      int32 >= 0; never missing
    days       float64 days before "as of"; NaN when there was no such touch
    share      float64 in [0, 1]; never missing
    flag       bool; never missing
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

WINDOWS = (7, 30, 90)
"""Look-back windows (days) of the behavioural counts; each also has an all-time `_total`."""

KIND_NOUNS: dict[str, str] = {
    "page_view": "page views",
    "content_download": "content downloads",
    "webinar_registered": "webinar registrations",
    "webinar_attended": "webinars attended",
    "email_open": "email opens",
    "email_click": "email clicks",
    "form_submit": "form submissions",
    "demo_request": "demo requests",
    "event_attended": "events attended",
    "meeting_booked": "meetings booked",
    "call": "calls",
    "unsubscribe": "unsubscribes",
}
"""Touch kinds (the `touches.kind` vocabulary) and how English names them."""

PAGE_NOUNS: dict[str, str] = {
    "pricing": "pricing page views",
    "docs": "documentation page views",
    "blog": "blog page views",
    "careers": "careers page views",
    "product": "product, customer or comparison page views",
}
"""URL classes of page views (see scoring.features.taxonomy)."""

ASSET_NOUNS: dict[str, str] = {
    "case_study": "case study touches",
    "whitepaper": "whitepaper touches",
    "ebook": "ebook or guide touches",
    "report": "analyst report touches",
    "tool": "template, checklist or calculator touches",
}
"""Asset classes of touches that carry an asset (see scoring.features.taxonomy)."""

KINDS = ("id", "timestamp", "category", "number", "count", "days", "share", "flag")

PANDAS_DTYPES = {
    "id": "int64",
    "timestamp": "datetime64[us]",
    "number": "float64",
    "count": "int32",
    "days": "float64",
    "share": "float64",
    "flag": "bool",
}


@dataclass(frozen=True)
class FeatureColumn:
    """One column: its name, kind (see module docstring), English label and help text."""

    name: str
    kind: str
    label: str
    help: str

    @property
    def nullable(self) -> bool:
        return self.kind in ("category", "number", "days", "timestamp")

    def matches_dtype(self, dtype: object) -> bool:
        if self.kind == "category":
            return isinstance(dtype, pd.CategoricalDtype)
        return str(dtype) == PANDAS_DTYPES[self.kind]


def _window_label(noun: str, window: int | None) -> str:
    return f"{noun} in the last {window} days" if window else f"{noun} ever"


def _counts(prefix: str, noun: str, what: str) -> list[FeatureColumn]:
    return [
        FeatureColumn(
            f"{prefix}_{w}d" if w else f"{prefix}_total",
            "count",
            _window_label(noun, w),
            f"Number of {what} "
            + (f"in the {w} days before as-of." if w else "before as-of (all time)."),
        )
        for w in (*WINDOWS, None)
    ]


def _profile() -> list[FeatureColumn]:
    c = FeatureColumn
    return [
        c("lead_id", "id", "lead", "contacts.id of the lead."),
        c("created_at", "timestamp", "created", "When the lead was created (naive UTC)."),
        c("industry", "category", "industry", "Account industry."),
        c("employees", "number", "employees", "Account head count."),
        c("annual_revenue", "number", "annual revenue", "Account annual revenue."),
        c("country", "category", "country", "ISO country: the account's, else the contact's."),
        c("region", "category", "region", "Account sales region."),
        c("seniority", "category", "seniority", "Contact seniority (e.g. vp, director, student)."),
        c("department", "category", "department", "Contact department."),
        c("job_title", "category", "job title", "Contact job title as written."),
        c("lead_source", "category", "lead source", "How the lead first arrived."),
        c("campaign_code", "category", "campaign", "Code of the lead's original campaign."),
        c("campaign_channel", "category", "campaign channel", "Channel of the original campaign."),
        c("email_domain", "category", "email domain", "Lower-cased domain of the email address."),
        c("do_not_contact", "flag", "do-not-contact", "The contact asked not to be contacted."),
    ]


def _quality() -> list[FeatureColumn]:
    c = FeatureColumn
    return [
        c("email_valid", "flag", "valid email", "The email address is syntactically valid."),
        c(
            "personal_email",
            "flag",
            "personal email",
            "The email domain is a free mailbox provider (gmail, yahoo, hotmail, outlook...).",
        ),
        c(
            "competitor",
            "flag",
            "competitor",
            "The email or account domain is on the competitor list (data/competitors.yaml).",
        ),
        c("has_phone", "flag", "phone on file", "A phone number is on file."),
        c(
            "completeness",
            "share",
            "completeness",
            "Share of required fields present (see scoring.features.quality.REQUIRED_FIELDS).",
        ),
    ]


def _behaviour() -> list[FeatureColumn]:
    columns = _counts("touches", "touches", "touches of any kind")
    for kind, noun in KIND_NOUNS.items():
        columns += _counts(kind, noun, f"{kind} touches")
    for cls, noun in PAGE_NOUNS.items():
        columns += _counts(f"{cls}_views", noun, f"page views of {cls} URLs")
    for cls, noun in ASSET_NOUNS.items():
        columns += _counts(f"{cls}_assets", noun, f"touches with a {cls} asset")
    columns.append(
        FeatureColumn(
            "days_since_touch",
            "days",
            "days since the last touch",
            "Days from the last touch of any kind to as-of; NaN if none.",
        )
    )
    for kind, noun in KIND_NOUNS.items():
        columns.append(
            FeatureColumn(
                f"days_since_{kind}",
                "days",
                f"days since the last of the {noun}",
                f"Days from the last {kind} touch to as-of; NaN if none.",
            )
        )
    for cls, noun in PAGE_NOUNS.items():
        columns.append(
            FeatureColumn(
                f"days_since_{cls}_view",
                "days",
                f"days since the last of the {noun}",
                f"Days from the last page view of a {cls} URL to as-of; NaN if none.",
            )
        )
    return columns


FEATURES: dict[str, FeatureColumn] = {
    column.name: column for column in (*_profile(), *_quality(), *_behaviour())
}
"""Every feature column by name, in frame order."""
