"""The dashboard's pages, grouped by the people who use them (files in dashboard/pages/)."""

from __future__ import annotations

from pathlib import Path

PAGES = Path(__file__).resolve().parent / "pages"

NAVIGATION: dict[str, list[tuple[str, str, str]]] = {
    "Marketing": [
        ("overview.py", "Overview", "📊"),
        ("campaigns.py", "Campaigns", "📣"),
        ("disqualification.py", "Disqualification", "🚫"),
    ],
    "RevOps": [
        ("scoring_lab.py", "Scoring lab", "🎚️"),
        ("rules_vs_model.py", "Rules vs model", "🤖"),
        ("lifecycle.py", "Lifecycle", "🔁"),
    ],
    "Sales ops": [("leads.py", "Leads and export", "📋")],
    "Settings": [("data_source.py", "Data source", "🗄️")],
}
