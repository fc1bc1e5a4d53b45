"""Entry point of the dashboard: page config, shared sidebar and navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"


def run() -> None:
    st.set_page_config(page_title="smarketing", page_icon="📈", layout="wide")
    navigation = st.navigation([st.Page(PAGES / "overview.py", title="Overview", default=True)])
    navigation.run()


run()
