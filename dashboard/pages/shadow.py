"""Shadow rulebook: a candidate scoring beside the live rulebook, compared on stored scores."""

from __future__ import annotations

import streamlit as st

from dashboard import data, display, widgets
from dashboard.markup import plain
from scoring.features.quality import load_competitors
from scoring.handoff.shadow_report import shadow_comparison
from scoring.policy import in_force

SAMPLE = 50
START = (
    "Start one from the command line: `smarketing rules publish FILE --mode shadow --by you` scores "
    "every lead with FILE too, stored apart and never handed off; `--mode canary --canary-share "
    "0.1` also scores and hands off 10% of new leads under it."
)

engine = data.engine(data.database_url())
st.title("Shadow rulebook")
running = widgets.guarded(lambda: in_force(engine).shadow)
if running is None:
    st.info(f"No shadow or canary rulebook is running. {START}")
    st.stop()

share = f", {running.share:.0%} of new leads (lead id above {running.after_lead_id})"
candidate = " ".join(str(running.rulebook.version).replace("`", "'").splitlines())
st.caption(
    f"{running.mode.capitalize()} {plain(running.version)}: rulebook `{candidate}` beside "
    f"the live rulebook {plain(running.live_version)}"
    f"{share if running.mode == 'canary' else ''}; "
    f"{plain(running.origin)}. Compared on the stored scores of the leads both rulebooks scored."
)
report = widgets.guarded(
    lambda: shadow_comparison(engine, sample=SAMPLE, competitor_domains=load_competitors())
)
counts = report.counts
either = counts["live"] + counts["added"]
columns = st.columns(4)
columns[0].metric("Live MQLs", f"{counts['live']:,}")
columns[1].metric(
    "Shadow MQLs", f"{counts['shadow']:,}", delta=f"{counts['shadow'] - counts['live']:+,}"
)
columns[2].metric("Overlap", f"{counts['both'] / either:.0%}" if either else "—")
columns[3].metric("Canary leads", f"{counts['canary']:,}")
display.table(st, report.summary.round(3), why="no lead to measure", key="shadow_summary")
st.caption(
    f"Predicted acceptance: {report.acceptance}. Canary leads were scored and handed off by the "
    "candidate, so they are left out of the comparison."
)
st.subheader(f"The shadow adds {counts['added']:,} leads")
display.table(st, report.added, key="shadow_added")
st.subheader(f"The shadow drops {counts['dropped']:,} leads")
display.table(st, report.dropped, key="shadow_dropped")
st.caption(
    f"Highest scores first, at most {SAMPLE} each. Promote the candidate (a new rulebook version, "
    "in force at once) or abort it with `smarketing rules shadow promote|abort --by you`; both "
    "are audited publishes."
)
