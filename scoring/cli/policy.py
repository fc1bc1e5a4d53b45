"""`smarketing policy ...` and `smarketing rules publish|versions|diff|rollback`: what is in force.

Every command here reads or changes what is in force through scoring.policy, the one resolver and
the one publisher that the API, the worker and the dashboard use too.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.cli.shadow import register_shadow, start
from scoring.errors import ConfigError

if TYPE_CHECKING:
    from scoring.rules import Rulebook

Kind = StrEnum("Kind", {name: name for name in ("rulebook", "lifecycle", "reasons")})  # type: ignore[misc]
Mode = StrEnum("Mode", {name: name for name in ("live", "shadow", "canary")})  # type: ignore[misc]
BY_OPTION = typer.Option(..., "--by", help="Who publishes (name or e-mail); goes to the audit log.")
NOTE_OPTION = typer.Option("", "--note", help="Why: goes to the version and the audit log.")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read ({exc})") from exc


def publish_file(database: str | None, kind: str, file: Path, by: str, note: str) -> None:
    from scoring.policy import Change, publish_text

    engine = open_database(database)
    published = publish_text(engine, kind, _read(file), Change(by, note))
    stdout.print(
        f"{kind} {published.version} published by {escape(by)}: in force now; running API and "
        "workers pick it up within seconds",
        highlight=False,
    )


def print_versions(database: str | None, kind: str) -> None:
    from scoring.policy import in_force, versions

    engine = open_database(database)
    found, current = versions(engine, kind), in_force(engine).definitions[kind]
    table = Table("version", "parent", "published at", "by", "note", title=f"{kind} versions")
    for row in found.to_dict("records"):
        mark = " (in force)" if row["version"] == current.version else ""
        table.add_row(
            f"{row['version']}{mark}",
            str(row["parent"] or ""),
            f"{row['published_at']:%Y-%m-%d %H:%M}",
            str(row["by"]),
            str(row["note"]),
        )
    stdout.print(table)
    if found.empty:
        stdout.print(
            f"nothing published yet: {escape(current.origin)} is in force", highlight=False
        )


def rollback_to(database: str | None, kind: str, version: str, by: str, note: str) -> None:
    from scoring.policy import Change, rollback

    published = rollback(open_database(database), kind, version, Change(by, note))
    stdout.print(
        f"{kind} {published.version} published by {escape(by)}: the text of {version} is in force again"
    )


def _rulebook(engine: Engine, ref: str) -> Rulebook:
    """A rulebook named by a published version label, `current`, or a file path."""
    from scoring.policy import in_force, version_text
    from scoring.rules import load_rulebook, parse_rulebook

    if ref == "current":
        return in_force(engine).rulebook
    if Path(ref).is_file():
        return load_rulebook(ref)
    return parse_rulebook(version_text(engine, "rulebook", ref), f"<published rulebook {ref}>")


def print_diff(database: str | None, a: str, b: str, with_effect: bool) -> None:
    from scoring.rules.diff import rulebook_diff, whatif_effect

    engine = open_database(database)
    first, second = _rulebook(engine, a), _rulebook(engine, b)
    changes = rulebook_diff(first, second)
    table = Table("item", "what", a, b, title=f"rulebook {first.version} -> {second.version}")
    for row in changes.itertuples(index=False):
        table.add_row(*(escape(str(v)) for v in row))
    stdout.print(table if not changes.empty else "no differences")
    if not with_effect:
        return
    from scoring.features.quality import load_competitors
    from scoring.training_data import database_leads

    effect = whatif_effect(
        database_leads(engine, competitor_domains=load_competitors()), first, second
    )
    table = Table("on history", a, b, "change", title="what-if effect on history")
    for row in effect.itertuples(index=False):
        table.add_row(str(row.measure), *(_show(v) for v in (row.a, row.b, row.change)))
    stdout.print(table)


def _show(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    if number != number:
        return "—"
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.3f}"


def register_rules(rules_app: typer.Typer) -> None:
    @rules_app.command("publish")
    def publish_command(
        file: Path = typer.Argument(..., help="Rulebook file to put in force."),
        by: str = BY_OPTION,
        note: str = NOTE_OPTION,
        mode: Mode = typer.Option(
            "live",
            "--mode",
            help="live: in force now. shadow: scores every lead beside the live rulebook, stored "
            "apart and never handed off. canary: a shadow that also scores and hands off a share "
            "of new leads (--canary-share).",
        ),
        canary_share: float = typer.Option(
            0.0,
            "--canary-share",
            help="canary: the share of new leads (0-1) scored and handed off under FILE; a lead "
            "is in it when splitmix64(lead id) / 2**64 is below the share.",
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Validate FILE and make it the rulebook in force (a new, audited version), or run it as
        a shadow or canary beside the one in force (`smarketing rules shadow ...`)."""
        if mode.value == "live":
            if canary_share:
                raise ConfigError("--canary-share needs --mode canary")
            publish_file(database, "rulebook", file, by, note)
        else:
            start(database, _read(file), by, note, mode.value, canary_share)

    @rules_app.command("versions")
    def versions_command(database: str | None = DATABASE_OPTION) -> None:
        """Every published rulebook version, newest first, and which one is in force."""
        print_versions(database, "rulebook")

    register_shadow(rules_app)

    @rules_app.command("diff")
    def diff_command(
        a: str = typer.Argument(..., help="Version label, `current` or a rulebook file."),
        b: str = typer.Argument(..., help="Version label, `current` or a rulebook file."),
        effect: bool = typer.Option(
            True, help="Replay both on history (MQLs/week, recall, precision)."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Rule-by-rule changes from A to B, and what the change does on history."""
        print_diff(database, a, b, effect)

    @rules_app.command("rollback")
    def rollback_command(
        version: str = typer.Argument(..., help="The published version to restore."),
        by: str = BY_OPTION,
        note: str = NOTE_OPTION,
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Publish the text of an old version again (a new version; audited)."""
        rollback_to(database, "rulebook", version, by, note)


def register(app: typer.Typer) -> None:
    policy_app = typer.Typer(
        help="What is in force: rulebook, lifecycle contract and reasons list.",
        no_args_is_help=True,
    )

    @policy_app.command("show")
    def show_command(database: str | None = DATABASE_OPTION) -> None:
        """The version of each definition in force for the database, and where it comes from."""
        from scoring.policy import in_force

        policy = in_force(open_database(database))
        table = Table("kind", "version", "from", title="in force")
        for kind, definition in policy.definitions.items():
            table.add_row(kind, definition.version, escape(definition.origin))
        if policy.shadow is not None:  # beside the rulebook, never in force itself
            running = policy.shadow
            what = f"{running.mode} of rulebook {running.rulebook.version}"
            table.add_row("shadow", running.version, escape(f"{what}, {running.origin}"))
        stdout.print(table)

    @policy_app.command("publish")
    def publish_command(
        kind: Kind = typer.Argument(..., help="rulebook, lifecycle or reasons."),
        file: Path = typer.Argument(..., help="The definition file to put in force."),
        by: str = BY_OPTION,
        note: str = NOTE_OPTION,
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Validate FILE and make it the KIND in force (a new, audited version)."""
        publish_file(database, kind.value, file, by, note)

    @policy_app.command("versions")
    def versions_command(
        kind: Kind = typer.Argument(..., help="rulebook, lifecycle or reasons."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Every published version of KIND, newest first."""
        print_versions(database, kind.value)

    @policy_app.command("rollback")
    def rollback_command(
        kind: Kind = typer.Argument(..., help="rulebook, lifecycle or reasons."),
        version: str = typer.Argument(..., help="The published version to restore."),
        by: str = BY_OPTION,
        note: str = NOTE_OPTION,
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Publish the text of an old version of KIND again."""
        rollback_to(database, kind.value, version, by, note)

    app.add_typer(policy_app, name="policy")
