"""The FastAPI app factory: settings, engine and pipeline in; routes, error handlers, OpenAPI out.

    app = create_app(ServiceSettings.from_env(), engine=make_engine(url))

Nothing is read from the environment here; `smarketing serve` does that and passes values in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine

import scoring
from scoring.api import problems
from scoring.api.grouping import EventGroups
from scoring.api.limits import BodyLimit
from scoring.api.openapi import document
from scoring.api.rates import RateCounts
from scoring.api.routes import accounts, events, feedback, leads, metrics
from scoring.api.storage import StorageWatch
from scoring.api.timing import RequestTimer
from scoring.db.engine import session_factory
from scoring.handoff.gate import write_gate
from scoring.handoff.qualify import Pipeline
from scoring.handoff.scorer import live_pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.metrics import registry_for
from scoring.store.reasons import sync_reasons

DESCRIPTION = """\
Inbound events (lead upserts, activities) and CRM feedback for the smarketing lead-to-revenue engine.
Every call except /v1/health is signed per source over method, path, timestamp, nonce and body
(see docs/api.md); every error body (application/problem+json) names the offending field."""


@dataclass(frozen=True)
class Fixed:
    """A pipeline that never changes (what tests pass in)."""

    pipeline: Pipeline

    def current(self) -> Pipeline:
        return self.pipeline


def create_app(
    settings: ServiceSettings | None = None,
    *,
    engine: Engine,
    pipeline: Pipeline | None = None,
) -> FastAPI:
    """Build the API over a migrated database; the vocabulary is synced into it at startup."""
    settings = settings or ServiceSettings()
    # A given pipeline is fixed (tests); otherwise what is in force, re-read after each publish.
    live = Fixed(pipeline) if pipeline is not None else live_pipeline(settings, engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with engine.begin() as connection:
            sync_reasons(connection, live.current().vocabulary)
        yield

    app = FastAPI(
        title="smarketing", version=scoring.__version__, description=DESCRIPTION, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.policy = live
    app.state.write_gate = write_gate(engine)
    app.state.event_groups = EventGroups(live, app.state.write_gate, settings.tolerance_s)
    app.state.rates = RateCounts()  # the per-source rate limit, counted without a query a request
    app.state.storage = StorageWatch()
    app.state.metrics = registry_for(engine)  # GET /metrics: shared series + this engine's queues
    for module in (events, feedback, leads, accounts, metrics):
        app.include_router(module.router)
    problems.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestTimer)  # added last: outermost, so door refusals are timed too
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
    return app
