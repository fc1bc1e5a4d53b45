"""Entry point of the dashboard: page config, who is signed in (or single-user mode), shared sidebar
(data source, filters) and navigation."""

from __future__ import annotations

import streamlit as st

from dashboard import identity, state
from dashboard.navigation import NAVIGATION, PAGES


def pages() -> dict[str, list[st.Page]]:
    return {
        section: [
            st.Page(PAGES / file, title=title, icon=icon, default=file == "overview.py")
            for file, title, icon in entries
            if (PAGES / file).exists()
        ]
        for section, entries in NAVIGATION.items()
    }


def run() -> None:
    st.set_page_config(page_title="smarketing", page_icon=":material/trending_up:", layout="wide")
    identity.gate()  # nobody without a role gets past this
    navigation = st.navigation(pages(), expanded=True)  # every page listed: no "View more"
    # Filter widgets live on every page; re-assigning their keys keeps the values across page
    # switches (Streamlit otherwise forgets the state of widgets the new page has not drawn yet).
    for key in state.FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    navigation.run()


run()
