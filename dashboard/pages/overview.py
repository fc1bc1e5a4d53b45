"""Overview page: what the database holds."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data

url = data.database_url()
report = data.table_inventory(url)

st.title("Overview")
st.caption(f"Database: `{data.engine(url).url!r}`")

columns = st.columns(4)
for column, table in zip(
    columns, ("contacts", "accounts", "touches", "opportunities"), strict=True
):
    column.metric(table.capitalize(), f"{report.count(table):,}")

st.subheader("Tables")
st.dataframe(data.table_counts(report), hide_index=True, width="stretch")

left, right = st.columns(2)
left.subheader("Lifecycle stages")
left.dataframe(pd.DataFrame(report.stages, columns=["stage", "contacts"]), hide_index=True)
right.subheader("Disqualification reasons")
right.dataframe(pd.DataFrame(report.reasons, columns=["reason", "count"]), hide_index=True)
