"""Small widget helpers shared by pages: the sidebar (database, freshness, lead filter), the filter
in words, a stop-on-error guard, and text that Markdown must show as it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import URL

from dashboard import state, views
from dashboard.data import Frames, Snapshot
from dashboard.markup import plain as plain  # pages and helpers escape with widgets.plain
from scoring.analytics.filters import SEGMENTS, UNKNOWN_SEGMENT, LeadFilter
from scoring.errors import SmarketingError

T = TypeVar("T")


def sidebar_filter(data: Frames, options: dict[str, list[str]]) -> LeadFilter:
    """The shared sidebar filters (date range, campaign, channel, segment, country) as a LeadFilter;
    they live in the address too (a shared link opens the same selection)."""
    contacts = data.contacts
    sidebar = st.sidebar
    sidebar.header("Filters")
    first, last = contacts["created_at"].min(), contacts["created_at"].max()
    bounds = (first.date(), last.date()) if pd.notna(first) else (date.today(), date.today())
    segments = [name for name, _, _ in SEGMENTS] + [UNKNOWN_SEGMENT]
    link = views.Link()
    link.expect_date(state.FILTER_DATES, bounds[0], bounds[1], label="lead created")
    for key, label, choices in (
        (state.FILTER_CAMPAIGNS, "campaign", options["campaign"]),
        (state.FILTER_CHANNELS, "channel", options["channel"]),
        (state.FILTER_SEGMENTS, "segment", segments),
        (state.FILTER_COUNTRIES, "country", options["country"]),
    ):
        link.expect(key, choices, label)
    with sidebar:
        link.notice()
        views.reset_button(
            {state.FILTER_DATES: bounds} | {key: [] for key in state.FILTER_KEYS[1:]},
            key=state.FILTER_RESET,
            label="Reset filters",
        )
    picked = sidebar.date_input(
        "Lead created between",
        value=bounds,
        min_value=bounds[0],
        max_value=bounds[1],
        key=state.FILTER_DATES,
        bind=views.BIND,
        help="Only leads created in this range (inclusive) are counted on every page.",
    )
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else bounds
    return LeadFilter(
        start=None if start == bounds[0] else start,
        end=None if end == bounds[1] else end,
        campaigns=_multi("Campaign", options["campaign"], state.FILTER_CAMPAIGNS),
        channels=_multi("Channel", options["channel"], state.FILTER_CHANNELS),
        segments=tuple(
            sidebar.multiselect(
                "Segment",
                segments,
                key=state.FILTER_SEGMENTS,
                bind=views.BIND,
                help="Company size by employees: SMB < 200 <= Mid-market < 1000 <= Enterprise.",
            )
        ),
        countries=_multi("Country", options["country"], state.FILTER_COUNTRIES),
    )


def _multi(label: str, options: list[str], key: str) -> tuple[str, ...]:
    chosen = st.sidebar.multiselect(
        label, options, key=key, bind=views.BIND, help=f"Leave empty for every {label.lower()}."
    )
    return tuple(chosen)


def guarded(action: Callable[[], T]) -> T:
    """Run `action`; a smarketing error is shown as one clear message and the page stops."""
    try:
        return action()
    except SmarketingError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() raises


def filter_sentences(selection: LeadFilter) -> list[str]:
    """Each active sidebar filter in words (nothing for a filter left at "all")."""
    said = []
    if selection.start is not None or selection.end is not None:
        since = f" on or after {selection.start}" if selection.start is not None else ""
        until = f" on or before {selection.end}" if selection.end is not None else ""
        said.append(f"created{since}{' and' if since and until else ''}{until}")
    for name, chosen in (
        ("campaign", selection.campaigns),
        ("channel", selection.channels),
        ("segment", selection.segments),
        ("country", selection.countries),
    ):
        if chosen:
            said.append(f"{name} is one of {', '.join(chosen)}")
    return said


def database_name(url: URL) -> str:
    """How pages name a database: its URL without password, a file database by its file name only
    (the server's folders are nobody's business)."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite file {Path(url.database).name}" if url.database else "sqlite in memory"
    return repr(url)


def origin_name(origin: str) -> str:
    """Where a definition in force comes from, a file named without the server's folders."""
    if origin.startswith("file "):
        return f"file {Path(origin.removeprefix('file ')).name}"
    return origin


def database_sidebar(url: str) -> tuple[Snapshot, Frames]:
    """The sidebar's database block: which database, how fresh its data are, and Refresh.

    Imports, live events and publishes by other processes change the database's token, read on
    every rerun, so they show on the next interaction; Refresh reads everything again even when
    nothing added a row (an edit in place).
    """
    from dashboard import data

    sidebar = st.sidebar
    sidebar.caption(f"Database: `{database_name(data.engine(url).url)}`")
    if sidebar.button(
        "Refresh",
        key=state.REFRESH,
        icon=":material/refresh:",
        help="Read every table and published definition again now. New rows and publishes are "
        "picked up on any interaction without it.",
    ):
        data.forget_everything()
    source = guarded(lambda: data.snapshot(url))
    everything = guarded(lambda: data.frames(source))
    version = guarded(lambda: data.published(source)).rulebook.version
    checked = datetime.now(UTC)
    sidebar.caption(
        f"Data as of {everything.read_at:%Y-%m-%d %H:%M:%S} UTC, unchanged at {checked:%H:%M:%S}: "
        f"{len(everything.contacts):,} contacts; rulebook {version} in force."
    )
    return source, everything


def selected_frames() -> tuple[Snapshot, Frames]:
    """Draw the sidebar (database, freshness, filters); return the snapshot and the selected frames."""
    from dashboard import data

    source, everything = database_sidebar(data.database_url())
    selection = sidebar_filter(everything, data.filter_options(source))
    return source, data.filtered(everything, selection)
