"""The API's documents stay true: OpenAPI file, documented settings and signals, runnable examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from handoff_world import SECRET, SOURCE, api, lead, seed
from sqlalchemy import Engine, create_engine

from scoring.api import create_app
from scoring.api.openapi import DOCUMENT, render
from scoring.handoff.settings import SERVICE_SETTINGS
from scoring.settings import PROJECT_ROOT
from scoring.signals import SIGNAL_KINDS

API_DOC = (PROJECT_ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def test_docs_openapi_json_is_the_apps_current_document() -> None:
    current = render(create_app(engine=create_engine("sqlite://")))
    assert DOCUMENT.read_text(encoding="utf-8") == current, (
        "run: smarketing openapi --write docs/openapi.json"
    )


def test_the_openapi_document_describes_every_route_and_its_bodies() -> None:
    doc = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert set(doc["paths"]) == {
        "/v1/events",
        "/v1/feedback",
        "/v1/hubspot/webhooks",
        "/v1/leads/{lead_id}",
        "/v1/accounts/{account_id}",
        "/v1/health",
    }
    body = doc["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert body == {"$ref": "#/components/schemas/EventBatch"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # one error shape everywhere


def test_every_service_setting_and_signal_kind_is_documented() -> None:
    assert [s.name for s in SERVICE_SETTINGS if f"`{s.name}`" not in API_DOC] == []
    assert [k for k in SIGNAL_KINDS if f"`{k}`" not in API_DOC] == []


def test_the_signing_example_of_the_docs_produces_accepted_requests(sqlite_engine: Engine) -> None:
    (example,) = re.findall(r"```python\n(.*?)```", API_DOC, flags=re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(example, "docs/api.md", "exec"), namespace)
    seed(sqlite_engine)
    body, headers = namespace["signed_request"](SOURCE, SECRET, {"events": [lead("doc-1", "doc")]})  # type: ignore[operator]
    with api(sqlite_engine) as client:
        response = client.post("/v1/events", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


def test_importing_the_handoff_core_loads_no_web_framework() -> None:
    code = (
        "import sys, scoring.handoff, scoring.signals, scoring.signatures\n"
        "print(sorted(m for m in ('fastapi', 'httpx', 'uvicorn', 'streamlit') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
