"""The authorizer stand-in: locally signed JWTs (HS256) carrying the claims Cognito would."""

from __future__ import annotations

import os
import time
import unicodedata
from typing import Any

import jwt

DEFAULT_SECRET = "tombola-local-jwt-secret-not-for-production"  # noqa: S105 - local only
ISSUER = "tombola-local"
GROUPS = ("buyer", "seller", "operator")
MAX_USER_CHARS = 64
_USER_PUNCTUATION = "._-"


def user_name(typed: str) -> str:
    """A user name typed on the local sign-in page, as the token's subject: NFKC (full-width
    letters as ASCII, a Korean name typed in decomposed jamo composed), trimmed; letters of any
    script (김민지, Zoë), digits and . _ - only, at most MAX_USER_CHARS: no control, format or
    other invisible characters, no spaces, nothing that would read as a separator in a key."""
    name = unicodedata.normalize("NFKC", typed).strip()
    if not name:
        raise ValueError("type a user name")
    if len(name) > MAX_USER_CHARS:
        raise ValueError(f"a user name has at most {MAX_USER_CHARS} characters")
    for ch in name:
        category = unicodedata.category(ch)
        if not (category[0] in "LN" or category in {"Mn", "Mc"} or ch in _USER_PUNCTUATION):
            raise ValueError(
                f"a user name has letters (any script), digits and {' '.join(_USER_PUNCTUATION)} "
                f"only, not {ch!r}"
            )
    if unicodedata.category(name[0])[0] == "M":
        raise ValueError("a user name starts with a letter or digit")
    return name


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
