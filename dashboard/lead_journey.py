"""The Leads page's journey of one lead: score over time, the explanation of its score now, and every
touch, stage change, assignment, handoff and CRM feedback on one timeline."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import charts, data, display, lead_list
from dashboard.data import Frames, Snapshot
from scoring.access import Actor
from scoring.analytics.journey import journey, score_trail
from scoring.exports import to_safe_csv
from scoring.rules import Hits, explain

LABELS = {"at": "When (UTC)", "step": "Step", "what": "What", "why": "Why", "actor": "By / to"}


def timeline_table(timeline: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """The timeline as shown and downloaded: labelled, times as text, no column a role may not see."""
    shown = lead_list.visible(timeline, actor).copy()
    shown["at"] = shown["at"].dt.strftime("%Y-%m-%d %H:%M")
    return shown.rename(columns=LABELS)


def draw(
    source: Snapshot,
    frames: Frames,
    lead: int,
    scored: tuple[Hits, pd.DataFrame],
    actor: Actor,
    moment: datetime,
) -> None:
    """Everything about `lead` (a contact id) as of `moment`."""
    hits, scores = scored
    touches, signals = data.lead_trail(source, lead)
    events = frames.events[frames.events["contact_id"] == lead]
    # stage changes read by the contract's labels ("Lead → Marketing-qualified lead")
    events = events.assign(
        from_stage=events["from_stage"].map(display.word),
        to_stage=events["to_stage"].map(display.word),
    )
    row = scores[scores["lead_id"] == lead]
    current = float(row["score"].iloc[0]) if len(row) else None
    threshold = float(row["threshold"].iloc[0]) if len(row) else hits.rulebook.threshold
    trail = score_trail(signals, current=current, at=moment)
    timeline = journey(touches, events, signals)
    times = pd.concat([timeline["at"], trail["at"], pd.Series([pd.Timestamp(moment)])])
    span = (times.min(), times.max())

    left, right = st.columns(2)
    left.plotly_chart(charts.score_over_time(trail, threshold, span), key="lead_score_chart")
    stored = int((trail["source"] == "stored").sum())
    left.caption(
        f"Points after each of the {stored:,} stored score changes, then as of "
        f"{moment:%Y-%m-%d %H:%M} UTC; dashed line: the lead's MQL threshold ({threshold:g})."
    )
    right.markdown("**Why this score now**")
    if current is not None:
        right.code(str(explain(hits, lead)), language=None, wrap_lines=True)
    else:
        right.info(f"Lead {lead} was created after {moment:%Y-%m-%d %H:%M}: no score yet.")

    shown = timeline_table(timeline, actor)
    st.markdown(f"**Timeline:** {len(shown):,} touches, stage changes, handoffs and feedback")
    display.table(st, shown, why="not recorded for this kind of entry", key="lead_timeline")
    if note := lead_list.hidden_note(actor):
        st.caption(note)
    st.download_button(
        "Download timeline (CSV)",
        lambda: to_safe_csv(shown),
        file_name=f"lead_{lead}_journey.csv",
        mime="text/csv",
        key="lead_timeline_csv",
        help="The timeline above; cells a spreadsheet would run as formulas are neutralised.",
    )
