"""The Store on one DynamoDB table: every Change is one TransactWriteItems call.

The keys, indexes and access patterns are documented in docs/DATA_MODEL.md; in short:
  LISTING#<id> / META                 listing head (gsi1 ByStatus, gsi2 ByOwner SELLER#)
  QUOTA#<id>#<k> / QUOTA              quota shard k: remaining, paid, open
  ENTRIES#<id>#<b> / BUYER#<buyer>    a buyer's entries on a listing (gsi2 BUYER#, gsi3 holds)
  DRAW#<id> / ORDER#<n> | TICKETS#<n> draw order and public ticket list, in chunks
  SEED#<listing id> / SEED            draw seed (its own key prefix: only the draw may read it)
  USER#<id>    / PROFILE | MILEAGE#<currency>
  LEDGER#<listing id or ->#<j> / ENTRY#<key>   journal entry (never overwritten)
  ATTENTION / <listing id>            a listing whose execution stopped (written on failure only)
  PAYOUT#<payout id> / PAYOUT         a payout issued to a seller, and whether it was paid
  DEDUPE#<key> / EVENT                a provider payment, payout or event applied (TTL 30 days)
  OUTBOX#<o> / <created>#<id>         effects committed but not yet run
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import TypeAdapter

from tombola.changes import Change, Effect, EffectEnvelope, NewQuotaShard, QuotaMove
from tombola.errors import Conflict, InsufficientBalance, QuotaShort
from tombola.ledger import Category, EntryKind, JournalEntry, Posting
from tombola.lifecycle import ListingStatus
from tombola.ports import Clock
from tombola.quota import (
    HOLD_INDEX_PARTITIONS,
    JOURNAL_PARTITIONS,
    OUTBOX_PARTITIONS,
    ShardState,
    bucket,
)
from tombola.records import (
    Attention,
    BuyerRecord,
    DrawSecret,
    EntryRecord,
    ListingRecord,
    PayoutRecord,
    ProfileRecord,
)

MAX_EFFECTS_PER_OUTBOX_ITEM = 400
DRAW_CHUNK = 1000  # buyers per order chunk, tickets per ticket chunk
DEDUPE_TTL = timedelta(days=30)
READ_WORKERS = 8  # partitions of one listing read in parallel
_ser = TypeSerializer()
_de = TypeDeserializer()
_effects = TypeAdapter(list[Effect])


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in values.items() if v is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def _ints(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; every number we store is an integer."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, set):
        return value
    return value


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


def listing_pk(listing_id: str) -> str:
    return f"LISTING#{listing_id}"


def quota_pk(listing_id: str, shard: int) -> str:
    return f"QUOTA#{listing_id}#{shard}"


def entries_pk(listing_id: str, partition: int) -> str:
    return f"ENTRIES#{listing_id}#{partition}"


def journal_pk(listing_id: str | None, key: str) -> str:
    return f"LEDGER#{listing_id or '-'}#{bucket(key, JOURNAL_PARTITIONS)}"


def draw_pk(listing_id: str) -> str:
    return f"DRAW#{listing_id}"


class DynamoStore:
    def __init__(self, table_name: str, clock: Clock, client: Any | None = None) -> None:
        self.table = table_name
        self.clock = clock
        self.client = client or boto3.client("dynamodb")

    # ------------------------------------------------------------------ reads
    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        got = self.client.get_item(
            TableName=self.table, Key=_item({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        return _ints(_plain(got["Item"])) if "Item" in got else None

    def _pages(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table, **kwargs):
            for i in page["Items"]:
                yield _ints(_plain(i))

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self._pages(**kwargs))

    def _batch_get(self, keys: Sequence[tuple[str, str]], consistent: bool = True) -> list[Any]:
        """Items for (pk, sk) keys, in the order asked (None where absent)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [_item({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]],
                    "ConsistentRead": consistent,
                }
            }
            while request:
                got = self.client.batch_get_item(RequestItems=request)
                for raw in got["Responses"].get(self.table, []):
                    item = _ints(_plain(raw))
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

    def list_listings(
        self, status: str, limit: int, cursor: dict[str, str] | None = None
    ) -> tuple[Sequence[ListingRecord], dict[str, str] | None]:
        """One page of one status, closing soonest first; the cursor continues it."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "ByStatus",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": _item({":p": f"STATUS#{status}"}),
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = _item(cursor)
        got = self.client.query(**kwargs)
        listings = [ListingRecord.model_validate(_ints(_plain(i))["data"]) for i in got["Items"]]
        last = got.get("LastEvaluatedKey")
        return listings, ({k: str(v) for k, v in _plain(last).items()} if last else None)

    def every_listing(self) -> Iterator[ListingRecord]:
        """Every listing head of every status (for the local stack's log; not a request path)."""
        for status in ListingStatus:
            for item in self._pages(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=_item({":p": f"STATUS#{status}"}),
            ):
                yield ListingRecord.model_validate(item["data"])

    def listings_of_seller(self, seller_id: str) -> Sequence[ListingRecord]:
        keys = [
            (i["pk"], i["sk"])
            for i in self._pages(
                IndexName="ByOwner",
                KeyConditionExpression="gsi2pk = :p",
                ExpressionAttributeValues=_item({":p": f"SELLER#{seller_id}"}),
            )
        ]
        return [ListingRecord.model_validate(i["data"]) for i in self._batch_get(keys) if i]

    def due_listing_ids(self, now: datetime) -> Sequence[str]:
        ids: list[str] = []
        for status in ("open", "awaiting_deposit"):
            for item in self._pages(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p AND gsi1sk <= :t",
                ExpressionAttributeValues=_item({":p": f"STATUS#{status}", ":t": _iso(now) + "~"}),
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
            "ExpressionAttributeValues": _item(
                {":p": entries_pk(listing_id, partition), ":s": "BUYER#"}
            ),
            "ConsistentRead": True,
        }
        if cursor is not None:
            kwargs["ExclusiveStartKey"] = _item(
                {"pk": entries_pk(listing_id, partition), "sk": f"BUYER#{cursor}"}
            )
        out: list[BuyerRecord] = []
        while True:
            if limit is not None:
                kwargs["Limit"] = limit - len(out)
            got = self.client.query(**kwargs)
            out.extend(BuyerRecord.model_validate(_ints(_plain(i))["data"]) for i in got["Items"])
            last = got.get("LastEvaluatedKey")
            if not last:
                return out, None
            if limit is not None and len(out) >= limit:
                return out, str(_plain(last)["sk"]).removeprefix("BUYER#")
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

    def entries_of_buyer(self, buyer_id: str) -> Sequence[EntryRecord]:
        keys = [
            (i["pk"], i["sk"])
            for i in self._pages(
                IndexName="ByOwner",
                KeyConditionExpression="gsi2pk = :p",
                ExpressionAttributeValues=_item({":p": f"BUYER#{buyer_id}"}),
            )
        ]
        entries: list[EntryRecord] = []
        for item in self._batch_get(keys):
            if item:
                entries.extend(BuyerRecord.model_validate(item["data"]).entries.values())
        return sorted(entries, key=lambda e: (e.created_at, e.entry_id))

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
            )
            for k, i in zip(wanted, items, strict=True)
            if i is not None
        ]

    def put_draw(
        self, listing_id: str, order: Sequence[str], tickets: Sequence[tuple[str, str]]
    ) -> None:
        """The draw's order and ticket list in chunks; a re-run writes the same items."""
        items: list[dict[str, Any]] = []
        for n, start in enumerate(range(0, len(order), DRAW_CHUNK)):
            items.append(
                _item(
                    {
                        "pk": draw_pk(listing_id),
                        "sk": f"ORDER#{n:06d}",
                        "buyers": list(order[start : start + DRAW_CHUNK]),
                    }
                )
            )
        for n, start in enumerate(range(0, len(tickets), DRAW_CHUNK)):
            chunk = tickets[start : start + DRAW_CHUNK]
            items.append(
                _item(
                    {
                        "pk": draw_pk(listing_id),
                        "sk": f"TICKETS#{n:06d}",
                        "tickets": json.dumps(chunk, separators=(",", ":")),
                    }
                )
            )
        self._batch_put(items)

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
        """(listing id, buyer id) of buyer items with a hold due before ``now``."""
        found: list[tuple[str, str]] = []
        only = {"FilterExpression": "contains(gsi3sk, :l)"} if listing_id is not None else {}
        for h in range(HOLD_INDEX_PARTITIONS):
            values = {":p": f"HOLDS#{h}", ":t": _iso(now) + "~"}
            if listing_id is not None:
                values[":l"] = f"#{listing_id}#"
            for item in self._pages(
                IndexName="ByHoldExpiry",
                KeyConditionExpression="gsi3pk = :p AND gsi3sk <= :t",
                ExpressionAttributeValues=_item(values),
                **only,
            ):
                _, listing_id, buyer_id = item["gsi3sk"].split("#", 2)
                found.append((listing_id, buyer_id))
        return found

    def get_profile(self, user_id: str) -> ProfileRecord | None:
        item = self._get(f"USER#{user_id}", "PROFILE")
        return ProfileRecord.model_validate(item["data"]) if item else None

    def put_profile(self, profile: ProfileRecord) -> None:
        self.client.put_item(TableName=self.table, Item=self._profile_item(profile))

    def get_secret(self, listing_id: str) -> DrawSecret | None:
        item = self._get(f"SEED#{listing_id}", "SEED")
        return DrawSecret.model_validate(item["data"]) if item else None

    def needing_attention(self) -> Sequence[tuple[str, Attention]]:
        return [
            (i["sk"], Attention.model_validate(i["data"]))
            for i in self._query(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=_item({":p": "ATTENTION"}),
                ConsistentRead=True,
            )
        ]

    def in_flight_listing_ids(self, statuses: Sequence[str]) -> Sequence[str]:
        ids: list[str] = []
        for status in statuses:
            for item in self._pages(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=_item({":p": f"STATUS#{status}"}),
            ):
                ids.append(item["data"]["listing_id"])
        return ids

    def get_payout(self, payout_id: str) -> PayoutRecord | None:
        item = self._get(f"PAYOUT#{payout_id}", "PAYOUT")
        return PayoutRecord.model_validate(item["data"]) if item else None

    def journal_of_listing(self, listing_id: str) -> Sequence[JournalEntry]:
        entries: list[JournalEntry] = []
        for j in range(JOURNAL_PARTITIONS):
            entries.extend(
                _journal_from(i)
                for i in self._pages(
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues=_item({":p": f"LEDGER#{listing_id}#{j}"}),
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
            ExpressionAttributeValues=_item({":p": "LEDGER#"}),
        ):
            items.extend(_ints(_plain(i)) for i in page["Items"])
        return [_journal_from(i) for i in items]

    def mileage_balance(self, buyer_id: str, currency: str) -> int:
        item = self._get(f"USER#{buyer_id}", f"MILEAGE#{currency}")
        return int(item["balance"]) if item else 0

    # ------------------------------------------------------------------ writes
    def _profile_item(self, profile: ProfileRecord) -> dict[str, Any]:
        return _item(
            {
                "pk": f"USER#{profile.user_id}",
                "sk": "PROFILE",
                "data": profile.model_dump(mode="json"),
            }
        )

    def _listing_put(self, listing: ListingRecord, new: bool) -> dict[str, Any]:
        data = listing.model_dump(mode="json")
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": _item(
                {
                    "pk": listing_pk(listing.listing_id),
                    "sk": "META",
                    "version": listing.version,
                    "gsi1pk": f"STATUS#{listing.status}",
                    "gsi1sk": f"{_iso(listing.closes_at)}#{listing.listing_id}",
                    "gsi2pk": f"SELLER#{listing.seller_id}",
                    "gsi2sk": _iso(listing.created_at),
                    "data": data,
                }
            ),
        }
        if new:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = _item({":v": listing.version - 1})
        return {"Put": put}

    def _buyer_put(self, buyer: BuyerRecord) -> dict[str, Any]:
        values: dict[str, Any] = {
            "pk": entries_pk(buyer.listing_id, buyer.partition),
            "sk": f"BUYER#{buyer.buyer_id}",
            "version": buyer.version,
            "gsi2pk": f"BUYER#{buyer.buyer_id}",
            "gsi2sk": buyer.listing_id,
            "data": buyer.model_dump(mode="json", exclude_none=True),
        }
        due = buyer.next_expiry()
        if due is not None:  # sparse: only buyers with a hold to release are in ByHoldExpiry
            h = bucket(f"{buyer.listing_id}|{buyer.buyer_id}", HOLD_INDEX_PARTITIONS)
            values["gsi3pk"] = f"HOLDS#{h}"
            values["gsi3sk"] = f"{_iso(due)}#{buyer.listing_id}#{buyer.buyer_id}"
        put: dict[str, Any] = {"TableName": self.table, "Item": _item(values)}
        if buyer.version <= 1:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = _item({":v": buyer.version - 1})
        return {"Put": put}

    def _quota_update(self, move: QuotaMove) -> dict[str, Any]:
        key = _item({"pk": quota_pk(move.listing_id, move.shard), "sk": "QUOTA"})
        names = {"#open": "open"}
        adds: list[str] = []
        conditions = ["attribute_exists(pk)"]
        values: dict[str, Any] = {}
        if move.take or move.paid:
            conditions.append("#open = :open")
            values[":open"] = True
        if move.take and move.capped:
            adds.append("remaining :negtake")
            values[":negtake"] = -move.take
            values[":take"] = move.take
            conditions.append("remaining >= :take")
        if move.give and move.capped:
            adds.append("remaining :give")
            values[":give"] = move.give
        if move.paid:
            adds.append("paid :paid")
            values[":paid"] = move.paid
        parts = []
        if move.close:
            parts.append("SET #open = :closed")
            values[":closed"] = False
        if adds:
            parts.append("ADD " + ", ".join(adds))
        condition = " AND ".join(conditions)
        if "#open" not in condition + " ".join(parts):
            names = {}
        named = {"ExpressionAttributeNames": names} if names else {}
        if not parts:  # nothing to count (no cap): only the open check
            return {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": key,
                    "ConditionExpression": condition,
                    **named,
                    **({"ExpressionAttributeValues": _item(values)} if values else {}),
                }
            }
        return {
            "Update": {
                "TableName": self.table,
                "Key": key,
                "UpdateExpression": " ".join(parts),
                "ConditionExpression": condition,
                **named,
                "ExpressionAttributeValues": _item(values),
            }
        }

    def _quota_put(self, shard: NewQuotaShard) -> dict[str, Any]:
        values: dict[str, Any] = {
            "pk": quota_pk(shard.listing_id, shard.shard),
            "sk": "QUOTA",
            "paid": 0,
            "open": True,
        }
        if shard.cap is not None:
            values["cap"] = shard.cap
            values["remaining"] = shard.cap
        return {
            "Put": {
                "TableName": self.table,
                "Item": _item(values),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _journal_put(self, entry: JournalEntry) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _item(
                    {
                        "pk": journal_pk(entry.listing_id, entry.key),
                        "sk": f"ENTRY#{entry.key}",
                        "key": entry.key,
                        "kind": entry.kind.value,
                        "currency": entry.currency,
                        "listing_id": entry.listing_id,
                        "memo": entry.memo,
                        "postings": [
                            {"account": p.account, "amount": p.amount, "category": p.category.value}
                            for p in entry.postings
                        ],
                        "posted_at": _iso(self.clock.now()),
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def commit(self, change: Change) -> list[str] | None:
        items: list[Any] = []
        kinds: list[str] = []

        def add(kind: str, item: dict[str, Any]) -> None:
            items.append(item)
            kinds.append(kind)

        now = self.clock.now()
        for key in change.dedupe:
            add(
                "dedupe",
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": _item(
                            {
                                "pk": f"DEDUPE#{key}",
                                "sk": "EVENT",
                                "seen_at": _iso(now),
                                "expires_at_epoch": int((now + DEDUPE_TTL).timestamp()),
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )
        for entry in change.journal:
            add("journal", self._journal_put(entry))
        if change.listing is not None:
            add("listing", self._listing_put(change.listing, change.new_listing))
        for buyer in change.buyers:
            add("buyer", self._buyer_put(buyer))
        for shard in change.new_quota:
            add("new_quota", self._quota_put(shard))
        for move in change.quota:
            add("quota", self._quota_update(move))
        for p in change.profiles:
            add("profile", {"Put": {"TableName": self.table, "Item": self._profile_item(p)}})
        for s in change.secrets:
            add(
                "secret",
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": _item(
                            {
                                "pk": f"SEED#{s.listing_id}",
                                "sk": "SEED",
                                "data": s.model_dump(),
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )
        for payout in change.payouts:
            add(
                "payout",
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": _item(
                            {
                                "pk": f"PAYOUT#{payout.payout_id}",
                                "sk": "PAYOUT",
                                "data": payout.model_dump(mode="json"),
                            }
                        ),
                        # Issued once; marked paid only where it was issued.
                        "ConditionExpression": "attribute_not_exists(pk)"
                        if payout.status == "issued"
                        else "attribute_exists(pk)",
                    }
                },
            )
        for listing_id, attention in change.attention.items():
            attention_key = _item({"pk": "ATTENTION", "sk": listing_id})
            if attention is None:
                add("attention", {"Delete": {"TableName": self.table, "Key": attention_key}})
            else:
                item = {**attention_key, **_item({"data": attention.model_dump(mode="json")})}
                add("attention", {"Put": {"TableName": self.table, "Item": item}})
        for d in change.mileage_debits:
            add(
                "mileage",
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": _item({"pk": f"USER#{d.buyer_id}", "sk": f"MILEAGE#{d.currency}"}),
                        "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a",
                        "ExpressionAttributeValues": _item({":a": d.amount}),
                    }
                },
            )
        outbox_ids: list[str] = []
        for start in range(0, len(change.effects), MAX_EFFECTS_PER_OUTBOX_ITEM):
            batch = change.effects[start : start + MAX_EFFECTS_PER_OUTBOX_ITEM]
            partition = uuid.uuid4().int % OUTBOX_PARTITIONS
            outbox_id = f"{partition}|{_iso(now)}#{uuid.uuid4().hex}"
            outbox_ids.append(outbox_id)
            body = json.dumps(
                [EffectEnvelope(effect=e).model_dump(mode="json")["effect"] for e in batch]
            )
            add(
                "outbox",
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": _item(
                            {
                                "pk": f"OUTBOX#{partition}",
                                "sk": outbox_id.split("|", 1)[1],
                                "effects": body,
                            }
                        ),
                    }
                },
            )
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
            if failed == {"quota"}:
                raise QuotaShort("a quota shard had too little left or closed") from None
            raise Conflict("the listing changed meanwhile") from None
        return outbox_ids

    def complete_effects(self, outbox_id: str) -> None:
        partition, sk = outbox_id.split("|", 1)
        self.client.delete_item(
            TableName=self.table, Key=_item({"pk": f"OUTBOX#{partition}", "sk": sk})
        )

    def pending_effects(self, older_than_seconds: int) -> Sequence[tuple[str, Sequence[Effect]]]:
        cutoff = _iso(self.clock.now() - timedelta(seconds=older_than_seconds))
        found: list[tuple[str, Sequence[Effect]]] = []
        for partition in range(OUTBOX_PARTITIONS):
            for i in self._pages(
                KeyConditionExpression="pk = :p AND sk <= :c",
                ExpressionAttributeValues=_item({":p": f"OUTBOX#{partition}", ":c": cutoff}),
            ):
                effects = _effects.validate_python(json.loads(i["effects"]))
                found.append((f"{partition}|{i['sk']}", effects))
        return sorted(found, key=lambda f: f[0].split("|", 1)[1])

    def credit_mileage(self, buyer_id: str, currency: str, amount: int, key: str) -> bool:
        try:
            self.client.update_item(
                TableName=self.table,
                Key=_item({"pk": f"USER#{buyer_id}", "sk": f"MILEAGE#{currency}"}),
                UpdateExpression="ADD balance :a, applied :k",
                ConditionExpression="attribute_not_exists(applied) OR NOT contains(applied, :ks)",
                ExpressionAttributeValues=_item({":a": amount, ":k": {key}, ":ks": key}),
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _journal_from(item: dict[str, Any]) -> JournalEntry:
    return JournalEntry(
        key=item["key"],
        kind=EntryKind(item["kind"]),
        currency=item["currency"],
        postings=tuple(
            Posting(p["account"], int(p["amount"]), Category(p["category"]))
            for p in item["postings"]
        ),
        listing_id=item.get("listing_id"),
        memo=item.get("memo", ""),
    )
