"""`smarketing rules shadow status|compare|promote|abort`: the candidate rulebook beside the live one.

A shadow is started with `smarketing rules publish FILE --mode shadow` (or `--mode canary
--canary-share 0.1`); these commands watch it, compare it with the live rulebook on stored scores,
and end it: promotion publishes the candidate as the rulebook in force, abort drops it. Both are
audited publishes (scoring.policy.shadow).
"""

from __future__ import annotations

import json
import math

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout

BY_OPTION = typer.Option(..., "--by", help="Who publishes (name or e-mail); goes to the audit log.")
NOTE_OPTION = typer.Option("", "--note", help="Why: goes to the version and the audit log.")


def start(database: str | None, text: str, by: str, note: str, mode: str, share: float) -> None:
    from scoring.policy import Change, start_shadow

    shadow = start_shadow(open_database(database), text, Change(by, note), mode=mode, share=share)
    what = (
        "scores every lead beside the live rulebook; nothing it scores is handed off"
        if mode == "shadow"
        else f"scores every lead beside the live rulebook and hands off {shares(share)} of new leads"
        f" (lead id above {shadow.after_lead_id})"
    )
    stdout.print(
        f"{mode} {shadow.version} published by {escape(by)}: rulebook {shadow.rulebook.version} "
        f"{what}; compare with `smarketing rules shadow compare`",
        highlight=False,
    )


def shares(share: float) -> str:
    return f"{share:.0%}" if share * 100 == round(share * 100) else f"{share:.2%}"


def _status(database: str | None) -> None:
    from scoring.policy import in_force, versions
    from scoring.store.shadow_scores import shadow_counts

    engine = open_database(database)
    running = in_force(engine).shadow
    if running is None:
        stdout.print("no shadow or canary rulebook is running", highlight=False)
    else:
        with engine.connect() as connection:
            scored, canary = shadow_counts(connection, running.version)
        table = Table("", running.mode, title=f"{running.mode} {running.version}")
        rows = {
            "candidate rulebook": running.rulebook.version,
            "started against": f"rulebook {running.live_version}",
            "started": running.origin,
            "canary share": shares(running.share) if running.mode == "canary" else "— (shadow)",
            "new leads": f"lead id above {running.after_lead_id}",
            "leads scored": f"{scored:,}",
            "handed off by the canary": f"{canary:,}",
        }
        for key, value in rows.items():
            table.add_row(key, escape(value))
        stdout.print(table)
    history = versions(engine, "shadow").head(10)
    if not history.empty:
        listing = Table("version", "published at", "by", "note", title="shadow history")
        for row in history.to_dict("records"):
            listing.add_row(
                row["version"], f"{row['published_at']:%Y-%m-%d %H:%M}", row["by"], row["note"]
            )
        stdout.print(listing)


def _number(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"


def _compare(database: str | None, sample: int, as_json: bool) -> None:
    from scoring.features.quality import load_competitors
    from scoring.handoff.shadow_report import shadow_comparison

    engine = open_database(database)
    report = shadow_comparison(engine, sample=sample, competitor_domains=load_competitors())
    if as_json:
        doc = {
            "counts": report.counts,
            "acceptance": report.acceptance,
            "summary": json.loads(report.summary.to_json(orient="records")),
            "added": json.loads(report.added.to_json(orient="records")),
            "dropped": json.loads(report.dropped.to_json(orient="records")),
        }
        stdout.print_json(data=doc)
        return
    table = Table("on stored scores", "live", "shadow", title="live versus shadow")
    for row in report.summary.to_dict("records"):
        table.add_row(str(row["measure"]), _number(row["live"]), _number(row["shadow"]))
    stdout.print(table)
    counts = report.counts
    stdout.print(
        f"predicted acceptance: {report.acceptance}; {counts['canary']:,} canary leads "
        "(scored and handed off by the candidate) are left out",
        highlight=False,
    )
    for name, frame, total in (
        ("the shadow adds", report.added, counts["added"]),
        ("the shadow drops", report.dropped, counts["dropped"]),
    ):
        leads = Table(*frame.columns, title=f"{name}: {total:,} leads (first {len(frame)})")
        for values in frame.itertuples(index=False):
            leads.add_row(*(escape(str(v)) for v in values))
        stdout.print(leads)


def register_shadow(rules_app: typer.Typer) -> None:
    shadow_app = typer.Typer(
        help="The shadow or canary rulebook (start one with `rules publish FILE --mode shadow`).",
        no_args_is_help=True,
    )

    @shadow_app.command("status")
    def status_command(database: str | None = DATABASE_OPTION) -> None:
        """The running shadow or canary (candidate, share, leads scored) and the shadow history."""
        _status(database)

    @shadow_app.command("compare")
    def compare_command(
        sample: int = typer.Option(20, "--sample", min=0, help="Leads listed per change."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Live versus shadow on the stored scores of the leads both scored: MQLs, overlap, the
        leads the shadow adds and drops, and the predicted acceptance of each (the model in force,
        else the historical acceptance rate by score band)."""
        _compare(database, sample, as_json)

    @shadow_app.command("promote")
    def promote_command(
        by: str = BY_OPTION, note: str = NOTE_OPTION, database: str | None = DATABASE_OPTION
    ) -> None:
        """Publish the candidate as the rulebook in force (a new, audited version) and end the
        shadow; running API and workers pick it up within seconds."""
        from scoring.policy import Change, promote_shadow

        published = promote_shadow(open_database(database), Change(by, note))
        stdout.print(
            f"rulebook {published.version} published by {escape(by)}: the candidate is in force now",
            highlight=False,
        )

    @shadow_app.command("abort")
    def abort_command(
        by: str = BY_OPTION, note: str = NOTE_OPTION, database: str | None = DATABASE_OPTION
    ) -> None:
        """End the shadow or canary without publishing it (audited); its scores stay stored."""
        from scoring.policy import Change, abort_shadow

        version = abort_shadow(open_database(database), Change(by, note))
        stdout.print(
            f"shadow {version} published by {escape(by)}: only the live rulebook scores now",
            highlight=False,
        )

    rules_app.add_typer(shadow_app, name="shadow")
