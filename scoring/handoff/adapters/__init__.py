"""CRM adapters behind one small protocol: built-in, signed webhook, HubSpot, Salesforce."""

from __future__ import annotations

from scoring.handoff.adapters.base import ADAPTERS, CrmAdapter, make_adapter

__all__ = ["ADAPTERS", "CrmAdapter", "make_adapter"]
