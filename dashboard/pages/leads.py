"""Leads and export: the scored lead list, every filter said in words, one lead's journey (score over
time, explanation, timeline), and the export (CSV made formula-safe, or Parquet); personal fields only for roles that
may see them."""

from __future__ import annotations

import streamlit as st

from dashboard import (
    counts,
    data,
    display,
    identity,
    lead_journey,
    lead_list,
    state,
    views,
    widgets,
)
from scoring.access import EXPORT_PERSONAL
from scoring.exports import to_parquet, to_safe_csv

actor = widgets.guarded(identity.actor)
personal = actor.may(EXPORT_PERSONAL)
source, frames = widgets.selected_frames()
book = widgets.guarded(lambda: data.published(source)).rulebook
moment = widgets.guarded(lambda: data.as_of(frames))
hits, scores = data.current(source, moment)
heading = st.empty()  # the title says which leads are listed, known once the controls are read
st.caption(
    f"Scores as of {moment:%Y-%m-%d %H:%M} UTC under rulebook {book.version} "
    "(SMARKETING_AS_OF, else when the data were read)."
)

leads = lead_list.visible(
    lead_list.lead_table(frames.contacts, scores, frames.reps, frames.accounts), actor
)
stage_names = sorted(leads["lifecycle_stage"].dropna().unique())
link = views.Link()
link.expect(state.LEAD_LIST, lead_list.MODES.values(), "list")  # links carry the labels
stage_labels = {code: str(display.word(code)) for code in stage_names}
link.accept_codes(state.LEAD_STAGES, stage_labels)
link.expect(state.LEAD_STAGES, [*stage_labels.values(), *stage_labels], "lifecycle stage")
link.expect_number(state.LEAD_MIN_SCORE, label="minimum score")
link.expect_number(state.LEAD_SELECTED, label="lead")
link.notice()
left, middle, right = st.columns(3)
mode = left.radio(
    "List",
    list(lead_list.MODES),
    format_func=lead_list.MODES.__getitem__,
    key=state.LEAD_LIST,
    bind=views.BIND,
    help="MQLs now: contacts in lifecycle stage mql. Would qualify: score at or above the "
    f"threshold and every gate passed under rulebook {book.version}, whatever the stage.",
)
stages = middle.multiselect(
    "Lifecycle stage",
    stage_names,
    format_func=lambda code: str(display.word(code)),  # links carry the labels too
    key=state.LEAD_STAGES,
    bind=views.BIND,
    help="Leave empty for every stage.",
)
minimum = right.number_input(
    "Minimum score",
    value=None,
    step=5.0,
    placeholder="no minimum",
    key=state.LEAD_MIN_SCORE,
    bind=views.BIND,
    help="Empty: no minimum (negative scores are listed too).",
)
choice = lead_list.Choice(mode, tuple(stages), minimum)
shown, sentences = lead_list.choose(leads, choice, book.version)
said = widgets.filter_sentences(frames.selection) + sentences
more = len(said) - (mode != lead_list.EVERY)  # filters besides the list's own
heading.title(
    f"Leads and export: {lead_list.SHORT[mode]}"
    + (f", {more} more filter{'s' if more > 1 else ''}" if more else "")
)
views.reset_button(
    {state.LEAD_LIST: lead_list.MQLS_NOW, state.LEAD_STAGES: [], state.LEAD_MIN_SCORE: None},
    key=state.LEADS_RESET,
)
st.markdown(
    "**Listed:** contacts where " + "; ".join(said) if said else "**Listed:** every contact"
)
counts.metric(st, "Contacts listed", f"{len(shown):,}")
display.table(
    st,
    shown.head(2000),
    why="not recorded for this contact",
    key="leads_table",
    column_config={
        "would_qualify": st.column_config.CheckboxColumn(
            help=f"Score at or above its threshold and every gate passed, rulebook {book.version}."
        )
    },
)

if not personal:
    st.caption(
        f":material/visibility_off: Names, emails, job titles and owners are left out of the list "
        f"and its downloads: the {actor.role} role may not see or export personal fields."
    )
download_csv, download_parquet = st.columns(2)
name = {lead_list.MQLS_NOW: "mqls_now", lead_list.QUALIFYING: "would_qualify"}.get(mode, "leads")
download_csv.download_button(
    "Download CSV",
    lambda: to_safe_csv(lead_list.export_frame(shown, hits, actor, personal=personal)),
    file_name=f"{name}.csv",
    mime="text/csv",
    key="leads_csv",
    help="Every listed lead with owner, account and top reasons; cells a spreadsheet would run as "
    "formulas are neutralised." + ("" if personal else " Without personal fields."),
)
download_parquet.download_button(
    "Download Parquet",
    lambda: to_parquet(lead_list.export_frame(shown, hits, actor, personal=personal)),
    file_name=f"{name}.parquet",
    mime="application/octet-stream",
    key="leads_parquet",
    help="Every listed lead, typed.",
)

st.subheader("A lead's journey")
if shown.empty:
    st.info("No lead matches the filters.")
    st.stop()
lead: int | None = st.selectbox(
    "Lead",
    shown["contact_id"].head(2000),
    key=state.LEAD_SELECTED,
    bind=views.BIND,
    help="Top 2,000 by score. The link carries the lead chosen.",
)
if lead is None:  # only when there are no options, which the check above rules out
    st.stop()
lead_journey.draw(source, frames, int(lead), (hits, scores), actor, moment)
