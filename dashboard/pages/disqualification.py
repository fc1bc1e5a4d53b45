"""Disqualification: why sales rejects leads, per campaign, over time, with the notes behind them
(who the leads are and who rejected them only for roles that may see personal fields)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, counts, display, identity, lead_list, widgets
from dashboard import data as store
from scoring.analytics import disqualification_table, reason_matrix, reason_trend
from scoring.analytics.disqualification import disqualifications, disqualified

actor = widgets.guarded(identity.actor)
source, data = widgets.selected_frames()
st.title("Disqualification reasons")
waiting = store.parked(source)
if len(waiting):
    st.subheader(f"Needs reason ({len(waiting):,})")
    st.caption(
        "The CRM disqualified these leads without saying why, so they have not moved. Give the "
        "reason with `smarketing feedback resolve ID --reason CODE`; the choices: "
        + "; ".join(f"`{r.code}` {r.label}" for r in store.vocabulary(source).reasons if r.active)
    )
    stages = {s.name: s.label for s in store.contract(source).stages}
    display.table(
        st,
        waiting.assign(stage=waiting["stage"].map(stages).fillna(waiting["stage"])).rename(
            columns={"stage": "moves to", "cause": "the CRM said"}
        ),
        key="dq_parked",
    )
moves = disqualifications(data.events, data.contacts)
if moves.empty:
    st.info("No disqualifications among the selected leads.")
    st.stop()

matrix = reason_matrix(moves)
shares = reason_matrix(moves, share=True)
table = disqualification_table(data.contacts, data.events)
flagged = table[table["deviates"]]
dq_contacts = int(disqualified(data.contacts, data.events).sum())
first, second, third = st.columns(3)
counts.metric(first, "Disqualifications", f"{len(moves):,}")
counts.metric(second, "Disqualified contacts", f"{dq_contacts:,}")
rate = dq_contacts / len(data.contacts) if len(data.contacts) else float("nan")
counts.metric(third, "Disqualification rate", f"{rate:.1%}")
if len(flagged):
    st.warning(
        "Campaigns whose reason mix deviates from the others: "
        + ", ".join(
            f"**{g}** (over-represented: {display.word(r) if r else 'no single reason'})"
            for g, r in zip(flagged["campaign"], flagged["most_over_represented"], strict=True)
        )
    )

left, right = st.columns(2)
left.plotly_chart(
    charts.heatmap(shares, "Share of each reason per campaign", percent=True), key="dq_heatmap"
)
right.plotly_chart(
    charts.stacked_bars(matrix, "Disqualifications per campaign", "disqualifications"),
    key="dq_bars",
)
st.plotly_chart(
    charts.trend(
        reason_trend(moves), "period", "count", "reason_code", "Disqualifications per month"
    ),
    key="dq_trend",
)
st.subheader("Per campaign, most disqualifications first")
st.caption(
    "Top reason: the reason given most often; Most over-represented reason: the one given more "
    f"often than the other campaigns predict (tested campaigns only). Statistic: {table.attrs['statistic']}."
)
display.table(
    st,
    table,
    why="campaigns with too few disqualifications to test are not tested (no statistic)",
    key="dq_table",
    column_config={
        "disqualification_rate": st.column_config.NumberColumn(
            format="percent", help="Disqualified contacts / contacts of the campaign."
        ),
        "top_reason_share": st.column_config.NumberColumn(format="percent"),
    },
)

st.subheader("Drill down")
pick_campaign, pick_reason = st.columns(2)
campaign = pick_campaign.selectbox(
    "Campaign",
    sorted(matrix.index),
    key="dq_campaign",
    help="Show the disqualified leads of this campaign.",
)
reason = pick_reason.selectbox(
    "Reason",
    ["(all)", *sorted(matrix.columns)],
    key="dq_reason",
    format_func=lambda code: str(display.word(code)),
    help="Restrict to one reason.",
)
rows = moves[moves["campaign"] == campaign]
if reason != "(all)":
    rows = rows[rows["reason_code"] == reason]
detail = rows.merge(
    data.contacts[["contact_id", "email", "job_title", "account_name"]], on="contact_id"
)
shown = ["contact_id", "email", "job_title", "account_name", "occurred_at", "reason_code"]
display.table(
    st,
    lead_list.visible(detail[[*shown, "note", "actor"]], actor),
    why="not recorded for this contact or move",
    key="dq_detail",
)
if note := lead_list.hidden_note(actor):
    st.caption(note)
