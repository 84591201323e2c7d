"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>", with a timestamp tolerance.

Header ``X-Tombola-Signature: t=<unix seconds>,v1=<hex>``; the same scheme for the payment
provider and the carrier.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from tombola.domain.errors import DomainError

SIGNATURE_HEADER = "x-tombola-signature"


class BadSignature(DomainError):
    code = "bad_signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secrets: Sequence[str],
    body: bytes,
    header: str | None,
    now_epoch: int,
    tolerance_seconds: int = 300,
) -> int:
    """Return the signed timestamp, or raise BadSignature saying what is wrong. Any of
    ``secrets`` may have signed (the current one and, during a rotation, the previous one)."""
    secrets = [s for s in secrets if s]
    if not secrets:
        raise BadSignature("webhook secret is not configured")
    if not header:
        raise BadSignature("missing X-Tombola-Signature header")
    if not header.isascii():  # a signature is hex digits: anything else is no signature of ours
        raise BadSignature("malformed X-Tombola-Signature header")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise BadSignature("malformed X-Tombola-Signature header") from None
    if abs(now_epoch - timestamp) > tolerance_seconds:
        raise BadSignature("signature timestamp outside the tolerance")
    for secret in secrets:
        expected = sign(secret, body, timestamp).split("v1=", 1)[1]
        if hmac.compare_digest(expected.encode(), given.encode()):
            return timestamp
    raise BadSignature("signature does not match the body")


def signing_secrets(secret: Mapping[str, str]) -> list[str]:
    """The secrets a webhook may be signed with: the current one, then the previous one."""
    return [secret.get("current", ""), secret.get("previous", "")]
