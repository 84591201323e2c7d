"""``Idempotency-Key`` on requests that create something: Powertools Idempotency over the table
template.yaml declares. The same key and body answer the first response again; the same key with
another body is refused (422); a request still running under that key answers 409."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from pydantic import BaseModel

ViewT = TypeVar("ViewT", bound=BaseModel)
KEEP_SECONDS = 24 * 3600
# The Lambda context of the request being handled, so that a request that dies mid-way frees its
# key when its Lambda would have timed out (set by the HTTP resolver).
current_lambda_context: ContextVar[Any] = ContextVar("current_lambda_context", default=None)


class RequestIdempotency:
    def __init__(self, table_name: str, client: Any) -> None:
        self.persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)

    def once(
        self,
        scope: str,
        key: str | None,
        body: Mapping[str, object],
        run: Callable[[], ViewT],
        view: type[ViewT],
    ) -> ViewT:
        if key is None:
            return run()
        config = IdempotencyConfig(
            event_key_jmespath="[scope, key]",
            payload_validation_jmespath="body",
            expires_after_seconds=KEEP_SECONDS,
        )
        context = current_lambda_context.get()
        if context is not None:
            config.register_lambda_context(context)

        def request(request: dict[str, object]) -> dict[str, object]:
            return run().model_dump(mode="json")

        wrapped = idempotent_function(
            request,
            data_keyword_argument="request",
            persistence_store=self.persistence,
            config=config,
            key_prefix="request",
        )
        result = wrapped(request={"scope": scope, "key": key, "body": dict(body)})
        return view.model_validate(result)


class NoIdempotency:
    """For functions that create nothing: the request simply runs."""

    def once(
        self,
        scope: str,
        key: str | None,
        body: Mapping[str, object],
        run: Callable[[], ViewT],
        view: type[ViewT],
    ) -> ViewT:
        return run()
