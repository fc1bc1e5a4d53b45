"""Keys of `st.session_state` (UI state only), in one place so pages and tests agree on them."""

from __future__ import annotations

DATABASE_URL = "database_url"  # the database the user switched to on the Data source page
FILTER_DATES = "filter_dates"
FILTER_CAMPAIGNS = "filter_campaigns"
FILTER_CHANNELS = "filter_channels"
FILTER_SEGMENTS = "filter_segments"
FILTER_COUNTRIES = "filter_countries"
FILTER_RESET = "sidebar_reset"
REFRESH = "sidebar_refresh"  # the sidebar's button: read every table again

THRESHOLD = "lab_threshold"
HALF_LIFE = "lab_half_life"
WEIGHT_PREFIX = "lab_weight_"  # + rule id
CAP_PREFIX = "lab_cap_"  # + group
SEGMENT_PREFIX = "lab_segment_"  # + segment name (points above the MQL threshold)
GATE_PREFIX = "lab_gate_"  # + gate id (checked: enforced)
PUBLISH_NOTE = "lab_publish_note"
PUBLISH_CONFIRM = "lab_publish_confirm"

MODEL_TARGET = "model_target"
MODEL_KIND = "model_kind"
MODEL_CUTOFF = "model_cutoff"
MODEL_EVALUATION = "model_evaluation"

LEAD_STAGES = "leads_stages"
LEAD_LIST = "leads_list"  # which leads: MQLs now, would qualify, every contact
LEAD_MIN_SCORE = "leads_min_score"
LEAD_SELECTED = "leads_selected"
DQ_CAMPAIGN = "dq_campaign"
DQ_REASON = "dq_reason"

FILTER_KEYS = (FILTER_DATES, FILTER_CAMPAIGNS, FILTER_CHANNELS, FILTER_SEGMENTS, FILTER_COUNTRIES)

AUDIT_FLASH = "audit_flash"  # what the last approve/reject/rollback did, shown after the rerun
AUDIT_NOTE_PREFIX = "audit_note_"  # + proposal id
AUDIT_APPROVE_PREFIX = "audit_approve_"  # + proposal id
AUDIT_REJECT_PREFIX = "audit_reject_"  # + proposal id
ROLLBACK_KIND = "audit_rollback_kind"
ROLLBACK_VERSION = "audit_rollback_version"
ROLLBACK_NOTE = "audit_rollback_note"

ACCOUNT_SEGMENTS = "accounts_segments"
ACCOUNT_REGIONS = "accounts_regions"
ACCOUNT_OWNERS = "accounts_owners"
ACCOUNT_SORT = "accounts_sort"

REPS_BY = "reps_by"  # rep, team or office
REPS_WEEK = "reps_week"  # any day of the week shown
REPS_THRESHOLD = "reps_threshold"  # the what-if's MQL threshold
REPS_WHATIF_BY = "reps_whatif_by"  # team or office
REPS_RESET = "reps_reset"
LEADS_RESET = "leads_reset"
ACCOUNTS_RESET = "accounts_reset"
CAMPAIGNS_BY = "campaigns_by"
CAMPAIGNS_RESET = "campaigns_reset"
LAB_RESET = "lab_reset"

HEALTH_DAY = "health_day"  # the day the Health page judges the objectives on
