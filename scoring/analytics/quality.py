"""Data-quality summary of a contact frame: missing fields, invalid and personal emails, duplicates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.features.quality import PERSONAL_DOMAINS, email_domains, email_valid, text

CHECKED_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "country",
    "account_id",
)


@dataclass(frozen=True)
class QualitySummary:
    contacts: int
    invalid_emails: int  # present but not name@domain.tld
    personal_emails: int  # a free mailbox provider's domain
    duplicates: int  # contacts beyond the first with the same first name, last name and account
    missing: pd.DataFrame  # field, missing, share


def _duplicates(contacts: pd.DataFrame) -> int:
    keys = pd.DataFrame(
        {
            "first": text(contacts["first_name"]).str.lower(),
            "last": text(contacts["last_name"]).str.lower(),
            "account": contacts["account_id"],
        }
    )
    complete = keys.notna().all(axis=1).to_numpy()
    return int(keys[complete].duplicated().sum())


def quality_summary(contacts: pd.DataFrame) -> QualitySummary:
    """Summarise the quality of `contacts` (the frame of scoring.db.frames.read_contacts)."""
    emails = contacts["email"]
    present = emails.notna().to_numpy()
    valid = np.asarray(email_valid(emails), dtype=bool)
    rows = []
    for field in CHECKED_FIELDS:
        values = contacts[field]
        blank = values.isna() | (values.astype("object").astype(str).str.strip() == "")
        rows.append((field, int(blank.sum())))
    missing = pd.DataFrame(rows, columns=["field", "missing"])
    missing["share"] = missing["missing"] / max(len(contacts), 1)
    return QualitySummary(
        contacts=len(contacts),
        invalid_emails=int((present & ~valid).sum()),
        personal_emails=int(email_domains(emails).isin(PERSONAL_DOMAINS).sum()),
        duplicates=_duplicates(contacts),
        missing=missing,
    )
