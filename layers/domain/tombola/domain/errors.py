"""Domain errors. Each carries a stable ``code`` that the API maps to an HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation the domain reports."""

    code = "domain_error"

    def __init__(
        self, message: str, *, field: str | None = None, limits: dict[str, int] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.limits = limits  # the bounds broken, so a client can say it in its own language

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.limits:
            body["limits"] = dict(self.limits)
        return body


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    code = "invalid_input"


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a listing cannot go from {current!r} to {target!r}")
        self.current = current
        self.target = target


class ListingNotOpen(DomainError):
    code = "listing_not_open"


class ListingFull(DomainError):
    code = "listing_full"


class TicketLimitExceeded(DomainError):
    code = "ticket_limit_exceeded"


class HoldNotFound(DomainError):
    code = "hold_not_found"


class UnbalancedEntry(DomainError):
    code = "unbalanced_entry"


class LedgerConflict(DomainError):
    """The same business key was posted before with different content."""

    code = "ledger_conflict"


class InsufficientBalance(DomainError):
    code = "insufficient_balance"


class DrawError(DomainError):
    code = "draw_error"


class Conflict(DomainError):
    """The record changed since it was read; the caller reloads and decides again."""

    code = "conflict"


class QuotaShort(Conflict):
    """A quota shard had fewer tickets left than read, or closed: decide again on fresh counts."""


class NotAllowedNow(DomainError):
    """The request is well formed but the listing is not at a step where it applies."""

    code = "not_allowed_now"


class OutcomeFixed(NotAllowedNow):
    """The listing's settlement began: no action may change its outcome (rule 16)."""

    code = "outcome_fixed"


class PayoutMismatch(DomainError):
    """The provider reports a payout we did not issue, or not as we issued it."""

    code = "payout_mismatch"


class OutOfRange(InvalidInput):
    """A number or date outside the bounds the operator allows."""

    code = "out_of_range"


class BadCursor(InvalidInput):
    """A page cursor this API did not give for this list (forged, edited, or another list's)."""

    code = "invalid_cursor"


class RequestKeyReused(DomainError):
    """An Idempotency-Key sent again with another body."""

    code = "idempotency_key_reused"


class ProviderUnavailable(DomainError):
    """The payment provider erred or did not answer in time: nothing was decided; retry."""

    code = "provider_unavailable"


class MayNotPlay(DomainError):
    """Responsible play refuses the purchase or listing: not verified, under age, on a break,
    self-excluded, or a spend limit to choose first. ``code`` says which."""

    code = "may_not_play"

    def __init__(
        self, code: str, message: str, *, until: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.until = until  # when it ends (a break, an exclusion), ISO 8601

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        if self.until is not None:
            body["until"] = self.until
        return body


class SpendLimitReached(DomainError):
    """The purchase would take the person past one of their own spend limits."""

    code = "spend_limit_reached"

    def __init__(
        self, message: str, *, window: str, limit: int, spent: int, resets_at: str
    ) -> None:
        super().__init__(message, field="spend_limit", limits={"limit": limit, "spent": spent})
        self.window = window
        self.resets_at = resets_at

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["window"] = self.window
        body["resets_at"] = self.resets_at
        return body


class SamePerson(DomainError):
    """The identity verified is already verified on another account: one person, one account."""

    code = "same_person"


class SpendShort(Conflict):
    """A spend window had less room than read (another purchase came first): decide again."""
