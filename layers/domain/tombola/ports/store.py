"""What the application services need from the outside (implemented in tombola.adapters)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from tombola.domain.ledger import JournalEntry
from tombola.domain.provider_match import RefundReceipt
from tombola.domain.quota import ShardState
from tombola.state.changes import Change, DeadEffects, Effect, PendingEffects
from tombola.state.records import (
    Attention,
    BuyerRecord,
    ComplaintRecord,
    Delivery,
    DrawSecret,
    HarmSignal,
    ListingRecord,
    NoteRecord,
    PayoutRecord,
    ProfileRecord,
    RefusedAccount,
    StandingRecord,
)


class Store(Protocol):
    def get_listing(self, listing_id: str) -> ListingRecord | None: ...

    # Pages of an index: each record with its position (where a page ending with it goes on),
    # and the position after the page (None: the end). Positions are the store's; the services
    # hand them out sealed (tombola.cursors).
    def list_listings(
        self, status: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]: ...

    def listings_of_seller(
        self, seller_id: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]: ...

    def decided_disputes(
        self, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        """The listings whose dispute the operator decided, newest decision first."""
        ...

    def due_listing_ids(self, now: datetime) -> Sequence[str]: ...

    def get_buyer(self, listing_id: str, partition: int, buyer_id: str) -> BuyerRecord | None: ...

    def buyers_of_listing(self, listing_id: str, partitions: int) -> Iterator[BuyerRecord]: ...

    def buyers_in_partition(
        self, listing_id: str, partition: int, cursor: str | None = None, limit: int | None = None
    ) -> tuple[list[BuyerRecord], str | None]: ...

    def buyer_records_of(
        self, buyer_id: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, BuyerRecord]], str | None]: ...

    def quota(self, listing_id: str, shards: Iterable[int]) -> list[ShardState]: ...

    def put_draw(
        self,
        listing_id: str,
        order: Sequence[str],
        tickets: Sequence[tuple[str, str]],
        paths: Sequence[Sequence[bytes]] = (),
        ranks: Mapping[str, bytes] | None = None,
    ) -> None: ...

    def ticket_chunk(
        self, listing_id: str, ticket_id: str
    ) -> tuple[int, list[tuple[str, str]], list[bytes]] | None: ...

    def order_chunk_at(self, listing_id: str, rank: bytes) -> tuple[int, list[str]] | None:
        """The order chunk whose first buyer's best rank is the last at or below ``rank``."""
        ...

    def draw_order(self, listing_id: str, start: int, count: int) -> list[str]: ...

    def draw_tickets(self, listing_id: str, page: int) -> tuple[list[tuple[str, str]], bool]: ...

    def expired_holds(
        self, now: datetime, listing_id: str | None = None
    ) -> list[tuple[str, str]]: ...

    def get_profile(self, user_id: str) -> ProfileRecord | None: ...

    def put_profile(self, profile: ProfileRecord) -> None: ...

    def save_profile(self, profile: ProfileRecord, read: int | None) -> bool:
        """Written over the version it was read at (None: there was none); False, and nothing
        written, when another save came first."""
        ...

    # responsible play (services/play.py)
    def get_standing(self, user_id: str) -> StandingRecord | None: ...

    def person_holder(self, person: str) -> str | None:
        """The account verified as this person, if any."""
        ...

    def spent(self, user_id: str, windows: Sequence[str]) -> dict[str, int]:
        """What the person spent in each window (0 for one with nothing)."""
        ...

    def add_refused_account(self, refused: RefusedAccount) -> None: ...

    def play_counts(self) -> dict[str, int]:
        """The operator's counters summed over their shards (verified, limits, break#<end>,
        exclusion#<end>)."""
        ...

    def harm_signals(self, limit: int = 100) -> list[HarmSignal]:
        """Newest first."""
        ...

    def refused_accounts(self, limit: int = 100) -> list[RefusedAccount]:
        """Newest first."""
        ...

    # complaints (services/complaints.py)
    def save_complaint(self, complaint: ComplaintRecord, read: int | None) -> bool:
        """Written over the version read (None: must be new); False when another came first."""
        ...

    def get_complaint(self, user_id: str, complaint_id: str) -> ComplaintRecord | None: ...

    def complaints_of(self, user_id: str, limit: int = 50) -> list[ComplaintRecord]:
        """The person's complaints, newest first."""
        ...

    def complaint_queue(self, *, answered: bool, limit: int = 100) -> list[ComplaintRecord]:
        """Open ones oldest first; answered ones newest answer first."""
        ...

    def get_secret(self, listing_id: str) -> DrawSecret | None: ...

    def needing_attention(self) -> Sequence[tuple[str, Attention]]: ...

    def sweep_cursor(self, name: str) -> str | None:
        """Where a scheduled sweep stopped last time; None: at the start."""
        ...

    def save_sweep_cursor(self, name: str, cursor: str | None) -> None: ...

    def issued_payouts(self, limit: int = 500) -> list[PayoutRecord]: ...

    def paid_payouts(self, limit: int = 100) -> list[PayoutRecord]:
        """The payouts confirmed paid, newest first: the operator's history."""
        ...

    def get_payout(self, payout_id: str) -> PayoutRecord | None: ...

    def journal_of_listing(self, listing_id: str) -> Sequence[JournalEntry]: ...

    def mileage_balance(self, buyer_id: str, currency: str) -> int: ...

    def commit(self, change: Change) -> list[str] | None:
        """Write all or nothing, effects into the outbox; return their outbox ids. None when a
        dedupe or journal key shows the event was applied before; raises Conflict when the
        listing changed since it was read."""
        ...

    def complete_effects(self, outbox_id: str) -> None: ...

    def pending_effects(self, older_than_seconds: int = 0) -> Sequence[PendingEffects]:
        """Outbox items due for the sweep ``older_than_seconds`` ago or earlier."""
        ...

    def retry_effects(
        self, batch: PendingEffects, failed: Sequence[Effect], due: datetime, error: str
    ) -> bool:
        """Replace the batch by one holding only ``failed``, one attempt more, due at ``due``;
        False when another runner replaced or completed it first."""
        ...

    def bury_effects(
        self, batch: PendingEffects, failed: Sequence[Effect], error: str
    ) -> list[str] | None:
        """Move ``failed`` off the outbox to the dead letters, one per effect; None when
        another runner replaced or completed the batch first."""
        ...

    def dead_effects(self, *, resolved: bool = False, limit: int = 100) -> Sequence[DeadEffects]:
        """Open ones, oldest first; or the resolved history, newest first."""
        ...

    def get_dead_effects(self, dead_id: str) -> DeadEffects | None: ...

    def revive_dead_effects(self, dead_id: str) -> bool:
        """Back to the outbox with fresh attempts; False when it is not (or no longer) dead."""
        ...

    def resolve_dead_effects(self, dead_id: str, operator_id: str, note: str) -> bool: ...

    def credit_mileage(self, buyer_id: str, currency: str, amount: int, key: str) -> bool: ...

    # reconciliation (tombola/reconciliation.py)
    def journal_entries(
        self, keys: Sequence[tuple[str | None, str]]
    ) -> dict[str, JournalEntry]: ...

    def keep_refund_receipt(self, receipt: RefundReceipt) -> bool: ...

    def refund_receipts(self, refund_ids: Sequence[str]) -> dict[str, RefundReceipt]: ...

    def recorded_on(self, day: str) -> Iterator[JournalEntry | RefundReceipt]:
        """What the day's journal entries and refund receipts name of the provider's records."""
        ...

    # ------------------------------------------------------------ what people were told
    def add_note(self, note: NoteRecord) -> NoteRecord:
        """Keep a note once per person and notice: the stored one when it was kept before
        (whatever its note id, which says when it first arrived)."""
        ...

    def get_note(self, user_id: str, note_id: str) -> NoteRecord | None: ...

    def move_delivery(
        self, user_id: str, note_id: str, channel: str, was: str, now: Delivery, *, listed: bool
    ) -> bool:
        """Set one channel's delivery if its state is still ``was`` (False otherwise), and put
        the note on the operator's undelivered list (``listed``) or take it off."""
        ...

    def notes_of(self, user_id: str, limit: int, before: str | None = None) -> Sequence[NoteRecord]:
        """A person's notes, newest first, older than note id ``before`` when given."""
        ...

    def unread_notes(self, user_id: str, cap: int) -> int:
        """How many notes came after the ones read (counted up to ``cap``)."""
        ...

    def read_upto(self, user_id: str) -> str | None: ...

    def mark_read(self, user_id: str, note_id: str) -> bool:
        """Everything up to ``note_id`` is read; never moves back (False: it was further)."""
        ...

    def undelivered_notes(self, limit: int) -> Sequence[NoteRecord]:
        """Notes a channel failed for, newest first: the operator's list."""
        ...

    # ------------------------------------------------------------ sellers' completed sales
    def count_sale(self, seller_id: str, listing_id: str) -> bool:
        """Count one more completed sale for the seller, once per listing for ever (the
        listing's own record and the counter in one transaction); False when it was counted."""
        ...

    def completed_sales(self, seller_ids: Sequence[str]) -> dict[str, int]:
        """Each seller's count of completed sales (0 for one with none)."""
        ...
