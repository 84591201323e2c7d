"""API Gateway (HTTP API) in front of the functions: a request routed as template.yaml says,
turned into the event the function gets, and its result into the response."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tombola_dev.conformance import Conformance
from tombola_dev.moto_resources import ACCOUNT
from tombola_dev.template import Route

log = logging.getLogger("localstack")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any
    headers: dict[str, str]


def request(
    routes: list[Route],
    invoke: Callable[[str, dict[str, Any]], Any],
    method: str,
    path: str,
    *,
    body: Any = None,
    raw: bytes | None = None,
    claims: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    conformance: Conformance | None = None,
) -> HttpResponse:
    """Call the API as API Gateway would: route from template.yaml, JWT claims passed on for
    authorized routes (a request without claims to one gets 401 here, as there); with
    ``conformance``, the response is checked against the OpenAPI document."""
    path_only = path.split("?", 1)[0]
    for route in routes:
        params = route.match(method, path_only)
        if params is not None:
            break
    else:
        return HttpResponse(404, {"message": "Not Found"}, {})
    if not route.public and not claims:
        refused = HttpResponse(401, {"message": "Unauthorized"}, {})
        if conformance is not None:
            conformance.check(method, path_only, refused.status, refused.body)
        return refused
    binary = False
    if raw is not None:
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:  # API Gateway passes such a body base64-encoded
            text, binary = base64.b64encode(raw).decode(), True
    else:
        text = json.dumps(body) if body is not None else None
    event = http_event(
        route, path_only, params, text, binary=binary, claims=claims, headers=headers, query=query
    )
    try:
        result = invoke(route.function, event)
    except Exception:  # the Lambda crashed: API Gateway answers 500
        log.exception("%s %s: the function failed", method, path_only)
        return HttpResponse(500, {"message": "Internal Server Error"}, {})
    body_text = result.get("body") or ""
    try:
        parsed = json.loads(body_text) if body_text else None
    except json.JSONDecodeError:
        parsed = body_text
    response = HttpResponse(int(result["statusCode"]), parsed, result.get("headers") or {})
    if conformance is not None:
        conformance.check(method, path_only, response.status, response.body)
    return response


def http_event(
    route: Route,
    path: str,
    params: dict[str, str],
    body: str | None,
    *,
    binary: bool,
    claims: dict[str, Any] | None,
    headers: dict[str, str] | None,
    query: dict[str, str] | None,
) -> dict[str, Any]:
    """The HTTP API's payload (format 2.0) for a request on ``route``."""
    now = datetime.now(UTC)
    return {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {"content-type": "application/json", **(headers or {})},
        "queryStringParameters": query or None,
        "pathParameters": params or None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "domainName": "127.0.0.1",
            "http": {
                "method": route.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "tombola-local",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
            **(
                {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}
                if claims and not route.public
                else {}
            ),
        },
        "body": body,
        "isBase64Encoded": binary,
    }
