"""The HTTP side of every API function: a Powertools resolver with validation, domain errors
mapped to status codes with a JSON body naming the problem, and the caller from JWT claims."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import ValidationError

from tombola.adapters import contract
from tombola.adapters.idempotency import current_lambda_context
from tombola.adapters.observability import logger
from tombola.adapters.request_body import BodyProblem, normalized_body
from tombola.api import phones
from tombola.domain import errors as e
from tombola.domain.auth import Caller, caller_from_claims
from tombola.domain.errors import Forbidden, NotFound, Unauthenticated
from tombola.domain.signatures import (
    SIGNATURE_HEADER,
    BadSignature,
    signing_secrets,
    verify_signature,
)
from tombola.services.deps import Deps
from tombola.telemetry import Metric, Point

STATUS: list[tuple[type[e.DomainError], HTTPStatus]] = [
    (Unauthenticated, HTTPStatus.UNAUTHORIZED),
    (BadSignature, HTTPStatus.UNAUTHORIZED),
    (Forbidden, HTTPStatus.FORBIDDEN),
    (e.MayNotPlay, HTTPStatus.FORBIDDEN),
    (e.SpendLimitReached, HTTPStatus.CONFLICT),
    (e.SamePerson, HTTPStatus.CONFLICT),
    (NotFound, HTTPStatus.NOT_FOUND),
    (e.HoldNotFound, HTTPStatus.NOT_FOUND),
    (e.Conflict, HTTPStatus.CONFLICT),
    (e.IllegalTransition, HTTPStatus.CONFLICT),
    (e.NotAllowedNow, HTTPStatus.CONFLICT),
    (e.ListingNotOpen, HTTPStatus.CONFLICT),
    (e.ListingFull, HTTPStatus.CONFLICT),
    (e.TicketLimitExceeded, HTTPStatus.CONFLICT),
    (e.InsufficientBalance, HTTPStatus.PAYMENT_REQUIRED),
    (e.OutOfRange, HTTPStatus.UNPROCESSABLE_ENTITY),
    (e.BadCursor, HTTPStatus.UNPROCESSABLE_ENTITY),
    (e.PayoutMismatch, HTTPStatus.UNPROCESSABLE_ENTITY),
    (e.RequestKeyReused, HTTPStatus.UNPROCESSABLE_ENTITY),
    (e.LedgerConflict, HTTPStatus.CONFLICT),
    (e.InvalidInput, HTTPStatus.BAD_REQUEST),
    (e.ProviderUnavailable, HTTPStatus.SERVICE_UNAVAILABLE),
]


def status_for(error: e.DomainError) -> HTTPStatus:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return HTTPStatus.UNPROCESSABLE_ENTITY


def json_error(status: HTTPStatus, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


class CheckedResolver(APIGatewayHttpResolver):
    """Refuses a body that is not checked UTF-8 JSON before any parser reads it; reads a phone
    typed without a country code as the function's market writes it."""

    phone_region = phones.HOME_REGION

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        try:
            event = normalized_body(dict(event))
        except BodyProblem as problem:
            logger.info("body refused", extra={"code": problem.code})
            return {
                "statusCode": int(problem.status),
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": json.dumps(problem.as_dict()),
                "isBase64Encoded": False,
            }
        current_lambda_context.set(context)
        with phones.home_region(self.phone_region):
            return super().resolve(event, context)


def make_resolver(*, phone_region: str = phones.HOME_REGION) -> APIGatewayHttpResolver:
    app = CheckedResolver(enable_validation=True)
    app.phone_region = phone_region
    app.configure_openapi(security_schemes=contract.SECURITY_SCHEMES)

    @app.exception_handler(e.DomainError)
    def _domain(error: e.DomainError) -> Response[Any]:
        status = status_for(error)
        logger.info("request refused", extra={"code": error.code, "status": int(status)})
        return json_error(status, {"error": error.as_dict()})

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[Any]:
        problems = [
            {
                "field": ".".join(str(p) for p in err["loc"]),
                "type": err["type"],
                "message": err.get("msg", ""),
                **({"limits": _limits(err["ctx"])} if err.get("ctx") else {}),
            }
            for err in error.errors()
        ]
        first = problems[0] if problems else {"field": "body", "message": "invalid request"}
        return json_error(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            {
                "error": {
                    "code": "invalid_input",
                    "message": f"{first['field']}: {first['message']}",
                    "field": first["field"],
                },
                "problems": problems,
            },
        )

    @app.exception_handler(ValidationError)
    def _invalid_model(error: ValidationError) -> Response[Any]:
        response: Response[Any] = _invalid(RequestValidationError(error.errors()))
        return response

    @app.exception_handler(IdempotencyValidationError)
    def _reused_key(_: Exception) -> Response[Any]:
        return json_error(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            {
                "error": {
                    "code": "idempotency_key_reused",
                    "message": "this Idempotency-Key was used with another body",
                    "field": IDEMPOTENCY_HEADER,
                }
            },
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def _in_progress(_: Exception) -> Response[Any]:
        return json_error(
            HTTPStatus.CONFLICT,
            {
                "error": {
                    "code": "in_progress",
                    "message": "a request with this Idempotency-Key is still running; retry",
                    "field": IDEMPOTENCY_HEADER,
                }
            },
        )

    @app.not_found
    def _missing(_: Exception) -> Response[Any]:
        return json_error(
            HTTPStatus.NOT_FOUND, {"error": {"code": "not_found", "message": "no such route"}}
        )

    return app


def caller(app: APIGatewayHttpResolver) -> Caller:
    """Identity comes from the authorizer's claims, never from the request body."""
    ctx = app.current_event.request_context
    authorizer = ctx.authorizer
    claims = authorizer.jwt_claim if authorizer is not None else None
    return caller_from_claims(claims)


def raw_body(app: APIGatewayHttpResolver) -> bytes:
    event = app.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(body)
    return body.encode()


@contextmanager
def counting_rejects(app: APIGatewayHttpResolver, deps: Deps) -> Iterator[None]:
    """A webhook whose signature does not verify is logged and counted, then refused (401)."""
    try:
        yield
    except BadSignature as refused:
        source = app.current_event.path.rsplit("/", 1)[-1]  # payments | delivery
        logger.warning("webhook rejected", extra={"source": source, "reason": str(refused)})
        deps.telemetry.count(Point(Metric.WEBHOOK_REJECTS, 1, (("Source", source),)))
        raise


def verified_body(app: APIGatewayHttpResolver, deps: Deps, secret_arn: str) -> bytes:
    """The raw body of a webhook, once its signature (by one of the secrets under
    ``secret_arn``: current or previous) and timestamp are verified."""
    body = raw_body(app)
    with counting_rejects(app, deps):
        verify_signature(
            signing_secrets(deps.secrets.json(secret_arn)),
            body,
            header(app, SIGNATURE_HEADER),
            int(deps.clock.now().timestamp()),
            deps.settings.webhook_tolerance_seconds,
        )
    return body


def headers_of(app: APIGatewayHttpResolver) -> dict[str, str]:
    return {k.lower(): v for k, v in (app.current_event.headers or {}).items()}


IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key(app: APIGatewayHttpResolver) -> str | None:
    return header(app, IDEMPOTENCY_HEADER)


def header(app: APIGatewayHttpResolver, name: str) -> str | None:
    headers = app.current_event.headers or {}
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(name.lower())


def _limits(ctx: dict[str, Any]) -> dict[str, int | float | str]:
    """A validation rule's bounds as plain values (pydantic's ctx may hold an exception)."""
    return {k: v if isinstance(v, int | float) else str(v) for k, v in ctx.items()}
