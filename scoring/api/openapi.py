"""The OpenAPI document: request bodies read raw (for signatures) are documented from their schemas.

`docs/openapi.json` is this document, written by `smarketing openapi --write` and kept equal to the
app's by a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from scoring.settings import PROJECT_ROOT
from scoring.signatures import (
    HUBSPOT_SIGNATURE_HEADER,
    HUBSPOT_TIMESTAMP_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    SOURCE_HEADER,
    TIMESTAMP_HEADER,
)

DOCUMENT = PROJECT_ROOT / "docs" / "openapi.json"
RAW_BODIES: list[type[BaseModel]] = []
"""Models of bodies that routes read raw; `document` adds them to the components."""

SECURITY_SCHEMES = {
    "source": {"type": "apiKey", "in": "header", "name": SOURCE_HEADER},
    "timestamp": {"type": "apiKey", "in": "header", "name": TIMESTAMP_HEADER},
    "nonce": {
        "type": "apiKey",
        "in": "header",
        "name": NONCE_HEADER,
        "description": "unique per request (1-100 of A-Za-z0-9._:-); a nonce seen again is 409",
    },
    "signature": {
        "type": "apiKey",
        "in": "header",
        "name": SIGNATURE_HEADER,
        "description": "v2=<hex HMAC-SHA256(source secret, "
        '"v2\\n{timestamp}\\n{nonce}\\n{METHOD}\\n{path?query}\\n" + body)>',
    },
    "hubspotTimestamp": {"type": "apiKey", "in": "header", "name": HUBSPOT_TIMESTAMP_HEADER},
    "hubspotSignature": {
        "type": "apiKey",
        "in": "header",
        "name": HUBSPOT_SIGNATURE_HEADER,
        "description": "base64(HMAC-SHA256(client secret, method + URI + body + timestamp))",
    },
}
SIGNED: dict[str, Any] = {
    "security": [{"source": [], "timestamp": [], "nonce": [], "signature": []}]
}


def signed_by(scope: str) -> dict[str, Any]:
    """`openapi_extra` of a signed route that needs `scope` (x-smarketing-scope names it)."""
    return {**SIGNED, "x-smarketing-scope": scope}


HUBSPOT_SIGNED: dict[str, Any] = {"security": [{"hubspotTimestamp": [], "hubspotSignature": []}]}


def json_body(model: type[BaseModel], *, array: bool = False) -> dict[str, Any]:
    """`openapi_extra` declaring a JSON request body of `model` (or an array of it)."""
    if model not in RAW_BODIES:
        RAW_BODIES.append(model)
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{model.__name__}"}
    if array:
        schema = {"type": "array", "items": schema, "minItems": 1}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, built once."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in RAW_BODIES:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    components["schemas"] = dict(sorted(schemas.items()))
    components["securitySchemes"] = SECURITY_SCHEMES
    app.openapi_schema = doc
    return doc


def render(app: FastAPI) -> str:
    return json.dumps(document(app), indent=2, sort_keys=True) + "\n"


def write(app: FastAPI, path: Path = DOCUMENT) -> Path:
    path.write_text(render(app), encoding="utf-8")
    return path
