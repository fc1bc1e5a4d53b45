"""Overview: the funnel from subscriber to won, stage-to-stage conversion and the weekly trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, widgets
from scoring.analytics import funnel_counts, weekly_entries

url, data = widgets.selected_frames()
st.title("Overview")
st.caption(
    "Leads selected by the sidebar filters; a stage counts when the lead reached it or went past it."
)

counts = funnel_counts(data.reached)
contacts = dict(zip(counts["stage"], counts["contacts"], strict=True))
from_previous = dict(zip(counts["stage"], counts["from_previous"], strict=True))
columns = st.columns(5)
for column, (stage, label) in zip(
    columns,
    [
        ("lead", "Leads"),
        ("mql", "MQLs"),
        ("sal", "Accepted (SAL)"),
        ("opportunity", "Opportunities"),
        ("customer", "Won"),
    ],
    strict=True,
):
    share = from_previous[stage]
    column.metric(label, f"{int(contacts[stage]):,}", help=f"Stage '{stage}'")
    if stage != "lead" and pd.notna(share):
        column.caption(f"{share:.1%} of the previous stage")

left, right = st.columns([2, 3])
left.plotly_chart(charts.funnel(counts), key="overview_funnel")
right.plotly_chart(
    charts.weekly(weekly_entries(data.events, ("lead", "mql", "sal", "customer"))),
    key="overview_weekly",
)

st.subheader("Stage-to-stage conversion")
table = counts.rename(
    columns={"from_previous": "conversion from previous", "from_top": "share of all"}
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "conversion from previous": st.column_config.NumberColumn(format="percent"),
        "share of all": st.column_config.NumberColumn(format="percent"),
    },
)
