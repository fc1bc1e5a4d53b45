"""The one small protocol every CRM adapter implements, and the registry that builds them by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from scoring.errors import ConfigError
from scoring.handoff.payload import HandoffPayload


class CrmAdapter(Protocol):
    """Delivers one handoff to a CRM.

    `deliver` creates or updates the lead in the CRM, sets its owner and stage, and returns the
    CRM's id for it. It must be idempotent by `payload.idempotency_key` (a retry after a lost
    response must not create a second lead) and raises HandoffFailed on any failure, saying whether
    a retry can help and, when the CRM said so, after how long.
    """

    name: str

    def deliver(self, payload: HandoffPayload) -> str | None: ...

    def close(self) -> None: ...


AdapterFactory = Callable[[Mapping[str, Any]], CrmAdapter]

ADAPTERS: dict[str, str] = {
    "builtin": "scoring.handoff.adapters.builtin:from_options",
    "webhook": "scoring.handoff.adapters.webhook:from_options",
    "hubspot": "scoring.handoff.adapters.hubspot:from_options",
    "salesforce": "scoring.handoff.adapters.salesforce:from_options",
}
"""Adapter name -> factory, imported only when chosen (the HTTP adapters need the httpx extra)."""


def make_adapter(name: str, options: Mapping[str, Any]) -> CrmAdapter:
    """Build the adapter called `name` from its options (settings, engine, transport)."""
    target = ADAPTERS.get(name)
    if target is None:
        raise ConfigError(f"unknown CRM adapter {name!r}; known: {', '.join(ADAPTERS)}")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the {name} adapter needs {exc.name}: pip install 'smarketing[{name}]'"
        ) from exc
    factory: AdapterFactory = getattr(module, attribute)
    return factory(options)


def require(options: Mapping[str, Any], adapter: str, *names: str) -> list[Any]:
    """The named options, or ConfigError listing every one that is missing."""
    missing = [n for n in names if not options.get(n)]
    if missing:
        raise ConfigError(f"the {adapter} adapter needs {', '.join(missing)}")
    return [options[n] for n in names]
