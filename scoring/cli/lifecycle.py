"""`smarketing lifecycle show | check | move`: the lifecycle contract from the command line."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, console_error, open_database, stdout
from scoring.db import transaction
from scoring.errors import ConfigError, SmarketingError
from scoring.lifecycle import (
    DEFAULT_CONTRACT,
    Contract,
    describe,
    dot,
    load_contract,
    markdown,
    mermaid,
)
from scoring.lifecycle.render import declared_rows
from scoring.reasons import DEFAULT_REASONS, load_reasons
from scoring.store.lifecycle import apply_transition
from scoring.store.reasons import sync_reasons


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    mermaid = "mermaid"
    dot = "dot"


CONTRACT_OPTION = typer.Option(DEFAULT_CONTRACT, "--contract", help="Lifecycle contract file.")
REASONS_OPTION = typer.Option(DEFAULT_REASONS, "--reasons", help="Disqualification reasons file.")


def _print_tables(contract: Contract) -> None:
    stages = Table(
        "stage", "label", "role", "SLA (business days)", title=f"Stages {contract.version}"
    )
    for s in contract.stages:
        role = "initial" if s.initial else "terminal" if s.terminal else ""
        stages.add_row(s.name, s.label, role, str(s.sla_business_days or ""))
    stdout.print(stages)
    moves = Table("from", "to", "guards", title="Transitions")
    for source, target, names in declared_rows(contract):
        moves.add_row(source, target, names)
    stdout.print(moves)
    guards = Table("guard", "holds when", title="Guards")
    for guard in contract.guards:
        guards.add_row(guard.name, describe(guard))
    stdout.print(guards)


def parse_facts(pairs: list[str]) -> dict[str, Any]:
    """`NAME=VALUE` pairs; a VALUE that reads as JSON (72, [], ["email"]) is taken as JSON."""
    facts: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise ConfigError(f"--fact expects NAME=VALUE, got {pair!r}")
        try:
            facts[name] = json.loads(raw)
        except ValueError:
            facts[name] = raw
    return facts


def register(app: typer.Typer) -> None:
    lifecycle_app = typer.Typer(
        help="The lifecycle contract: stages, guarded moves and SLAs.", no_args_is_help=True
    )

    @lifecycle_app.command("show")
    def show_command(
        format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
        contract: Path = CONTRACT_OPTION,
    ) -> None:
        """Print the contract as tables, Markdown (the docs section), mermaid or Graphviz dot."""
        loaded = load_contract(contract)
        if format is Format.table:
            _print_tables(loaded)
            return
        render = {Format.markdown: markdown, Format.mermaid: mermaid, Format.dot: dot}[format]
        typer.echo(render(loaded), nl=False)

    @lifecycle_app.command("check")
    def check_command(file: Path, reasons: Path = REASONS_OPTION) -> None:
        """Check a contract file; list every problem with its line (exit code 1 when any)."""
        try:
            loaded = load_contract(file, load_reasons(reasons))
        except SmarketingError as exc:
            console_error(escape(str(exc)))
            raise typer.Exit(1) from exc
        stdout.print(
            f"{file}: contract {loaded.version} is valid: {len(loaded.stages)} stages,"
            f" {len(loaded.transitions)} transitions, {len(loaded.guards)} guards"
        )

    @lifecycle_app.command("move")
    def move_command(
        contact_id: int,
        stage: str,
        reason: str | None = typer.Option(None, "--reason", help="Reason code (vocabulary)."),
        note: str | None = typer.Option(None, "--note", help="Free text kept in the history."),
        actor: str = typer.Option("cli", "--actor", help="Who makes the move."),
        fact: list[str] = typer.Option([], "--fact", help="NAME=VALUE, e.g. score=72; repeatable."),
        database: str | None = DATABASE_OPTION,
        contract: Path = CONTRACT_OPTION,
        reasons: Path = REASONS_OPTION,
    ) -> None:
        """Move a contact to STAGE through the contract; a refusal changes nothing and exits 1."""
        try:
            vocabulary = load_reasons(reasons)
            loaded = load_contract(contract, vocabulary)
            engine = open_database(database)
            with transaction(engine) as session:
                if reason is not None:
                    sync_reasons(session.connection(), vocabulary)
                event = apply_transition(
                    session,
                    contact_id,
                    stage,
                    contract=loaded,
                    vocabulary=vocabulary,
                    actor=actor,
                    facts=parse_facts(fact),
                    reason_code=reason,
                    note=note,
                )
        except SmarketingError as exc:
            console_error(escape(str(exc)))
            raise typer.Exit(1) from exc
        stdout.print(f"contact {contact_id}: {event.from_stage} -> {event.to_stage}")

    app.add_typer(lifecycle_app, name="lifecycle")
