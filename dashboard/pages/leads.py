"""Leads and export: the scored lead list, one lead's explanation and history, MQL export."""

from __future__ import annotations

import streamlit as st

from dashboard import data, state, widgets
from scoring.exports import to_parquet, to_safe_csv
from scoring.rules import explain

url, frames = widgets.selected_frames()
book = widgets.guarded(lambda: data.published(url)).rulebook
moment = widgets.guarded(lambda: data.as_of(frames))
hits, scores = data.current(url, book.version, moment)
st.title("Leads and export")
st.caption(f"Scores as of {moment:%Y-%m-%d %H:%M} under rulebook {book.version}.")

columns = ["contact_id", "email", "first_name", "last_name", "job_title", "account_name"]
columns += ["lifecycle_stage", "owner_rep_id", "campaign", "channel", "country", "created_at"]
leads = frames.contacts[columns].merge(
    scores.drop(columns=["rulebook_version"]), left_on="contact_id", right_on="lead_id", how="left"
)
left, middle, right = st.columns(3)
stages = left.multiselect(
    "Lifecycle stage",
    sorted(leads["lifecycle_stage"].dropna().unique()),
    key=state.LEAD_STAGES,
    help="Leave empty for every stage.",
)
only_mql = middle.checkbox(
    "Only MQLs under the rulebook",
    value=True,
    key=state.LEAD_ONLY_MQL,
    help="Score at or above threshold, gates pass.",
)
minimum = right.number_input(
    "Minimum score",
    value=0.0,
    step=5.0,
    key="leads_min_score",
    help="Hide leads scoring below this.",
)
shown = leads[leads["score"].fillna(-1e9) >= minimum]
if stages:
    shown = shown[shown["lifecycle_stage"].isin(stages)]
if only_mql:
    shown = shown[shown["mql"].fillna(False).astype(bool)]
shown = shown.sort_values("score", ascending=False)
st.metric("Leads listed", f"{len(shown):,}")
st.dataframe(shown.head(2000), hide_index=True, key="leads_table")

export = shown.drop(columns=["lead_id"])
download_csv, download_parquet = st.columns(2)
download_csv.download_button(
    "Download CSV",
    to_safe_csv(export),
    file_name="mql_list.csv",
    mime="text/csv",
    key="leads_csv",
    help="Every listed lead; cells that a spreadsheet would run as formulas are neutralised.",
)
download_parquet.download_button(
    "Download Parquet",
    to_parquet(export),
    file_name="mql_list.parquet",
    mime="application/octet-stream",
    key="leads_parquet",
    help="Every listed lead, typed.",
)

st.subheader("One lead")
if shown.empty:
    st.info("No lead matches the filters.")
    st.stop()
lead: int | None = st.selectbox(
    "Lead", shown["contact_id"].head(2000), key=state.LEAD_SELECTED, help="Top 2,000 by score."
)
if lead is None:  # only when there are no options, which the check above rules out
    st.stop()
rules, history = st.columns(2)
rules.markdown("**Rule explanation**")
rules.code(str(explain(hits, int(lead))), language=None)
history.markdown("**History**")
events = frames.events[frames.events["contact_id"] == lead]
history.dataframe(
    events[["occurred_at", "from_stage", "to_stage", "actor", "reason_code", "note"]],
    hide_index=True,
)
