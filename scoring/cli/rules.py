"""`smarketing rules check | columns | sql | explain`: the rulebook from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape
from sqlalchemy import Engine, select

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.cli.policy import register_rules
from scoring.cli.rule_proposal import custom_fields
from scoring.db.models import Contact
from scoring.errors import DataError, Problem
from scoring.features.custom import CustomField, feature_columns, fields_from_profile, merged
from scoring.features.dictionary import load_feature_dictionary
from scoring.features.quality import DEFAULT_COMPETITORS, load_competitors
from scoring.handoff.batch import PAST_MQL
from scoring.policy import in_force
from scoring.rules import DEFAULT_RULEBOOK, evaluate_hits, explain, load_rulebook
from scoring.sources import load_profile
from scoring.store.features import read_features
from scoring.warehouse import compile_rulebook
from scoring.warehouse.dialects import TARGETS

Dialect = StrEnum("Dialect", {name: name for name in TARGETS})  # type: ignore[misc]


RULEBOOK_OPTION = typer.Option(DEFAULT_RULEBOOK, "--rulebook", "-r", help="Rulebook file.")
FEATURES_OPTION = typer.Option(
    None, "--features", help="Feature dictionary: custom fields rules may name as custom.<name>."
)
PROFILE_OPTION = typer.Option(
    None, "--profile", help="Mapping profile whose typed attributes are custom fields."
)


def _custom(features: Path | None, profile: str | None) -> dict[str, CustomField]:
    """Custom fields declared by a mapping profile, refined by a feature dictionary."""
    declared = fields_from_profile(load_profile(profile)) if profile else {}
    return merged(declared, load_feature_dictionary(features) if features else {})


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def engine_stage(engine: Engine, lead: int) -> str:
    with engine.connect() as connection:
        stage = connection.scalar(select(Contact.lifecycle_stage).where(Contact.id == lead))
    return str(stage or "")


def stage_line(stage: str, qualifies: bool) -> str:
    """The lead's stage next to its score: qualifying is not the same as having moved to MQL."""
    if stage == "mql":
        return "  stage mql: moved to MQL"
    if stage in PAST_MQL:
        return f"  stage {stage}: past MQL"
    if qualifies:
        return f"  stage {stage}: not moved to MQL (`smarketing score` moves it when the contract allows)"
    return f"  stage {stage}"


def register(app: typer.Typer) -> None:
    rules_app = typer.Typer(
        help="The rulebook: check it, compile it to SQL, explain a lead's score.",
        no_args_is_help=True,
    )

    @rules_app.command("check")
    def check_command(
        file: Path = typer.Argument(DEFAULT_RULEBOOK, help="Rulebook file."),
        features: Path | None = FEATURES_OPTION,
        profile: str | None = PROFILE_OPTION,
    ) -> None:
        """Validate a rulebook; every problem is listed with its line."""
        rulebook = load_rulebook(file, custom=_custom(features, profile))
        fit = sum(r.group == "fit" for r in rulebook.rules)
        stdout.print(
            f"{escape(str(file))}: rulebook {rulebook.version} is valid: {len(rulebook.rules)} rules "
            f"({fit} fit, {len(rulebook.rules) - fit} engagement), {len(rulebook.gates)} gates, "
            f"{len(rulebook.segments)} segments",
            highlight=False,
        )

    @rules_app.command("columns")
    def columns_command(
        features: Path | None = FEATURES_OPTION,
        profile: str | None = PROFILE_OPTION,
    ) -> None:
        """List every column a rule may name: the built-in ones, then `custom.<name>` for each
        custom field of the profile and the feature dictionary."""
        for column in feature_columns(_custom(features, profile)).values():
            print(f"{column.name}\t{column.kind}\t{column.label}")

    @rules_app.command("sql")
    def sql_command(
        dialect: Dialect = typer.Option(..., "--dialect", help="SQL engine to compile for."),
        rulebook: Path = RULEBOOK_OPTION,
        table: str = typer.Option(
            "features", "--table", help="Feature table (schema.table allowed)."
        ),
        features: Path | None = FEATURES_OPTION,
        profile: str | None = PROFILE_OPTION,
    ) -> None:
        """Print ONE SELECT that scores every row of the feature table inside the database."""
        book = load_rulebook(rulebook, custom=_custom(features, profile))
        print(compile_rulebook(book, dialect.value, table=table))

    @rules_app.command("explain")
    def explain_command(
        lead: int = typer.Option(..., "--lead", help="contacts.id of the lead."),
        database: str | None = DATABASE_OPTION,
        rulebook: Path | None = typer.Option(
            None, "--rulebook", "-r", help="Rulebook file; default: the one in force."
        ),
        as_of: datetime | None = typer.Option(
            None, "--as-of", help="Decision time (UTC); default now."
        ),
        competitors: Path = typer.Option(
            DEFAULT_COMPETITORS, "--competitors", help="Competitor list."
        ),
        features: Path | None = FEATURES_OPTION,
    ) -> None:
        """Points per rule, caps and failed gates of one lead, in plain English."""
        engine = open_database(database)
        fields = custom_fields(engine, features)
        book = load_rulebook(rulebook, custom=fields) if rulebook else in_force(engine).rulebook
        leads = read_features(
            engine,
            as_of=as_of or _now(),
            lead_ids=[lead],
            competitor_domains=load_competitors(competitors),
        )
        if lead not in set(leads["lead_id"]):
            raise DataError([Problem(f"lead {lead}", "no such contact created before as-of")])
        engine = open_database(database)
        stage = engine_stage(engine, lead)
        engine.dispose()
        explained = explain(evaluate_hits(book, leads), lead)
        stdout.print(escape(str(explained)), highlight=False)
        stdout.print(escape(stage_line(stage, explained.mql)), highlight=False)

    register_rules(rules_app)
    app.add_typer(rules_app, name="rules")
