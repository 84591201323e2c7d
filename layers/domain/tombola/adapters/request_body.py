"""What a request body must be before any handler reads it: JSON, UTF-8, not too large, not too
deep, no number longer than any amount. Checked on the raw API Gateway event, so that no parser
downstream (Powertools, pydantic, json) ever sees a body that could make it fail with a 500."""

from __future__ import annotations

import base64
import binascii
import json
from http import HTTPStatus
from typing import Any

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 100  # far past any bound a field has, far below what makes parsers slow
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class BodyProblem(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": "body"}}


def _method(event: dict[str, Any]) -> str:
    ctx = event.get("requestContext") or {}
    return str((ctx.get("http") or {}).get("method") or event.get("httpMethod") or "").upper()


def _content_type(event: dict[str, Any]) -> str | None:
    for k, v in (event.get("headers") or {}).items():
        if k.lower() == "content-type":
            return str(v)
    return None


def _check_json_content_type(value: str | None) -> None:
    if value is None:
        return  # taken as JSON, as most clients mean
    media, *params = (p.strip() for p in value.split(";"))
    if media.lower() != "application/json":
        raise BodyProblem(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            f"send the body as application/json, not {media or 'an empty type'!r}",
        )
    for p in params:
        key, _, val = p.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip('"').lower() not in {
            "utf-8",
            "utf8",
        }:
            raise BodyProblem(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                f"the body must be UTF-8, not {val.strip()!r}",
            )


def _check_shape(text: str) -> None:
    """One pass over the text: nesting depth and number length, outside strings."""
    depth = 0
    in_string = escaped = False
    run = 0
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in "0123456789+-.eE":
            run += 1
            if run > MAX_NUMBER_CHARS:
                raise BodyProblem(
                    HTTPStatus.UNPROCESSABLE_ENTITY,
                    "number_too_long",
                    f"a number in the body has more than {MAX_NUMBER_CHARS} characters",
                )
            continue
        run = 0
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BodyProblem(
                    HTTPStatus.UNPROCESSABLE_ENTITY,
                    "too_deep",
                    f"the body is nested deeper than {MAX_DEPTH} levels",
                )
        elif ch in "]}":
            depth -= 1


def normalized_body(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its body as checked UTF-8 text, or raise BodyProblem saying what is wrong.
    Bodies of methods that take none are dropped."""
    raw = event.get("body")
    if raw in (None, ""):
        return event
    if _method(event) not in METHODS_WITH_BODY:
        return {**event, "body": None, "isBase64Encoded": False}
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(str(raw), validate=True)
        except (binascii.Error, ValueError):
            raise BodyProblem(
                HTTPStatus.BAD_REQUEST, "invalid_body", "the body is not valid base64"
            ) from None
    else:
        data = str(raw).encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise BodyProblem(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "body_too_large",
            f"the body is {len(data)} bytes; at most {MAX_BODY_BYTES} are accepted",
        )
    _check_json_content_type(_content_type(event))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyProblem(
            HTTPStatus.BAD_REQUEST, "invalid_body", "the body is not valid UTF-8"
        ) from None
    _check_shape(text)
    try:
        json.loads(text)  # safe now: bounded depth and numbers
    except ValueError as err:
        raise BodyProblem(
            HTTPStatus.BAD_REQUEST, "invalid_json", f"the body is not valid JSON: {err}"
        ) from None
    return {**event, "body": text, "isBase64Encoded": False}
