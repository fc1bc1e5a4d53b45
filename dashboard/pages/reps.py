"""Reps and territories: each rep's, team's or office's MQLs of one week against capacity, the
assignment rules in words, and which teams or offices a moved MQL threshold would push over capacity."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from dashboard import charts, data, identity, rep_view, state, views, widgets
from scoring.access import EXPORT_PERSONAL
from scoring.analytics import sla_breaches
from scoring.analytics.reps import GROUPS, demand_at, grouped, handovers, rep_load
from scoring.analytics.territories import rule_sentences
from scoring.exports import to_safe_csv

WHATIF_WEEKS = 12
actor = widgets.guarded(identity.actor)
personal = actor.may(EXPORT_PERSONAL)
source, frames = widgets.database_sidebar(data.database_url())
book = widgets.guarded(lambda: data.published(source)).rulebook
rules = widgets.guarded(data.assignment_rules)
moment = widgets.guarded(lambda: data.as_of(frames))

heading = st.empty()  # the title says what is shown, known once the controls are read
link = views.Link()
link.expect(state.REPS_BY, GROUPS.values(), "group by")  # links carry the labels
link.expect_date(state.REPS_WEEK, label="week")
link.expect(state.REPS_WHATIF_BY, ("Team", "Office"), "what-if per")
link.expect_number(state.REPS_THRESHOLD, 0.0, 200.0, "threshold")
by_column, week_column, reset_column = st.columns([2, 2, 1], vertical_alignment="bottom")
by = by_column.radio(
    "Group by", list(GROUPS), format_func=GROUPS.__getitem__, horizontal=True,
    key=state.REPS_BY, bind=views.BIND, help="One row per rep, or reps pooled by team or office.",
)  # fmt: skip
picked = week_column.date_input(
    "Week of", value=moment.date(), key=state.REPS_WEEK, bind=views.BIND,
    help="Any day of the week to show (Monday to Sunday). Default: the week of the data's moment.",
)  # fmt: skip
views.reset_button(
    {state.REPS_BY: "rep", state.REPS_WEEK: moment.date(), state.REPS_WHATIF_BY: "team",
     state.REPS_THRESHOLD: float(book.threshold)},
    key=state.REPS_RESET, where=reset_column,
)  # fmt: skip
link.notice()
day = picked if isinstance(picked, date) else moment.date()
start = datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time())
end = start + timedelta(days=7)
heading.title(f"Reps and territories: by {by}, week of {start:%d %b %Y}")

slas = {s.name: s.sla_business_days for s in data.contract(source).stages if s.sla_business_days}
late = sla_breaches(frames.events, slas, moment)
waiting = late[(late["stage"] == "mql") & late["left_at"].isna()]
owners = frames.contacts.set_index("contact_id")["owner_rep_id"]
late_mqls = waiting.assign(owner_rep_id=waiting["contact_id"].map(owners))
handed = handovers(data.assignments(source), frames.events, frames.contacts)
load = rep_load(
    frames.reps, handed, frames.reached, late_mqls, frames.opportunities, start=start, end=end
)
table = grouped(load if personal else rep_view.anonymous(load), by)
shown = rep_view.load_table(table, by)
st.caption(
    f"MQLs received from {start:%a %Y-%m-%d} to {end - timedelta(days=1):%a %Y-%m-%d}: recorded "
    "assignments, else entries into MQL credited to the contact's owner. Accepted: of those, reached "
    f"SAL. Waiting past SLA: owned MQLs past the MQL SLA at {moment:%Y-%m-%d %H:%M} UTC. Win rate: "
    "won / closed deals of the rep, all time. Inactive reps have no capacity."
)
st.dataframe(shown, hide_index=True, key="reps_table")
if not personal:
    st.caption(
        f":material/visibility_off: Reps are named by id: the {actor.role} role may not see names."
    )
st.download_button(
    "Download CSV", lambda: to_safe_csv(shown), file_name=f"reps_by_{by}.csv", mime="text/csv",
    key="reps_csv", help="The table above; cells a spreadsheet would run as formulas are neutralised.",
)  # fmt: skip
week_title = f"MQLs received in the week of {start:%Y-%m-%d}"
if by == "rep":  # dozens of reps: each bar against its own capacity, one line at 100 %
    figure = charts.utilisation(
        table, "group", "assigned", "capacity", f"{week_title} as % of each rep's weekly capacity"
    )
    said = "each active rep's MQLs that week as a share of their own weekly capacity (dashed: 100%)"
else:
    busy = table[(table["capacity"] > 0) | (table["assigned"] > 0)]
    figure = charts.against_capacity(
        busy, "group", "assigned", "capacity", f"{week_title} vs weekly capacity, per {by}", "MQLs"
    )
    said = f"MQLs each {by} received that week; black line and number: its weekly capacity"
st.plotly_chart(figure, key="reps_load_chart")
st.caption(f"Bars: {said}; red above capacity. Inactive reps have no capacity.")

st.subheader("How MQLs are assigned")
st.markdown("\n".join(f"1. {widgets.plain(s)}" for s in rule_sentences(rules)))
st.caption(f"Assignment rules version {widgets.plain(rules.version)} (SMARKETING_ASSIGNMENT).")


@st.fragment
def what_if() -> None:
    """The threshold what-if: a fragment, so moving its slider reruns only this part of the page."""
    st.subheader("What if the MQL threshold moved?")
    left, right = st.columns([2, 1])
    threshold = left.slider(
        "MQL threshold", 0.0, 200.0, float(book.threshold), step=1.0, key=state.REPS_THRESHOLD,
        bind=views.BIND,
        help=f"Rulebook {widgets.plain(book.version)} uses {book.threshold:g}; segment thresholds "
        "move with it.",
    )  # fmt: skip
    whatif_by = right.radio(
        "Per", ["team", "office"], format_func=GROUPS.__getitem__, horizontal=True,
        key=state.REPS_WHATIF_BY, bind=views.BIND, help="Where the leads would go.",
    )  # fmt: skip
    inputs = data.whatif_inputs(
        source, moment, end - timedelta(weeks=WHATIF_WEEKS), end, rules.version, rules
    )
    demand = demand_at(
        inputs, frames.reps, threshold=threshold, default=float(book.threshold), by=whatif_by
    )
    over = demand[demand["over"]]
    st.markdown(
        f"At threshold **{threshold:g}**, "
        + (
            f"**{len(over)}** {'office' if whatif_by == 'office' else 'team'}"
            f"{'s' if len(over) != 1 else ''} would go over capacity: "
            + widgets.plain(", ".join(over["group"]))
            if len(over)
            else f"no {whatif_by} would go over capacity."
        )
    )
    st.plotly_chart(
        charts.against_capacity(
            demand, "group", "mqls_per_week", "capacity",
            f"MQLs per week at threshold {threshold:g} vs weekly capacity, per {whatif_by}",
            "MQLs per week",
        ),
        key="reps_whatif_chart",
    )  # fmt: skip
    st.caption(
        f"Mean MQLs per week over the {WHATIF_WEEKS} weeks to {end - timedelta(days=1):%Y-%m-%d}: leads "
        f"created then whose score as of {moment:%Y-%m-%d} reaches the moved threshold with every gate "
        "passed, placed with their owner's team, else by the territory rules."
    )
    whatif = rep_view.demand_table(demand, whatif_by)
    st.dataframe(whatif, hide_index=True, key="reps_whatif_table")
    st.download_button(
        "Download CSV", lambda: to_safe_csv(whatif), file_name=f"threshold_{threshold:g}_{whatif_by}.csv",
        mime="text/csv", key="reps_whatif_csv", help="The what-if table; formula-safe.",
    )  # fmt: skip


what_if()
