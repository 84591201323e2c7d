"""Idempotency keys and the ids a repeated request must find again."""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel

from tombola.domain.errors import InvalidInput, RequestKeyReused

_REQUEST_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def checked_request_key(key: str | None) -> str | None:
    if key is not None and not _REQUEST_KEY.match(key):
        raise InvalidInput(
            "Idempotency-Key must be 1 to 100 letters, digits or . _ : -",
            field="Idempotency-Key",
        )
    return key


def derived_id(prefix: str, *parts: str) -> str:
    """An id that the same request always gets, so that a retry finds what it created."""
    return prefix + hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def fingerprint(body: BaseModel) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def same_request(stored: str | None, body: BaseModel) -> None:
    if stored != fingerprint(body):
        raise RequestKeyReused(
            "this Idempotency-Key was used with another body", field="Idempotency-Key"
        )
