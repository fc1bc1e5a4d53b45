"""The HTTP service: inbound events, CRM feedback, lead lookup; signatures and idempotency."""

from __future__ import annotations

from scoring.api.app import create_app
from scoring.handoff.scorer import default_pipeline

__all__ = ["create_app", "default_pipeline"]
