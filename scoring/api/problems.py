"""Every error the API returns has one shape, and one handler maps error families to statuses.

    {"error": "<kind>", "message": "<one line>", "errors": [{"field": "...", "message": "..."}],
     "status": 401, "title": "<kind>"}

served as `application/problem+json` (RFC 9457: `status` and `title` are its members, the others
extensions).
Each entry of `errors` names the offending field: a body path (`events.3.lead.email`), a query or
path parameter (`lead_id`) or a header (`X-Smarketing-Signature`).
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from scoring.api.schemas.events import FieldError
from scoring.db.failures import storage_failure
from scoring.errors import (
    DataError,
    DuplicateRequest,
    Forbidden,
    InvalidWebhook,
    Problem,
    RateLimited,
    Refused,
    SmarketingError,
    TooLarge,
    TransitionNotAllowed,
    UnknownAccount,
    UnknownLead,
)
from scoring.metrics import count_refused

PROBLEM = "application/problem+json"


class ErrorBody(BaseModel):
    """The body of every 4xx answer."""

    error: str
    message: str
    errors: list[FieldError] = Field(min_length=1)
    rule: str | None = Field(None, description="409 only: the contract rule that refused the move")
    status: int | None = Field(None, description="the HTTP status (RFC 9457)")
    title: str | None = Field(None, description="the error kind (RFC 9457)")


STATUSES: tuple[tuple[type[SmarketingError], int, str], ...] = (
    (InvalidWebhook, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (TooLarge, 413, "too_large"),
    (RateLimited, 429, "rate_limited"),
    (DuplicateRequest, 409, "duplicate"),
    (UnknownLead, 404, "not_found"),
    (UnknownAccount, 404, "not_found"),
    (DataError, 422, "invalid"),
    (TransitionNotAllowed, 409, "transition_not_allowed"),
)
"""Error family -> HTTP status and error kind; the first match wins (subclasses first)."""


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        "model": ErrorBody,
        "description": description,
        "content": {PROBLEM: {"schema": schema}},
    }


RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem("unsigned, wrongly signed, stale, unknown or revoked source"),
    403: _problem("the source lacks the scope this call needs"),
    409: _problem("duplicate: this nonce was already processed"),
    413: _problem("the body is larger than SMARKETING_API_MAX_BODY (refused before it is read)"),
    422: _problem("invalid input; every entry names its field"),
    429: _problem("the source's rate limit; Retry-After says when to try again"),
    503: _problem("the database is unavailable or read-only"),
    507: _problem("the database or its disk is full; nothing was written"),
}


def error_response(
    status: int,
    kind: str,
    message: str,
    errors: list[FieldError],
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = ErrorBody(error=kind, message=message, errors=errors, status=status, title=kind, **extra)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM, headers=headers
    )


def field_errors(problems: list[Problem]) -> list[FieldError]:
    return [FieldError(field=p.where or "body", message=p.message) for p in problems] or [
        FieldError(field="body", message="invalid")
    ]


def validation_errors(
    error: ValidationError | RequestValidationError, prefix: tuple[Any, ...] = ()
) -> list[FieldError]:
    """Pydantic errors as field errors (`events.3.lead.email`); FastAPI's `body`/`query` prefix is dropped."""
    found = []
    for item in error.errors():
        loc = [str(p) for p in (*prefix, *item["loc"])]
        if loc and loc[0] in ("body", "query", "path", "header") and len(loc) > 1:
            loc = loc[1:]
        found.append(FieldError(field=".".join(loc) or "body", message=str(item["msg"])))
    return found or [FieldError(field="body", message="invalid")]


def _smarketing(request: Request, exc: Exception) -> JSONResponse:
    for family, status, kind in STATUSES:
        if not isinstance(exc, family):
            continue
        if isinstance(exc, Refused):
            # scoring.api.auth names the source once it is a configured one
            count_refused(getattr(request.state, "source", None), kind)
            headers = (
                {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
            )
            return error_response(
                status,
                kind,
                str(exc),
                [FieldError(field=exc.field or "headers", message=exc.reason)],
                headers,
            )
        if isinstance(exc, TransitionNotAllowed):
            message = f"{exc.from_stage} -> {exc.to_stage}: {exc.missing}"
            return error_response(
                status,
                kind,
                str(exc),
                [FieldError(field="outcome", message=message)],
                rule=exc.missing,
            )
        if isinstance(exc, DataError):
            return error_response(
                status, kind, str(exc).splitlines()[0], field_errors(exc.problems)
            )
    raise exc


def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    invalid = cast(RequestValidationError, exc)  # registered for this type only
    return error_response(422, "invalid", "the request is invalid", validation_errors(invalid))


def _http(_request: Request, exc: Exception) -> JSONResponse:
    http = cast(StarletteHTTPException, exc)  # registered for this type only
    field = {404: "path", 405: "method", 413: "body", 415: "Content-Type"}.get(
        http.status_code, "request"
    )
    return error_response(
        http.status_code,
        "http_error",
        str(http.detail),
        [FieldError(field=field, message=str(http.detail))],
    )


def _database(request: Request, exc: Exception) -> JSONResponse:
    """A full disk is 507, a read-only or unreachable database 503; never a bare 500."""
    kind = storage_failure(exc)
    if kind == "full":
        message = "the database or its disk is full; nothing of this request was written"
        request.app.state.storage.failed("database or disk is full")
        return error_response(
            507, "storage_full", message, [FieldError(field="database", message=message)]
        )
    if kind == "read_only":
        message = "the database is read-only; nothing of this request was written"
    else:
        message = "the database is unavailable; try again"
    return error_response(
        503,
        "unavailable",
        message,
        [FieldError(field="database", message=message)],
        {"Retry-After": "5"},
    )


def install(app: FastAPI) -> None:
    """Register the handlers: smarketing errors, request validation, plain HTTP errors."""
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(SmarketingError, _smarketing)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http)
