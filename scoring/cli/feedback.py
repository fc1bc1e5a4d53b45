"""`smarketing feedback parked | resolve | check-values`: CRM verdicts that wait for a reason."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, console_error, open_database, stdout
from scoring.db import transaction
from scoring.errors import SmarketingError
from scoring.lifecycle.crm_values import DEFAULT_CRM_VALUES, load_crm_values
from scoring.policy import in_force
from scoring.signals import utcnow
from scoring.store.parked import find, resolve, waiting
from scoring.store.reasons import sync_reasons


def _parked(database: str | None) -> None:
    engine = open_database(database)
    labels = {r.code: r.label for r in in_force(engine).vocabulary.reasons if r.active}
    with transaction(engine) as session:
        rows = waiting(session)
    if rows.empty:
        stdout.print("no CRM verdict waits for a reason")
        return
    table = Table("id", "lead", "to stage", "the CRM said", "source", "event", "occurred at",
                  title=f"{len(rows)} verdict(s) need a reason")  # fmt: skip
    for row in rows.to_dict("records"):
        table.add_row(str(row["id"]), str(row["lead_id"]), str(row["stage"]),
                      escape(str(row["cause"])), str(row["source"]), escape(str(row["event_id"])),
                      f"{row['occurred_at']:%Y-%m-%d %H:%M}")  # fmt: skip
    stdout.print(table)
    codes = ", ".join(f"{code} ({label})" for code, label in sorted(labels.items()))
    stdout.print(f"give one with: smarketing feedback resolve ID --reason CODE; codes: {codes}")


def _resolve(parked_id: int, reason: str, actor: str, database: str | None) -> None:
    engine = open_database(database)
    policy = in_force(engine)
    with transaction(engine) as session:
        sync_reasons(session.connection(), policy.vocabulary)
        parked = resolve(
            session,
            find(session, parked_id),
            reason,
            contract=policy.contract,
            vocabulary=policy.vocabulary,
            actor=actor,
            now=utcnow(),
        )
        status, lead, stage, detail = parked.status, parked.contact_id, parked.stage, parked.detail
    if status == "refused":
        console_error(escape(f"lead {lead}: the contract refused the move to {stage}: {detail}"))
        raise typer.Exit(1)
    stdout.print(f"lead {lead}: moved to {stage}, citing {reason}")


def register(app: typer.Typer) -> None:
    feedback_app = typer.Typer(
        help="CRM verdicts: those parked as 'needs reason', and the CRM values file.",
        no_args_is_help=True,
    )

    @feedback_app.command("parked")
    def parked_command(database: str | None = DATABASE_OPTION) -> None:
        """List the CRM verdicts that wait for a reason (the lead has not moved)."""
        _parked(database)

    @feedback_app.command("resolve")
    def resolve_command(
        parked_id: int = typer.Argument(
            ..., min=1, max=2**63 - 1, help="The id `feedback parked` shows."
        ),
        reason: str = typer.Option(..., "--reason", help="A reason code of the vocabulary."),
        actor: str = typer.Option("cli", "--actor", help="Who gives the reason."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Give a parked verdict its reason: the lead moves through the contract (exit 1 when the
        contract refuses; the verdict is then marked refused and the lead stays)."""
        _resolve(parked_id, reason, actor, database)

    @feedback_app.command("check-values")
    def check_values_command(
        file: Path = typer.Argument(DEFAULT_CRM_VALUES, help="A CRM values file."),
    ) -> None:
        """Check a CRM values file against the shipped contract and reasons; every problem with
        its line (exit code 1 when any)."""
        try:
            values = load_crm_values(file)
        except SmarketingError as exc:
            console_error(escape(str(exc)))
            raise typer.Exit(1) from exc
        mapped = sum(len(v) for m in values.crms.values() for v in m.properties.values())
        stdout.print(f"{file}: CRM values {values.version} are valid: {mapped} values mapped")

    app.add_typer(feedback_app, name="feedback")
