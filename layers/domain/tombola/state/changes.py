"""A Change is everything one business event writes, committed in one transaction, plus the
effects to run once it is committed (kept in an outbox in the same transaction, so none is lost).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from tombola.domain.ledger import JournalEntry
from tombola.domain.references import refund_id_for
from tombola.state.records import (
    Attention,
    BuyerRecord,
    ComplaintRecord,
    DrawSecret,
    HarmSignal,
    ListingRecord,
    PayoutRecord,
    ProfileRecord,
    StandingRecord,
)
from tombola.telemetry import Decision


class StartExecution(BaseModel):
    kind: Literal["start_execution"] = "start_execution"
    listing_id: str
    input: dict[str, object]
    execution_name: str | None = None  # the listing id unless resumed


class ResumeWait(BaseModel):
    kind: Literal["resume_wait"] = "resume_wait"
    token: str
    output: dict[str, object]


class FailWait(BaseModel):
    kind: Literal["fail_wait"] = "fail_wait"
    token: str
    error: str
    cause: str


class Refund(BaseModel):
    kind: Literal["refund"] = "refund"
    refund_id: str
    payment_id: str
    amount: int
    currency: str
    reason: str

    @classmethod
    def of_payment(cls, payment_id: str, amount: int, currency: str, reason: str) -> Refund:
        """The refund of a payment, under the one refund id the payment can have."""
        return cls(
            refund_id=refund_id_for(payment_id),
            payment_id=payment_id,
            amount=amount,
            currency=currency,
            reason=reason,
        )


class Payout(BaseModel):
    kind: Literal["payout"] = "payout"
    payout_id: str
    seller_id: str
    amount: int
    currency: str


class CreditMileage(BaseModel):
    """Applies a journal entry's credit to a buyer's spendable mileage balance, once."""

    kind: Literal["credit_mileage"] = "credit_mileage"
    key: str
    buyer_id: str
    amount: int
    currency: str


class CountSale(BaseModel):
    """One more completed sale on the seller's public record, once per listing (the store's
    record of the listing's sale makes a re-run count nothing)."""

    kind: Literal["count_sale"] = "count_sale"
    seller_id: str
    listing_id: str


class Publish(BaseModel):
    """A domain event on the bus; the notifier turns it into e-mail and SMS."""

    kind: Literal["publish"] = "publish"
    detail_type: str
    detail: dict[str, object]


Effect = Annotated[
    StartExecution | ResumeWait | FailWait | Refund | Payout | CreditMileage | CountSale | Publish,
    Field(discriminator="kind"),
]


MAX_EFFECTS_PER_BATCH = 400  # effects per outbox item, and ...
MAX_BATCH_BYTES = 250_000  # ... their JSON as stored at most this: an item holds 400 KB


class EffectEnvelope(BaseModel):
    effect: Effect


def effect_json(effect: Effect) -> dict[str, object]:
    out: dict[str, object] = EffectEnvelope(effect=effect).model_dump(mode="json")["effect"]
    return out


def effect_batches(effects: list[Effect]) -> list[list[Effect]]:
    """A change's effects as its outbox items hold them: at most MAX_EFFECTS_PER_BATCH each,
    and at most MAX_BATCH_BYTES of JSON (ASCII-escaped as stored: a Korean title takes six
    bytes a character), so a settlement chunk's notices never make an item DynamoDB refuses."""
    batches: list[list[Effect]] = []
    current: list[Effect] = []
    size = 2
    for effect in effects:
        n = len(json.dumps(effect_json(effect))) + 2
        if current and (len(current) >= MAX_EFFECTS_PER_BATCH or size + n > MAX_BATCH_BYTES):
            batches.append(current)
            current, size = [], 2
        current.append(effect)
        size += n
    if current:
        batches.append(current)
    return batches


@dataclass(frozen=True)
class PendingEffects:
    """An outbox item: effects committed and not yet run (or run and failed ``attempts`` times,
    the last time with ``last_error``)."""

    outbox_id: str
    effects: Sequence[Effect]
    created_at: datetime
    attempts: int = 0
    last_error: str | None = None
    listing_id: str | None = None  # the listing whose change committed them, if any


@dataclass(frozen=True)
class DeadEffects:
    """Effects that kept failing, taken off the outbox for the operator to retry or resolve."""

    dead_id: str
    effects: Sequence[Effect]
    created_at: datetime
    failed_at: datetime
    attempts: int
    last_error: str
    listing_id: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None


@dataclass(frozen=True, slots=True)
class MileageDebit:
    buyer_id: str
    currency: str
    amount: int


@dataclass(frozen=True, slots=True)
class SpendCharge:
    """Money spent on chances, counted in one of the person's spend windows; with a limit the
    count must leave ``room`` (limit − amount) or less before it, so racing purchases cannot
    pass the limit together."""

    user_id: str
    window: str  # domain.play.Window.key
    amount: int
    room: int | None  # None: no limit in this window


@dataclass(frozen=True, slots=True)
class QuotaMove:
    """One update of a quota shard. ``take`` needs the shard open with that many left (when the
    listing has a cap); ``paid`` needs it open; ``give`` and ``close`` always apply."""

    listing_id: str
    shard: int
    take: int = 0
    give: int = 0
    paid: int = 0
    close: bool = False
    free: int = 0  # free entries counted (needs the shard open; takes nothing of the cap)
    capped: bool = True  # False: the listing has no cap, the shard counts only what is paid
    # the close freezes the count it read: a payment that lands in between cancels the close,
    # which reads again (None: no condition on the count)
    expect_paid: int | None = None


def merged(moves: Sequence[QuotaMove]) -> list[QuotaMove]:
    """One move per shard: a transaction may name an item once (releasing two holds of one
    buyer gives back to the same shard twice)."""
    by_shard: dict[tuple[str, int], QuotaMove] = {}
    for m in moves:
        key = (m.listing_id, m.shard)
        seen = by_shard.get(key)
        if seen is None:
            by_shard[key] = m
            continue
        by_shard[key] = QuotaMove(
            m.listing_id,
            m.shard,
            take=seen.take + m.take,
            give=seen.give + m.give,
            paid=seen.paid + m.paid,
            close=seen.close or m.close,
            free=seen.free + m.free,
            capped=seen.capped and m.capped,
            expect_paid=seen.expect_paid if seen.expect_paid is not None else m.expect_paid,
        )
    return list(by_shard.values())


def merged_counts(counts: Sequence[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """One update per counter item (a transaction names an item once); zero deltas dropped."""
    by_key: dict[tuple[str, str], int] = {}
    for user, counter, delta in counts:
        by_key[(user, counter)] = by_key.get((user, counter), 0) + delta
    return [(u, c, d) for (u, c), d in by_key.items() if d]


@dataclass(frozen=True, slots=True)
class NewQuotaShard:
    listing_id: str
    shard: int
    cap: int | None  # None: the listing has no cap


@dataclass
class Change:
    listing: ListingRecord | None = None  # saved if its version is still the one read
    new_listing: bool = False
    # saved if their version is still the one read (version 1: must not exist yet)
    buyers: list[BuyerRecord] = field(default_factory=list)
    quota: list[QuotaMove] = field(default_factory=list)
    new_quota: list[NewQuotaShard] = field(default_factory=list)
    profiles: list[ProfileRecord] = field(default_factory=list)
    secrets: list[DrawSecret] = field(default_factory=list)
    payouts: list[PayoutRecord] = field(default_factory=list)
    # listing id → its entry in the operator's "needs attention" list, or None to remove it
    attention: dict[str, Attention | None] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)
    dedupe: list[str] = field(default_factory=list)  # event keys that must not have been seen
    mileage_debits: list[MileageDebit] = field(default_factory=list)
    # a person's standing saved over the version read (version 1: must not exist yet) ...
    standing: StandingRecord | None = None
    # ... or only checked: (user id, the version read; 0 when there was none)
    standing_read: tuple[str, int] | None = None
    person_claims: list[tuple[str, str]] = field(default_factory=list)  # (person, user): new
    spends: list[SpendCharge] = field(default_factory=list)
    harm: HarmSignal | None = None  # new: once per person, currency and week
    # (user id, counter, delta): the operator's counts (verified, limits, breaks, exclusions)
    play_counts: list[tuple[str, str, int]] = field(default_factory=list)
    # a complaint saved over the version read (None: new), with what it tells in the outbox
    complaint: tuple[ComplaintRecord, int | None] | None = None
    # what was decided, reported once the change is written (telemetry.py)
    decisions: list[Decision] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def listing_id(self) -> str | None:
        """The listing this change is about, if any (its effects are filed under it)."""
        if self.listing is not None:
            return self.listing.listing_id
        return next((j.listing_id for j in self.journal if j.listing_id), None)
