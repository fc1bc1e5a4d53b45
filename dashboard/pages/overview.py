"""Overview: who is where now, the funnel from lead to won, stage-to-stage conversion, weekly trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, counts, display, widgets
from scoring.analytics import FUNNEL, funnel_counts, weekly_entries

source, data = widgets.selected_frames()
st.title("Overview")
st.caption(
    "Contacts selected by the sidebar filters. The first row counts stages now; the funnel counts a "
    "stage when the contact reached it or went past it."
)

stage_now = data.contacts["lifecycle_stage"]
now = st.columns(3)
counts.metric(now[0], "Contacts", f"{len(data.contacts):,}")
counts.metric(now[1], "Leads", f"{int((stage_now == 'lead').sum()):,}")
counts.metric(now[2], "MQLs now", f"{int((stage_now == 'mql').sum()):,}")

funnel = funnel_counts(data.reached)
reached = dict(zip(funnel["stage"], funnel["contacts"], strict=True))
from_previous = dict(zip(funnel["stage"], funnel["from_previous"], strict=True))
columns = st.columns(5)
for column, (stage, label) in zip(
    columns,
    [
        ("lead", "Reached lead"),
        ("mql", "Reached MQL"),
        ("sal", "Reached SAL"),
        ("opportunity", "Reached opportunity"),
        ("customer", "Won"),
    ],
    strict=True,
):
    share = from_previous[stage]
    counts.metric(column, label, f"{int(reached[stage]):,}")
    if stage != "lead" and pd.notna(share):
        previous = FUNNEL[FUNNEL.index(stage) - 1].replace("_", "-")
        column.caption(f"{share:.1%} of those that reached {previous}")

left, right = st.columns([2, 3])
left.plotly_chart(charts.funnel(funnel), key="overview_funnel")
right.plotly_chart(
    charts.weekly(weekly_entries(data.events, ("lead", "mql", "sal", "customer"))),
    key="overview_weekly",
)

st.subheader("Stage-to-stage conversion")
table = funnel.rename(
    columns={
        "contacts": "reached (or passed)",
        "from_previous": "conversion from previous",
        "from_top": "share of all",
    }
)
display.table(
    st,
    table,
    why="the first stage has no previous stage to convert from",
    column_config={
        "conversion from previous": st.column_config.NumberColumn(format="percent"),
        "share of all": st.column_config.NumberColumn(format="percent"),
    },
)
