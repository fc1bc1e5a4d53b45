"""Every cache of the dashboard lives here: engine, and query results keyed by hashable arguments."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from scoring.db import make_engine
from scoring.db.inventory import Inventory, inventory
from scoring.settings import Settings


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return make_engine(url)


def database_url() -> str:
    return Settings.from_env().database_url


@st.cache_data(show_spinner="Counting rows…", ttl=60)
def table_inventory(url: str) -> Inventory:
    return inventory(engine(url))


def table_counts(report: Inventory) -> pd.DataFrame:
    return pd.DataFrame(
        [(t.table, t.rows, t.first, t.last) for t in report.tables],
        columns=["table", "rows", "from", "to"],
    )
