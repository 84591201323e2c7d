"""What each route declares for the OpenAPI document beyond its types: the status codes it can
answer (every refusal has the one error body), and whether it needs a signed-in caller.

    @app.post("/listings", **contract.post(409, ok=201))

adds what every route of its kind can answer: 401/403 when signed in, 400/413/415 for a body, 422
for invalid input."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from tombola.api.views import ErrorBody, View

JWT_SCHEME = "jwt"
SECURITY_SCHEMES: dict[str, Any] = {
    JWT_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Cognito token; its cognito:groups claim holds buyer, seller or operator.",
    }
}

MEANING = {
    200: "OK",
    201: "Created",
    400: "The body is not JSON (or not UTF-8), or a value is not one this API knows",
    401: "No valid token (a webhook: no valid signature)",
    402: "Not enough mileage for this payment",
    403: "The caller's group or identity may not do this",
    404: "No such listing (or nothing of the caller's on it)",
    409: "Not possible in the listing's current state, or the same request is still running",
    413: "The body is larger than the API accepts",
    415: "The body is not sent as application/json",
    422: "The input is invalid (a `cursor` too: not one this API gave for this list): "
    "`error.field` names the first problem, `problems` lists them all",
    503: "The payment provider erred or did not answer; nothing was decided: try again",
}


class GatewayMessage(View):
    """What API Gateway itself answers when it refuses a request before any function runs."""

    message: str


class Unauthorized(RootModel[ErrorBody | GatewayMessage]):
    """401: from API Gateway's JWT authorizer (``message``) or from the function (``error``)."""


def _error(code: int) -> dict[str, Any]:
    model = Unauthorized if code == 401 else ErrorBody
    return {"description": MEANING[code], "content": {"application/json": {"model": model}}}


def _declare(
    errors: tuple[int, ...], ok: int, public: bool, body: bool, summary: str | None
) -> dict[str, Any]:
    codes = set(errors) | {422}
    if not public:
        codes |= {401, 403}
    if body:
        codes |= {400, 413, 415}
    declared: dict[str, Any] = {
        "status_code": ok,
        "responses": {ok: {"description": MEANING[ok]}} | {c: _error(c) for c in sorted(codes)},
        "security": None if public else [{JWT_SCHEME: []}],
    }
    if summary:
        declared["summary"] = summary
    return declared


def get(*errors: int, public: bool = False, summary: str | None = None) -> dict[str, Any]:
    return _declare(errors, 200, public, body=False, summary=summary)


def post(
    *errors: int, ok: int = 200, public: bool = False, summary: str | None = None
) -> dict[str, Any]:
    return _declare(errors, ok, public, body=True, summary=summary)


put = post
