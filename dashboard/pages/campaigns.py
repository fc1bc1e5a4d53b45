"""Campaigns: volume, MQL rate, acceptance, won, disqualification, revenue, cost and speed per campaign."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, display, state, views, widgets
from scoring.analytics import campaign_table
from scoring.exports import to_safe_csv

source, data = widgets.selected_frames()
link = views.Link()
link.expect(state.CAMPAIGNS_BY, ("campaign", "channel"), "group by")
link.notice()
heading = st.empty()
by = st.radio(
    "Group by",
    ["campaign", "channel"],
    horizontal=True,
    key=state.CAMPAIGNS_BY,
    bind=views.BIND,
    help="One row per campaign, or campaigns pooled by channel.",
)
heading.title(f"Campaigns: by {by}")
views.reset_button({state.CAMPAIGNS_BY: "campaign"}, key=state.CAMPAIGNS_RESET)
table = campaign_table(
    data.contacts, data.reached, data.events, data.opportunities, data.campaigns, by=by
)
percent = st.column_config.NumberColumn(format="percent")
money = st.column_config.NumberColumn(format="dollar")
st.caption(
    "Contacts: every contact of the campaign, whatever its stage; Reached MQL and Accepted: "
    "contacts that reached MQL (SAL) or went past it; Disqualified: moved to disqualified at least "
    "once, or there now. Rates are over contacts; acceptance is Accepted / Reached MQL."
)
display.table(
    st,
    table,
    why="no contact of the row won a deal yet, so nothing to divide the cost by",
    column_config={
        "mql_rate": percent,
        "acceptance": percent,
        "win_rate": percent,
        "disqualification_rate": st.column_config.NumberColumn(
            format="percent", help="Disqualified contacts / contacts."
        ),
        "revenue": money,
        "cost": money,
        "cost_per_mql": money,
        "cost_per_win": money,
    },
)
st.download_button(
    "Download table (CSV)",
    to_safe_csv(table),
    file_name=f"{by}_performance.csv",
    mime="text/csv",
    key="campaigns_download",
    help="The table above, as CSV; cells a spreadsheet would run as formulas are neutralised.",
)
left, right = st.columns(2)
left.plotly_chart(
    charts.bars(table, by, "acceptance", "Acceptance (SAL / MQL)"), key="campaigns_acceptance"
)
right.plotly_chart(charts.bars(table, by, "cost_per_win", "Cost per win"), key="campaigns_cost")
