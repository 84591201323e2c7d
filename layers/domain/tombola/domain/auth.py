"""The caller, from authorizer claims only, and the checks every route makes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from tombola.domain.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    roles: frozenset[Role]

    def require(self, role: Role) -> Caller:
        if role not in self.roles:
            raise Forbidden(f"this needs the {role} role")
        return self


def _groups(raw: object) -> set[str]:
    # HTTP API JWT authorizers pass array claims as "[a b]"; REST/Cognito as a list or "a,b".
    if isinstance(raw, list):
        return {str(g) for g in raw}
    if isinstance(raw, str):
        return {g for g in raw.strip("[]").replace(",", " ").split() if g}
    return set()


def caller_from_claims(claims: Mapping[str, object] | None) -> Caller:
    if not claims or not claims.get("sub"):
        raise Unauthenticated("no authenticated caller")
    roles = {
        Role(g) for g in _groups(claims.get("cognito:groups")) if g in Role.__members__.values()
    }
    return Caller(str(claims["sub"]), frozenset(roles))
