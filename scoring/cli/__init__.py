"""The `smarketing` command line (typer + rich). Each command group lives in its own module."""

from __future__ import annotations

import os
import sys

from scoring.cli import dashboard as dashboard_commands
from scoring.cli import db as db_commands
from scoring.cli import demo as demo_commands
from scoring.cli import handoff as handoff_commands
from scoring.cli import imports as import_commands
from scoring.cli import learn as learn_commands
from scoring.cli import lifecycle as lifecycle_commands
from scoring.cli import mql as mql_commands
from scoring.cli import objectives as objectives_commands
from scoring.cli import policy as policy_commands
from scoring.cli import rules as rules_commands
from scoring.cli import score as score_commands
from scoring.cli import warehouse as warehouse_commands
from scoring.cli.app import app, console_error
from scoring.errors import SmarketingError

for _module in (
    db_commands,
    demo_commands,
    import_commands,
    dashboard_commands,
    lifecycle_commands,
    handoff_commands,
    rules_commands,
    policy_commands,
    score_commands,
    mql_commands,
    objectives_commands,
    warehouse_commands,
    learn_commands,  # after rules (when present): it adds `rules suggest` to that group
):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: one clear line and a non-zero exit on any known error."""
    try:
        app(args=argv, prog_name="smarketing", standalone_mode=True)
    except SmarketingError as exc:
        console_error(str(exc))
        sys.exit(1)
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        if os.environ.get("SMARKETING_TRACEBACK") == "1":
            raise
        console_error(
            f"unexpected {type(exc).__name__}: {exc} (please report it; SMARKETING_TRACEBACK=1 "
            "shows where it happened)"
        )
        sys.exit(2)


__all__ = ["app", "main"]
