"""The Store on one DynamoDB table: every Change is one TransactWriteItems call.

Keys (pk / sk):
  LISTING#<id> / META                 listing (gsi1: STATUS#<status> / <closes_at>#<id>;
                                       gsi2: SELLER#<seller> / <created_at>)
  SEED#<listing id> / SEED            draw seed (its own key prefix: only the draw may read it)
  LISTING#<id> / ENTRY#<entry id>     entry (gsi2: BUYER#<buyer> / <created_at>#<entry id>)
  USER#<id>    / PROFILE              profile
  USER#<id>    / MILEAGE#<currency>   spendable mileage balance and the credit keys applied
  LEDGER#<listing id or -> / ENTRY#<key>   journal entry (never overwritten)
  ATTENTION / <listing id>            a listing whose execution stopped (written on failure only)
  PAYOUT#<payout id> / PAYOUT         a payout issued to a seller, and whether it was paid
  DEDUPE#<key> / EVENT                a provider payment, payout or event applied (TTL 30 days)
  OUTBOX / <created>#<id>             effects committed but not yet run
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import TypeAdapter

from tombola.changes import Change, Effect, EffectEnvelope
from tombola.errors import Conflict, InsufficientBalance
from tombola.ledger import Category, EntryKind, JournalEntry, Posting
from tombola.lifecycle import ListingStatus
from tombola.ports import Clock
from tombola.records import (
    Attention,
    DrawSecret,
    EntryRecord,
    ListingRecord,
    PayoutRecord,
    ProfileRecord,
)

MAX_EFFECTS_PER_OUTBOX_ITEM = 400
DEDUPE_TTL = timedelta(days=30)
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

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table, **kwargs):
            items.extend(_ints(_plain(i)) for i in page["Items"])
        return items

    def get_listing(self, listing_id: str) -> ListingRecord | None:
        item = self._get(f"LISTING#{listing_id}", "META")
        return ListingRecord.model_validate(item["data"]) if item else None

    def list_listings(self, status: str | None, limit: int) -> Sequence[ListingRecord]:
        statuses = [s.value for s in ListingStatus] if status is None else [status]
        out: list[ListingRecord] = []
        for s in statuses:
            for item in self._query(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues=_item({":p": f"STATUS#{s}"}),
            ):
                out.append(ListingRecord.model_validate(item["data"]))
        out.sort(key=lambda x: x.created_at, reverse=True)
        return out[:limit]

    def listings_of_seller(self, seller_id: str) -> Sequence[ListingRecord]:
        return [
            ListingRecord.model_validate(i["data"])
            for i in self._query(
                IndexName="ByOwner",
                KeyConditionExpression="gsi2pk = :p",
                ExpressionAttributeValues=_item({":p": f"SELLER#{seller_id}"}),
            )
        ]

    def due_listing_ids(self, now: datetime) -> Sequence[str]:
        ids: list[str] = []
        for status in (ListingStatus.OPEN, ListingStatus.AWAITING_DEPOSIT):
            for item in self._query(
                IndexName="ByStatus",
                KeyConditionExpression="gsi1pk = :p AND gsi1sk <= :t",
                ExpressionAttributeValues=_item({":p": f"STATUS#{status}", ":t": _iso(now) + "~"}),
            ):
                ids.append(item["data"]["listing_id"])
        return ids

    def get_entry(self, listing_id: str, entry_id: str) -> EntryRecord | None:
        item = self._get(f"LISTING#{listing_id}", f"ENTRY#{entry_id}")
        return EntryRecord.model_validate(item["data"]) if item else None

    def entries_of_listing(self, listing_id: str) -> Sequence[EntryRecord]:
        return [
            EntryRecord.model_validate(i["data"])
            for i in self._query(
                KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                ExpressionAttributeValues=_item({":p": f"LISTING#{listing_id}", ":s": "ENTRY#"}),
                ConsistentRead=True,
            )
        ]

    def entries_of_buyer(self, buyer_id: str) -> Sequence[EntryRecord]:
        return [
            EntryRecord.model_validate(i["data"])
            for i in self._query(
                IndexName="ByOwner",
                KeyConditionExpression="gsi2pk = :p",
                ExpressionAttributeValues=_item({":p": f"BUYER#{buyer_id}"}),
            )
        ]

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
            for item in self._query(
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
        return [
            _journal_from(i)
            for i in self._query(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=_item({":p": f"LEDGER#{listing_id}"}),
                ConsistentRead=True,
            )
        ]

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
                    "pk": f"LISTING#{listing.listing_id}",
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

    def _entry_put(self, entry: EntryRecord) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _item(
                    {
                        "pk": f"LISTING#{entry.listing_id}",
                        "sk": f"ENTRY#{entry.entry_id}",
                        "gsi2pk": f"BUYER#{entry.buyer_id}",
                        "gsi2sk": f"{_iso(entry.created_at)}#{entry.entry_id}",
                        "data": entry.model_dump(mode="json"),
                    }
                ),
            }
        }

    def _journal_put(self, entry: JournalEntry) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _item(
                    {
                        "pk": f"LEDGER#{entry.listing_id or '-'}",
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
        for e in change.entries:
            add("entry", self._entry_put(e))
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
            outbox_id = f"{_iso(now)}#{uuid.uuid4().hex}"
            outbox_ids.append(outbox_id)
            body = json.dumps(
                [EffectEnvelope(effect=e).model_dump(mode="json")["effect"] for e in batch]
            )
            add(
                "outbox",
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": _item({"pk": "OUTBOX", "sk": outbox_id, "effects": body}),
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
            raise Conflict("the listing changed meanwhile") from None
        return outbox_ids

    def complete_effects(self, outbox_id: str) -> None:
        self.client.delete_item(TableName=self.table, Key=_item({"pk": "OUTBOX", "sk": outbox_id}))

    def pending_effects(self, older_than_seconds: int) -> Sequence[tuple[str, Sequence[Effect]]]:
        cutoff = _iso(self.clock.now() - timedelta(seconds=older_than_seconds))
        items = self._query(
            KeyConditionExpression="pk = :p AND sk <= :c",
            ExpressionAttributeValues=_item({":p": "OUTBOX", ":c": cutoff}),
        )
        return [(i["sk"], _effects.validate_python(json.loads(i["effects"]))) for i in items]

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
