"""Scoring lab: move rule weights, half-lives, caps and the threshold; see the effect on history."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, counts, data, display, identity, state, views, widgets
from dashboard.lab_controls import defaults, lab_title, threshold_slider, tuning_controls
from dashboard.lab_publish import effect_rows, publish_block
from scoring.access import DRAFT, WHAT_IF
from scoring.errors import SmarketingError
from scoring.rules import explain
from scoring.rules.lab import moved, recent_weekly_rate, weekly_frame
from scoring.rules.tuning import Tuning, rule_changes, tuned_rulebook

actor = widgets.guarded(identity.actor)
source, frames = widgets.selected_frames()
current = widgets.guarded(lambda: data.published(source))
book = current.rulebook
heading = st.empty()  # the title says what is tuned, known once the controls are read
st.caption(
    f"Rulebook {book.version} in force ({widgets.origin_name(current.origin)}). Every lead of the "
    "history is scored as it looked at its decision time; sliders re-use the rule-hit matrix (no "
    "rule is re-evaluated). The sidebar filters do not apply here."
)
tunes = actor.may(WHAT_IF)
if not tunes:
    st.info(f"What-ifs need the analyst role; as {actor.role} you see the rulebook in force.")
published = defaults(book)
link = views.Link()
for key in published:
    if not key.startswith(state.GATE_PREFIX):
        link.expect_number(key, label=key.removeprefix("lab_").replace("_", " "))
link.notice()
controls, results = st.columns([1, 2], gap="large")
with controls:
    views.reset_button(published, key=state.LAB_RESET)
    threshold = threshold_slider(book, disabled=not tunes)
    tuning = tuning_controls(book, disabled=not tunes)
if not tunes:  # whatever the widgets hold, a viewer sees the rulebook in force
    threshold, tuning = float(book.threshold), Tuning()
heading.title(lab_title(book, threshold, published))
run = data.lab_run(source, tuning)
baseline = data.lab_run(source, type(tuning)())
now, before = run.at(threshold), baseline.at(book.threshold)
capacity = data.weekly_capacity(frames)
weekly = recent_weekly_rate(now)

with results:
    first, second, third, fourth = st.columns(4)
    versus = f"The change is against rulebook {book.version} as published."
    counts.metric(
        first,
        "MQLs on history",
        f"{now.mqls:,}",
        delta=f"{now.mqls - before.mqls:+,}",
        detail=versus,
    )
    counts.metric(
        second,
        "MQLs per week",
        f"{weekly:,.1f}",
        delta=f"{weekly - capacity:+,.1f} vs capacity",
        delta_color="inverse",
        detail=f"Active reps take {capacity:,.0f} a week.",
    )
    counts.metric(
        third,
        "Win precision",
        f"{now.precision_won:.1%}",
        delta=f"{now.precision_won - before.precision_won:+.1%}",
        detail=versus,
    )
    counts.metric(
        fourth,
        "Win recall",
        f"{now.recall_won:.1%}",
        delta=f"{now.recall_won - before.recall_won:+.1%}",
        detail=versus,
    )
    st.caption(
        f"Acceptance precision {now.precision_accepted:.1%} (published {before.precision_accepted:.1%}): "
        "accepted by sales among MQLs."
    )
    st.plotly_chart(
        charts.lines(
            weekly_frame(now, capacity), "week", "leads", "series", "MQLs per week vs capacity"
        ),
        key="lab_weekly",
    )
    histogram = charts.bars(
        data.distribution(source, tuning),
        "score",
        "leads",
        "Score distribution by outcome",
        color="outcome",
    )
    histogram.add_vline(x=threshold, line_dash="dash", annotation_text="threshold")
    st.plotly_chart(histogram.update_layout(barmode="stack"), key="lab_histogram")

    entering, leaving = moved(baseline.mql_at(book.threshold), run.mql_at(threshold))
    st.subheader(
        f"{len(entering):,} leads enter and {len(leaving):,} leave MQL versus the published rulebook"
    )
    ids = run.scores.lead_ids
    change = pd.DataFrame(
        {
            "lead_id": np.concatenate([ids[entering], ids[leaving]]),
            "change": ["enters"] * len(entering) + ["leaves"] * len(leaving),
            "score before": np.concatenate(
                [baseline.scores.total[entering], baseline.scores.total[leaving]]
            ),
            "score after": np.concatenate([run.scores.total[entering], run.scores.total[leaving]]),
        }
    )
    display.table(st, change.head(500), key="lab_changes")
    if len(change):
        lead: int = st.selectbox(  # never None: there is at least one option
            "Why? Pick a lead",
            change["lead_id"].head(500),
            key="lab_why",
            help="Explanations before and after.",
        )
        hits = data.hits(source)
        left, right = st.columns(2)
        left.code(str(explain(hits, int(lead))), language=None)
        right.code(str(explain(run.hits, int(lead))), language=None)


def draft_file(source: data.Snapshot, tuned_at: Tuning) -> str:
    """The draft's YAML; one that does not load says why in the file (a callable run on click
    cannot show a message on the page)."""
    try:
        return data.draft_yaml(source, tuned_at)
    except SmarketingError as exc:
        return "# This draft is not a valid rulebook, so it was not written:\n" + "".join(
            f"# {line}\n" for line in str(exc).splitlines()
        )


st.divider()
st.subheader("Publish")
tuned = tuned_rulebook(book, dataclasses.replace(tuning, threshold=threshold))
changes = rule_changes(book, tuned)
display.table(st, display.rule_items(changes, book, tuned).astype(str), key="lab_diff")
if actor.may(DRAFT):
    tuned_at = dataclasses.replace(tuning, threshold=threshold)
    st.download_button(
        "Download YAML",
        lambda: draft_file(source, tuned_at),  # written (and validated) on click only
        file_name=f"rulebook-{book.version}-draft.yaml",
        mime="text/yaml",
        key="lab_download",
        help="The tuned rulebook as a file, not published.",
    )
weekly_before = recent_weekly_rate(before)
effect = effect_rows(before, now, (weekly_before, weekly), (len(entering), len(leaving)))
publish_block(source, current, tuned, effect, actor, unchanged=changes.empty)
