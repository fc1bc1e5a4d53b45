"""Disqualification: why sales rejects leads, per campaign, over time, with the notes behind them."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, widgets
from scoring.analytics import reason_deviation, reason_matrix, reason_trend
from scoring.analytics.disqualification import disqualifications

url, data = widgets.selected_frames()
st.title("Disqualification reasons")
moves = disqualifications(data.events, data.contacts)
if moves.empty:
    st.info("No disqualifications among the selected leads.")
    st.stop()

counts = reason_matrix(moves)
shares = reason_matrix(moves, share=True)
deviation = reason_deviation(counts)
flagged = deviation[deviation["deviates"]]
st.metric("Disqualified leads", f"{len(moves):,}")
if len(flagged):
    st.warning(
        "Campaigns whose reason mix deviates from the others: "
        + ", ".join(
            f"**{g}** (mostly {r})"
            for g, r in zip(flagged["group"], flagged["top_reason"], strict=True)
        )
    )
st.caption(f"Statistic: {deviation.attrs['statistic']}.")

left, right = st.columns(2)
left.plotly_chart(
    charts.heatmap(shares, "Share of each reason per campaign", percent=True), key="dq_heatmap"
)
right.plotly_chart(charts.stacked_bars(counts, "Disqualifications per campaign"), key="dq_bars")
st.plotly_chart(
    charts.trend(
        reason_trend(moves), "period", "count", "reason_code", "Disqualifications per month"
    ),
    key="dq_trend",
)
st.subheader("Deviation test per campaign")
st.dataframe(deviation, hide_index=True)

st.subheader("Drill down")
pick_campaign, pick_reason = st.columns(2)
campaign = pick_campaign.selectbox(
    "Campaign",
    sorted(counts.index),
    key="dq_campaign",
    help="Show the disqualified leads of this campaign.",
)
reason = pick_reason.selectbox(
    "Reason", ["(all)", *sorted(counts.columns)], key="dq_reason", help="Restrict to one reason."
)
rows = moves[moves["campaign"] == campaign]
if reason != "(all)":
    rows = rows[rows["reason_code"] == reason]
detail = rows.merge(
    data.contacts[["contact_id", "email", "job_title", "account_name"]], on="contact_id"
)
st.dataframe(
    detail[
        [
            "contact_id",
            "email",
            "job_title",
            "account_name",
            "occurred_at",
            "reason_code",
            "note",
            "actor",
        ]
    ],
    hide_index=True,
)
