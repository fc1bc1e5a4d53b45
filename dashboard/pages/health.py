"""Health: every revenue objective's status, error budget and burn rate over time, and for each
breach what contributed most and which page explains it (RevOps as the SRE of revenue)."""

from __future__ import annotations

from datetime import datetime, time
from functools import partial

import streamlit as st

from dashboard import counts, data, health_view, identity, state, widgets
from dashboard.markup import plain
from scoring.exports import to_safe_csv
from scoring.objectives.causes import contributions, likely_cause

DAYS = 28
widgets.guarded(identity.actor)
source, frames = widgets.database_sidebar(data.database_url())
st.title("Health of the revenue objectives")
if frames.contacts.empty:
    st.info("No contacts yet: import a file or generate the demo on the Data source page.")
    st.stop()
moment = widgets.guarded(lambda: data.as_of(frames))
day = st.date_input(
    "Judged on (end of day, UTC)", value=moment.date(), max_value=moment.date(), key=state.HEALTH_DAY,
    help="Each objective is judged as `smarketing objectives check --at` would have on that day.",
)  # fmt: skip
at = min(datetime.combine(day, time.max).replace(microsecond=0), moment)
declared = widgets.guarded(data.objectives)
days = widgets.guarded(lambda: data.health_timeline(source, at, DAYS))
today = days[days["at"] == days["at"].max()].reset_index(drop=True)
history = data.health(source)
likely = {
    o.name: likely_cause(o, history, at)
    for o, breached in zip(declared, today["breached"], strict=True)
    if breached
}
table = health_view.status_table(declared, today, likely)
st.caption(
    f"Judged at {at:%Y-%m-%d %H:%M} UTC over daily windows of the last {DAYS} days, from "
    "data/objectives.yaml. An objective is breached when its error budget is spent or its "
    "current window misses; the burn rate is the share of missed windows over the budget "
    "(1× spends it exactly over the horizon)."
)
kpis = st.columns(3)
for where, label, status in zip(
    kpis, ("Objectives breached", "Objectives met", "Objectives without data"),
    ("Breached", "Met", "No data"), strict=True,
):  # fmt: skip
    counts.metric(where, label, f"{int((table['Status'] == status).sum()):,}")
st.dataframe(table, hide_index=True, key="health_table")
st.download_button(
    "Download CSV", lambda: to_safe_csv(table), file_name="objectives.csv", mime="text/csv",
    key="health_csv", help="The table above; cells a spreadsheet would run as formulas are neutralised.",
)  # fmt: skip

names = {o.name: o.description or o.name for o in declared}
left, right = st.columns(2)
left.plotly_chart(health_view.budget_chart(days, names), key="health_budget")
left.caption("Each day's error budget left: below the dotted line the objective is breached.")
right.plotly_chart(health_view.burn_chart(days, names), key="health_burn")
right.caption("Above 1× an objective spends its budget faster than its horizon allows.")

breached = [o for o, s in zip(declared, table["Status"], strict=True) if s == "Breached"]
st.subheader("Breaches and their likely cause" if breached else "No objective is breached")
for objective, cause in zip(declared, table["Likely cause"], strict=True):
    if objective not in breached:
        continue
    st.markdown(f"**{plain(names[objective.name])}** — {plain(cause)}")
    page, label = health_view.EXPLAINED_BY[objective.kind]
    st.page_link(page, label=f"Explained on {label}", icon=":material/arrow_forward:")
    parts = contributions(objective, history, at)
    if parts.empty:
        continue
    shown = health_view.contribution_table(objective, parts.head(10))
    st.dataframe(shown, hide_index=True, key=f"health_cause_{objective.name}")
    st.download_button(
        "Download CSV", partial(to_safe_csv, shown),
        file_name=f"{objective.name}_contributions.csv", mime="text/csv",
        key=f"health_cause_csv_{objective.name}",
        help="Largest change first, over the window ending at the judged moment.",
    )  # fmt: skip
if not breached:
    st.caption(f"Every objective met its target on {at:%Y-%m-%d} or had no data to judge.")
