"""`smarketing worker`, `smarketing handoff dead|replay|status`, `smarketing sla`, `smarketing export`."""

from __future__ import annotations

import random
import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.cli import serve
from scoring.cli.app import DATABASE_OPTION, open_database, stdout, writing_to
from scoring.db.models import Contact, HandoffOutbox, Rep
from scoring.errors import ConfigError
from scoring.handoff.adapters.base import ADAPTERS, make_adapter
from scoring.handoff.alerts import AlertSender
from scoring.handoff.outbox import dead_letters, replay
from scoring.handoff.scorer import live_pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.handoff.worker import Worker, default_worker_id
from scoring.lifecycle import breaches
from scoring.metrics import serve_metrics
from scoring.policy import in_force
from scoring.signals import export_signals, utcnow
from scoring.store.lifecycle import stage_entries

ADAPTER_OPTION = typer.Option(
    None, "--adapter", help=f"One of {', '.join(ADAPTERS)}; default SMARKETING_CRM_ADAPTER."
)


def _worker(database: str | None, adapter: str | None, options: dict[str, Any]) -> Worker:
    settings = ServiceSettings.from_env()
    engine = open_database(database)
    name = adapter or settings.crm_adapter
    adapter_options = {
        **settings.adapter_options,
        "engine": engine,
        "timeout": settings.crm_timeout_s,
    }
    crm = make_adapter(name, adapter_options)
    policy = settings.retry_policy()
    # Queue mode: this worker also rescores the leads the API queued.
    live = live_pipeline(settings, engine) if settings.rescore == "queue" else None
    return Worker(
        engine,
        crm,
        policy=policy,
        lease=settings.lease,
        rng=random.Random(),
        live=live,
        alerts=_alert_sender(settings),
        **options,
    )


def _alert_sender(settings: ServiceSettings) -> AlertSender | None:
    """The alert webhook the settings name; None when alerts are off (their rows wait)."""
    if not settings.alert_webhook_url:
        return None
    from scoring.handoff.adapters.alert_webhook import alert_webhook  # needs httpx

    return alert_webhook(
        settings.alert_webhook_url,
        settings.alert_format,
        settings.alert_secret,
        timeout=settings.crm_timeout_s,
    )


def register_worker(app: typer.Typer) -> None:
    @app.command("worker")
    def worker_command(
        database: str | None = DATABASE_OPTION,
        adapter: str | None = ADAPTER_OPTION,
        batch: int = typer.Option(10, min=1, max=1000, help="Rows claimed at a time."),
        poll: float = typer.Option(1.0, min=0.01, help="Seconds to wait when the queue is empty."),
        worker_id: str | None = typer.Option(None, "--id", help="Name in leases and attempts."),
        until_idle: bool = typer.Option(False, help="Exit when no row is due instead of waiting."),
        metrics_port: int | None = typer.Option(
            None, "--metrics-port", min=1, max=65535, help="Serve Prometheus /metrics on this port."
        ),
        metrics_host: str = typer.Option(
            "127.0.0.1", "--metrics-host", help="Address the metrics port binds to."
        ),
    ) -> None:
        """Deliver queued handoffs to the CRM until stopped (SIGTERM / Ctrl-C finish the current row)."""
        options = {"batch": batch, "poll_s": poll, "worker_id": worker_id or default_worker_id()}
        worker = _worker(database, adapter, options)
        stop_metrics = serve_metrics(worker.engine, metrics_port, metrics_host)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        stdout.print(
            f"worker {worker.worker_id} ready: adapter {worker.adapter.name}, batch {batch}"
        )
        try:
            stats = worker.run(stop, until_idle=until_idle)
        finally:
            worker.adapter.close()
            if worker.alerts is not None:
                worker.alerts.close()
            stop_metrics()
        stdout.print(
            f"worker {worker.worker_id}: {stats.rescored} rescored, {stats.claimed} claimed, "
            f"{stats.delivered} delivered, "
            f"{stats.retried} to retry, {stats.dead} dead"
        )


def register_handoff(app: typer.Typer) -> None:
    handoff_app = typer.Typer(
        help="The handoff outbox: status, dead letters, replay.", no_args_is_help=True
    )

    @handoff_app.command("status")
    def status_command(database: str | None = DATABASE_OPTION) -> None:
        """Handoffs per status."""
        with Session(open_database(database)) as session:
            counts = session.execute(
                select(HandoffOutbox.status, func.count()).group_by(HandoffOutbox.status)
            ).all()
        table = Table("status", "handoffs", title="Handoff outbox")
        for status, count in sorted(counts):
            table.add_row(status, f"{count:,}")
        stdout.print(table)

    @handoff_app.command("dead")
    def dead_command(
        database: str | None = DATABASE_OPTION, limit: int = typer.Option(100, min=1)
    ) -> None:
        """List dead letters: handoffs that failed for good or ran out of retries."""
        with Session(open_database(database)) as session:
            rows = dead_letters(session, limit)
        table = Table(
            "id",
            "lead",
            "key",
            "attempts",
            "created",
            "last status",
            "last error",
            title="Dead letters",
        )
        for row in rows:
            error = (row.last_error or "")[:80]
            table.add_row(
                str(row.id),
                str(row.contact_id),
                row.idempotency_key,
                str(row.attempts),
                f"{row.created_at:%Y-%m-%d %H:%M}",
                str(row.last_status or ""),
                error,
            )
        stdout.print(table)

    @handoff_app.command("replay")
    def replay_command(
        ids: list[int] = typer.Argument(None, help="Outbox ids to replay."),
        all_: bool = typer.Option(False, "--all", help="Replay every dead letter."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Queue dead letters again with a fresh retry horizon."""
        if not ids and not all_:
            raise typer.BadParameter("name outbox ids or pass --all")
        settings = ServiceSettings.from_env()
        with Session(open_database(database)) as session, session.begin():
            if not all_:
                _require_dead_letters(session, ids)
            count = replay(
                session,
                None if all_ else ids,
                now=utcnow(),
                policy=settings.retry_policy(),
            )
        stdout.print(f"{count} dead letter(s) queued again")

    app.add_typer(handoff_app, name="handoff")


def register_reports(app: typer.Typer) -> None:
    @app.command("sla")
    def sla_command(
        database: str | None = DATABASE_OPTION,
        stage: str = typer.Option("mql", help="Stage whose SLA to check (its sla_business_days)."),
    ) -> None:
        """MQLs past their acceptance SLA, with owner and age, oldest first."""
        now = utcnow()
        engine = open_database(database)
        contract = in_force(engine).contract
        if contract.stage(stage) is None:
            raise ConfigError(
                f"--stage {stage!r}: the lifecycle contract {contract.version} has no such stage; "
                f"its stages are {', '.join(contract.stage_names)}"
            )
        with Session(engine) as session:
            late = breaches(contract, stage_entries(session, [stage]), now)
            ids = [b.contact_id for b in late]
            owners = dict(
                session.execute(
                    select(Contact.id, Rep.email)
                    .join(Rep, Rep.id == Contact.owner_rep_id)
                    .where(Contact.id.in_(ids))
                ).all()
            )
        table = Table(
            "lead",
            "owner",
            "entered",
            "due",
            "age",
            "overdue",
            title=f"{stage} past SLA at {now:%Y-%m-%d %H:%M}",
        )
        for breach in late:
            table.add_row(
                str(breach.contact_id),
                owners.get(breach.contact_id, "(unassigned)"),
                f"{breach.entered_at:%Y-%m-%d %H:%M}",
                f"{breach.due_at:%Y-%m-%d %H:%M}",
                _age(now - breach.entered_at),
                _age(now - breach.due_at),
            )
        stdout.print(table)
        stdout.print(f"{len(late)} lead(s) past the {stage} SLA")

    @app.command("export")
    def export_command(
        since: datetime = typer.Option(
            ..., "--since", formats=["%Y-%m-%d"], help="First day (UTC) to export."
        ),
        directory: Path = typer.Argument(..., help="Folder of the date=YYYY-MM-DD partitions."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Write the signals log as date-partitioned Parquet for a warehouse."""
        engine = open_database(database)
        with writing_to(directory):
            directory.mkdir(parents=True, exist_ok=True)  # an empty export still checks the folder
            files = export_signals(engine, since.date(), directory)
        stdout.print(f"wrote {len(files)} day partition(s) under {directory}")


def _require_dead_letters(session: Session, ids: list[int]) -> None:
    """Refuse ids that name no dead letter (unknown, or delivered/pending): nothing is replayed."""
    dead = set(
        session.scalars(
            select(HandoffOutbox.id).where(
                HandoffOutbox.id.in_(ids), HandoffOutbox.status == "dead"
            )
        )
    )
    missing = [str(i) for i in ids if i not in dead]
    if missing:
        raise ConfigError(
            f"outbox id(s) {', '.join(missing)}: no such dead letter (see `smarketing handoff dead`);"
            " nothing was replayed"
        )


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24}d {hours % 24}h"


def register(app: typer.Typer) -> None:
    """Every command of the handoff and API work."""
    register_worker(app)
    register_handoff(app)
    register_reports(app)
    serve.register(app)
