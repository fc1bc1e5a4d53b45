"""Every cache of the dashboard lives here.

`st.cache_resource` holds the engine and the large frames (shared and read-only: at a million leads
copying them on every rerun, as `st.cache_data` does, would cost more than the query). Cached
functions take hashable arguments; every read of a database is keyed by a `Snapshot`: its URL plus
its change tokens, read once per rerun (one small query). An import, live events or a publish by
another process change a token, so the next interaction reads again, and nothing is read twice
otherwise. Pages never cache on their own.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, select

from dashboard import state
from scoring.access import RoleMap, load_roles
from scoring.analytics import reached_stages
from scoring.analytics.filters import LeadFilter
from scoring.db import frames as tables
from scoring.db import make_engine, upgrade
from scoring.db.models import Account
from scoring.db.reading import read_frame
from scoring.errors import ConfigError
from scoring.features.quality import load_competitors
from scoring.lifecycle import Contract
from scoring.objectives import Objective, load_objectives
from scoring.objectives.evaluate import timeline
from scoring.objectives.measures import History
from scoring.policy import InForce, Published, in_force, policy_token
from scoring.policy.resolve import Token
from scoring.reasons import Vocabulary
from scoring.rules import Hits, evaluate_hits, score
from scoring.rules.lab import LabRun, Outcomes, run_lab, score_distribution
from scoring.rules.tuning import Tuning, publishable_yaml, tuned_rulebook
from scoring.settings import DEFAULTS, Settings
from scoring.store.features import features_from
from scoring.store.freshness import DataToken, data_token

if TYPE_CHECKING:
    from dashboard.account_list import AccountView
    from scoring.handoff.assignment import AssignmentRules


@dataclass(frozen=True)
class Snapshot:
    """One database in one state: what every cached read is keyed by."""

    url: str
    policy: Token  # the published definitions (scoring.policy.policy_token)
    data: DataToken  # the rows (scoring.store.freshness.data_token)


@dataclass(frozen=True)
class Frames:
    """The canonical tables of one database as frames (read-only: shared between sessions)."""

    contacts: pd.DataFrame
    events: pd.DataFrame
    campaigns: pd.DataFrame
    opportunities: pd.DataFrame
    reps: pd.DataFrame
    accounts: pd.DataFrame  # account_id, account_domain, account_owner_rep_id
    reached: pd.DataFrame  # contact_id x funnel stage: reached?
    read_at: datetime  # the clock (UTC, naive) when these rows were read
    selection: LeadFilter = field(default_factory=LeadFilter)  # what selected the contacts


def as_of(data: Frames) -> datetime:
    """The moment lead scores and SLAs are computed at: SMARKETING_AS_OF, else the clock (UTC) when
    the data were read. Never taken from the rows themselves."""
    setting = Settings.from_env().extra["SMARKETING_AS_OF"].strip()
    if not setting:
        return data.read_at
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


@st.cache_resource(show_spinner=False, max_entries=4)
def _roles(path: str, stamp: int) -> RoleMap:
    return load_roles(path)


def roles() -> RoleMap:
    """The role mapping (SMARKETING_ROLES), read again when its file changes; RolesError names
    every problem with its line."""
    path = Settings.from_env().extra["SMARKETING_ROLES"]
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError:
        stamp = 0  # load_roles says the file cannot be read
    return _roles(path, stamp)


def database_url() -> str:
    """The database the session looks at: the one chosen on the Data source page, else the setting."""
    return str(st.session_state.get(state.DATABASE_URL) or Settings.from_env().database_url)


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def snapshot(url: str) -> Snapshot:
    """The database's state now (not cached: two indexed queries on every rerun)."""
    with engine(url).connect() as connection:
        return Snapshot(url, policy_token(connection), data_token(connection))


def _read_accounts(source: Engine) -> pd.DataFrame:
    query = select(
        Account.id.label("account_id"),
        Account.domain.label("account_domain"),
        Account.owner_rep_id.label("account_owner_rep_id"),
    )
    return read_frame(source, query)


@st.cache_resource(show_spinner="Reading contacts, history and deals…", max_entries=4)
def _frames(url: str, token: DataToken) -> Frames:
    source = engine(url)
    readers = {
        "contacts": tables.read_contacts,
        "events": tables.read_lifecycle_events,
        "campaigns": tables.read_campaigns,
        "opportunities": tables.read_opportunities,
        "reps": tables.read_reps,
        "accounts": _read_accounts,
    }
    read_at = datetime.now(UTC).replace(tzinfo=None)
    # The big reads wait on a child process (or the database): run them side by side.
    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        futures = {name: pool.submit(read, source) for name, read in readers.items()}
        read = {name: future.result() for name, future in futures.items()}
    return Frames(
        contacts=read["contacts"],
        events=read["events"],
        campaigns=read["campaigns"],
        opportunities=read["opportunities"],
        reps=read["reps"],
        accounts=read["accounts"],
        reached=reached_stages(read["contacts"], read["events"]),
        read_at=read_at,
    )


def frames(source: Snapshot) -> Frames:
    return _frames(source.url, source.data)


@st.cache_resource(show_spinner=False, max_entries=16)
def _policy(url: str, token: Token) -> InForce:
    return in_force(engine(url))


def policy(source: Snapshot) -> InForce:
    """What is in force for the database (rulebook, contract, reasons): the one resolver."""
    return _policy(source.url, source.policy)


def contract(source: Snapshot) -> Contract:
    return policy(source).contract


def vocabulary(source: Snapshot) -> Vocabulary:
    return policy(source).vocabulary


def published(source: Snapshot) -> Published:
    return policy(source).published


def filtered(data: Frames, selection: LeadFilter) -> Frames:
    """The same frames restricted to the leads the sidebar selects (cheap boolean indexing)."""
    if not selection.active:
        return data
    contacts = data.contacts[selection.mask(data.contacts)]
    ids = contacts["contact_id"]
    return replace(
        data,
        contacts=contacts,
        events=data.events[data.events["contact_id"].isin(ids)],
        opportunities=data.opportunities[data.opportunities["contact_id"].isin(ids)],
        reached=data.reached.loc[ids.to_numpy()],
        selection=selection,
    )


@st.cache_resource(
    show_spinner="Rebuilding every lead as it looked at its decision time…", max_entries=2
)
def _history(url: str, token: DataToken) -> pd.DataFrame:
    from scoring.training_data import database_leads  # pulls in scikit-learn: only when needed

    return database_leads(
        engine(url), competitor_domains=load_competitors(), sources=_lead_sources(url, token)
    )


@st.cache_resource(show_spinner="Reading contacts, accounts and touches…", max_entries=1)
def _lead_sources(url: str, token: DataToken) -> dict[str, pd.DataFrame]:
    """The tables features are built from, read once per data state for history (features at
    each lead's decision time) and for the scores now (`current`), whichever comes first."""
    from scoring.training_data import read_lead_sources

    return read_lead_sources(engine(url))


def history(source: Snapshot) -> pd.DataFrame:
    """Features at each lead's decision time plus its outcome times (read-only, shared)."""
    return _history(source.url, source.data)


@st.cache_resource(show_spinner=False, max_entries=4)
def _outcomes(url: str, token: DataToken) -> Outcomes:
    return Outcomes.of(_history(url, token))


def outcomes(source: Snapshot) -> Outcomes:
    return _outcomes(source.url, source.data)


@st.cache_resource(show_spinner="Evaluating every rule once over history…", max_entries=4)
def hits(source: Snapshot) -> Hits:
    return evaluate_hits(published(source).rulebook, history(source))


@st.cache_resource(show_spinner=False, max_entries=6)  # ~100 MB each at a million leads
def lab_run(source: Snapshot, tuning: Tuning) -> LabRun:
    """Scores and threshold index under a tuning; the threshold slider alone never re-scores."""
    return run_lab(hits(source), tuning, outcomes(source))


@st.cache_resource(show_spinner=False, max_entries=4)
def _assignments(url: str, token: DataToken) -> pd.DataFrame:
    return tables.read_assignments(engine(url))


def assignments(source: Snapshot) -> pd.DataFrame:
    """Every recorded assignment of an MQL to a rep (the Reps page)."""
    return _assignments(source.url, source.data)


@st.cache_resource(show_spinner=False, max_entries=4)
def _assignment_rules(path: str, stamp: int) -> AssignmentRules:
    from scoring.handoff.assignment import load_assignment  # a second to import: only here

    return load_assignment(Path(path))


def assignment_rules() -> AssignmentRules:
    """The assignment rules (SMARKETING_ASSIGNMENT, else data/assignment.yaml), read again when the
    file changes; AssignmentError names every problem with its line."""
    path = os.environ.get("SMARKETING_ASSIGNMENT") or str(DEFAULTS / "assignment.yaml")
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError:
        stamp = 0  # load_assignment says the file cannot be read
    return _assignment_rules(path, stamp)


@st.cache_data(show_spinner=False, max_entries=64)
def lead_trail(source: Snapshot, contact_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One lead's touches and signals (its journey's raw rows)."""
    where = engine(source.url)
    return tables.read_lead_touches(where, contact_id), tables.read_lead_signals(where, contact_id)


def weekly_capacity(data: Frames) -> float:
    """MQLs the active reps can take per week."""
    reps = data.reps
    return float(reps.loc[reps["active"], "weekly_capacity"].sum())


@st.cache_resource(show_spinner="Scoring every lead as of now…", max_entries=4)
def current(source: Snapshot, moment: datetime) -> tuple[Hits, pd.DataFrame]:
    """Hits and scores of every lead as of `moment` (the lead list's view; see `as_of`)."""
    read = _lead_sources(source.url, source.data)
    leads = features_from(
        engine(source.url),
        read["contacts"],
        read["accounts"],
        read["campaigns"],
        read["touches"],
        as_of=moment,
        competitor_domains=load_competitors(),
    )
    current_hits = evaluate_hits(published(source).rulebook, leads)
    return current_hits, score(current_hits).frame()


@st.cache_resource(show_spinner="Placing every lead in a team and an office…", max_entries=4)
def placement(source: Snapshot, rules_version: str, _rules: AssignmentRules) -> pd.DataFrame:
    """Every contact's team and office by the assignment rules (`rules_version` keys the cache)."""
    from scoring.analytics.territories import place

    data = frames(source)
    return place(data.contacts, data.accounts, data.reps, _rules)


@st.cache_resource(show_spinner=False, max_entries=8)
def whatif_inputs(
    source: Snapshot,
    moment: datetime,
    start: datetime,
    end: datetime,
    rules_version: str,
    _rules: AssignmentRules,
) -> pd.DataFrame:
    """The Reps page's threshold what-if, joined once per data, moment and window: a slider move
    then only compares scores with the moved thresholds (scoring.analytics.reps.demand_at)."""
    from scoring.analytics.reps import demand_inputs

    _, scores = current(source, moment)
    created = frames(source).contacts.set_index("contact_id")["created_at"]
    placed = placement(source, rules_version, _rules)
    return demand_inputs(scores, placed, created, start=start, end=end)


@st.cache_resource(show_spinner="Rolling contacts up to accounts…", max_entries=4)
def accounts(source: Snapshot, moment: datetime) -> pd.DataFrame:
    """Every account rolled up from its contacts' scores as of `moment` (the Accounts page), from
    the tables the scores were built from (no second read)."""
    from scoring.analytics.accounts import account_scores
    from scoring.store.accounts import account_inputs_from

    _, scores = current(source, moment)
    read = _lead_sources(source.url, source.data)
    inputs = account_inputs_from(
        read["contacts"], read["accounts"], read["touches"], frames(source).opportunities
    )
    return account_scores(
        scores,
        inputs.contacts,
        inputs.touches,
        inputs.opportunities,
        published(source).rulebook.accounts,
        as_of=moment,
        owners=inputs.owners,
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def account_view(source: Snapshot, moment: datetime, personal: bool) -> AccountView:
    """The Accounts page's labelled table, filter options and sort orders, made once per data,
    moment and role kind: a change of filter or order then only selects rows."""
    from dashboard.account_list import account_view as make_view

    return make_view(accounts(source, moment), frames(source).reps, personal=personal)


@st.cache_resource(show_spinner=False, max_entries=6)
def distribution(source: Snapshot, tuning: Tuning) -> pd.DataFrame:
    """Score histogram by outcome under a tuning (binned server-side, a few hundred rows)."""
    return score_distribution(lab_run(source, tuning).scores, outcomes(source))


@st.cache_data(show_spinner=False, max_entries=32)
def draft_yaml(source: Snapshot, tuning: Tuning) -> str:
    """The tuned rulebook as YAML (validated by the loader), for download and review."""
    current = published(source)
    version = current.rulebook.version
    return publishable_yaml(
        current.text, tuned_rulebook(current.rulebook, tuning), f"{version}-draft"
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _filter_options(url: str, token: DataToken) -> dict[str, list[str]]:
    contacts = _frames(url, token).contacts
    return {
        column: sorted(str(v) for v in contacts[column].dropna().unique())
        for column in ("campaign", "channel", "country")
    }


def filter_options(source: Snapshot) -> dict[str, list[str]]:
    """Distinct campaigns, channels and countries for the sidebar filters."""
    return _filter_options(source.url, source.data)


def forget_published() -> None:
    """After a publish: what is in force (and what hangs on it) must be read again."""
    _policy.clear()


def forget_everything() -> None:
    """The sidebar's Refresh: read every table and definition again (edits that add no row too)."""
    for cached in (
        _frames,
        _policy,
        _lead_sources,
        _history,
        _outcomes,
        hits,
        lab_run,
        current,
        distribution,
        accounts,
        account_view,
        _assignments,
    ):
        cached.clear()
    lead_trail.clear()
    _health.clear()
    draft_yaml.clear()
    _filter_options.clear()


def parked(source: Snapshot) -> pd.DataFrame:
    """CRM verdicts waiting for a reason (the Disqualification page). Not cached: an indexed query
    of a few rows, which the API writes without changing the data token."""
    from sqlalchemy.orm import Session

    from scoring.store.parked import waiting

    with Session(engine(source.url)) as session:
        return waiting(session)


@st.cache_resource(show_spinner="Reading what the revenue objectives judge…", max_entries=2)
def _health(source: Snapshot) -> History:
    from scoring.health import judged_leads, rulebook_published_at
    from scoring.store.history import objective_history

    where = engine(source.url)
    moves = objective_history(where)
    in_force_now = policy(source)
    leads = judged_leads(
        history(source), hits(source), in_force_now, rulebook_published_at(where, in_force_now)
    )
    return History(moves.events, moves.campaigns, moves.handoffs, leads)


def health(source: Snapshot) -> History:
    """Lifecycle moves, handoffs and every lead at its decision time scored by what is in force:
    what the revenue objectives judge (the Health page; the same frames as the other pages)."""
    return _health(source)


def objectives() -> list[Objective]:
    """The shipped objectives file (what `smarketing objectives check` judges by default);
    ObjectivesError names every problem with its line."""
    return load_objectives(DEFAULTS / "objectives.yaml")


@st.cache_data(show_spinner=False, max_entries=16)
def health_timeline(source: Snapshot, at: datetime, days: int) -> pd.DataFrame:
    """Each objective's verdict on each of the `days` days to `at` (scoring.objectives.timeline)."""
    return timeline(objectives(), health(source), at, days=days)
