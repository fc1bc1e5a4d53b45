"""Streamlit dashboard of smarketing: thin pages over the scoring engine."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager


def _through_the_entry_point() -> None:
    """Make every run start at dashboard/app.py (sign-in gate, page config, navigation).

    Streamlit treats an app with a `pages/` folder as an old-style multipage app until app.py has
    called `st.navigation` once: until then a page's own address (a shared link such as
    /leads?leads_stages=mql opened right after a restart) runs that page's file alone, without the
    gate, and leaves the whole server in that mode. The first page to import this package turns
    the mode off and starts its run again, through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is not None:
            import streamlit as st

            st.rerun()


_through_the_entry_point()
