"""Funnel, campaign, disqualification and lifecycle-flow analytics: pure functions over frames."""

from __future__ import annotations

from scoring.analytics.campaigns import campaign_table
from scoring.analytics.disqualification import (
    disqualification_table,
    reason_deviation,
    reason_matrix,
    reason_trend,
)
from scoring.analytics.flows import sla_breaches, time_in_stage, transition_counts
from scoring.analytics.funnel import (
    FUNNEL,
    conversion,
    funnel_counts,
    reached_stages,
    weekly_entries,
)

__all__ = [
    "FUNNEL",
    "campaign_table",
    "conversion",
    "disqualification_table",
    "funnel_counts",
    "reached_stages",
    "reason_deviation",
    "reason_matrix",
    "reason_trend",
    "sla_breaches",
    "time_in_stage",
    "transition_counts",
    "weekly_entries",
]
