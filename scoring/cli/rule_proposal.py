"""`smarketing rules suggest` without a cutoff: propose rules for an imported data set (no dates needed).

Also the custom-field catalogue every `rules` command reads: the fields recorded at import, refined by
a feature dictionary (`--features data/features.yaml`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, exists, select

from scoring.cli.app import open_database, stdout, writing_to
from scoring.db.models import Contact, Opportunity
from scoring.db.reading import read_frame
from scoring.features.custom import CustomField, merged
from scoring.features.dictionary import load_feature_dictionary
from scoring.features.quality import DEFAULT_COMPETITORS, load_competitors
from scoring.store.custom import read_custom_fields
from scoring.store.features import read_features


def custom_fields(engine: Engine | None, dictionary: Path | None) -> dict[str, CustomField]:
    """The fields recorded by imports into `engine`, refined by the feature dictionary file."""
    recorded = read_custom_fields(engine) if engine is not None else {}
    declared = load_feature_dictionary(dictionary) if dictionary is not None else {}
    return merged(recorded, declared)


def won_leads(engine: Engine, lead_ids: np.ndarray) -> np.ndarray:
    """Per lead: whether it has a won opportunity (its known outcome)."""
    won = exists().where(Opportunity.primary_contact_id == Contact.id, Opportunity.is_won.is_(True))
    rows = read_frame(engine, select(Contact.id).where(won))
    return pd.Index(rows["id"]).get_indexer(lead_ids) >= 0


def _show(proposal: object) -> None:
    from scoring.learn.report import markdown_table

    diff = proposal.diff  # type: ignore[attr-defined]
    changed = diff[diff["status"] != "unchanged"].astype(object).fillna("")
    stdout.print(markdown_table(changed), highlight=False, markup=False)
    effect = proposal.effect.copy()  # type: ignore[attr-defined]
    effect["precision"] = effect["precision"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    effect["base_rate"] = effect["base_rate"].map(lambda v: f"{v:.3f}")
    stdout.print("What-if on the imported leads (the same leads the rules were fit on):")
    stdout.print(markdown_table(effect), highlight=False, markup=False)


def propose(
    out: Path | None,
    rulebook: Path | None,
    database: str | None,
    dictionary: Path | None,
    mql_share: float,
) -> None:
    """Read the leads (with custom fields) and outcomes, propose rules, print the diff and effect."""
    from scoring.learn.starter import EMPTY, propose_rulebook
    from scoring.located_yaml import load_located
    from scoring.rules import load_rulebook

    engine = open_database(database)
    try:
        fields = custom_fields(engine, dictionary)
        leads = read_features(
            engine,
            as_of=datetime.now(UTC).replace(tzinfo=None),
            competitor_domains=load_competitors(DEFAULT_COMPETITORS),
        )
        won = won_leads(engine, leads["lead_id"].to_numpy())
    finally:
        engine.dispose()
    start, document, also = EMPTY, None, {"default rulebook": load_rulebook()}
    if rulebook is not None:
        also = {}
        start = load_rulebook(rulebook, custom=fields)
        document = load_located(rulebook).data
    proposal = propose_rulebook(
        leads, won, custom=fields, start=start, document=document, mql_share=mql_share, also=also
    )
    _show(proposal)
    if out is not None:
        with writing_to(out):
            out.write_text(proposal.yaml, encoding="utf-8")
        stdout.print(f"wrote {out}")
