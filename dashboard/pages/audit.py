"""Audit: publishes waiting for a second publisher, rollbacks, and who did what when (exportable)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, display, identity, state, widgets
from dashboard.proposal_cards import proposal_card, rollback_form
from scoring.access import EXPORT_PERSONAL, PUBLISH
from scoring.exports import to_safe_csv
from scoring.policy import audit_log, proposals

actor = widgets.guarded(identity.actor)
url = data.database_url()
engine = data.engine(url)
st.title("Audit")
st.caption(
    f"Database `{widgets.database_name(engine.url)}`. Every publish, rollback, proposal, approval and rejection of a "
    "rulebook, lifecycle contract, reasons list or model, with who did it"
    + (" (as their identity provider names them)." if actor.signed_in else ".")
)
if flash := st.session_state.pop(state.AUDIT_FLASH, None):
    st.success(flash)

waiting = widgets.guarded(lambda: proposals(engine))
st.subheader(f"Waiting for a second publisher ({len(waiting)})")
if actor.four_eyes or waiting:
    st.caption(
        "Four-eyes publishing: a publisher's proposal takes effect only when a different "
        "publisher approves it, and only while the version it was measured against is in force."
    )
for proposal in waiting:
    proposal_card(engine, proposal, actor)
if not waiting:
    st.caption("Nothing is waiting.")

if actor.may(PUBLISH):
    with st.expander("Roll back a definition", expanded=False):
        rollback_form(engine, actor)

st.subheader("Audit log")
# Who others are at the identity provider (subject, name, email claims) is personal: the roles
# that may not see personal fields get who acted, what and when, not those claims.
identities = actor.may(EXPORT_PERSONAL)
log = widgets.guarded(lambda: audit_log(engine, identities=identities))
shown = log.head(2000).drop(columns=["detail"])
shown = shown.assign(
    action=shown["action"].str.replace("_", " ").str.capitalize(),  # "Shadow published"
    **{c: shown[c].replace("", None) for c in ("role",) if c in shown},  # blank: not recorded
)
display.table(
    st,
    shown,
    why="not recorded: the role is kept only for people signed in to the dashboard",
    key="audit_log",
    column_config={"occurred_at": st.column_config.DatetimeColumn("When (UTC)")},
)
st.download_button(
    "Download CSV",
    lambda: to_safe_csv(log),
    file_name="audit_log.csv",
    mime="text/csv",
    key="audit_csv",
    help="Every audit row with its details as JSON"
    + ("" if identities else " (without the identity claims of who acted)")
    + "; cells a spreadsheet would run as formulas are neutralised.",
)
