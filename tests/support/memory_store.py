"""The Store in memory, with DynamoStore's semantics (tombola/adapters/dynamo.py), for the fast
test tier. tests/contract runs the same tests on both, so the two cannot drift apart.

What it keeps of DynamoDB, item for item:
- ``commit`` is one transaction: every condition is checked, then everything is written or
  nothing. A listing or buyer is written over exactly the version it was read at (version 1 /
  ``new_listing``: must not exist); a journal entry, dedupe marker, new quota shard, draw seed
  and issued payout must not exist yet; a paid payout must be issued; a quota move needs its
  shard (open to take or pay, enough left when capped, ``expect_paid`` as read); a mileage debit
  needs the balance. A failed dedupe or journal condition → None (applied before); mileage →
  InsufficientBalance; only quota moves → QuotaShort; anything else → Conflict. The same item
  twice in one change, or more than 100 items, is refused as DynamoDB refuses it
  (InvalidTransaction, not a domain error).
- Reads return fresh records (stored as JSON, as the table stores them).
- Index pages order as the table's indexes do and give positions of the same shape; a page
  goes on only when more items follow (as moto answers).
- Dedupe markers live until ``forget_expired`` (DynamoDB's TTL; moto never expires them).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from tombola.domain import draw, merkle
from tombola.domain.errors import (
    BadCursor,
    Conflict,
    InsufficientBalance,
    QuotaShort,
    SamePerson,
    SpendShort,
)
from tombola.domain.ledger import JournalEntry
from tombola.domain.provider_match import RefundReceipt
from tombola.domain.quota import (
    HOLD_INDEX_PARTITIONS,
    JOURNAL_PARTITIONS,
    OUTBOX_PARTITIONS,
    ShardState,
    bucket,
)
from tombola.ports.clock import Clock
from tombola.state.changes import (
    Change,
    DeadEffects,
    Effect,
    PendingEffects,
    QuotaMove,
    effect_batches,
    merged,
    merged_counts,
)
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

DRAW_CHUNK = draw.ORDER_CHUNK  # buyers per order chunk (as DynamoStore)
TICKET_CHUNK = merkle.CHUNK  # tickets per ticket chunk (as DynamoStore)
DEDUPE_TTL = timedelta(days=30)
OUTBOX_GRACE = timedelta(seconds=60)
MAX_TRANSACTION_ITEMS = 100
_effects = TypeAdapter(list[Effect])


class InvalidTransaction(Exception):
    """What DynamoDB answers ValidationException to: the same item twice in one transaction,
    or more than 100 items. A bug in the change, not a business outcome."""


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class _OutboxItem:
    effects: str  # JSON, as the table keeps it
    created_at: datetime
    attempts: int
    last_error: str | None
    listing_id: str | None


@dataclass(frozen=True)
class _Write:
    kind: str  # as DynamoStore names the item's part in the transaction
    item: tuple[str, ...]  # the item's identity: the same one twice is refused
    ok: bool  # its condition holds
    apply: Callable[[], None]


def _dump(effects: Sequence[Effect]) -> str:
    return json.dumps(_effects.dump_python(list(effects), mode="json"))


def _position(sort_key: str, pk: str, sk: str) -> str:
    return json.dumps([sort_key, pk, sk])


def _after(position: str) -> tuple[str, str, str]:
    try:
        parts = json.loads(position)
    except ValueError:
        parts = None
    if not (isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)):
        raise BadCursor("cursor is not one this API gave", field="cursor")
    return parts[0], parts[1], parts[2]


Row = tuple[str, str, str, Any]  # index sort key, table pk, table sk, the record


def _page(
    rows: list[Row], limit: int, after: str | None, *, newest_first: bool = False
) -> tuple[list[tuple[str, Any]], str | None]:
    """One page of an index partition, as DynamoStore._index_page returns it."""
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2]), reverse=newest_first)
    if after is not None:
        start = _after(after)
        if newest_first:
            rows = [r for r in rows if (r[0], r[1], r[2]) < start]
        else:
            rows = [r for r in rows if (r[0], r[1], r[2]) > start]
    page = rows[:limit]
    more = len(rows) > limit
    return [(_position(*r[:3]), r[3]) for r in page], (
        _position(*page[-1][:3]) if more and page else None
    )


class MemoryStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self._listings: dict[str, dict[str, Any]] = {}
        self._buyers: dict[tuple[str, int, str], dict[str, Any]] = {}
        self._quota: dict[tuple[str, int], ShardState] = {}
        self._draws: dict[tuple[str, str], Any] = {}  # (listing, ORDER#n | TICKETS#n) → chunk
        self._profiles: dict[str, dict[str, Any]] = {}
        self._secrets: dict[str, dict[str, Any]] = {}
        self._attention: dict[str, dict[str, Any]] = {}
        self._sweeps: dict[str, str] = {}
        self._payouts: dict[str, dict[str, Any]] = {}
        # (listing id or "-", key) → the entry and when it was posted: the table's item key
        self._journal: dict[tuple[str, str], tuple[JournalEntry, datetime]] = {}
        self._dedupe: dict[str, int] = {}  # key → its TTL (epoch seconds)
        self._credits: set[str] = set()
        self._mileage: dict[tuple[str, str], int] = {}
        self._receipts: dict[str, RefundReceipt] = {}
        self._outbox: dict[str, _OutboxItem] = {}  # outbox id → item
        self._dead: dict[str, DeadEffects] = {}  # open
        self._notes: dict[tuple[str, str], dict[str, Any]] = {}  # (user, note id) → note
        self._undelivered: set[tuple[str, str]] = set()
        self._read_upto: dict[str, str] = {}
        self._seen: dict[tuple[str, str], str] = {}  # (user, notice) → its note id
        self._standings: dict[str, dict[str, Any]] = {}
        self._persons: dict[str, str] = {}  # person → the account verified as them
        self._spent: dict[tuple[str, str], int] = {}  # (user, window) → spent
        self._refused: dict[str, RefusedAccount] = {}
        self._complaints: dict[tuple[str, str], dict[str, Any]] = {}
        self._counts: dict[str, int] = {}
        self._harm: dict[tuple[str, str], HarmSignal] = {}
        self._resolved: dict[str, DeadEffects] = {}

    # ------------------------------------------------------------------ listings
    def get_listing(self, listing_id: str) -> ListingRecord | None:
        with self._lock:
            data = self._listings.get(listing_id)
        return ListingRecord.model_validate(data) if data else None

    def _heads(self) -> list[ListingRecord]:
        with self._lock:
            stored = list(self._listings.values())
        return [ListingRecord.model_validate(d) for d in stored]

    @staticmethod
    def _by_status(listing: ListingRecord) -> Row:
        key = f"{iso(listing.due_at)}#{listing.listing_id}"
        return key, f"LISTING#{listing.listing_id}", "META", listing

    def list_listings(
        self, status: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        rows = [self._by_status(h) for h in self._heads() if h.status.value == status]
        return _page(rows, limit, after)

    def listings_of_seller(
        self, seller_id: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        rows: list[Row] = [
            (iso(h.created_at), f"LISTING#{h.listing_id}", "META", h)
            for h in self._heads()
            if h.seller_id == seller_id
        ]
        return _page(rows, limit, after, newest_first=True)

    def decided_disputes(
        self, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        """The sparse DECIDED_DISPUTES index: heads whose dispute was decided, newest first."""
        rows: list[Row] = [
            (f"{iso(h.resolved_at)}#{h.listing_id}", f"LISTING#{h.listing_id}", "META", h)
            for h in self._heads()
            if h.resolution is not None and h.resolved_at is not None
        ]
        return _page(rows, limit, after, newest_first=True)

    def due_listing_ids(self, now: datetime) -> Sequence[str]:
        ids: list[str] = []
        heads = self._heads()
        for status in ("open", "awaiting_deposit"):
            rows = sorted(self._by_status(h) for h in heads if h.status.value == status)
            ids.extend(r[3].listing_id for r in rows if r[0] <= iso(now) + "~")
        return ids

    # ------------------------------------------------------------------ buyers
    def get_buyer(self, listing_id: str, partition: int, buyer_id: str) -> BuyerRecord | None:
        with self._lock:
            data = self._buyers.get((listing_id, partition, buyer_id))
        return BuyerRecord.model_validate(data) if data else None

    def buyers_in_partition(
        self, listing_id: str, partition: int, cursor: str | None = None, limit: int | None = None
    ) -> tuple[list[BuyerRecord], str | None]:
        with self._lock:
            ids = sorted(b for (lid, p, b) in self._buyers if lid == listing_id and p == partition)
            if cursor is not None:
                ids = [b for b in ids if b > cursor]
            page = ids if limit is None else ids[:limit]
            out = [
                BuyerRecord.model_validate(self._buyers[(listing_id, partition, b)]) for b in page
            ]
        more = limit is not None and len(ids) > limit
        return out, (page[-1] if more else None)

    def buyers_of_listing(self, listing_id: str, partitions: int) -> Iterator[BuyerRecord]:
        for partition in range(partitions):
            yield from self.buyers_in_partition(listing_id, partition)[0]

    def buyer_records_of(
        self, buyer_id: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, BuyerRecord]], str | None]:
        with self._lock:
            rows: list[Row] = [
                (lid, f"ENTRIES#{lid}#{p}", f"BUYER#{b}", BuyerRecord.model_validate(data))
                for (lid, p, b), data in self._buyers.items()
                if b == buyer_id
            ]
        return _page(rows, limit, after)

    def expired_holds(self, now: datetime, listing_id: str | None = None) -> list[tuple[str, str]]:
        found: list[tuple[int, str, str, str]] = []
        with self._lock:
            buyers = [BuyerRecord.model_validate(d) for d in self._buyers.values()]
        for b in buyers:
            due = b.next_expiry()
            if due is None:
                continue
            sort_key = f"{iso(due)}#{b.listing_id}#{b.buyer_id}"
            if sort_key <= iso(now) + "~" and listing_id in (None, b.listing_id):
                h = bucket(f"{b.listing_id}|{b.buyer_id}", HOLD_INDEX_PARTITIONS)
                found.append((h, sort_key, b.listing_id, b.buyer_id))
        return [(lid, bid) for _, _, lid, bid in sorted(found)]

    # ------------------------------------------------------------------ quota and draw
    def quota(self, listing_id: str, shards: Iterable[int]) -> list[ShardState]:
        with self._lock:
            found = [self._quota.get((listing_id, k)) for k in shards]
        return [s for s in found if s is not None]

    def put_draw(
        self,
        listing_id: str,
        order: Sequence[str],
        tickets: Sequence[tuple[str, str]],
        paths: Sequence[Sequence[bytes]] = (),
        ranks: Mapping[str, bytes] | None = None,
    ) -> None:
        with self._lock:
            for n, start in enumerate(range(0, len(order), DRAW_CHUNK)):
                self._draws[(listing_id, f"ORDER#{n:06d}")] = list(
                    order[start : start + DRAW_CHUNK]
                )
                if ranks is not None:
                    self._draws[(listing_id, f"RANKAT#{ranks[order[start]].hex()}")] = n
            for n, start in enumerate(range(0, len(tickets), TICKET_CHUNK)):
                chunk = [tuple(t) for t in tickets[start : start + TICKET_CHUNK]]
                self._draws[(listing_id, f"TICKETS#{n:06d}")] = chunk
                self._draws[(listing_id, f"PATH#{n:06d}")] = (
                    list(paths[n]) if n < len(paths) else []
                )
                self._draws[(listing_id, f"TICKETAT#{chunk[0][0]}")] = n

    def _last_at_or_below(self, listing_id: str, prefix: str, value: str) -> int | None:
        starts = sorted(
            (sk[len(prefix) :], n)
            for (lid, sk), n in self._draws.items()
            if lid == listing_id and sk.startswith(prefix)
        )
        at = [n for first, n in starts if first <= value]
        return at[-1] if at else None

    def order_chunk_at(self, listing_id: str, rank: bytes) -> tuple[int, list[str]] | None:
        with self._lock:
            n = self._last_at_or_below(listing_id, "RANKAT#", rank.hex())
            if n is None:
                return None
            return n, list(self._draws[(listing_id, f"ORDER#{n:06d}")])

    def ticket_chunk(
        self, listing_id: str, ticket_id: str
    ) -> tuple[int, list[tuple[str, str]], list[bytes]] | None:
        with self._lock:
            n = self._last_at_or_below(listing_id, "TICKETAT#", ticket_id)
            if n is None:
                return None
            return (
                n,
                list(self._draws[(listing_id, f"TICKETS#{n:06d}")]),
                list(self._draws[(listing_id, f"PATH#{n:06d}")]),
            )

    def draw_order(self, listing_id: str, start: int, count: int) -> list[str]:
        if count <= 0:
            return []
        out: list[str] = []
        first, last = start // DRAW_CHUNK, (start + count - 1) // DRAW_CHUNK
        with self._lock:
            for n in range(first, last + 1):
                chunk = self._draws.get((listing_id, f"ORDER#{n:06d}"))
                if chunk is None:
                    break
                out.extend(chunk)
        offset = start - first * DRAW_CHUNK
        return out[offset : offset + count]

    def draw_tickets(self, listing_id: str, page: int) -> tuple[list[tuple[str, str]], bool]:
        with self._lock:
            chunk = self._draws.get((listing_id, f"TICKETS#{page:06d}"))
            more = (listing_id, f"TICKETS#{page + 1:06d}") in self._draws
        if chunk is None:
            return [], False
        return list(chunk), more

    # ------------------------------------------------------------------ people and operator
    def get_profile(self, user_id: str) -> ProfileRecord | None:
        with self._lock:
            data = self._profiles.get(user_id)
        return ProfileRecord.model_validate(data) if data else None

    def put_profile(self, profile: ProfileRecord) -> None:
        with self._lock:
            self._profiles[profile.user_id] = profile.model_dump(mode="json")

    # ------------------------------------------------------------------ responsible play
    def get_standing(self, user_id: str) -> StandingRecord | None:
        with self._lock:
            data = self._standings.get(user_id)
        return StandingRecord.model_validate(data) if data else None

    def person_holder(self, person: str) -> str | None:
        with self._lock:
            return self._persons.get(person)

    def spent(self, user_id: str, windows: Sequence[str]) -> dict[str, int]:
        with self._lock:
            return {w: self._spent.get((user_id, w), 0) for w in windows}

    def play_counts(self) -> dict[str, int]:
        with self._lock:
            return {k: n for k, n in self._counts.items() if n}

    def harm_signals(self, limit: int = 100) -> list[HarmSignal]:
        with self._lock:
            found = list(self._harm.values())
        return sorted(found, key=lambda h: (h.at, h.user_id), reverse=True)[:limit]

    def add_refused_account(self, refused: RefusedAccount) -> None:
        with self._lock:
            self._refused.setdefault(refused.user_id, refused)

    def refused_accounts(self, limit: int = 100) -> list[RefusedAccount]:
        with self._lock:
            rows = list(self._refused.values())
        return sorted(rows, key=lambda r: (r.at, r.user_id), reverse=True)[:limit]

    # ------------------------------------------------------------------ complaints
    def save_complaint(self, complaint: ComplaintRecord, read: int | None) -> bool:
        at = (complaint.user_id, complaint.complaint_id)
        with self._lock:
            kept = self._complaints.get(at)
            if (kept is None) != (read is None) or (kept is not None and kept["version"] != read):
                return False
            self._complaints[at] = complaint.model_dump(mode="json")
            return True

    def get_complaint(self, user_id: str, complaint_id: str) -> ComplaintRecord | None:
        with self._lock:
            data = self._complaints.get((user_id, complaint_id))
        return ComplaintRecord.model_validate(data) if data else None

    def complaints_of(self, user_id: str, limit: int = 50) -> list[ComplaintRecord]:
        with self._lock:
            mine = [d for (u, _), d in self._complaints.items() if u == user_id]
        found = [ComplaintRecord.model_validate(d) for d in mine]
        return sorted(found, key=lambda c: (c.opened_at, c.complaint_id), reverse=True)[:limit]

    def complaint_queue(self, *, answered: bool, limit: int = 100) -> list[ComplaintRecord]:
        with self._lock:
            every = [ComplaintRecord.model_validate(d) for d in self._complaints.values()]
        chosen = [c for c in every if c.open != answered]

        def when(c: ComplaintRecord) -> tuple[str, str, str]:
            at = c.answered_at or c.opened_at
            return (at.isoformat(), c.user_id, c.complaint_id)

        return sorted(chosen, key=when, reverse=answered)[:limit]

    def save_profile(self, profile: ProfileRecord, read: int | None) -> bool:
        with self._lock:
            kept = self._profiles.get(profile.user_id)
            if (kept is None) != (read is None):
                return False
            if kept is not None and kept.get("version", 0) != read:
                return False
            self._profiles[profile.user_id] = profile.model_dump(mode="json")
            return True

    def get_secret(self, listing_id: str) -> DrawSecret | None:
        with self._lock:
            data = self._secrets.get(listing_id)
        return DrawSecret.model_validate(data) if data else None

    def needing_attention(self) -> Sequence[tuple[str, Attention]]:
        with self._lock:
            rows = sorted(self._attention.items())
        return [(lid, Attention.model_validate(data)) for lid, data in rows]

    def sweep_cursor(self, name: str) -> str | None:
        with self._lock:
            return self._sweeps.get(name)

    def save_sweep_cursor(self, name: str, cursor: str | None) -> None:
        with self._lock:
            if cursor is None:
                self._sweeps.pop(name, None)
            else:
                self._sweeps[name] = cursor

    def issued_payouts(self, limit: int = 500) -> list[PayoutRecord]:
        with self._lock:
            issued = [
                PayoutRecord.model_validate(d)
                for d in self._payouts.values()
                if d["status"] == "issued"
            ]
        keyed = sorted((f"{iso(p.issued_at)}#{p.payout_id}", p) for p in issued)
        return [p for _, p in keyed[:limit]]

    def paid_payouts(self, limit: int = 100) -> list[PayoutRecord]:
        with self._lock:
            paid = [
                PayoutRecord.model_validate(d)
                for d in self._payouts.values()
                if d["status"] == "paid" and d.get("paid_at")
            ]
        keyed = sorted(((iso(p.paid_at), p.payout_id, p) for p in paid if p.paid_at), reverse=True)
        return [p for _, _, p in keyed[:limit]]

    def get_payout(self, payout_id: str) -> PayoutRecord | None:
        with self._lock:
            data = self._payouts.get(payout_id)
        return PayoutRecord.model_validate(data) if data else None

    # ------------------------------------------------------------------ journal and mileage
    def journal_of_listing(self, listing_id: str) -> Sequence[JournalEntry]:
        with self._lock:
            found = [e for (lid, _), (e, _) in self._journal.items() if lid == listing_id]
        return sorted(found, key=lambda e: e.key)

    def all_journal_entries(self) -> list[JournalEntry]:
        with self._lock:
            return [e for e, _ in self._journal.values()]

    def mileage_balance(self, buyer_id: str, currency: str) -> int:
        with self._lock:
            return self._mileage.get((buyer_id, currency), 0)

    def journal_entries(self, keys: Sequence[tuple[str | None, str]]) -> dict[str, JournalEntry]:
        with self._lock:
            found = [self._journal.get((lid or "-", key)) for lid, key in keys]
        return {e.key: e for e, _ in (f for f in found if f is not None)}

    def credit_mileage(self, buyer_id: str, currency: str, amount: int, key: str) -> bool:
        with self._lock:
            if key in self._credits or f"mileage:{key}" in self._dedupe:
                return False
            self._credits.add(key)
            account = (buyer_id, currency)
            self._mileage[account] = self._mileage.get(account, 0) + amount
            return True

    # ------------------------------------------------------------------ reconciliation
    def keep_refund_receipt(self, receipt: RefundReceipt) -> bool:
        with self._lock:
            if receipt.refund_id in self._receipts:
                return False
            self._receipts[receipt.refund_id] = receipt
            return True

    def refund_receipts(self, refund_ids: Sequence[str]) -> dict[str, RefundReceipt]:
        with self._lock:
            return {r: self._receipts[r] for r in refund_ids if r in self._receipts}

    def recorded_on(self, day: str) -> Iterator[JournalEntry | RefundReceipt]:
        """The day's index (16 partitions, each by its sort key), as DynamoStore reads it."""
        found: list[tuple[int, str, JournalEntry | RefundReceipt]] = []
        with self._lock:
            for entry, posted in self._journal.values():
                if entry.provider_ref is not None and f"{posted.astimezone(UTC):%Y-%m-%d}" == day:
                    j = bucket(entry.key, JOURNAL_PARTITIONS)
                    found.append((j, f"journal#{entry.key}", entry))
            for r in self._receipts.values():
                if r.refunded > 0 and f"{r.at.astimezone(UTC):%Y-%m-%d}" == day:
                    found.append(
                        (bucket(r.refund_id, JOURNAL_PARTITIONS), f"refund#{r.refund_id}", r)
                    )
        for _, _, item in sorted(found, key=lambda f: (f[0], f[1])):
            yield item

    # ------------------------------------------------------------------ dedupe
    # ------------------------------------------------------------------ notes
    def add_note(self, note: NoteRecord) -> NoteRecord:
        with self._lock:
            seen = (note.user_id, note.notice)
            if seen not in self._seen:  # the marker is new: the note is written with it
                self._seen[seen] = note.note_id
                self._notes[(note.user_id, note.note_id)] = note.model_dump(mode="json")
            return NoteRecord.model_validate(self._notes[(note.user_id, self._seen[seen])])

    def get_note(self, user_id: str, note_id: str) -> NoteRecord | None:
        with self._lock:
            data = self._notes.get((user_id, note_id))
        return NoteRecord.model_validate(data) if data else None

    def move_delivery(
        self, user_id: str, note_id: str, channel: str, was: str, now: Delivery, *, listed: bool
    ) -> bool:
        with self._lock:
            data = self._notes.get((user_id, note_id))
            current = (data or {}).get("channels", {}).get(channel)
            if current is None or current["state"] != was:
                return False
            data["channels"][channel] = now.model_dump(mode="json")  # type: ignore[index]
            others = [d["state"] for c, d in data["channels"].items() if c != channel]  # type: ignore[index]
            if listed or any(s in {"failed", "sending"} for s in others):
                self._undelivered.add((user_id, note_id))
            else:
                self._undelivered.discard((user_id, note_id))
            return True

    def notes_of(self, user_id: str, limit: int, before: str | None = None) -> Sequence[NoteRecord]:
        with self._lock:
            ids = sorted(
                (n for u, n in self._notes if u == user_id and (not before or n < before)),
                reverse=True,
            )[:limit]
            return [NoteRecord.model_validate(self._notes[(user_id, n)]) for n in ids]

    def unread_notes(self, user_id: str, cap: int) -> int:
        with self._lock:
            read = self._read_upto.get(user_id, "")
            return min(cap, sum(1 for u, n in self._notes if u == user_id and n > read))

    def read_upto(self, user_id: str) -> str | None:
        with self._lock:
            return self._read_upto.get(user_id)

    def mark_read(self, user_id: str, note_id: str) -> bool:
        with self._lock:
            if self._read_upto.get(user_id, "") >= note_id:
                return False
            self._read_upto[user_id] = note_id
            return True

    def undelivered_notes(self, limit: int) -> Sequence[NoteRecord]:
        with self._lock:
            newest = sorted(self._undelivered, key=lambda k: (k[1], k[0]), reverse=True)
            return [NoteRecord.model_validate(self._notes[k]) for k in newest[:limit]]

    def _expiry(self) -> int:
        return int((self.clock.now() + DEDUPE_TTL).timestamp())

    def forget_expired(self, now_epoch: int) -> int:
        """What DynamoDB's TTL deletes: dedupe markers whose time passed (tests/support/ttl.py
        does the same on a table)."""
        with self._lock:
            gone = [k for k, expires in self._dedupe.items() if expires <= now_epoch]
            for k in gone:
                del self._dedupe[k]
            return len(gone)

    # ------------------------------------------------------------------ commit
    def commit(self, change: Change) -> list[str] | None:
        now = self.clock.now()
        with self._lock:
            writes = self._writes(change, now)
            outbox_ids: list[str] = []
            for effects in effect_batches(change.effects):
                outbox_id, item = self._outbox_item(effects, now, listing_id=change.listing_id())
                outbox_ids.append(outbox_id)
                writes.append(
                    _Write("outbox", ("OUTBOX", outbox_id), True, self._put_outbox(outbox_id, item))
                )
            if not writes:
                return outbox_ids
            if len(writes) > MAX_TRANSACTION_ITEMS:
                raise InvalidTransaction(f"{len(writes)} items in one transaction")
            items = [w.item for w in writes]
            if len(set(items)) != len(items):
                raise InvalidTransaction("the same item twice in one transaction")
            failed = {w.kind for w in writes if not w.ok}
            if failed & {"dedupe", "journal"}:
                return None
            if "mileage" in failed:
                raise InsufficientBalance("not enough mileage", field="payment_method")
            if "person" in failed:
                raise SamePerson("this person's identity is verified on another account")
            if "spend" in failed:
                raise SpendShort("a spend window had less room than read")
            if failed == {"quota"}:
                raise QuotaShort("a quota shard had too little left or closed")
            if failed:
                raise Conflict("the listing changed meanwhile")
            for w in writes:
                w.apply()
            return outbox_ids

    def _writes(self, change: Change, now: datetime) -> list[_Write]:
        """Each item the change writes: its identity, whether its condition holds, the write."""
        writes: list[_Write] = []

        def add(kind: str, item: tuple[str, ...], ok: bool, apply: Callable[[], None]) -> None:
            writes.append(_Write(kind, item, ok, apply))

        for key in change.dedupe:
            add(
                "dedupe",
                ("DEDUPE", key),
                key not in self._dedupe,
                self._set(self._dedupe, key, self._expiry()),
            )
        for entry in change.journal:
            at = (entry.listing_id or "-", entry.key)
            add(
                "journal",
                ("LEDGER", *at),
                at not in self._journal,
                self._set(self._journal, at, (entry, now)),
            )
        if change.listing is not None:
            listing = change.listing
            stored = self._listings.get(listing.listing_id)
            ok = (
                stored is None
                if change.new_listing
                else stored is not None and stored["version"] == listing.version - 1
            )
            data = listing.model_dump(mode="json")
            add(
                "listing",
                ("LISTING", listing.listing_id),
                ok,
                self._set(self._listings, listing.listing_id, data),
            )
        for buyer in change.buyers:
            at3 = (buyer.listing_id, buyer.partition, buyer.buyer_id)
            was = self._buyers.get(at3)
            ok = (
                was is None
                if buyer.version <= 1
                else was is not None and was["version"] == buyer.version - 1
            )
            data = buyer.model_dump(mode="json", exclude_none=True)
            add("buyer", ("ENTRIES", *map(str, at3)), ok, self._set(self._buyers, at3, data))
        for shard in change.new_quota:
            at2 = (shard.listing_id, shard.shard)
            new = ShardState(shard.shard, shard.cap, 0, True, shard.cap)
            add(
                "new_quota",
                ("QUOTA", *map(str, at2)),
                at2 not in self._quota,
                self._set(self._quota, at2, new),
            )
        for move in merged(change.quota):
            at2 = (move.listing_id, move.shard)
            ok, moved = self._moved(self._quota.get(at2), move)
            kind = "quota_close" if move.close else "quota"
            add(kind, ("QUOTA", *map(str, at2)), ok, self._set(self._quota, at2, moved))
        for p in change.profiles:
            add(
                "profile",
                ("USER", p.user_id, "PROFILE"),
                True,
                self._set(self._profiles, p.user_id, p.model_dump(mode="json")),
            )
        for s in change.secrets:
            add(
                "secret",
                ("SEED", s.listing_id),
                s.listing_id not in self._secrets,
                self._set(self._secrets, s.listing_id, s.model_dump()),
            )
        for asked in change.payouts:
            payout = self._issued_to(asked)
            was = self._payouts.get(payout.payout_id)
            ok = (
                was is None
                if payout.status == "issued"
                else was is not None and was["status"] == "issued"
            )
            add(
                "payout",
                ("PAYOUT", payout.payout_id),
                ok,
                self._set(self._payouts, payout.payout_id, payout.model_dump(mode="json")),
            )
        for lid, attention in change.attention.items():
            add("attention", ("ATTENTION", lid), True, self._attend(lid, attention))
        for d in change.mileage_debits:
            account = (d.buyer_id, d.currency)
            balance = self._mileage.get(account)
            ok = balance is not None and balance >= d.amount
            add(
                "mileage",
                ("USER", d.buyer_id, f"MILEAGE#{d.currency}"),
                ok,
                self._set(self._mileage, account, (balance or 0) - d.amount),
            )
        if change.standing is not None:
            st = change.standing
            kept = self._standings.get(st.user_id)
            ok = (
                kept is None
                if st.version <= 1
                else kept is not None and kept["version"] == st.version - 1
            )
            add(
                "standing",
                ("USER", st.user_id, "STANDING"),
                ok,
                self._set(self._standings, st.user_id, st.model_dump(mode="json")),
            )
        if change.standing_read is not None:
            user, version = change.standing_read
            read = self._standings.get(user)
            ok = read is None if version == 0 else read is not None and read["version"] == version
            add("standing", ("USER", user, "STANDING"), ok, lambda: None)
        for person, user in change.person_claims:
            add(
                "person",
                ("PERSON", person),
                person not in self._persons,
                self._set(self._persons, person, user),
            )
        for c in change.spends:
            at = (c.user_id, c.window)
            before = self._spent.get(at, 0)
            ok = c.room is None or before <= c.room
            add(
                "spend",
                ("USER", c.user_id, f"SPEND#{c.window}"),
                ok,
                self._set(self._spent, at, before + c.amount),
            )
        if change.harm is not None:
            harm = change.harm
            at5 = (harm.user_id, harm.week)
            kept_harm = self._harm.get(at5, harm)  # the first stays; another never fails
            add("harm", ("HARM", *at5), True, self._set(self._harm, at5, kept_harm))
        for user, counter, delta in merged_counts(change.play_counts):
            add(
                "count",
                ("PLAY_STATS", user, counter),
                True,
                self._add_count(counter, delta),
            )
        if change.complaint is not None:
            complaint, read_version = change.complaint
            at4 = (complaint.user_id, complaint.complaint_id)
            kept_complaint = self._complaints.get(at4)
            ok = (
                kept_complaint is None
                if read_version is None
                else kept_complaint is not None and kept_complaint["version"] == read_version
            )
            add(
                "complaint",
                ("COMPLAINTS", *at4),
                ok,
                self._set(self._complaints, at4, complaint.model_dump(mode="json")),
            )
        return writes

    def _add_count(self, counter: str, delta: int) -> Callable[[], None]:
        def write() -> None:
            self._counts[counter] = self._counts.get(counter, 0) + delta

        return write

    @staticmethod
    def _set(table: dict[Any, Any], key: Any, value: Any) -> Callable[[], None]:
        def write() -> None:
            table[key] = value

        return write

    def _attend(self, listing_id: str, attention: Attention | None) -> Callable[[], None]:
        def write() -> None:
            if attention is None:
                self._attention.pop(listing_id, None)
            else:
                self._attention[listing_id] = attention.model_dump(mode="json")

        return write

    @staticmethod
    def _moved(shard: ShardState | None, move: QuotaMove) -> tuple[bool, ShardState | None]:
        """A quota move as dynamo_items.quota_update conditions and counts it."""
        if shard is None:
            return False, None
        ok = True
        if (move.take or move.paid or move.free) and not shard.open:
            ok = False
        remaining = shard.remaining
        if move.capped and (move.take or move.give):
            need = move.take - move.give
            if need > 0 and (remaining is None or remaining < need):
                ok = False
            remaining = (remaining or 0) + move.give - move.take
        if move.expect_paid is not None and shard.paid != move.expect_paid:
            ok = False
        moved = replace(
            shard,
            remaining=remaining,
            paid=shard.paid + move.paid,
            open=shard.open and not move.close,
            free=shard.free + move.free,
        )
        return ok, moved

    def _issued_to(self, payout: PayoutRecord) -> PayoutRecord:
        """A payout being issued keeps the seller's payout account of that moment."""
        if payout.status != "issued" or payout.payout_account is not None:
            return payout
        profile = self._profiles.get(payout.seller_id)
        account = ProfileRecord.model_validate(profile).payout_account if profile else None
        return payout.model_copy(update={"payout_account": account})

    # ------------------------------------------------------------------ outbox
    def _outbox_item(
        self,
        effects: Sequence[Effect],
        now: datetime,
        *,
        due: datetime | None = None,
        created: datetime | None = None,
        attempts: int = 0,
        last_error: str | None = None,
        listing_id: str | None = None,
    ) -> tuple[str, _OutboxItem]:
        partition = uuid.uuid4().int % OUTBOX_PARTITIONS
        sk = f"{iso(due or now + OUTBOX_GRACE)}#{uuid.uuid4().hex}"
        created_at = datetime.fromisoformat(iso(created or now))
        item = _OutboxItem(_dump(effects), created_at, attempts, last_error, listing_id)
        return f"{partition}|{sk}", item

    def _put_outbox(self, outbox_id: str, item: _OutboxItem) -> Callable[[], None]:
        return self._set(self._outbox, outbox_id, item)

    def complete_effects(self, outbox_id: str) -> None:
        with self._lock:
            self._outbox.pop(outbox_id, None)

    def pending_effects(self, older_than_seconds: int = 0) -> Sequence[PendingEffects]:
        cutoff = iso(self.clock.now() - timedelta(seconds=older_than_seconds)) + "~"
        with self._lock:
            due = [(oid, i) for oid, i in self._outbox.items() if oid.split("|", 1)[1] <= cutoff]
        due.sort(key=lambda d: d[0].split("|", 1)[1])
        return [
            PendingEffects(
                outbox_id=oid,
                effects=_effects.validate_python(json.loads(i.effects)),
                created_at=i.created_at,
                attempts=i.attempts,
                last_error=i.last_error,
                listing_id=i.listing_id,
            )
            for oid, i in due
        ]

    def retry_effects(
        self, batch: PendingEffects, failed: Sequence[Effect], due: datetime, error: str
    ) -> bool:
        with self._lock:
            if batch.outbox_id not in self._outbox:
                return False
            outbox_id, item = self._outbox_item(
                failed,
                self.clock.now(),
                due=due,
                created=batch.created_at,
                attempts=batch.attempts + 1,
                last_error=error[:1000],
                listing_id=batch.listing_id,
            )
            del self._outbox[batch.outbox_id]
            self._outbox[outbox_id] = item
            return True

    def bury_effects(
        self, batch: PendingEffects, failed: Sequence[Effect], error: str
    ) -> list[str] | None:
        now = self.clock.now()
        ids: list[str] = []
        with self._lock:
            for n, effect in enumerate(failed):
                digest = hashlib.sha256(f"{batch.outbox_id}|{n}".encode()).hexdigest()[:12]
                dead_id = f"{batch.created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest}"
                if dead_id not in self._dead and dead_id not in self._resolved:
                    self._dead[dead_id] = DeadEffects(
                        dead_id=dead_id,
                        effects=_effects.validate_python(_effects.dump_python([effect])),
                        created_at=datetime.fromisoformat(iso(batch.created_at)),
                        failed_at=datetime.fromisoformat(iso(now)),
                        attempts=batch.attempts + 1,
                        last_error=error[:1000],
                        listing_id=batch.listing_id,
                    )
                ids.append(dead_id)
            if self._outbox.pop(batch.outbox_id, None) is None:
                return None
        return ids

    def dead_effects(self, *, resolved: bool = False, limit: int = 100) -> Sequence[DeadEffects]:
        with self._lock:
            found = self._resolved if resolved else self._dead
            keys = sorted(found, reverse=resolved)[:limit]
            return [found[k] for k in keys]

    def get_dead_effects(self, dead_id: str) -> DeadEffects | None:
        with self._lock:
            return self._dead.get(dead_id) or self._resolved.get(dead_id)

    def revive_dead_effects(self, dead_id: str) -> bool:
        with self._lock:
            dead = self._dead.pop(dead_id, None)
            if dead is None:
                return False
            now = self.clock.now()
            outbox_id, item = self._outbox_item(
                dead.effects, now, due=now, listing_id=dead.listing_id
            )
            self._outbox[outbox_id] = item
            return True

    def resolve_dead_effects(self, dead_id: str, operator_id: str, note: str) -> bool:
        with self._lock:
            dead = self._dead.pop(dead_id, None)
            if dead is None:
                return False
            self._resolved[dead_id] = replace(
                dead,
                resolved_at=datetime.fromisoformat(iso(self.clock.now())),
                resolved_by=operator_id,
                resolution_note=note,
            )
            return True

    # ------------------------------------------------------------ sellers' completed sales
    # As DynamoStore: a listing's sale record (SALE#<lid>, for ever) and the seller's counter
    # (SALES#<seller>) written together, the record new; kept beside the other tables.
    def _sales(self) -> tuple[dict[str, str], dict[str, int]]:
        state: tuple[dict[str, str], dict[str, int]] = vars(self).setdefault(
            "_sales_state", ({}, {})
        )
        return state

    def count_sale(self, seller_id: str, listing_id: str) -> bool:
        with self._lock:
            counted, completed = self._sales()
            if listing_id in counted:
                return False
            counted[listing_id] = seller_id
            completed[seller_id] = completed.get(seller_id, 0) + 1
            return True

    def completed_sales(self, seller_ids: Sequence[str]) -> dict[str, int]:
        with self._lock:
            _, completed = self._sales()
            return {s: completed.get(s, 0) for s in dict.fromkeys(seller_ids)}
