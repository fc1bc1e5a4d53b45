"""The dashboard's pages, grouped by the people who use them (files in dashboard/pages/)."""

from __future__ import annotations

from pathlib import Path

PAGES = Path(__file__).resolve().parent / "pages"

NAVIGATION: dict[str, list[tuple[str, str, str]]] = {
    "Marketing": [
        ("overview.py", "Overview", ":material/insights:"),
        ("campaigns.py", "Campaigns", ":material/campaign:"),
        ("disqualification.py", "Disqualification", ":material/block:"),
    ],
    "RevOps": [
        ("scoring_lab.py", "Scoring lab", ":material/tune:"),
        ("rules_vs_model.py", "Rules vs model", ":material/model_training:"),
        ("shadow.py", "Shadow rulebook", ":material/compare:"),
        ("lifecycle.py", "Lifecycle", ":material/sync_alt:"),
        ("audit.py", "Audit", ":material/fact_check:"),
        ("health.py", "Health", ":material/monitor_heart:"),
    ],
    "Sales ops": [
        ("leads.py", "Leads and export", ":material/list_alt:"),
        ("accounts.py", "Accounts", ":material/domain:"),
        ("reps.py", "Reps and territories", ":material/groups:"),
    ],
    "Settings": [("data_source.py", "Data source", ":material/database:")],
}
