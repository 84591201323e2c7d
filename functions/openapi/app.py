"""GET /openapi.json: the API's OpenAPI document, generated from the handlers (make openapi);
GET /docs: Swagger UI over it (Powertools' bundled copy, nothing loaded from a CDN)."""

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start
from tombola.adapters.http import make_resolver
from tombola.adapters.observability import api_handler
from tombola.adapters.swagger import swagger_page
from tombola.config import Settings

settings = cold_start(Settings)

app = make_resolver()
DOCUMENT = (Path(__file__).parent / "openapi.json").read_text()
DOCUMENT_OBJECT: dict[str, Any] = json.loads(DOCUMENT)


@app.get("/openapi.json", **contract.get(public=True, summary="This document"))
def openapi() -> dict[str, Any]:
    return DOCUMENT_OBJECT


@app.get("/docs", include_in_schema=False)
def docs() -> Response[str]:
    return Response(200, "text/html; charset=utf-8", swagger_page(DOCUMENT))


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
