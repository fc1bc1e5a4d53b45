"""Small widget helpers shared by pages: the sidebar lead filter and a stop-on-error guard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.data import Frames
from scoring.analytics.filters import SEGMENTS, UNKNOWN_SEGMENT, LeadFilter
from scoring.errors import SmarketingError

T = TypeVar("T")


def sidebar_filter(data: Frames, options: dict[str, list[str]]) -> LeadFilter:
    """The shared sidebar filters (date range, campaign, channel, segment, country) as a LeadFilter."""
    contacts = data.contacts
    sidebar = st.sidebar
    sidebar.header("Filters")
    first, last = contacts["created_at"].min(), contacts["created_at"].max()
    bounds = (first.date(), last.date()) if pd.notna(first) else (date.today(), date.today())
    picked = sidebar.date_input(
        "Lead created between",
        value=bounds,
        min_value=bounds[0],
        max_value=bounds[1],
        key=state.FILTER_DATES,
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
                [name for name, _, _ in SEGMENTS] + [UNKNOWN_SEGMENT],
                key=state.FILTER_SEGMENTS,
                help="Company size by employees: SMB < 200 <= Mid-market < 1000 <= Enterprise.",
            )
        ),
        countries=_multi("Country", options["country"], state.FILTER_COUNTRIES),
    )


def _multi(label: str, options: list[str], key: str) -> tuple[str, ...]:
    chosen = st.sidebar.multiselect(
        label, options, key=key, help=f"Leave empty for every {label.lower()}."
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


def selected_frames() -> tuple[str, Frames]:
    """Draw the sidebar (database, filters); return the URL and the frames the filters select."""
    from dashboard import data

    url = data.database_url()
    st.sidebar.caption(f"Database: `{data.engine(url).url!r}`")
    everything = guarded(lambda: data.frames(url))
    return url, data.filtered(everything, sidebar_filter(everything, data.filter_options(url)))
