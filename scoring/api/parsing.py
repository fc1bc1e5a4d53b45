"""Turn raw request bodies into validated schemas, with one error per offending field.

The events endpoint validates each item on its own, so one bad event does not hide the others.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from scoring.api.schemas.events import (
    MAX_EVENTS,
    ActivityRecorded,
    Event,
    FieldError,
    ItemResult,
    LeadUpserted,
)
from scoring.errors import DataError, Problem

EVENT = TypeAdapter[LeadUpserted | ActivityRecorded](Event)
EVENT_TYPES = ("lead.upserted", "activity.recorded")


def load_json(body: bytes) -> Any:
    """The decoded JSON document; DataError naming `body` when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise DataError([Problem("body", f"not valid JSON: {str(exc)[:200]}")]) from None


def errors_of(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[FieldError]:
    """Pydantic errors as field errors; a discriminated union's tag is not part of the path."""
    found = []
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        if loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc.append("type")
        path = ".".join(str(part) for part in (*prefix, *loc))
        found.append(FieldError(field=path or "body", message=str(item["msg"])))
    return found


def parse_batch(
    body: bytes,
) -> tuple[list[tuple[int, LeadUpserted | ActivityRecorded]], list[ItemResult]]:
    """(index, event) of every valid item, and a `rejected` result for every invalid one."""
    doc = load_json(body)
    if not isinstance(doc, dict):
        raise DataError([Problem("body", "expected a JSON object with an 'events' list")])
    extra = sorted(set(doc) - {"events"})
    if extra:
        raise DataError([Problem(str(key), "unknown field") for key in extra])
    items = doc.get("events")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_EVENTS:
        raise DataError([Problem("events", f"expected a list of 1 to {MAX_EVENTS} events")])
    valid, rejected = [], []
    for index, item in enumerate(items):
        try:
            valid.append((index, EVENT.validate_python(item)))
        except ValidationError as exc:
            event_id = item.get("id") if isinstance(item, dict) else None
            rejected.append(
                ItemResult(
                    index=index,
                    id=event_id if isinstance(event_id, str) else None,
                    status="rejected",
                    errors=errors_of(exc, ("events", index)),
                )
            )
    return valid, rejected


def parse_model(model: type[Any], body: bytes) -> Any:
    """Validate a whole body against `model`; DataError with one problem per field."""
    doc = load_json(body)
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise DataError([Problem(e.field, e.message) for e in errors_of(exc)]) from None
