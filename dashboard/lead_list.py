"""The Leads page's list: one row per contact, which ones are listed (each filter with its sentence),
and the export's columns. Frames in, frames out; the page only draws them.

    leads = lead_table(frames.contacts, scores, frames.reps, frames.accounts)
    shown, sentences = choose(visible(leads, actor), Choice(MQLS_NOW, (), None), "2026.11.1")
    export = export_frame(shown, hits, actor)   # what the CSV and Parquet downloads carry

Personal fields (names, emails, job titles, owners) are shown and exported only to a role that may
(scoring.access.EXPORT_PERSONAL); `export_frame` checks the role itself, whatever the page drew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.display import word
from scoring.access import EXPORT, EXPORT_PERSONAL, Actor
from scoring.rules import Hits

MQLS_NOW, QUALIFYING, EVERY = "mqls_now", "qualifying", "every"
MODES: dict[str, str] = {
    MQLS_NOW: "MQLs now (lifecycle stage mql)",
    QUALIFYING: "Would qualify under the rulebook (score and gates)",
    EVERY: "Every contact",
}
SHORT = {MQLS_NOW: "MQLs now", QUALIFYING: "would qualify", EVERY: "every contact"}

SCORE_COLUMNS = ("score", "fit", "engagement", "threshold")
EXPORT_COLUMNS = (
    "contact_id", "first_name", "last_name", "email", "job_title", "account_name",
    "account_domain", "lifecycle_stage", "owner_name", "owner_email", "owner_from",
    "owner_rep_id", "campaign", "channel", "country", "created_at", *SCORE_COLUMNS, "grade",
    "would_qualify", "failed_gates", "top_reasons", "rulebook_version",
)  # fmt: skip
SHOWN_COLUMNS = tuple(c for c in EXPORT_COLUMNS if c != "top_reasons")
PERSONAL_COLUMNS = (
    "first_name", "last_name", "email", "job_title", "owner_name", "owner_email", "actor",
)  # fmt: skip
"""Columns that name or reach a person (`actor`: who moved a lead, a rep): only for roles with
EXPORT_PERSONAL, on every page that shows them (and so in the table toolbar's download)."""


def lead_table(
    contacts: pd.DataFrame, scores: pd.DataFrame, reps: pd.DataFrame, accounts: pd.DataFrame
) -> pd.DataFrame:
    """One row per contact with its account's domain, its owner and its score (rounded to 0.1).

    The owner is the contact's rep, else its account's (who the handoff assigns first), and
    `owner_from` says which. Ids are integers; a contact scored after `as_of` has no score.
    """
    people = contacts.assign(
        account_id=contacts["account_id"].astype("Int64"),
        owner_rep_id=contacts["owner_rep_id"].astype("Int64"),
    )
    accounts = accounts.assign(
        account_id=accounts["account_id"].astype("Int64"),
        account_owner_rep_id=accounts["account_owner_rep_id"].astype("Int64"),
    )
    people = people.merge(accounts, on="account_id", how="left")
    own, fallback = people["owner_rep_id"], people["account_owner_rep_id"]
    owner = own.fillna(fallback)
    rep = reps.assign(rep_id=reps["rep_id"].astype("Int64")).set_index("rep_id")
    people["owner_rep_id"] = owner
    people["owner_name"] = owner.map(rep["name"])
    people["owner_email"] = owner.map(rep["email"])
    people["owner_from"] = np.select(
        [own.notna().to_numpy(), fallback.notna().to_numpy()], ["contact", "account"], ""
    )
    scored = scores.rename(columns={"lead_id": "contact_id", "mql": "would_qualify"})
    scored["contact_id"] = scored["contact_id"].astype("int64")
    leads = people.merge(scored, on="contact_id", how="left")
    leads["would_qualify"] = leads["would_qualify"].astype("boolean")
    for column in SCORE_COLUMNS:
        leads[column] = leads[column].astype(float).round(1)
    return leads[list(SHOWN_COLUMNS)]


@dataclass(frozen=True)
class Choice:
    """What the Leads page's controls ask for."""

    mode: str  # a key of MODES
    stages: tuple[str, ...] = ()
    minimum: float | None = None  # None: no minimum score


Filter = tuple[str, Callable[[pd.DataFrame], pd.Series]]


def _filters(choice: Choice, version: str) -> list[Filter]:
    """The active filters, each as (sentence, mask): what is applied is what is said."""
    found: list[Filter] = []
    if choice.mode == MQLS_NOW:
        found.append(("lifecycle stage is mql now", lambda f: f["lifecycle_stage"] == "mql"))
    elif choice.mode == QUALIFYING:
        found.append(
            (
                f"would qualify under rulebook {version} (score at or above its threshold, "
                "every gate passed), whatever the stage",
                lambda f: f["would_qualify"].fillna(False).astype(bool),
            )
        )
    if choice.stages:
        named = ", ".join(str(word(stage)) for stage in choice.stages)
        found.append(
            (
                f"lifecycle stage is one of {named}",
                lambda f: f["lifecycle_stage"].isin(choice.stages),
            )
        )
    if choice.minimum is not None:
        bound = float(choice.minimum)
        found.append((f"score at least {bound:g}", lambda f: f["score"] >= bound))
    return found


def choose(leads: pd.DataFrame, choice: Choice, version: str) -> tuple[pd.DataFrame, list[str]]:
    """The listed leads, best score first, and each filter applied as a sentence."""
    keep = pd.Series(True, index=leads.index)
    sentences = []
    for sentence, mask in _filters(choice, version):
        keep &= mask(leads).fillna(False).astype(bool)
        sentences.append(sentence)
    shown = leads[keep].sort_values(["score", "contact_id"], ascending=[False, True])
    return shown, sentences


def visible(leads: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """Any frame of leads (the list, a history, a drill-down) as `actor` may see it: without
    personal fields unless their role allows."""
    if actor.may(EXPORT_PERSONAL):
        return leads
    return leads.drop(columns=[c for c in PERSONAL_COLUMNS if c in leads.columns])


def hidden_note(actor: Actor) -> str | None:
    """What a page says under a table it drew without personal fields (None: nothing was left out)."""
    if actor.may(EXPORT_PERSONAL):
        return None
    return (
        ":material/visibility_off: Names, emails, job titles, owners and who moved each lead are "
        f"left out: the {actor.role} role may not see personal fields."
    )


def export_frame(
    shown: pd.DataFrame, hits: Hits, actor: Actor, *, personal: bool = True
) -> pd.DataFrame:
    """The listed leads as exported: every shown column plus the top three reasons of the score
    (the ones `smarketing mql-list` gives). With `personal`, the personal fields too: NotPermitted
    unless `actor`'s role may export them."""
    from scoring.handoff.lists import top_reasons  # a second to import: only when downloading

    actor.require(EXPORT_PERSONAL if personal else EXPORT)
    columns = [c for c in EXPORT_COLUMNS if personal or c not in PERSONAL_COLUMNS]
    missing = sorted(set(columns) - set(shown.columns) - {"top_reasons"})
    if missing:
        raise ValueError(f"the listed leads lack {missing}: list them with visible(leads, actor)")

    scored = set(hits.lead_ids.tolist())
    reasons = [
        top_reasons(hits, int(lead)) if int(lead) in scored else ""
        for lead in shown["contact_id"].tolist()
    ]
    return shown.assign(top_reasons=reasons)[columns].reset_index(drop=True)
