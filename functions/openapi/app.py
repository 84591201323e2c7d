"""GET /openapi.json: the API's OpenAPI document, generated from the handlers (make openapi)."""

from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start
from tombola.adapters.http import make_resolver
from tombola.adapters.observability import api_handler
from tombola.config import Settings

settings = cold_start(Settings)

app = make_resolver()
DOCUMENT = (Path(__file__).parent / "openapi.json").read_text()


@app.get("/openapi.json")
def openapi() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, DOCUMENT)


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
