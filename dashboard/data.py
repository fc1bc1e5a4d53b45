"""Every cache of the dashboard lives here.

`st.cache_resource` holds the engine and the large frames (shared and read-only: at a million leads
copying them on every rerun, as `st.cache_data` does, would cost more than the query). Cached
functions take hashable arguments (URLs, versions); pages never cache on their own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import state
from scoring.analytics import reached_stages
from scoring.analytics.filters import LeadFilter
from scoring.db import frames as tables
from scoring.db import make_engine, upgrade
from scoring.errors import ConfigError
from scoring.features.quality import load_competitors
from scoring.lifecycle import Contract
from scoring.policy import InForce, Published, in_force
from scoring.reasons import Vocabulary
from scoring.rules import Hits, evaluate_hits, score
from scoring.rules.lab import LabRun, Outcomes, run_lab, score_distribution
from scoring.rules.tuning import Tuning, publishable_yaml, tuned_rulebook
from scoring.settings import Settings
from scoring.store.features import read_features


@dataclass(frozen=True)
class Frames:
    """The canonical tables of one database as frames (read-only: shared between sessions)."""

    contacts: pd.DataFrame
    events: pd.DataFrame
    campaigns: pd.DataFrame
    opportunities: pd.DataFrame
    reps: pd.DataFrame
    reached: pd.DataFrame  # contact_id x funnel stage: reached?

    @property
    def now(self) -> datetime:
        """The data's "now": its latest event (demo data lives in a fixed past)."""
        latest = [self.events["occurred_at"].max(), self.contacts["created_at"].max()]
        known = [t for t in latest if pd.notna(t)]
        return pd.Timestamp(max(known)).to_pydatetime() if known else datetime.now()


def as_of(data: Frames) -> datetime:
    """The moment lead scores are shown at: SMARKETING_AS_OF, else just after the latest event."""
    setting = Settings.from_env().extra["SMARKETING_AS_OF"].strip()
    if not setting:
        return data.now + timedelta(seconds=1)
    try:
        moment = datetime.fromisoformat(setting)
    except ValueError:
        raise ConfigError(
            f"SMARKETING_AS_OF={setting!r} is not an ISO date and time (e.g. 2026-11-30 09:00:00)"
        ) from None
    return (
        moment.replace(tzinfo=None)
        if moment.tzinfo is None
        else moment.astimezone(UTC).replace(tzinfo=None)
    )


def database_url() -> str:
    """The database the session looks at: the one chosen on the Data source page, else the setting."""
    return str(st.session_state.get(state.DATABASE_URL) or Settings.from_env().database_url)


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


@st.cache_resource(show_spinner="Reading contacts, history and deals…")
def frames(url: str) -> Frames:
    source = engine(url)
    readers = {
        "contacts": tables.read_contacts,
        "events": tables.read_lifecycle_events,
        "campaigns": tables.read_campaigns,
        "opportunities": tables.read_opportunities,
        "reps": tables.read_reps,
    }
    # The big reads wait on a child process (or the database): run them side by side.
    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        futures = {name: pool.submit(read, source) for name, read in readers.items()}
        read = {name: future.result() for name, future in futures.items()}
    return Frames(**read, reached=reached_stages(read["contacts"], read["events"]))


@st.cache_resource(show_spinner=False)
def policy(url: str) -> InForce:
    """What is in force for the database (rulebook, contract, reasons): the one resolver."""
    return in_force(engine(url))


def contract(url: str) -> Contract:
    return policy(url).contract


def vocabulary(url: str) -> Vocabulary:
    return policy(url).vocabulary


def filtered(data: Frames, selection: LeadFilter) -> Frames:
    """The same frames restricted to the leads the sidebar selects (cheap boolean indexing)."""
    if not selection.active:
        return data
    keep = selection.mask(data.contacts)
    contacts = data.contacts[keep]
    ids = contacts["contact_id"]
    return Frames(
        contacts=contacts,
        events=data.events[data.events["contact_id"].isin(ids)],
        campaigns=data.campaigns,
        opportunities=data.opportunities[data.opportunities["contact_id"].isin(ids)],
        reps=data.reps,
        reached=data.reached.loc[ids.to_numpy()],
    )


@st.cache_resource(show_spinner="Rebuilding every lead as it looked at its decision time…")
def history(url: str) -> pd.DataFrame:
    """Features at each lead's decision time plus its outcome times (read-only, shared)."""
    from scoring.training_data import database_leads  # pulls in scikit-learn: only when needed

    return database_leads(engine(url), competitor_domains=load_competitors())


def published(url: str) -> Published:
    return policy(url).published


def forget_published() -> None:
    """After a publish: what is in force (and what hangs on it) must be read again."""
    policy.clear()


@st.cache_resource(show_spinner="Evaluating every rule once over history…")
def hits(url: str, version: str) -> Hits:
    return evaluate_hits(published(url).rulebook, history(url))


@st.cache_resource(show_spinner=False)
def outcomes(url: str) -> Outcomes:
    return Outcomes.of(history(url))


@st.cache_resource(show_spinner=False, max_entries=6)  # ~100 MB each at a million leads
def lab_run(url: str, version: str, tuning: Tuning) -> LabRun:
    """Scores and threshold index under a tuning; the threshold slider alone never re-scores."""
    return run_lab(hits(url, version), tuning, outcomes(url))


def weekly_capacity(data: Frames) -> float:
    """MQLs the active reps can take per week."""
    reps = data.reps
    return float(reps.loc[reps["active"], "weekly_capacity"].sum())


@st.cache_resource(show_spinner="Scoring every lead as of now…")
def current(url: str, version: str, moment: datetime) -> tuple[Hits, pd.DataFrame]:
    """Hits and scores of every lead as of `moment` (the lead list's view; see `as_of`)."""
    leads = read_features(engine(url), as_of=moment, competitor_domains=load_competitors())
    current_hits = evaluate_hits(published(url).rulebook, leads)
    return current_hits, score(current_hits).frame()


@st.cache_resource(show_spinner=False, max_entries=6)
def distribution(url: str, version: str, tuning: Tuning) -> pd.DataFrame:
    """Score histogram by outcome under a tuning (binned server-side, a few hundred rows)."""
    return score_distribution(lab_run(url, version, tuning).scores, outcomes(url))


@st.cache_data(show_spinner=False, max_entries=32)
def draft_yaml(url: str, version: str, tuning: Tuning) -> str:
    """The tuned rulebook as YAML (validated by the loader), for download and review."""
    current = published(url)
    return publishable_yaml(
        current.text, tuned_rulebook(current.rulebook, tuning), f"{version}-draft"
    )


@st.cache_resource(show_spinner=False)
def filter_options(url: str) -> dict[str, list[str]]:
    """Distinct campaigns, channels and countries for the sidebar filters."""
    contacts = frames(url).contacts
    return {
        column: sorted(str(v) for v in contacts[column].dropna().unique())
        for column in ("campaign", "channel", "country")
    }
