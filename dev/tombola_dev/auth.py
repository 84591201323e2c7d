"""The authorizer stand-in: locally signed JWTs (HS256) carrying the claims Cognito would."""

from __future__ import annotations

import os
import time
from typing import Any

import jwt

DEFAULT_SECRET = "tombola-local-jwt-secret-not-for-production"  # noqa: S105 - local only
ISSUER = "tombola-local"
GROUPS = ("buyer", "seller", "operator")


def secret() -> str:
    return os.environ.get("LOCAL_JWT_SECRET", DEFAULT_SECRET)


def mint(user_id: str, groups: list[str], *, ttl_seconds: int = 12 * 3600) -> str:
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown group(s) {sorted(unknown)}; use {', '.join(GROUPS)}")
    now = int(time.time())
    claims = {
        "sub": user_id,
        "cognito:groups": groups,
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret(), algorithm="HS256")


def verify(authorization: str | None) -> dict[str, Any] | None:
    """Claims as an HTTP API JWT authorizer passes them (arrays as "[a b]"), or None."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    try:
        claims: dict[str, Any] = jwt.decode(
            authorization.split(" ", 1)[1].strip(),
            secret(),
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["sub", "exp"]},
        )
    except jwt.PyJWTError:
        return None
    groups = claims.get("cognito:groups") or []
    claims["cognito:groups"] = "[" + " ".join(groups) + "]"
    return claims
