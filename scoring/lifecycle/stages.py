"""The vocabulary a lifecycle contract is written in: the stages and the contact fields that exist.

Declared here, in the pure core, and imported by the storage edge (scoring.db.models builds its
CHECK constraints from LIFECYCLE_STAGES); a convention test keeps CONTACT_FIELDS equal to the
columns of the contacts table.
"""

from __future__ import annotations

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "mql",
    "sal",
    "sales_qualified",
    "opportunity",
    "customer",
    "disqualified",
    "nurture",
)
"""Every stage the database accepts; a contract names a subset of them."""

CONTACT_FIELDS = frozenset(
    {
        "id",
        "external_id",
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
        "lifecycle_stage",
        "owner_rep_id",
        "do_not_contact",
        "attributes",
        "created_at",
        "updated_at",
    }
)
"""The columns of a contact, which a guard may read by name (the `contacts` table's columns)."""
