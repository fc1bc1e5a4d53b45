"""`smarketing model show|publish|rollback`: the learned model in force (a checked file pointer)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.cli.policy import BY_OPTION, NOTE_OPTION, print_versions


def register(app: typer.Typer) -> None:
    model_app = typer.Typer(
        help="The learned model in force: publish a trained model file, show it, roll back.",
        no_args_is_help=True,
    )

    @model_app.command("publish")
    def publish_command(
        file: Path = typer.Argument(..., help="A model file written by `smarketing train`."),
        by: str = BY_OPTION,
        note: str = NOTE_OPTION,
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Check FILE (trusted types, library versions) and make it the model in force."""
        from scoring.policy import Change
        from scoring.policy.model import publish_model

        published = publish_model(open_database(database), file, Change(by, note))
        stdout.print(
            f"model {published.version} published by {escape(by)}: {escape(str(file))} is the "
            "model in force (its sha256 is checked whenever it is loaded)",
            highlight=False,
        )

    @model_app.command("show")
    def show_command(database: str | None = DATABASE_OPTION) -> None:
        """The model in force (file, digest, target) and every published model version."""
        from scoring.policy import in_force

        ref = in_force(open_database(database)).model
        if ref is None:
            stdout.print("no model in force: train one and `smarketing model publish FILE`")
            return
        stdout.print(
            f"model {ref.version} in force: {escape(ref.path)} (target {escape(ref.target)}, "
            f"sha256 {ref.sha256[:12]}…)",
            highlight=False,
        )
        print_versions(database, "model")

    @model_app.command("rollback")
    def rollback_command(
        version: str = typer.Argument(..., help="The published model version to restore."),
        by: str = BY_OPTION,
        note: str = NOTE_OPTION,
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Put an older model version in force again (a new, audited version)."""
        from scoring.policy import Change
        from scoring.policy.model import rollback_model

        restored = rollback_model(open_database(database), version, Change(by, note))
        stdout.print(f"model {restored.version} in force (restores {escape(version)})")

    app.add_typer(model_app, name="model")
