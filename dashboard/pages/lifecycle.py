"""Lifecycle: the contract as a diagram, the flow of actual transitions, time in stage, SLA breaches."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, counts, data, display, identity, lead_list, widgets
from scoring.analytics import sla_breaches, time_in_stage, transition_counts
from scoring.lifecycle import dot, markdown

actor = widgets.guarded(identity.actor)
source, frames = widgets.selected_frames()
contract = data.contract(source)
st.title("Lifecycle")
st.caption(
    f"Contract version {contract.version}: the stages and the only moves allowed between them."
)

diagram, table = st.tabs(["Diagram", "Table"])
diagram.graphviz_chart(dot(contract))
table.markdown(markdown(contract))

st.plotly_chart(charts.sankey(transition_counts(frames.events)), key="lifecycle_sankey")

now = widgets.guarded(lambda: data.as_of(frames))
left, right = st.columns(2)
left.subheader("Time in stage")
left.caption(
    f"Completed stays, and contacts still in the stage as of {now:%Y-%m-%d %H:%M} UTC "
    "(SMARKETING_AS_OF, else when the data were read)."
)
display.table(left, time_in_stage(frames.events, now), why="no completed stay in the stage yet")

slas = {s.name: s.sla_business_days for s in contract.stages if s.sla_business_days}
late = sla_breaches(frames.events, slas, now)
right.subheader("SLA breaches")
right.caption(
    "Stays longer than the stage's SLA in business days: "
    + ", ".join(f"{k} {v}d" for k, v in slas.items())
)
open_late = late[late["left_at"].isna()]
counts.metric(right, "Past their SLA now", f"{len(open_late):,}")
display.table(right, late.groupby("stage").size().rename("late stays").reset_index())
owners = frames.contacts.set_index("contact_id")[["owner_rep_id", "email"]].astype(
    {"owner_rep_id": "Int64"}
)
st.subheader("MQLs not accepted in time, still waiting")
waiting = open_late[open_late["stage"] == "mql"].join(owners, on="contact_id")
display.table(
    st,
    lead_list.visible(waiting, actor),
    why="still in the stage (not left yet), or no owner assigned",
    key="lifecycle_waiting",
)
if note := lead_list.hidden_note(actor):
    st.caption(note)
