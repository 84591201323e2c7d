"""What is stored: listings, entries, profiles, draw secrets. Pydantic models so that the store
adapter and the API serialize them the same way; rules stay in the pure modules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tombola.domain.bookings import Funding, TicketPayment
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.money import Money
from tombola.domain.pricing import PriceTerms, SurplusPolicy
from tombola.domain.responsible import PendingLimits, SpendLimits
from tombola.domain.tickets import TicketPolicy


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class Durations(Record):
    """Seconds each wait of the state machine may last."""

    second_payment: int
    ship: int
    delivery: int
    confirm: int
    resolution: int


class Shipment(Record):
    carrier: str
    tracking_number: str
    shipped_at: datetime
    corrected_at: datetime | None = None  # the seller corrected what they typed
    corrections: int = 0  # how often (bounded: each tells the buyer)


class WaitRecord(Record):
    token: str
    candidate: str | None = None


class Attention(Record):
    """A listing whose execution stopped with money held: what failed, for the operator."""

    error: str
    cause: str = ""
    execution: str
    at: datetime


class ListingRecord(Record):
    listing_id: str
    seller_id: str
    title: str
    description: str = ""
    currency: str
    price: int
    expected_entrants: int
    first_payment: int
    fee: int
    deposit: int
    surplus_policy: SurplusPolicy
    mileage_bps: int
    ticket_limit: int
    close_when_full: bool
    closes_at: datetime
    hold_seconds: int
    durations: Durations
    status: ListingStatus
    version: int = 0
    created_at: datetime
    commitment: str
    request_fingerprint: str | None = None  # of the body, when created under an Idempotency-Key
    deposit_payment_id: str | None = None
    deposit_due_at: datetime | None = None  # unpaid by then: cancelled (None: closes_at)
    # where the per-ticket writes go (docs/DATA_MODEL.md): fixed at creation
    quota_shards: int = 1
    entry_partitions: int = 1
    # entries, frozen at close (while open the quota shards count them)
    paid_tickets: int = 0
    free_tickets: int = 0  # the free route's, in the draw beside the paid (set by the draw)
    closed_at: datetime | None = None
    # draw: the order itself is in draw chunks; the head keeps how far it went
    draw_version: str = "draw-v1"  # listings from before draw-v2 keep their version
    # draw-v2: the beacon's chain and the round fixed at publish (domain/beacon.py), the margin
    # it was fixed with; at close the entries' Merkle root; at the draw the round used
    beacon_chain: dict[str, object] | None = None
    beacon_planned: int | None = None
    beacon_margin: int = 0
    entries_root: str | None = None
    entries_count: int = 0  # the tree's leaves: every ticket in the draw, paid and free
    sealed_at: datetime | None = None  # when E, the root and the round to wait for were published
    beacon_round: int | None = None  # the round the draw waits for (fixed when the entries are)
    beacon_note: str | None = None  # why it is not the planned one
    beacon_signature: str | None = None  # the round used, once drawn
    beacon_used: int | None = None
    entries_digest: str | None = None
    buyers: int = 0  # buyers in the order
    drawn_count: int = 0  # order[:drawn_count] have been candidates
    seed: str | None = None  # revealed with the first candidate
    candidate: str | None = None
    candidate_due_at: datetime | None = None
    forfeit_requested: str | None = None
    second_payment_due: int = 0
    # sale
    final_buyer: str | None = None
    second_payment_paid: int = 0
    second_payment_id: str | None = None
    shipment: Shipment | None = None
    delivered_at: datetime | None = None
    tracking_events: list[dict[str, str]] = Field(default_factory=list)
    dispute_reason: str | None = None
    # the dispute's evidence: the final buyer's photos (served keys, at most
    # domain/photos.MAX_DISPUTE_PHOTOS) and the upload forms issued for them, used or not
    dispute_photos: list[str] = Field(default_factory=list)
    dispute_photo_forms: int = 0
    # the seller's one answer to the dispute, and when it was given
    dispute_answer: str | None = None
    dispute_answered_at: datetime | None = None
    resolution: str | None = None
    resolved_at: datetime | None = None  # when the operator decided the dispute (its history)
    resolved_by: str | None = None  # the operator who decided it
    outcome: str | None = None
    outcome_reason: str | None = None
    settling: str | None = None  # the outcome being settled, fixed before the chunks post
    settling_reason: str | None = None
    waits: dict[str, WaitRecord] = Field(default_factory=dict)
    stage_due_at: dict[str, datetime] = Field(default_factory=dict)
    reached: dict[str, datetime] = Field(default_factory=dict)  # status → when last reached
    # recovery
    execution_name: str | None = None  # None: the first execution, named after the listing
    resumes: int = 0
    auto_resumes: int = 0  # by the sweep, while the status stayed auto_resume_status
    auto_resume_status: str | None = None
    attention: Attention | None = None
    # the photos' served object keys, in the order added (bounded: domain/photos.MAX_PHOTOS)
    photos: list[str] = Field(default_factory=list)
    # upload forms issued for it, used or not (bounded: domain/photos.MAX_UPLOAD_FORMS)
    photo_forms: int = 0

    @property
    def execution(self) -> str:
        return self.execution_name or self.listing_id

    @property
    def due_at(self) -> datetime:
        """When the listing's next step is due without anyone acting: the deposit's expiry
        while it is unpaid, else the close."""
        if self.status is ListingStatus.AWAITING_DEPOSIT and self.deposit_due_at is not None:
            return min(self.deposit_due_at, self.closes_at)
        return self.closes_at

    def hold_expiry(self, now: datetime) -> datetime:
        """When a hold made now expires: after the listing's hold time, never past its close
        (the checkout expires with it, so nobody pays for tickets of a closed listing)."""
        return min(now + timedelta(seconds=self.hold_seconds), self.closes_at)

    @property
    def terms(self) -> PriceTerms:
        return PriceTerms(
            Money(self.price, self.currency),
            self.expected_entrants,
            Money(self.first_payment, self.currency),
            Money(self.fee, self.currency),
        )

    def ticket_policy(self) -> TicketPolicy:
        return TicketPolicy(
            capacity=self.expected_entrants,
            per_buyer_limit=self.ticket_limit,
            close_when_full=self.close_when_full,
            hold_ttl=timedelta(seconds=self.hold_seconds),
        )

    def money(self, amount: int) -> Money:
        return Money(amount, self.currency)


class EntryStatus(StrEnum):
    PENDING = "pending"  # held, waiting for the card payment
    PAID = "paid"
    REFUNDED = "refunded"  # paid after its hold could no longer be honoured
    EXPIRED = "expired"


class EntryRecord(Record):
    entry_id: str
    listing_id: str
    buyer_id: str
    tickets: int
    amount: int
    currency: str
    funding: Funding
    status: EntryStatus
    created_at: datetime
    expires_at: datetime
    payment_id: str | None = None
    checkout_id: str | None = None
    ticket_ids: list[str] = Field(default_factory=list)
    request_fingerprint: str | None = None
    shards: dict[str, int] = Field(default_factory=dict)  # quota this entry holds, per shard

    def payment(self) -> TicketPayment:
        return TicketPayment(
            self.payment_id or self.entry_id,
            self.buyer_id,
            self.tickets,
            Money(self.amount, self.currency),
            self.funding,
        )


MAX_ENTRIES_PER_BUYER = 30


class BuyerRecord(Record):
    """One buyer on one listing: their entries there (bounded by the ticket limit and
    MAX_ENTRIES_PER_BUYER), and whether they passed as candidate."""

    listing_id: str
    buyer_id: str
    partition: int
    version: int = 0
    entries: dict[str, EntryRecord] = Field(default_factory=dict)
    forfeited: bool = False
    passed_at: datetime | None = None  # when their turn as candidate passed (the timeline's)

    def paid(self) -> list[EntryRecord]:
        return [e for e in self.entries.values() if e.status is EntryStatus.PAID]

    def paid_tickets(self) -> int:
        """Tickets in the draw, free ones too (the per-person limit counts them)."""
        return sum(e.tickets for e in self.paid())

    def bought(self) -> list[EntryRecord]:
        """Paid entries that moved money (not the free route's): what settlement books."""
        return [e for e in self.paid() if e.funding is not Funding.FREE]

    def bought_tickets(self) -> int:
        return sum(e.tickets for e in self.bought())

    def free_entries(self) -> int:
        return sum(1 for e in self.paid() if e.funding is Funding.FREE)

    def pending(self) -> list[EntryRecord]:
        """Entries whose hold still reserves tickets (expired ones too, until released)."""
        return [e for e in self.entries.values() if e.status is EntryStatus.PENDING]

    def held_tickets(self) -> int:
        return sum(e.tickets for e in self.pending())

    def next_expiry(self) -> datetime | None:
        return min((e.expires_at for e in self.pending()), default=None)

    def forget_old(self) -> None:
        """Drop the oldest released holds beyond MAX_ENTRIES_PER_BUYER (they moved no money)."""
        released = sorted(
            (e for e in self.entries.values() if e.status is EntryStatus.EXPIRED),
            key=lambda e: e.created_at,
        )
        while len(self.entries) > MAX_ENTRIES_PER_BUYER and released:
            del self.entries[released.pop(0).entry_id]


class RefundAccount(Record):
    bank: str  # PortOne's bank code
    number: str  # digits
    holder_name: str


class PayoutAccount(Record):
    bank: str  # the bank's three-digit code (tombola.domain.banks)
    number: str  # digits
    holder_name: str


# A seller's payout account: a bank, number and holder; a string is one kept as free text before
# payout accounts were structured (read, shown masked by its digits, never written any more).
PayoutAccountKept = PayoutAccount | str


class ProfileRecord(Record):
    user_id: str
    name: str
    email: str
    phone: str
    address: str
    payout_account: PayoutAccountKept | None = None
    refund_account: RefundAccount | None = None  # for refunds of virtual-account payments
    version: int = 0  # each save over the version it read (two saves never lose one another)


class StandingRecord(Record):
    """What a person's play rests on (docs/RULES.md, "Responsible play"): their verification
    (a keyed hash of the provider's person id and the birth date, never the raw id), the
    spend limits they chose per currency (a raise waiting its 24 hours), a break and a
    self-exclusion. Saved over the version read; a purchase is conditioned on that version."""

    user_id: str
    version: int = 0
    person: str | None = None  # hmac(pseudonym key, "person|" + CI): one account per person
    verified_at: datetime | None = None
    birth_date: date | None = None
    limits: dict[str, SpendLimits] = Field(default_factory=dict)  # currency → limits in force
    raises: dict[str, PendingLimits] = Field(default_factory=dict)  # currency → waiting raise
    break_until: datetime | None = None
    excluded_until: datetime | None = None

    def limits_at(self, currency: str, now: datetime) -> SpendLimits | None:
        waiting = self.raises.get(currency)
        if waiting is not None and waiting.effective_at <= now:
            return waiting.limits
        return self.limits.get(currency)


ComplaintTopic = Literal["account", "payment", "draw", "listing", "limits", "other"]


class ComplaintRecord(Record):
    """A complaint to the operator (not a goods dispute): what the person wrote, and the
    operator's answer. Saved over the version read."""

    user_id: str
    complaint_id: str  # <opened, compact UTC>-<random>: a person's complaints in time order
    version: int = 1
    topic: ComplaintTopic
    text: str
    listing_id: str | None = None
    opened_at: datetime
    request_fingerprint: str | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None

    @property
    def open(self) -> bool:
        return self.answered_at is None


class HarmSignal(Record):
    """A person whose spending rose sharply week over week (services/play.py): the operator's
    list, once per person, currency and week, written with the purchase that crossed it."""

    user_id: str
    currency: str
    week: str  # the spend window's key, e.g. KRW#W2026-W49
    spent: int  # this week, the purchase included
    previous: int  # the week before
    at: datetime


class RefusedAccount(Record):
    """An account refused verification because the person holds another (the operator's list:
    the two account ids and when, nothing of the person)."""

    user_id: str
    holder_id: str
    at: datetime


# "dismissed": the operator took a failed (or stuck) channel off their list, the person told
# another way or nothing left to tell
DeliveryState = Literal["pending", "sending", "sent", "failed", "none", "dismissed"]


class Delivery(Record):
    """One channel of one note: pending → sending (claimed, so it is tried once) → sent or
    failed; "none" when the person gave no address for it."""

    state: DeliveryState
    error: str = ""
    at: datetime | None = None


class NoteRecord(Record):
    """What the product told one person, once per notice: the in-app copy (the channel that
    cannot fail) and how each other channel went. ``note_id`` orders a person's notes in time."""

    user_id: str
    note_id: str  # <when it reached the person>#<notice>: a person's notes in arrival order
    notice: str  # the notice's digest: one note per person and notice
    kind: str  # the domain event's type: SecondPaymentDue, Shipped …
    listing_id: str | None = None
    title: str = ""
    facts: dict[str, str | int] = Field(default_factory=dict)  # amount, due_at … for the words
    at: datetime  # when the notice was decided
    channels: dict[str, Delivery] = Field(default_factory=dict)  # "email", "sms"


class PayoutRecord(Record):
    """A payout we asked the provider to make; ``payout.paid`` must match it exactly."""

    payout_id: str
    listing_id: str
    listing_title: str | None = None  # the item, as listed (payouts issued before: none)
    seller_id: str
    amount: int
    currency: str
    status: str = "issued"  # issued | paid
    issued_at: datetime
    paid_at: datetime | None = None
    # how the transfer is known: the operator's bank reference, or the provider's payout id
    transfer_reference: str | None = None
    # Where the transfer goes: the seller's payout account when the payout was issued (the
    # store fills it in from the profile as it writes the issued payout), whatever the seller
    # changes in their profile afterwards.
    payout_account: PayoutAccountKept | None = None


class DrawSecret(Record):
    listing_id: str
    seed: str  # hex; published only when the first candidate is drawn
