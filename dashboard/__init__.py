"""Streamlit dashboard of smarketing: thin pages over the scoring engine."""
