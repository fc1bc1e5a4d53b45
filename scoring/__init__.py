"""smarketing: a lead-to-revenue engine for B2B go-to-market teams."""

from __future__ import annotations

from scoring.errors import (
    ConfigError,
    ContractError,
    DataError,
    DefinitionError,
    ImportRejected,
    MappingError,
    Problem,
    RulebookError,
    SmarketingError,
    TransitionNotAllowed,
)
from scoring.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "ContractError",
    "DataError",
    "DefinitionError",
    "ImportRejected",
    "MappingError",
    "Problem",
    "RulebookError",
    "Settings",
    "SmarketingError",
    "TransitionNotAllowed",
    "__version__",
]
