"""GET /metrics: the process's Prometheus series and the queue gauges of its database.

Unauthenticated, like /v1/health, and left out of the OpenAPI document: it is for the scraper on
the API's bind address (docs/operations.md, docs/security.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import choose_encoder

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def get_metrics(request: Request) -> Response:
    """Prometheus text (or OpenMetrics when the scraper asks for it), as the worker's port serves.

    The queue gauges cost one small query; a sync route, so it runs in the thread pool.
    """
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(request.app.state.metrics), headers={"Content-Type": content_type})
