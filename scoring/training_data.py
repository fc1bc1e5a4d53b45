"""What scoring.learn trains on, read at the edge: demo data, the database, or files via a mapping profile.

    leads = demo_leads(100_000, seed=7)                # simulated, no database: features at decision time
    leads = database_leads(engine)                     # the same frame from the canonical tables (+ attributes)
    leads, declared = profile_leads("uci_bank_marketing", [path])   # contact/account fields, attributes, won
    leads = olist_leads_from(folder)                   # the Olist MQL / closed-deal pair

The learning core (scoring.learn) stays pure: this module does the reading and hands it frames.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, exists, select

from scoring.db.models import Account, Campaign, Contact, LifecycleEvent, Opportunity, Touch
from scoring.db.reading import read_frames
from scoring.errors import DataError
from scoring.learn.history import DECISION_DAYS, training_frame
from scoring.learn.imported import attribute_leads, declared_post_outcome, olist_leads
from scoring.settings import PROJECT_ROOT
from scoring.store.custom import read_custom_fields, read_custom_values, with_custom

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
UCI_FILE = DATASETS / "uci_bank_marketing" / "bank-additional-full.csv"
OLIST_FOLDER = DATASETS / "olist_marketing_funnel"


def demo_leads(
    leads: int = 100_000,
    seed: int = 7,
    *,
    decision_days: float = DECISION_DAYS,
    competitor_domains: Collection[str] = (),
) -> pd.DataFrame:
    """The training frame of a simulated demo (the generator's pure path: no database involved)."""
    from scoring.sources.demo.dataset import simulate

    demo = simulate(leads, seed)
    frames = demo.frames()
    return training_frame(
        frames.contacts,
        frames.accounts,
        demo.campaigns,
        frames.touches,
        frames.lifecycle_events,
        frames.opportunities,
        decision_days=decision_days,
        competitor_domains=competitor_domains,
    )


def database_leads(
    engine: Engine,
    *,
    decision_days: float = DECISION_DAYS,
    competitor_domains: Collection[str] = (),
    sources: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The training frame of every contact in the database (features at decision time, outcomes).

    `sources` are the tables as `read_lead_sources` gives them, when the caller holds them already.
    """
    frames = dict(sources) if sources is not None else read_lead_sources(engine)
    if frames["contacts"].empty:
        raise DataError(
            [], source="the database has no contacts: import a file or run `smarketing demo` first"
        )
    leads = training_frame(
        **frames, decision_days=decision_days, competitor_domains=competitor_domains
    )
    fields = read_custom_fields(engine)  # typed `custom.<name>` columns, as rules name them
    leads = with_custom(leads, read_custom_values(engine, fields), fields)
    return with_attributes(leads, frames["contacts"])


def read_lead_sources(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every table features and outcomes are built from, whole (read side by side)."""
    queries = {
        "contacts": select(*Contact.__table__.c),
        "accounts": select(*Account.__table__.c),
        "campaigns": select(*Campaign.__table__.c),
        "touches": select(Touch.contact_id, Touch.kind, Touch.occurred_at, Touch.url, Touch.asset),
        "events": select(
            LifecycleEvent.contact_id, LifecycleEvent.to_stage, LifecycleEvent.occurred_at
        ),
        "opportunities": select(
            Opportunity.primary_contact_id,
            Opportunity.is_won,
            Opportunity.is_closed,
            Opportunity.closed_at,
        ),
    }
    read = read_frames(engine, list(queries.values()), few={2})  # campaigns: a few dozen rows
    return dict(zip(queries, read, strict=True))


def with_attributes(leads: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """`leads` plus one column per imported attribute (an export's own fields: visits, occupation...).

    An attribute named like a column the frame already has is kept as `attributes.<name>`.
    """
    if "attributes" not in contacts or contacts["attributes"].isna().all():
        return leads
    extras = pd.json_normalize(
        [a if isinstance(a, dict) else {} for a in contacts["attributes"]]
    ).set_axis(contacts["id"].to_numpy())
    extras.columns = [f"attributes.{c}" if c in leads.columns else c for c in extras.columns]
    joined = extras.reindex(leads["lead_id"].to_numpy()).set_axis(leads.index)
    return pd.concat([leads, joined], axis=1)


def profile_leads(
    profile_name: str, files: Sequence[str] | Mapping[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Files read and mapped through a mapping profile (no database): attribute columns, `won`, `row`.

    Returns the frame and the profile's post-outcome declarations (column -> where declared).
    """
    from scoring.reasons import load_reasons
    from scoring.sources.catalog import load_profile
    from scoring.sources.pipeline import assign_files, read_sources
    from scoring.sources.transform import transform

    profile = load_profile(profile_name)
    tables, problems = read_sources(profile, assign_files(profile, files))
    frames, found = transform(profile, tables, load_reasons().active_codes)
    if problems or found:
        raise DataError([*problems, *found], source=f"profile {profile.name}")
    declared = declared_post_outcome(
        profile.post_outcome_fields, f"mapping profile {profile.name} (post_outcome)"
    )
    return attribute_leads(frames.contacts, frames.accounts), declared


def database_attribute_leads(engine: Engine, external_prefix: str) -> pd.DataFrame:
    """Imported contacts whose external id starts with `external_prefix`, in import order, with `won`."""
    won = exists().where(Opportunity.primary_contact_id == Contact.id, Opportunity.is_won.is_(True))
    query = (
        select(
            Contact.id.label("lead_id"), Contact.external_id, Contact.attributes, won.label("won")
        )
        .where(Contact.external_id.startswith(external_prefix))
        .order_by(Contact.id)
    )
    with engine.connect() as connection:
        contacts = pd.DataFrame(connection.execute(query).mappings().all())
    if contacts.empty:
        raise DataError([], source=f"no imported contacts with external ids {external_prefix}*")
    return attribute_leads(contacts)


def olist_leads_from(folder: Path = OLIST_FOLDER) -> pd.DataFrame:
    """The Olist marketing funnel pair: MQLs with pre-outcome fields and their won date (if won)."""
    mqls = pd.read_csv(folder / "olist_marketing_qualified_leads_dataset.csv")
    deals = pd.read_csv(folder / "olist_closed_deals_dataset.csv")
    return olist_leads(mqls, deals)
