"""The Store on one DynamoDB table: every Change is one TransactWriteItems call (the items it
writes are laid out in dynamo_items.py).

The keys, indexes and access patterns are documented in docs/DATA_MODEL.md; in short:
  LISTING#<id> / META                 listing head (gsi1 ByStatus, gsi2 ByOwner SELLER#, gsi3
                                      DECIDED_DISPUTES once its dispute was decided)
  QUOTA#<id>#<k> / QUOTA              quota shard k: remaining, paid, open
  ENTRIES#<id>#<b> / BUYER#<buyer>    a buyer's entries on a listing (gsi2 BUYER#, gsi3 holds)
  DRAW#<id> / ORDER#<n> | TICKETS#<n> draw order and public ticket list, in chunks
  DRAW#<id> / TICKETAT#<first id>     which ticket chunk starts at that ticket id (the proofs)
  DRAW#<id> / RANKAT#<best rank>      which order chunk starts at that rank (a buyer's place)
  SEED#<listing id> / SEED            draw seed (its own key prefix: only the draw may read it)
  USER#<id>    / PROFILE | MILEAGE#<currency>
  LEDGER#<listing id or ->#<j> / ENTRY#<key>   journal entry (never overwritten)
  ATTENTION / <listing id>            a listing whose execution stopped (written on failure only)
  PAYOUT#<payout id> / PAYOUT         a payout issued to a seller, and whether it was paid
  CHECKOUT#<checkout id> / CHECKOUT   what a PortOne checkout asked for (reference, amount)
  DEDUPE#<key> / EVENT                an event that moved no money, seen (TTL 30 days)
  CREDIT#<key> / CREDIT               a mileage credit applied (for ever)
  REFUND#<refund id> / REFUND         a refund as it ran at the provider (reconciliation)
  OUTBOX#<o> / <created>#<id>         effects committed but not yet run
  SWEEP#<name> / CURSOR               where a scheduled sweep stopped (the recovery sweep's)
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pydantic import TypeAdapter

from tombola.adapters.dynamo_items import (
    ANSWERED_COMPLAINTS_PK,
    DEAD_EFFECTS_PK,
    DECIDED_DISPUTES_PK,
    HARM_SIGNALS_PK,
    NOTES_END,
    OPEN_COMPLAINTS_PK,
    PAYOUT_QUEUE_PARTITIONS,
    PLAY_STATS_SHARDS,
    REFUSED_ACCOUNTS_PK,
    UNDELIVERED_PARTITIONS,
    after_note,
    attention_write,
    buyer_put,
    complaint_key,
    complaint_put,
    credit_put,
    dead_effects_put,
    dedupe_put,
    delivery_update,
    draw_pk,
    entries_pk,
    from_item,
    harm_put,
    inbox_read_put,
    iso,
    journal_from,
    journal_pk,
    journal_put,
    listing_pk,
    listing_put,
    mileage_debit,
    mileage_key,
    note_puts,
    outbox_key,
    outbox_put,
    payout_put,
    person_claim_put,
    play_count_update,
    profile_put,
    profile_put_over,
    quota_pk,
    quota_put,
    quota_update,
    refund_receipt_from,
    refund_receipt_put,
    refused_account_put,
    secret_put,
    spend_key,
    spend_update,
    standing_check,
    standing_put,
    to_item,
    transact_once,
)
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
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.provider_match import RefundReceipt
from tombola.domain.quota import (
    HOLD_INDEX_PARTITIONS,
    JOURNAL_PARTITIONS,
    OUTBOX_PARTITIONS,
    ShardState,
)
from tombola.ports.clock import Clock
from tombola.state.changes import (
    Change,
    DeadEffects,
    Effect,
    PendingEffects,
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

MAX_COMPLAINTS_READ = 200  # a person's complaints read at most (5 open at a time)
DRAW_CHUNK = draw.ORDER_CHUNK  # buyers per order chunk
TICKET_CHUNK = merkle.CHUNK  # tickets per ticket chunk: a whole subtree of the entries' tree
READ_WORKERS = 8  # partitions of one listing read in parallel
_effects = TypeAdapter(list[Effect])


class DynamoStore:
    def __init__(self, table_name: str, clock: Clock, client: Any | None = None) -> None:
        self.table = table_name
        self.clock = clock
        self.client = client or boto3.client("dynamodb")

    # ------------------------------------------------------------------ reads
    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        got = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        return from_item(got["Item"]) if "Item" in got else None

    def _pages(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table, **kwargs):
            for i in page["Items"]:
                yield from_item(i)

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self._pages(**kwargs))

    def _batch_get(self, keys: Sequence[tuple[str, str]], consistent: bool = True) -> list[Any]:
        """Items for (pk, sk) keys, in the order asked (None where absent)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [to_item({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]],
                    "ConsistentRead": consistent,
                }
            }
            while request:
                got = self.client.batch_get_item(RequestItems=request)
                for raw in got["Responses"].get(self.table, []):
                    item = from_item(raw)
                    found[(item["pk"], item["sk"])] = item
                request = got.get("UnprocessedKeys") or {}
        return [found.get(k) for k in keys]

    def _batch_put(self, items: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(items), 25):
            request: dict[str, Any] = {
                self.table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
            }
            while request:
                got = self.client.batch_write_item(RequestItems=request)
                request = got.get("UnprocessedItems") or {}

    def get_listing(self, listing_id: str) -> ListingRecord | None:
        item = self._get(listing_pk(listing_id), "META")
        return ListingRecord.model_validate(item["data"]) if item else None

    def _index_page(
        self,
        index: str,
        key: tuple[str, str],
        sort_key: str,
        limit: int,
        after: str | None,
        *,
        newest_first: bool = False,
    ) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
        """One page of an index partition: each item with its position (where a page that ends
        with it continues), and the position after the page (None at the end). A position is
        the item's index sort key and table key, as JSON; the services hand it out sealed."""
        index_pk, value = key
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{index_pk} = :p",
            "ExpressionAttributeValues": to_item({":p": value}),
            "Limit": limit,
            "ScanIndexForward": not newest_first,
        }
        if after is not None:
            kwargs["ExclusiveStartKey"] = _start_key(key, sort_key, after)
        got = self.client.query(**kwargs)
        items = [from_item(i) for i in got["Items"]]
        last = got.get("LastEvaluatedKey")
        return (
            [(_position(i, sort_key), i) for i in items],
            _position(from_item(last), sort_key) if last else None,
        )

    def list_listings(
        self, status: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        """One page of one status, closing soonest first; ``after`` is where it continues."""
        page, nxt = self._index_page(
            "ByStatus", ("gsi1pk", f"STATUS#{status}"), "gsi1sk", limit, after
        )
        return [(at, ListingRecord.model_validate(i["data"])) for at, i in page], nxt

    def every_listing(self) -> Iterator[ListingRecord]:
        """Every listing head of every status (for the local stack's log; not a request path)."""
        for status in ListingStatus:
            for item in self._pages(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=to_item({":p": f"STATUS#{status}"}),
            ):
                yield ListingRecord.model_validate(item["data"])

    def listings_of_seller(
        self, seller_id: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        """One page of a seller's listings, newest first (ByOwner keys, then the heads)."""
        page, nxt = self._index_page(
            "ByOwner", ("gsi2pk", f"SELLER#{seller_id}"), "gsi2sk", limit, after, newest_first=True
        )
        heads = self._batch_get([(i["pk"], i["sk"]) for _, i in page])
        found = [(at, h) for (at, _), h in zip(page, heads, strict=True) if h is not None]
        return [(at, ListingRecord.model_validate(h["data"])) for at, h in found], nxt

    def decided_disputes(
        self, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, ListingRecord]], str | None]:
        """One page of the decided disputes, newest decision first (ByHoldExpiry
        DECIDED_DISPUTES keys, then the heads)."""
        page, nxt = self._index_page(
            "ByHoldExpiry",
            ("gsi3pk", DECIDED_DISPUTES_PK),
            "gsi3sk",
            limit,
            after,
            newest_first=True,
        )
        heads = self._batch_get([(i["pk"], i["sk"]) for _, i in page])
        found = [(at, h) for (at, _), h in zip(page, heads, strict=True) if h is not None]
        return [(at, ListingRecord.model_validate(h["data"])) for at, h in found], nxt

    def due_listing_ids(self, now: datetime) -> Sequence[str]:
        ids: list[str] = []
        for status in ("open", "awaiting_deposit"):
            for item in self._pages(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p AND gsi1sk <= :t",
                ExpressionAttributeValues=to_item({":p": f"STATUS#{status}", ":t": iso(now) + "~"}),
            ):
                ids.append(item["data"]["listing_id"])
        return ids

    def get_buyer(self, listing_id: str, partition: int, buyer_id: str) -> BuyerRecord | None:
        item = self._get(entries_pk(listing_id, partition), f"BUYER#{buyer_id}")
        return BuyerRecord.model_validate(item["data"]) if item else None

    def buyers_in_partition(
        self, listing_id: str, partition: int, cursor: str | None = None, limit: int | None = None
    ) -> tuple[list[BuyerRecord], str | None]:
        """Buyers of one entry partition in buyer-id order, from after ``cursor`` (a buyer id)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
            "ExpressionAttributeValues": to_item(
                {":p": entries_pk(listing_id, partition), ":s": "BUYER#"}
            ),
            "ConsistentRead": True,
        }
        if cursor is not None:
            kwargs["ExclusiveStartKey"] = to_item(
                {"pk": entries_pk(listing_id, partition), "sk": f"BUYER#{cursor}"}
            )
        out: list[BuyerRecord] = []
        while True:
            if limit is not None:
                kwargs["Limit"] = limit - len(out)
            got = self.client.query(**kwargs)
            out.extend(BuyerRecord.model_validate(from_item(i)["data"]) for i in got["Items"])
            last = got.get("LastEvaluatedKey")
            if not last:
                return out, None
            if limit is not None and len(out) >= limit:
                return out, str(from_item(last)["sk"]).removeprefix("BUYER#")
            kwargs["ExclusiveStartKey"] = last

    def buyers_of_listing(self, listing_id: str, partitions: int) -> Iterator[BuyerRecord]:
        """Every buyer item of the listing, the partitions read in parallel."""

        def read(partition: int) -> list[BuyerRecord]:
            return self.buyers_in_partition(listing_id, partition)[0]

        if READ_WORKERS <= 1 or partitions == 1:
            for partition in range(partitions):
                yield from read(partition)
            return
        with ThreadPoolExecutor(max_workers=min(READ_WORKERS, partitions)) as pool:
            for buyers in pool.map(read, range(partitions)):
                yield from buyers

    def buyer_records_of(
        self, buyer_id: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, BuyerRecord]], str | None]:
        """One page of the buyer's items, one per listing they entered, by listing id."""
        page, nxt = self._index_page(
            "ByOwner", ("gsi2pk", f"BUYER#{buyer_id}"), "gsi2sk", limit, after
        )
        items = self._batch_get([(i["pk"], i["sk"]) for _, i in page])
        found = [(at, i) for (at, _), i in zip(page, items, strict=True) if i is not None]
        return [(at, BuyerRecord.model_validate(i["data"])) for at, i in found], nxt

    def quota(self, listing_id: str, shards: Iterable[int]) -> list[ShardState]:
        wanted = list(shards)
        items = self._batch_get([(quota_pk(listing_id, k), "QUOTA") for k in wanted])
        return [
            ShardState(
                shard=k,
                remaining=i.get("remaining"),
                paid=i.get("paid", 0),
                open=bool(i.get("open")),
                cap=i.get("cap"),
                free=i.get("free", 0),
            )
            for k, i in zip(wanted, items, strict=True)
            if i is not None
        ]

    def put_draw(
        self,
        listing_id: str,
        order: Sequence[str],
        tickets: Sequence[tuple[str, str]],
        paths: Sequence[Sequence[bytes]] = (),
        ranks: Mapping[str, bytes] | None = None,
    ) -> None:
        """The draw's order and ticket list in chunks (with each ticket chunk its path to the
        entries root, draw-v2); a re-run writes the same items."""
        items: list[dict[str, Any]] = []
        for n, start in enumerate(range(0, len(order), DRAW_CHUNK)):
            items.append(
                to_item(
                    {
                        "pk": draw_pk(listing_id),
                        "sk": f"ORDER#{n:06d}",
                        "buyers": list(order[start : start + DRAW_CHUNK]),
                    }
                )
            )
            if ranks is not None:
                first = ranks[order[start]].hex()
                items.append(
                    to_item({"pk": draw_pk(listing_id), "sk": f"RANKAT#{first}", "chunk": n})
                )
        for n, start in enumerate(range(0, len(tickets), TICKET_CHUNK)):
            chunk = tickets[start : start + TICKET_CHUNK]
            item: dict[str, Any] = {
                "pk": draw_pk(listing_id),
                "sk": f"TICKETS#{n:06d}",
                "tickets": json.dumps(chunk, separators=(",", ":")),
            }
            if n < len(paths):
                item["path"] = base64.b64encode(b"".join(paths[n])).decode()
            items.append(to_item(item))
            items.append(
                to_item({"pk": draw_pk(listing_id), "sk": f"TICKETAT#{chunk[0][0]}", "chunk": n})
            )
        self._batch_put(items)

    def order_chunk_at(self, listing_id: str, rank: bytes) -> tuple[int, list[str]] | None:
        n = self._last_at_or_below(listing_id, "RANKAT#", rank.hex())
        if n is None:
            return None
        item = self._get(draw_pk(listing_id), f"ORDER#{n:06d}")
        return (n, list(item["buyers"])) if item is not None else None

    def _last_at_or_below(self, listing_id: str, prefix: str, value: str) -> int | None:
        """The chunk number of the last ``prefix`` marker at or below ``value`` (one query)."""
        found = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {":p": draw_pk(listing_id), ":lo": prefix, ":hi": f"{prefix}{value}"}
            ),
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        ).get("Items", [])
        return int(from_item(found[0])["chunk"]) if found else None

    def ticket_chunk(
        self, listing_id: str, ticket_id: str
    ) -> tuple[int, list[tuple[str, str]], list[bytes]] | None:
        """The ticket chunk that holds ``ticket_id`` if any: its number, tickets and path to the
        entries root. One query finds the last chunk starting at or before the id."""
        n = self._last_at_or_below(listing_id, "TICKETAT#", ticket_id)
        if n is None:
            return None
        item = self._get(draw_pk(listing_id), f"TICKETS#{n:06d}")
        if item is None:
            return None
        raw = base64.b64decode(item.get("path", ""))
        path = [raw[i : i + 32] for i in range(0, len(raw), 32)]
        return n, [tuple(t) for t in json.loads(item["tickets"])], path

    def draw_order(self, listing_id: str, start: int, count: int) -> list[str]:
        """order[start:start + count]."""
        out: list[str] = []
        first, last = start // DRAW_CHUNK, (start + count - 1) // DRAW_CHUNK
        if count <= 0:
            return out
        keys = [(draw_pk(listing_id), f"ORDER#{n:06d}") for n in range(first, last + 1)]
        for item in self._batch_get(keys):
            if item is None:
                break
            out.extend(item["buyers"])
        offset = start - first * DRAW_CHUNK
        return out[offset : offset + count]

    def draw_tickets(self, listing_id: str, page: int) -> tuple[list[tuple[str, str]], bool]:
        """One chunk of (ticket id, buyer) in ticket-id order, and whether more follow."""
        # (draws before draw-v2 were stored 1,000 tickets per chunk: a page is a chunk either way)
        items = self._batch_get(
            [
                (draw_pk(listing_id), f"TICKETS#{page:06d}"),
                (draw_pk(listing_id), f"TICKETS#{page + 1:06d}"),
            ]
        )
        if items[0] is None:
            return [], False
        return [tuple(t) for t in json.loads(items[0]["tickets"])], items[1] is not None

    def expired_holds(self, now: datetime, listing_id: str | None = None) -> list[tuple[str, str]]:
        """(listing id, buyer id) of buyer items with a hold due before ``now`` (of one listing
        when named: DynamoDB cannot filter on an index's key, so the keys are sifted here)."""
        found: list[tuple[str, str]] = []
        for h in range(HOLD_INDEX_PARTITIONS):
            for item in self._pages(
                IndexName="ByHoldExpiry",
                KeyConditionExpression="gsi3pk = :p AND gsi3sk <= :t",
                ExpressionAttributeValues=to_item({":p": f"HOLDS#{h}", ":t": iso(now) + "~"}),
            ):
                _, of_listing, buyer_id = item["gsi3sk"].split("#", 2)
                if listing_id is None or of_listing == listing_id:
                    found.append((of_listing, buyer_id))
        return found

    def get_profile(self, user_id: str) -> ProfileRecord | None:
        item = self._get(f"USER#{user_id}", "PROFILE")
        return ProfileRecord.model_validate(item["data"]) if item else None

    def put_profile(self, profile: ProfileRecord) -> None:
        self.client.put_item(**profile_put(self.table, profile)["Put"])

    # ------------------------------------------------------------------ responsible play
    def get_standing(self, user_id: str) -> StandingRecord | None:
        item = self._get(f"USER#{user_id}", "STANDING")
        return StandingRecord.model_validate(item["data"]) if item else None

    def person_holder(self, person: str) -> str | None:
        item = self._get(f"PERSON#{person}", "PERSON")
        return str(item["user_id"]) if item else None

    def spent(self, user_id: str, windows: Sequence[str]) -> dict[str, int]:
        if not windows:
            return {}
        got = self.client.batch_get_item(
            RequestItems={
                self.table: {
                    "Keys": [spend_key(user_id, w) for w in windows],
                    "ConsistentRead": True,
                }
            }
        )
        found = {
            i["sk"].removeprefix("SPEND#"): int(i.get("spent", 0))
            for i in map(from_item, got["Responses"].get(self.table, []))
        }
        return {w: found.get(w, 0) for w in windows}

    def play_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for shard in range(PLAY_STATS_SHARDS):
            for i in self._pages(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=to_item({":p": f"PLAY_STATS#{shard}"}),
            ):
                counts[i["sk"]] = counts.get(i["sk"], 0) + int(i.get("n", 0))
        return counts

    def harm_signals(self, limit: int = 100) -> list[HarmSignal]:
        got = self.client.query(
            TableName=self.table,
            IndexName="ByHoldExpiry",
            KeyConditionExpression="gsi3pk = :p",
            ExpressionAttributeValues=to_item({":p": HARM_SIGNALS_PK}),
            ScanIndexForward=False,
            Limit=limit,
        )
        items = self._batch_get([(i["pk"], i["sk"]) for i in map(from_item, got["Items"])])
        return [HarmSignal.model_validate(i["data"]) for i in items if i is not None]

    def add_refused_account(self, refused: RefusedAccount) -> None:
        try:
            self.client.put_item(**refused_account_put(self.table, refused)["Put"])
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # else: refused before, listed once

    def refused_accounts(self, limit: int = 100) -> list[RefusedAccount]:
        rows = [
            RefusedAccount.model_validate(i["data"])
            for i in self._pages(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=to_item({":p": REFUSED_ACCOUNTS_PK}),
            )
        ]  # one per refused account: rare, read whole, newest first
        return sorted(rows, key=lambda r: (r.at, r.user_id), reverse=True)[:limit]

    # ------------------------------------------------------------------ complaints
    def save_complaint(self, complaint: ComplaintRecord, read: int | None) -> bool:
        try:
            self.client.put_item(**complaint_put(self.table, complaint, read)["Put"])
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def get_complaint(self, user_id: str, complaint_id: str) -> ComplaintRecord | None:
        got = self.client.get_item(
            TableName=self.table, Key=complaint_key(user_id, complaint_id), ConsistentRead=True
        )
        return (
            ComplaintRecord.model_validate(from_item(got["Item"])["data"])
            if "Item" in got
            else None
        )

    def complaints_of(self, user_id: str, limit: int = 50) -> list[ComplaintRecord]:
        got = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
            ExpressionAttributeValues=to_item({":p": f"COMPLAINTS#{user_id}", ":c": "COMPLAINT#"}),
            ScanIndexForward=False,
            Limit=MAX_COMPLAINTS_READ,
            ConsistentRead=True,
        )
        found = [ComplaintRecord.model_validate(from_item(i)["data"]) for i in got["Items"]]
        return sorted(found, key=lambda c: (c.opened_at, c.complaint_id), reverse=True)[:limit]

    def complaint_queue(self, *, answered: bool, limit: int = 100) -> list[ComplaintRecord]:
        got = self.client.query(
            TableName=self.table,
            IndexName="ByHoldExpiry",
            KeyConditionExpression="gsi3pk = :p",
            ExpressionAttributeValues=to_item(
                {":p": ANSWERED_COMPLAINTS_PK if answered else OPEN_COMPLAINTS_PK}
            ),
            ScanIndexForward=not answered,
            Limit=limit,
        )
        keys = [(i["pk"], i["sk"]) for i in map(from_item, got["Items"])]
        items = self._batch_get(keys)
        return [ComplaintRecord.model_validate(i["data"]) for i in items if i is not None]

    def save_profile(self, profile: ProfileRecord, read: int | None) -> bool:
        try:
            self.client.put_item(**profile_put_over(self.table, profile, read)["Put"])
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def get_secret(self, listing_id: str) -> DrawSecret | None:
        item = self._get(f"SEED#{listing_id}", "SEED")
        return DrawSecret.model_validate(item["data"]) if item else None

    def needing_attention(self) -> Sequence[tuple[str, Attention]]:
        return [
            (i["sk"], Attention.model_validate(i["data"]))
            for i in self._query(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=to_item({":p": "ATTENTION"}),
                ConsistentRead=True,
            )
        ]

    def sweep_cursor(self, name: str) -> str | None:
        """Where the sweep ``name`` stopped last time (None: at the start)."""
        item = self._get(f"SWEEP#{name}", "CURSOR")
        return str(item["cursor"]) if item else None

    def save_sweep_cursor(self, name: str, cursor: str | None) -> None:
        key = {"pk": f"SWEEP#{name}", "sk": "CURSOR"}
        if cursor is None:
            self.client.delete_item(TableName=self.table, Key=to_item(key))
        else:
            self.client.put_item(TableName=self.table, Item=to_item(key | {"cursor": cursor}))

    def issued_payouts(self, limit: int = 500) -> list[PayoutRecord]:
        """The operator's queue: payouts issued and not yet confirmed paid, oldest first."""
        keys: list[str] = []
        for q in range(PAYOUT_QUEUE_PARTITIONS):
            for item in self._pages(
                IndexName="ByHoldExpiry",
                KeyConditionExpression="gsi3pk = :p",
                ExpressionAttributeValues=to_item({":p": f"PAYOUTS#{q}"}),
            ):
                keys.append(item["gsi3sk"])
        found = []
        for key in sorted(keys)[:limit]:
            payout = self.get_payout(key.rsplit("#", 1)[1])
            if payout is not None and payout.status == "issued":
                found.append(payout)
        return found

    def paid_payouts(self, limit: int = 100) -> list[PayoutRecord]:
        newest = self._newest_indexed("PAID_PAYOUTS", PAYOUT_QUEUE_PARTITIONS, limit)
        items = self._batch_get(newest)
        return [PayoutRecord.model_validate(i["data"]) for i in items if i is not None]

    def _newest_indexed(self, prefix: str, shards: int, limit: int) -> list[tuple[str, str]]:
        """The table keys of the ``limit`` newest entries of a sharded sparse ByHoldExpiry
        list (``<prefix>#<0..shards-1>``, sorted by time): each shard's newest, merged."""
        found: list[tuple[str, str, str]] = []
        for q in range(shards):
            got = self.client.query(
                TableName=self.table,
                IndexName="ByHoldExpiry",
                KeyConditionExpression="gsi3pk = :p",
                ExpressionAttributeValues=to_item({":p": f"{prefix}#{q}"}),
                ScanIndexForward=False,
                Limit=limit,
            )
            found += [(i["gsi3sk"], i["pk"], i["sk"]) for i in map(from_item, got["Items"])]
        return [(pk, sk) for _, pk, sk in sorted(found, reverse=True)[:limit]]

    def _issued_to(self, payout: PayoutRecord) -> PayoutRecord:
        """A payout being issued keeps the seller's payout account of that moment."""
        if payout.status != "issued" or payout.payout_account is not None:
            return payout
        profile = self.get_profile(payout.seller_id)
        account = profile.payout_account if profile else None
        return payout.model_copy(update={"payout_account": account})

    def get_payout(self, payout_id: str) -> PayoutRecord | None:
        item = self._get(f"PAYOUT#{payout_id}", "PAYOUT")
        return PayoutRecord.model_validate(item["data"]) if item else None

    def journal_of_listing(self, listing_id: str) -> Sequence[JournalEntry]:
        entries: list[JournalEntry] = []
        for j in range(JOURNAL_PARTITIONS):
            entries.extend(
                journal_from(i)
                for i in self._pages(
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues=to_item({":p": f"LEDGER#{listing_id}#{j}"}),
                    ConsistentRead=True,
                )
            )
        return sorted(entries, key=lambda e: e.key)

    def all_journal_entries(self) -> list[JournalEntry]:
        """Every entry (a scan; for audits and tests, not for request paths)."""
        items: list[dict[str, Any]] = []
        for page in self.client.get_paginator("scan").paginate(
            TableName=self.table,
            FilterExpression="begins_with(pk, :p)",
            ExpressionAttributeValues=to_item({":p": "LEDGER#"}),
        ):
            items.extend(from_item(i) for i in page["Items"])
        return [journal_from(i) for i in items]

    def mileage_balance(self, buyer_id: str, currency: str) -> int:
        item = self._get(f"USER#{buyer_id}", f"MILEAGE#{currency}")
        return int(item["balance"]) if item else 0

    # ------------------------------------------------------------------ writes
    def commit(self, change: Change) -> list[str] | None:
        """The whole Change in one transaction; None when it was applied already (its dedupe
        key or journal entry exists)."""
        t, now = self.table, self.clock.now()
        writes: list[tuple[str, dict[str, Any]]] = [
            *(("dedupe", dedupe_put(t, key, now)) for key in change.dedupe),
            *(("journal", journal_put(t, entry, now)) for entry in change.journal),
            *(
                [("listing", listing_put(t, change.listing, change.new_listing))]
                if change.listing is not None
                else []
            ),
            *(("buyer", buyer_put(t, buyer)) for buyer in change.buyers),
            *(("new_quota", quota_put(t, shard)) for shard in change.new_quota),
            *(
                ("quota_close" if move.close else "quota", quota_update(t, move))
                for move in merged(change.quota)
            ),
            *(("profile", profile_put(t, p)) for p in change.profiles),
            *(("secret", secret_put(t, s)) for s in change.secrets),
            *(("payout", payout_put(t, self._issued_to(p))) for p in change.payouts),
            *(("attention", attention_write(t, lid, a)) for lid, a in change.attention.items()),
            *(("mileage", mileage_debit(t, d)) for d in change.mileage_debits),
            *([("standing", standing_put(t, change.standing))] if change.standing else []),
            *(
                [("standing", standing_check(t, *change.standing_read))]
                if change.standing_read
                else []
            ),
            *(("person", person_claim_put(t, p, u, now)) for p, u in change.person_claims),
            *(("spend", spend_update(t, c)) for c in change.spends),
            *([("complaint", complaint_put(t, *change.complaint))] if change.complaint else []),
            *([("harm", harm_put(t, change.harm))] if change.harm else []),
            *(("count", play_count_update(t, *c)) for c in merged_counts(change.play_counts)),
        ]
        outbox_ids: list[str] = []
        for batch in effect_batches(change.effects):
            outbox_id, put = outbox_put(t, batch, now, listing_id=change.listing_id())
            outbox_ids.append(outbox_id)
            writes.append(("outbox", put))
        kinds = [kind for kind, _ in writes]
        items: list[Any] = [item for _, item in writes]
        if not items:
            return outbox_ids
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as err:
            if err.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = err.response.get("CancellationReasons") or []
            failed = {
                kinds[i] for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"
            }
            if failed & {"dedupe", "journal"}:
                return None
            if "mileage" in failed:
                raise InsufficientBalance("not enough mileage", field="payment_method") from None
            if "person" in failed:
                raise SamePerson("this person's identity is verified on another account") from None
            if "spend" in failed:
                raise SpendShort("a spend window had less room than read") from None
            if failed == {"quota"}:
                raise QuotaShort("a quota shard had too little left or closed") from None
            raise Conflict("the listing changed meanwhile") from None
        return outbox_ids

    def complete_effects(self, outbox_id: str) -> None:
        self.client.delete_item(TableName=self.table, Key=outbox_key(outbox_id))

    def pending_effects(self, older_than_seconds: int = 0) -> Sequence[PendingEffects]:
        cutoff = iso(self.clock.now() - timedelta(seconds=older_than_seconds)) + "~"
        found: list[PendingEffects] = []
        for partition in range(OUTBOX_PARTITIONS):
            for i in self._pages(
                KeyConditionExpression="pk = :p AND sk <= :c",
                ExpressionAttributeValues=to_item({":p": f"OUTBOX#{partition}", ":c": cutoff}),
                ConsistentRead=True,
            ):
                found.append(
                    PendingEffects(
                        outbox_id=f"{partition}|{i['sk']}",
                        effects=_effects.validate_python(json.loads(i["effects"])),
                        created_at=datetime.fromisoformat(
                            i.get("created_at") or i["sk"].split("#", 1)[0]
                        ),
                        attempts=int(i.get("attempts", 0)),
                        last_error=i.get("last_error"),
                        listing_id=i.get("listing_id"),
                    )
                )
        return sorted(found, key=lambda f: f.outbox_id.split("|", 1)[1])

    def _replace_outbox_item(self, outbox_id: str, put: dict[str, Any]) -> bool:
        return self._delete_and_put(outbox_key(outbox_id), "attribute_exists(pk)", put)

    def _delete_and_put(self, key: dict[str, Any], condition: str, put: dict[str, Any]) -> bool:
        """Move an item: delete it under ``condition`` and write ``put``, together; False when
        the item was not there as expected (another runner or operator moved it first)."""
        gone = {"Delete": {"TableName": self.table, "Key": key, "ConditionExpression": condition}}
        try:
            items: list[Any] = [gone, put]
            self.client.transact_write_items(TransactItems=items)
        except ClientError as err:
            if err.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = err.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise Conflict("the item changed meanwhile") from None
        return True

    def retry_effects(
        self, batch: PendingEffects, failed: Sequence[Effect], due: datetime, error: str
    ) -> bool:
        _, put = outbox_put(
            self.table,
            list(failed),
            self.clock.now(),
            due=due,
            created=batch.created_at,
            attempts=batch.attempts + 1,
            last_error=error[:1000],
            listing_id=batch.listing_id,
        )
        return self._replace_outbox_item(batch.outbox_id, put)

    def bury_effects(
        self, batch: PendingEffects, failed: Sequence[Effect], error: str
    ) -> list[str] | None:
        """One dead letter per failed effect (the operator retries or resolves each on its
        own), then the batch leaves the outbox. Their ids derive from the batch, so a second
        runner writes the same ones; None when another runner took the batch first."""
        now = self.clock.now()
        ids: list[str] = []
        for n, effect in enumerate(failed):
            digest = hashlib.sha256(f"{batch.outbox_id}|{n}".encode()).hexdigest()[:12]
            dead_id = f"{batch.created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest}"
            put = dead_effects_put(
                self.table,
                dead_id,
                [effect],
                now,
                batch.created_at,
                batch.attempts + 1,
                error[:1000],
                batch.listing_id,
            )["Put"]
            try:
                self.client.put_item(**put)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            ids.append(dead_id)
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=outbox_key(batch.outbox_id),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return None
        return ids

    def dead_effects(self, *, resolved: bool = False, limit: int = 100) -> Sequence[DeadEffects]:
        """Open dead letters, oldest first (few: only what keeps failing), or the history of the
        resolved ones, newest first, a page of ``limit``."""
        got = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_item({":p": _dead_pk(resolved)}),
            ConsistentRead=True,
            ScanIndexForward=not resolved,
            Limit=limit,
        )
        return [_dead(from_item(i)) for i in got["Items"]]

    def get_dead_effects(self, dead_id: str) -> DeadEffects | None:
        for resolved in (False, True):
            item = self._get(_dead_pk(resolved), dead_id)
            if item is not None:
                return _dead(item)
        return None

    def revive_dead_effects(self, dead_id: str) -> bool:
        item = self._get(DEAD_EFFECTS_PK, dead_id)
        if item is None:
            return False
        dead = _dead(item)
        now = self.clock.now()
        _, put = outbox_put(
            self.table, list(dead.effects), now, due=now, listing_id=dead.listing_id
        )
        return self._delete_and_put(
            to_item({"pk": DEAD_EFFECTS_PK, "sk": dead_id}), "attribute_exists(pk)", put
        )

    def resolve_dead_effects(self, dead_id: str, operator_id: str, note: str) -> bool:
        """Off the open list, into the history, with who resolved it and how."""
        item = self._get(DEAD_EFFECTS_PK, dead_id)
        if item is None:
            return False
        done = item | {
            "pk": _dead_pk(resolved=True),
            "resolved_at": iso(self.clock.now()),
            "resolved_by": operator_id,
            "resolution_note": note,
        }
        put = {"Put": {"TableName": self.table, "Item": to_item(done)}}
        return self._delete_and_put(
            to_item({"pk": DEAD_EFFECTS_PK, "sk": dead_id}), "attribute_exists(pk)", put
        )

    # ------------------------------------------------------------------ notes
    def add_note(self, note: NoteRecord) -> NoteRecord:
        """The note and its notice's marker (which names it) in one transaction, the marker
        new: a second arrival of the notice finds the first note through the marker."""
        if transact_once(self.client, note_puts(self.table, note)):
            return note
        marker = self._get(f"NOTES#{note.user_id}", f"SEEN#{note.notice}")
        assert marker is not None  # notes and their markers are never deleted
        kept = self.get_note(note.user_id, str(marker["note_id"]))
        assert kept is not None
        return kept

    def get_note(self, user_id: str, note_id: str) -> NoteRecord | None:
        item = self._get(f"NOTES#{user_id}", f"NOTE#{note_id}")
        return NoteRecord.model_validate(item["data"]) if item else None

    def move_delivery(
        self, user_id: str, note_id: str, channel: str, was: str, now: Delivery, *, listed: bool
    ) -> bool:
        for keep_listed in (listed, True):  # another channel unsettled meanwhile: stays listed
            update = delivery_update(
                self.table, user_id, note_id, channel, was, now, listed=keep_listed
            )
            try:
                self.client.update_item(**update)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                if keep_listed:
                    return False
                continue
            return True
        return False

    def notes_of(self, user_id: str, limit: int, before: str | None = None) -> Sequence[NoteRecord]:
        high = f"NOTE#{before}" if before else NOTES_END
        got = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {":p": f"NOTES#{user_id}", ":lo": "NOTE#", ":hi": high}
            ),
            ScanIndexForward=False,
            Limit=limit + 1,
            ConsistentRead=True,
        )
        notes = [NoteRecord.model_validate(from_item(i)["data"]) for i in got["Items"]]
        return [n for n in notes if n.note_id != before][:limit]

    def unread_notes(self, user_id: str, cap: int) -> int:
        read = self.read_upto(user_id)
        got = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {":p": f"NOTES#{user_id}", ":lo": after_note(read), ":hi": NOTES_END}
            ),
            Select="COUNT",
            Limit=cap,
            ConsistentRead=True,
        )
        return min(int(got["Count"]), cap)

    def read_upto(self, user_id: str) -> str | None:
        item = self._get(f"NOTES#{user_id}", "INBOX")
        return str(item["read_upto"]) if item else None

    def mark_read(self, user_id: str, note_id: str) -> bool:
        try:
            self.client.put_item(**inbox_read_put(self.table, user_id, note_id)["Put"])
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def undelivered_notes(self, limit: int) -> Sequence[NoteRecord]:
        items = self._batch_get(self._newest_indexed("UNDELIVERED", UNDELIVERED_PARTITIONS, limit))
        return [NoteRecord.model_validate(i["data"]) for i in items if i is not None]

    # ------------------------------------------------------------------ reconciliation
    def journal_entries(self, keys: Sequence[tuple[str | None, str]]) -> dict[str, JournalEntry]:
        """The journal entries that exist among (listing id, key), by key (BatchGetItem)."""
        wanted = list(dict.fromkeys((journal_pk(lid, key), f"ENTRY#{key}") for lid, key in keys))
        return {i["key"]: journal_from(i) for i in self._batch_get(wanted) if i is not None}

    def keep_refund_receipt(self, receipt: RefundReceipt) -> bool:
        """Kept once: False when the refund's receipt was kept before."""
        try:
            self.client.put_item(**refund_receipt_put(self.table, receipt)["Put"])
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def refund_receipts(self, refund_ids: Sequence[str]) -> dict[str, RefundReceipt]:
        items = self._batch_get([(f"REFUND#{r}", "REFUND") for r in dict.fromkeys(refund_ids)])
        return {i["refund_id"]: refund_receipt_from(i) for i in items if i is not None}

    def recorded_on(self, day: str) -> Iterator[JournalEntry | RefundReceipt]:
        """Journal entries and refund receipts of the day (UTC) that name a provider's record:
        the day's index (ByHoldExpiry ``RECON#<day>#<j>``, 16 partitions, keys only), read a
        page at a time and fetched 100 at a time; never the whole journal."""
        for j in range(JOURNAL_PARTITIONS):
            keys: list[tuple[str, str]] = []
            for item in self._pages(
                IndexName="ByHoldExpiry",
                KeyConditionExpression="gsi3pk = :p",
                ExpressionAttributeValues=to_item({":p": f"RECON#{day}#{j}"}),
            ):
                keys.append((item["pk"], item["sk"]))
                if len(keys) == 100:
                    yield from self._recorded(keys)
                    keys = []
            if keys:
                yield from self._recorded(keys)

    def _recorded(self, keys: list[tuple[str, str]]) -> Iterator[JournalEntry | RefundReceipt]:
        for item in self._batch_get(keys):
            if item is None:
                continue
            if item["pk"].startswith("REFUND#"):
                yield refund_receipt_from(item)
            else:
                yield journal_from(item)

    def credit_mileage(self, buyer_id: str, currency: str, amount: int, key: str) -> bool:
        """Once per key, for ever: the credit's own record (no TTL) in the same transaction, so
        the balance item stays the same size however many credits a buyer collects over the
        years. Contention is retried here; False when the credit was applied before."""
        writes: list[Any] = [
            credit_put(self.table, key, self.clock.now()),
            {  # what releases before this one kept a credit by (a marker that expires)
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": to_item({"pk": f"DEDUPE#mileage:{key}", "sk": "EVENT"}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": mileage_key(buyer_id, currency),
                    "UpdateExpression": "ADD balance :a",
                    "ExpressionAttributeValues": to_item({":a": amount}),
                }
            },
        ]
        return transact_once(self.client, writes)

    # ------------------------------------------------------------ sellers' completed sales
    # SALE#<listing id> / SALE: the listing's sale, counted (for ever); SALES#<seller> / SALES:
    # the seller's count. Both in one transaction, the first new, so a listing counts once.
    def count_sale(self, seller_id: str, listing_id: str) -> bool:
        now = self.clock.now().astimezone(UTC).isoformat()
        writes: list[Any] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(
                        {
                            "pk": f"SALE#{listing_id}",
                            "sk": "SALE",
                            "seller_id": seller_id,
                            "at": now,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": to_item({"pk": f"SALES#{seller_id}", "sk": "SALES"}),
                    "UpdateExpression": "ADD completed :one",
                    "ExpressionAttributeValues": to_item({":one": 1}),
                }
            },
        ]
        return transact_once(self.client, writes)

    def completed_sales(self, seller_ids: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(seller_ids))
        items = self._batch_get([(f"SALES#{s}", "SALES") for s in wanted], consistent=False)
        return {s: int(i["completed"]) if i else 0 for s, i in zip(wanted, items, strict=True)}


def _dead(item: dict[str, Any]) -> DeadEffects:
    def when(key: str) -> datetime | None:
        return datetime.fromisoformat(item[key]) if item.get(key) else None

    return DeadEffects(
        dead_id=item["sk"],
        effects=_effects.validate_python(json.loads(item["effects"])),
        created_at=datetime.fromisoformat(item["created_at"]),
        failed_at=datetime.fromisoformat(item["failed_at"]),
        attempts=int(item["attempts"]),
        last_error=item["last_error"],
        listing_id=item.get("listing_id"),
        resolved_at=when("resolved_at"),
        resolved_by=item.get("resolved_by"),
        resolution_note=item.get("resolution_note"),
    )


def _position(item: dict[str, Any], sort_key: str) -> str:
    return json.dumps([str(item[sort_key]), str(item["pk"]), str(item["sk"])])


def _start_key(key: tuple[str, str], sort_key: str, position: str) -> dict[str, Any]:
    """The ExclusiveStartKey a position names, always in the partition being queried (a key of
    another partition, or a malformed one, is a ValidationException on DynamoDB)."""
    try:
        parts = json.loads(position)
    except ValueError:
        parts = None
    if not (isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)):
        raise BadCursor("cursor is not one this API gave", field="cursor")
    sort_value, pk, sk = parts
    return to_item({key[0]: key[1], sort_key: sort_value, "pk": pk, "sk": sk})


def _dead_pk(resolved: bool) -> str:
    return f"{DEAD_EFFECTS_PK}#RESOLVED" if resolved else DEAD_EFFECTS_PK
