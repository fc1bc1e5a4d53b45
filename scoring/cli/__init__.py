"""The `smarketing` command line (typer + rich). Each command group lives in its own module."""

from __future__ import annotations

import os
import sys

from sqlalchemy.exc import DBAPIError

from scoring.cli import accounts as accounts_commands
from scoring.cli import dashboard as dashboard_commands
from scoring.cli import db as db_commands
from scoring.cli import demo as demo_commands
from scoring.cli import feedback as feedback_commands
from scoring.cli import handoff as handoff_commands
from scoring.cli import imports as import_commands
from scoring.cli import learn as learn_commands
from scoring.cli import lifecycle as lifecycle_commands
from scoring.cli import model as model_commands
from scoring.cli import mql as mql_commands
from scoring.cli import objectives as objectives_commands
from scoring.cli import policy as policy_commands
from scoring.cli import reps as reps_commands
from scoring.cli import rules as rules_commands
from scoring.cli import score as score_commands
from scoring.cli import sources as sources_commands
from scoring.cli import warehouse as warehouse_commands
from scoring.cli import workspace as workspace_commands
from scoring.cli.app import OPENED, app, console_error
from scoring.db.failures import one_line
from scoring.errors import SmarketingError
from scoring.settings import Settings

for _module in (
    workspace_commands,
    db_commands,
    demo_commands,
    import_commands,
    dashboard_commands,
    lifecycle_commands,
    handoff_commands,
    feedback_commands,
    reps_commands,
    accounts_commands,
    rules_commands,
    policy_commands,
    model_commands,
    score_commands,
    mql_commands,
    objectives_commands,
    warehouse_commands,
    sources_commands,
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
    except DBAPIError as exc:
        line = one_line(exc, OPENED[-1] if OPENED else Settings.from_env().database_url)
        if line is None or os.environ.get("SMARKETING_TRACEBACK") == "1":
            _unexpected(exc)
        console_error(line or "")
        sys.exit(1)
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        _unexpected(exc)


def _unexpected(exc: Exception) -> None:
    if os.environ.get("SMARKETING_TRACEBACK") == "1":
        raise exc
    first = str(exc).splitlines()[0] if str(exc) else ""
    console_error(
        f"unexpected {type(exc).__name__}: {first} (please report it; SMARKETING_TRACEBACK=1 "
        "shows where it happened)"
    )
    sys.exit(2)


__all__ = ["app", "main"]
