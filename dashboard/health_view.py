"""The Health page's words and figures: objective kinds, statuses and measures as labels with units,
the pages that explain each kind, and the error-budget chart (no maths here: scoring.objectives)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from scoring.objectives import Objective
from scoring.objectives.causes import HEADINGS

KINDS = {
    "mql_volume": "MQL volume",
    "acceptance_sla": "Acceptance SLA",
    "disqualified_share": "Disqualified share per campaign",
    "handoff_lag": "Handoff delivery lag",
    "gate_failure_rate": "Data-quality gate failures",
    "score_drift": "Score drift",
    "model_calibration": "Model calibration",
}
MEASURES = {
    "mql_volume": ("{:,.0f} MQLs/week", "between {min:,.0f} and {max:,.0f} MQLs/week"),
    "acceptance_sla": ("{:.0%} accepted", "at least {min_share:.0%} within {within_hours:g} h"),
    "disqualified_share": ("{:.0%} disqualified", "at most {max_share:.0%} per campaign"),
    "handoff_lag": ("{:,.1f} min (p99)", "at most {max_minutes:g} min (p99)"),
    "gate_failure_rate": ("{:.0%} failing", "at most {max_share:.0%} of decided leads"),
    "score_drift": ("PSI {:.3f}", "PSI at most {max_psi:g}"),
    "model_calibration": ("ECE {:.3f}", "ECE at most {max_ece:g}"),
}
"""Per kind: how its measure reads, and how its target reads."""
STATES = {"breached": "Breached", "no data": "No data", "ok": "Met"}
EXPLAINED_BY = {
    "mql_volume": ("pages/campaigns.py", "Campaigns: MQLs per campaign"),
    "acceptance_sla": ("pages/lifecycle.py", "Lifecycle: SLA breaches"),
    "disqualified_share": ("pages/disqualification.py", "Disqualification reasons per campaign"),
    "handoff_lag": ("pages/lifecycle.py", "Lifecycle: stage flows"),
    "gate_failure_rate": ("pages/data_source.py", "Data source: data quality"),
    "score_drift": ("pages/scoring_lab.py", "Scoring lab: rules and score distribution"),
    "model_calibration": ("pages/rules_vs_model.py", "Rules vs model: calibration"),
}
"""The page that explains each kind's misses, and what to look at there."""


def _state(row: pd.Series) -> str:
    if row["breached"]:
        return "breached"
    return "ok" if row["judged"] else "no data"


def status_table(
    objectives: list[Objective], today: pd.DataFrame, likely: dict[str, str]
) -> pd.DataFrame:
    """One labelled row per objective from the timeline's last day (no code, no empty cell);
    `likely` gives a cause where the measure names none (the largest contribution)."""
    rows = []
    for objective, (_, row) in zip(objectives, today.iterrows(), strict=True):
        shown, target = MEASURES[objective.kind]
        judged = row["judged"] > 0 and pd.notna(row["value"])
        cause = row["cause"] if row["judged"] else row["no_data_cause"]
        cause = cause or likely.get(objective.name, "")
        rows.append(
            {
                "Objective": objective.description or objective.name,
                "Kind": KINDS[objective.kind],
                "Status": STATES[_state(row)],
                "Now": shown.format(row["value"]) if judged else "not judged",
                "Target": target.format(**objective.target),
                "Budget left": f"{row['budget_left']:.0%}",
                "Burn rate": f"{row['burn_rate']:.2f}×",
                "Missed windows": f"{row['missed']} of {row['windows']}",
                "Likely cause": cause or "–",
            }
        )
    return pd.DataFrame(rows)


def contribution_table(objective: Objective, table: pd.DataFrame) -> pd.DataFrame:
    """A breakdown from scoring.objectives.causes with the kind's headings, formatted."""
    what, window, before = HEADINGS[objective.kind]
    counts = objective.kind in ("mql_volume", "acceptance_sla")
    number = "{:,.1f}".format if counts else "{:.1%}".format
    change = "{:+,.1f}".format if counts else (lambda v: f"{v * 100:+.1f} pts")
    return pd.DataFrame(
        {
            what: table["what"].astype(str),
            window: table["window"].map(number),
            before: table["before"].map(number),
            "Change": table["change"].map(change),
        }
    )


def budget_chart(days: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Error budget left (%) per objective and day, with the zero line where it is spent."""
    traces = [
        go.Scatter(
            x=part["at"],
            y=part["budget_left"] * 100,
            mode="lines",
            name=names.get(str(name), str(name)),
            customdata=part["burn_rate"],
            hovertemplate="%{x|%Y-%m-%d}: %{y:.0f}% left, burn rate %{customdata:.2f}×",
        )
        for name, part in days.groupby("objective", sort=False)
    ]
    figure = go.Figure(traces)
    figure.add_hline(y=0, line_dash="dot", annotation_text="budget spent")
    return figure.update_layout(
        title="Error budget left per objective, day by day",
        xaxis_title="day judged (UTC)",
        yaxis_title="budget left (% of the horizon's allowance)",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h"},
    )


def burn_chart(days: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Burn rate per objective and day (1× spends the budget exactly over the horizon)."""
    traces = [
        go.Scatter(x=part["at"], y=part["burn_rate"], mode="lines", name=names.get(str(n), str(n)))
        for n, part in days.groupby("objective", sort=False)
    ]
    figure = go.Figure(traces)
    figure.add_hline(y=1, line_dash="dot", annotation_text="1× sustainable")
    return figure.update_layout(
        title="Burn rate per objective, day by day",
        xaxis_title="day judged (UTC)",
        yaxis_title="burn rate (× the sustainable rate)",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h"},
    )
