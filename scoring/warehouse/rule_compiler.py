"""The one link from the warehouse package to the rulebook's SQL compiler and its dialect constructs.

Every module of scoring.warehouse imports the rule compiler through here, so moving the compiler is a
change of these imports only.
"""

from __future__ import annotations

from scoring.rules.dialects import (
    TARGETS,
    ascii_lower,
    regex_search,
    register_sqlite_functions,
    render,
    target,
    text_literal,
)
from scoring.rules.faces import literal
from scoring.rules.sql import compile_rulebook, rulebook_select

__all__ = [
    "TARGETS",
    "ascii_lower",
    "compile_rulebook",
    "literal",
    "regex_search",
    "register_sqlite_functions",
    "render",
    "rulebook_select",
    "target",
    "text_literal",
]
