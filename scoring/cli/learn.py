"""`smarketing train | compare | suggest-rules` (and `rules suggest`): the learned model from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import typer
from rich.progress import Progress
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout, writing_to
from scoring.cli.splits import EVALUATIONS, check_split, split_of, target_option
from scoring.errors import ConfigError
from scoring.learn.kinds import KINDS, STEPS
from scoring.learn.targets import TIME_COLUMN
from scoring.settings import Settings

if TYPE_CHECKING:
    from scoring.learn.declarations import Declarations
    from scoring.learn.model import TrainedModel
    from scoring.located_yaml import LocatedDocument
    from scoring.rules import Rulebook

# The rulebook, feature and workflow modules are imported inside the commands: `smarketing --help`
# stays fast.

TARGET_OPTION = typer.Option(
    "won", "--target", "-t", help="sales_accepted, sales_qualified or won."
)
DECISION_OPTION = typer.Option(
    14, "--decision-days", help="Leads are seen as they were this many days after creation."
)
RULEBOOK_OPTION = typer.Option(
    None,
    "--rulebook",
    "-r",
    help="Current rulebook file; default: the rulebook in force in the database.",
)
MODEL_OPTION = typer.Option(
    None,
    "--model",
    "-m",
    help="Model file; default: the model in force (`smarketing model publish`), else "
    "SMARKETING_HOME/models/won.skops.",
)
FEATURES_OPTION = typer.Option(
    None, "--features", help="Feature dictionary (custom fields: type, label, known_at)."
)
RESAMPLES_OPTION = typer.Option(
    200, "--resamples", min=20, help="Bootstrap resamples per interval."
)


def default_model_path(target: str = "won") -> Path:
    return Settings.from_env().home / "models" / f"{target}.skops"


def _overrides(items: list[str]) -> dict[str, str]:
    parsed = {}
    for item in items:
        column, sep, reason = item.partition("=")
        if not sep or not reason.strip():
            raise ConfigError(f"--override needs COLUMN=REASON, got {item!r}")
        parsed[column.strip()] = reason.strip()
    return parsed


def _current(file: Path | None, database: str | None) -> tuple[Rulebook, LocatedDocument]:
    """The rulebook FILE names, else the one in force in the database; with its YAML document."""
    from scoring.errors import RulebookError
    from scoring.located_yaml import load_located, parse_located
    from scoring.rules import load_rulebook

    if file is not None:
        return load_rulebook(file), load_located(file, RulebookError)
    from scoring.policy import in_force
    from scoring.policy.resolve import source_of

    engine = open_database(database)
    try:
        policy = in_force(engine)
    finally:
        engine.dispose()
    definition = policy.definitions["rulebook"]
    return policy.rulebook, parse_located(definition.text, source_of(definition), RulebookError)


def _model(model: Path | None, database: str | None) -> TrainedModel:
    """--model, else the model in force (its digest checked), else the default model file."""
    from scoring.learn import load_model

    if model is None:
        from scoring.policy import in_force
        from scoring.policy.model import load_pointed

        engine = open_database(database)
        try:
            ref = in_force(engine).model
        finally:
            engine.dispose()
        if ref is not None:
            return load_pointed(ref)
    path = model or default_model_path()
    if not path.is_file():
        raise ConfigError(f"--model {path}: no such model file (run `smarketing train` first)")
    return load_model(path)


def _declarations(files: list[str], database: str | None) -> Declarations:
    """The post-outcome and known-at-creation declarations of mapping profiles (by name or file) and
    feature dictionaries, with the custom fields an import recorded as post-outcome (never a feature,
    even when no file is named)."""
    from scoring.errors import DefinitionError
    from scoring.features.custom import known_at
    from scoring.learn.declarations import (
        POST_OUTCOME,
        Declarations,
        column_names,
        declared_known_at,
    )
    from scoring.located_yaml import load_located
    from scoring.sources.catalog import profile_path
    from scoring.store.custom import read_custom_fields

    engine = open_database(database)
    try:
        recorded = known_at(read_custom_fields(engine), bare=True)
    finally:
        engine.dispose()
    late = [name for name, when in recorded.items() if when == POST_OUTCOME]
    found = Declarations(
        post_outcome={c: "the import's profile" for name in late for c in column_names(name)}
    )
    for name in files:
        path = profile_path(name)
        if not path.is_file():
            raise ConfigError(f"--declarations {name}: no such file")
        found = found.merged(declared_known_at(load_located(path, DefinitionError).data, str(path)))
    return found


def _leads(database: str | None, decision_days: float) -> pd.DataFrame:
    from scoring.features.quality import DEFAULT_COMPETITORS, load_competitors
    from scoring.training_data import database_leads

    engine = open_database(database)
    try:
        return database_leads(
            engine,
            decision_days=decision_days,
            competitor_domains=load_competitors(DEFAULT_COMPETITORS),
        )
    finally:
        engine.dispose()


def train_command(
    target: str = TARGET_OPTION,
    cutoff: str | None = typer.Option(
        None,
        "--cutoff",
        help="Time split: train on leads created before this date (or value of --split-column), "
        "test on later ones.",
    ),
    split_kind: str = typer.Option(
        "auto",
        "--evaluation",
        "--split",
        help=f"{', '.join(EVALUATIONS)}. auto: the time split with --cutoff; stratified "
        "cross-validation (labelled as such) when the leads carry no usable dates (an export of "
        "final outcomes). random: a labelled stratified random split.",
    ),
    folds: int = typer.Option(5, "--folds", min=2, help="Folds of a cross-validated evaluation."),
    declarations: list[str] = typer.Option(
        [],
        "--declarations",
        help="A mapping profile (name or file) or feature dictionary: its post_outcome columns are "
        "excluded, its known_at: creation columns exempt from the inferred leakage signals "
        "(repeatable).",
    ),
    split_column: str = typer.Option(
        TIME_COLUMN, "--split-column", help="The column a time split orders leads by."
    ),
    not_feature: list[str] = typer.Option(
        [], "--not-feature", help="A column the model must not read (repeatable)."
    ),
    kind: str = typer.Option("boosting", "--kind", help=f"Model: {' or '.join(KINDS)}."),
    horizon_days: float | None = typer.Option(
        None, "--horizon-days", help="Outcome window; default per target."
    ),
    decision_days: float = DECISION_OPTION,
    override: list[str] = typer.Option(
        [], "--override", help="Keep a flagged column: COLUMN=REASON (repeatable)."
    ),
    rulebook: Path | None = RULEBOOK_OPTION,
    rule_features: bool = typer.Option(
        True,
        "--rule-features/--no-rule-features",
        help="Give the model the rulebook's points as features.",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Model file; default SMARKETING_HOME/models/TARGET.skops."
    ),
    resamples: int = RESAMPLES_OPTION,
    backtest_folds: int = typer.Option(
        0,
        "--backtest",
        min=0,
        help="Also backtest: this many monthly origins ending at the cutoff.",
    ),
    database: str | None = DATABASE_OPTION,
) -> None:
    """Train a calibrated model on older leads, test it on newer ones (or cross-validate it where the
    leads carry no usable dates), save it with its model card."""
    from scoring.learn import backtest, save_model, train
    from scoring.learn.methods import with_rule_scores
    from scoring.learn.report import markdown_table

    chosen = target_option(target, horizon_days)
    check_split(split_kind, cutoff)
    if kind not in KINDS:
        raise ConfigError(f"--kind {kind!r}: choose {' or '.join(KINDS)}")
    with Progress(console=stdout, transient=True) as bar:
        task = bar.add_task("reading leads", total=len(STEPS) + 1)
        leads = _leads(database, decision_days)
        context: dict[str, object] = {"source": "database", "decision_days": decision_days}
        if rule_features:
            book = _current(rulebook, database)[0]
            leads = with_rule_scores(leads, book)
            context["rulebook_version"] = book.version
        bar.update(task, advance=1, description="training")
        split, why = split_of(leads, chosen, split_kind, cutoff, split_column, folds)
        if why:
            stdout.print(why, highlight=False, markup=False)
        declared = _declarations(declarations, database).present(leads.columns)
        run = train(
            leads,
            chosen,
            split=split,
            kind=kind,
            declared=declared.post_outcome,
            known_at_creation=declared.at_creation,
            not_features=not_feature,
            time_column=split_column,
            overrides=_overrides(override),
            resamples=resamples,
            context=context,
            progress=lambda step: bar.update(task, advance=1, description=step),
        )
    destination = out or default_model_path(chosen.name)
    with writing_to(destination):
        path = save_model(run.model, destination)
    if backtest_folds:
        if cutoff is None or split.kind != "time":
            raise ConfigError("--backtest needs a time split (--cutoff DATE)")
        origins = [
            pd.Timestamp(cutoff) - pd.DateOffset(months=k)
            for k in range(backtest_folds - 1, -1, -1)
        ]
        with Progress(console=stdout, transient=True) as bar:
            task = bar.add_task("backtest", total=backtest_folds)
            table = backtest(
                leads, chosen, origins, kind=kind, resamples=resamples,
                progress=lambda step: bar.update(task, advance=1, description=step),
            )  # fmt: skip
        stdout.print(markdown_table(table.round(3)), highlight=False, markup=False)
    stdout.print(run.model.card.to_markdown(), highlight=False, markup=False)
    stdout.print(f"saved {path}")


def compare_command(
    report: Path = typer.Option(..., "--report", help="Report file: .html or .md."),
    model: Path | None = MODEL_OPTION,
    rulebook: Path | None = RULEBOOK_OPTION,
    suggested: Path | None = typer.Option(
        None, "--suggested", help="Also compare this rulebook (e.g. rulebook.v2.yaml)."
    ),
    resamples: int = RESAMPLES_OPTION,
    database: str | None = DATABASE_OPTION,
) -> None:
    """Rules vs model on the model's test leads: metrics, capacity, disagreements, campaigns."""
    from scoring.learn.methods import rulebook_method
    from scoring.learn.report import write
    from scoring.learn.workflow import headline, rules_vs_model
    from scoring.rules import load_rulebook

    if report.suffix.lower() not in (".html", ".md"):
        raise ConfigError(f"--report {report}: use a .html or .md file")
    trained = _model(model, database)
    decision_days = float(trained.card.context.get("decision_days", 14))
    with Progress(console=stdout, transient=True) as bar:
        bar.add_task("reading leads and comparing", total=None)
        leads = _leads(database, decision_days)
        extra = []
        if suggested is not None:
            other = load_rulebook(suggested)
            extra.append(lambda split: rulebook_method(other, split.test, name="suggested"))
        comparison = rules_vs_model(
            trained, leads, _current(rulebook, database)[0], extra=extra, resamples=resamples
        )
    stdout.print(comparison.description, highlight=False, markup=False)
    _print_headline(headline(comparison))
    with writing_to(report):
        stdout.print(f"wrote {write(comparison, report)}")


def suggest_command(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Where to write the suggested rulebook YAML."
    ),
    target: str = TARGET_OPTION,
    cutoff: str | None = typer.Option(
        None,
        "--cutoff",
        help="Fit on leads before this date; measure on later ones. Without it: propose rules "
        "for an imported data set (no dates needed), starting from --rulebook or an empty one.",
    ),
    rulebook: Path | None = RULEBOOK_OPTION,
    decision_days: float = DECISION_OPTION,
    resamples: int = RESAMPLES_OPTION,
    database: str | None = DATABASE_OPTION,
    features: Path | None = FEATURES_OPTION,
    mql_share: float = typer.Option(
        0.2, "--mql-share", min=0.001, max=1.0, help="Without --cutoff: share of leads made MQLs."
    ),
) -> None:
    """Refit the rulebook's points (plus candidate rules) on outcomes; write it with a diff and its effect."""
    if cutoff is None:
        from scoring.cli.rule_proposal import propose

        propose(out, rulebook, database, features, mql_share)
        return
    if out is None:
        raise ConfigError("--cutoff needs --out: where to write the suggested rulebook")
    from scoring.learn import target_named
    from scoring.learn.report import markdown_table
    from scoring.learn.workflow import headline, suggest_and_measure

    book, located = _current(rulebook, database)
    document = located.data
    with Progress(console=stdout, transient=True) as bar:
        bar.add_task("fitting the suggested rulebook", total=None)
        leads = _leads(database, decision_days)
        suggestion, effect = suggest_and_measure(
            leads,
            target_named(target),
            cutoff,
            book,
            document,
            resamples=resamples,
        )
    with writing_to(out):
        out.write_text(suggestion.yaml, encoding="utf-8")
    changed = suggestion.diff[suggestion.diff["status"] != "unchanged"]
    shown = changed.drop(columns=["english"]).astype(object).fillna("")
    stdout.print(markdown_table(shown), highlight=False, markup=False)
    for line in suggestion.changes:
        stdout.print(f"- {line}", highlight=False)
    _print_headline(headline(effect))
    for name, diffs in effect.differences.items():
        stdout.print(
            f"{name} minus current: " + ", ".join(f"{k} {v}" for k, v in diffs.items()),
            highlight=False,
        )
    stdout.print(f"wrote {out}")


def _print_headline(figures: dict[str, dict[str, float]]) -> None:
    table = Table(
        "method", "ROC AUC [95%]", "MQLs", "positives captured [95%]", title="On the test leads"
    )
    for name, f in figures.items():
        table.add_row(
            name,
            f"{f['roc_auc']:.3f} [{f['roc_auc_low']:.3f}, {f['roc_auc_high']:.3f}]",
            f"{f['mqls']:.0f}",
            f"{f['captured']:.0f} [{f['captured_low']:.0f}, {f['captured_high']:.0f}]",
        )
    stdout.print(table)


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("compare")(compare_command)
    app.command("suggest-rules")(suggest_command)
    for group in app.registered_groups:
        if group.name == "rules" and group.typer_instance is not None:
            group.typer_instance.command("suggest")(suggest_command)
