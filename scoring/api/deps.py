"""Dependencies of the routes: the database session (overridable in tests), settings, pipeline, body."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager

from fastapi import Request
from sqlalchemy.orm import Session

from scoring.api.grouping import EventGroups
from scoring.handoff.qualify import Pipeline
from scoring.handoff.settings import ServiceSettings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; whatever the route did not commit is rolled back."""
    with request.app.state.sessions() as session:
        yield session


def get_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


def get_pipeline(request: Request) -> Pipeline:
    """What is in force, read once for the whole request (a publish never splits one)."""
    pipeline: Pipeline = request.app.state.policy.current()
    return pipeline


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: signatures are computed over these bytes."""
    return await request.body()


def get_gate(request: Request) -> AbstractContextManager[object]:
    """The write gate of the app's database (open on PostgreSQL)."""
    gate: AbstractContextManager[object] = request.app.state.write_gate
    return gate


def get_groups(request: Request) -> EventGroups:
    """The app's group commit of event requests (scoring.api.grouping)."""
    groups: EventGroups = request.app.state.event_groups
    return groups
