"""How each entity is laid out in the one table: keys, attributes, and the writes a Change
turns into (each a TransactWriteItems operation with its condition). docs/DATA_MODEL.md
describes the same layout; DynamoStore reads and commits it."""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tombola.domain.errors import Conflict
from tombola.domain.ledger import Category, EntryKind, JournalEntry, Posting
from tombola.domain.provider_match import RefundReceipt
from tombola.domain.quota import (
    HOLD_INDEX_PARTITIONS,
    JOURNAL_PARTITIONS,
    OUTBOX_PARTITIONS,
    bucket,
)
from tombola.ports.messages import Channel
from tombola.state.changes import (
    Effect,
    MileageDebit,
    NewQuotaShard,
    QuotaMove,
    SpendCharge,
    effect_json,
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

DEDUPE_TTL = timedelta(days=30)
NEW = "attribute_not_exists(pk)"

_ser = TypeSerializer()
_de = TypeDeserializer()


# ---------------------------------------------------------------------------- values
def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Python values → DynamoDB's typed attributes (None values are left out)."""
    return {k: _ser.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """Typed attributes → Python values, numbers as int (every number we store is one)."""
    return {k: _ints(_de.deserialize(v)) for k, v in item.items()}


def _ints(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


# ---------------------------------------------------------------------------- keys
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


def mileage_key(buyer_id: str, currency: str) -> dict[str, Any]:
    return to_item({"pk": f"USER#{buyer_id}", "sk": f"MILEAGE#{currency}"})


def outbox_key(outbox_id: str) -> dict[str, Any]:
    """An outbox id is ``<partition>|<sort key>``: its item's whole key."""
    partition, sk = outbox_id.split("|", 1)
    return to_item({"pk": f"OUTBOX#{partition}", "sk": sk})


# ---------------------------------------------------------------------------- writes
WRITE_ATTEMPTS = 8  # a transaction cancelled by contention (nothing written) is tried again


def transact_once(client: Any, items: list[Any]) -> bool:
    """Write ``items`` in one transaction: True when written, False when one of their
    conditions failed (written before); a cancellation by contention is tried again with a
    short random pause, and raises Conflict when it never goes through."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            client.transact_write_items(TransactItems=items)
        except ClientError as err:
            if err.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = err.response.get("CancellationReasons") or []
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                return False
            time.sleep(random.uniform(0, min(0.25, 0.004 * 2**attempt)))
            continue
        return True
    raise Conflict("the write kept colliding with others; try again")


def _put(table: str, values: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": to_item(values)}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _versioned(put: dict[str, Any], version: int, new: bool) -> dict[str, Any]:
    """New, or written over exactly the version it was read at (the one before ``version``)."""
    body = put["Put"]
    if new:
        body["ConditionExpression"] = NEW
    else:
        body["ConditionExpression"] = "version = :v"
        body["ExpressionAttributeValues"] = to_item({":v": version - 1})
    return put


def profile_put(table: str, profile: ProfileRecord) -> dict[str, Any]:
    return _put(
        table,
        {
            "pk": f"USER#{profile.user_id}",
            "sk": "PROFILE",
            "version": profile.version,
            "data": profile.model_dump(mode="json"),
        },
    )


def profile_put_over(table: str, profile: ProfileRecord, read: int | None) -> dict[str, Any]:
    """The profile over the version it was read at (None: there was none); a profile written
    before profiles had versions has none and counts as version 0."""
    put = profile_put(table, profile)
    body = put["Put"]
    if read is None:
        body["ConditionExpression"] = NEW
    else:
        body["ConditionExpression"] = "version = :v" + (
            " OR attribute_not_exists(version)" if read == 0 else ""
        )
        body["ExpressionAttributeValues"] = to_item({":v": read})
    return put


DECIDED_DISPUTES_PK = "DECIDED_DISPUTES"  # the operator's history of decided disputes (gsi3)


def decided_dispute_sk(listing: ListingRecord) -> str | None:
    """Where a decided dispute sorts in the operator's history (by when it was decided), or
    None while the listing has none."""
    if listing.resolution is None or listing.resolved_at is None:
        return None
    return f"{iso(listing.resolved_at)}#{listing.listing_id}"


def listing_put(table: str, listing: ListingRecord, new: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pk": listing_pk(listing.listing_id),
        "sk": "META",
        "version": listing.version,
        "gsi1pk": f"STATUS#{listing.status}",
        "gsi1sk": f"{iso(listing.due_at)}#{listing.listing_id}",
        "gsi2pk": f"SELLER#{listing.seller_id}",
        "gsi2sk": iso(listing.created_at),
        "data": listing.model_dump(mode="json"),
    }
    decided = decided_dispute_sk(listing)
    if decided is not None:  # sparse: from the resolution's own write on, with the same keys
        values["gsi3pk"] = DECIDED_DISPUTES_PK
        values["gsi3sk"] = decided
    return _versioned(_put(table, values), listing.version, new)


def buyer_put(table: str, buyer: BuyerRecord) -> dict[str, Any]:
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
        values["gsi3sk"] = f"{iso(due)}#{buyer.listing_id}#{buyer.buyer_id}"
    return _versioned(_put(table, values), buyer.version, new=buyer.version <= 1)


def quota_update(table: str, move: QuotaMove) -> dict[str, Any]:
    """ADD to a shard's counters under its conditions (open; enough left when capped); a bare
    condition check when there is nothing to count."""
    key = to_item({"pk": quota_pk(move.listing_id, move.shard), "sk": "QUOTA"})
    adds: list[str] = []
    conditions = ["attribute_exists(pk)"]
    values: dict[str, Any] = {}
    if move.take or move.paid or move.free:
        conditions.append("#open = :open")
        values[":open"] = True
    if move.capped and (move.take or move.give):
        # one ADD per attribute: DynamoDB refuses two on one path
        adds.append("remaining :delta")
        values[":delta"] = move.give - move.take
        if move.take > move.give:
            values[":need"] = move.take - move.give
            conditions.append("remaining >= :need")
    if move.paid:
        adds.append("paid :paid")
        values[":paid"] = move.paid
    if move.free:
        adds.append("#free :free")  # FREE is one of DynamoDB's reserved words
        values[":free"] = move.free
    if move.expect_paid is not None:
        conditions.append("paid = :expect_paid")
        values[":expect_paid"] = move.expect_paid
    parts = []
    if move.close:
        parts.append("SET #open = :closed")
        values[":closed"] = False
    if adds:
        parts.append("ADD " + ", ".join(adds))
    condition = " AND ".join(conditions)
    body: dict[str, Any] = {"TableName": table, "Key": key, "ConditionExpression": condition}
    said = condition + " ".join(parts)
    names = {n: n[1:] for n in ("#open", "#free") if n in said}
    if names:
        body["ExpressionAttributeNames"] = names
    if values:
        body["ExpressionAttributeValues"] = to_item(values)
    if not parts:  # nothing to count (no cap): only the open check
        return {"ConditionCheck": body}
    return {"Update": {**body, "UpdateExpression": " ".join(parts)}}


def quota_put(table: str, shard: NewQuotaShard) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pk": quota_pk(shard.listing_id, shard.shard),
        "sk": "QUOTA",
        "paid": 0,
        "open": True,
    }
    if shard.cap is not None:
        values["cap"] = shard.cap
        values["remaining"] = shard.cap
    return _put(table, values, NEW)


def recon_pk(day: str, key: str) -> str:
    """The day's index of what names a provider record (reconciliation): 16 partitions a day."""
    return f"RECON#{day}#{bucket(key, JOURNAL_PARTITIONS)}"


def journal_put(table: str, entry: JournalEntry, now: datetime) -> dict[str, Any]:
    """A journal entry is written once: the same key again cancels the whole transaction. An
    entry that books a provider's record is also in that day's reconciliation index (sparse
    ByHoldExpiry entries ``RECON#<day>#<j>``: no other item is written)."""
    values: dict[str, Any] = {
        "pk": journal_pk(entry.listing_id, entry.key),
        "sk": f"ENTRY#{entry.key}",
        "key": entry.key,
        "kind": entry.kind.value,
        "currency": entry.currency,
        "listing_id": entry.listing_id,
        "memo": entry.memo,
        "postings": [
            {"account": p.account, "amount": p.amount, "category": p.category.value}
            | ({"ref": p.ref} if p.ref is not None else {})
            for p in entry.postings
        ],
        "posted_at": iso(now),
        "provider_ref": entry.provider_ref,
    }
    if entry.provider_ref is not None:
        values["gsi3pk"] = recon_pk(f"{now.astimezone(UTC):%Y-%m-%d}", entry.key)
        values["gsi3sk"] = f"journal#{entry.key}"
    return _put(table, values, NEW)


def journal_from(item: dict[str, Any]) -> JournalEntry:
    return JournalEntry(
        key=item["key"],
        kind=EntryKind(item["kind"]),
        currency=item["currency"],
        postings=tuple(
            Posting(p["account"], int(p["amount"]), Category(p["category"]), p.get("ref"))
            for p in item["postings"]
        ),
        listing_id=item.get("listing_id"),
        memo=item.get("memo", ""),
        provider_ref=item.get("provider_ref"),
    )


def refund_receipt_put(table: str, receipt: RefundReceipt) -> dict[str, Any]:
    """A refund as it ran at the provider, kept once (the first run's answer stands), and in its
    day's reconciliation index when it gave anything back."""
    values: dict[str, Any] = {
        "pk": f"REFUND#{receipt.refund_id}",
        "sk": "REFUND",
        "refund_id": receipt.refund_id,
        "payment_id": receipt.payment_id,
        "listing_id": receipt.listing_id,
        "asked": receipt.asked,
        "refunded": receipt.refunded,
        "currency": receipt.currency,
        "at": iso(receipt.at),
    }
    if receipt.refunded > 0:
        values["gsi3pk"] = recon_pk(f"{receipt.at.astimezone(UTC):%Y-%m-%d}", receipt.refund_id)
        values["gsi3sk"] = f"refund#{receipt.refund_id}"
    return _put(table, values, NEW)


def refund_receipt_from(item: dict[str, Any]) -> RefundReceipt:
    return RefundReceipt(
        refund_id=item["refund_id"],
        payment_id=item["payment_id"],
        listing_id=item.get("listing_id"),
        asked=int(item["asked"]),
        refunded=int(item["refunded"]),
        currency=item["currency"],
        at=datetime.fromisoformat(item["at"]),
    )


def dedupe_put(table: str, key: str, now: datetime) -> dict[str, Any]:
    """An event that moves no money, seen; forgotten after DEDUPE_TTL. Money is recognised by
    its own records (journal keys, ids on the listing and entries, credit records)."""
    return _put(
        table,
        {
            "pk": f"DEDUPE#{key}",
            "sk": "EVENT",
            "seen_at": iso(now),
            "expires_at_epoch": int((now + DEDUPE_TTL).timestamp()),
        },
        NEW,
    )


def credit_put(table: str, key: str, now: datetime) -> dict[str, Any]:
    """A mileage credit applied: money, so recognised for ever (no TTL)."""
    return _put(table, {"pk": f"CREDIT#{key}", "sk": "CREDIT", "applied_at": iso(now)}, NEW)


def secret_put(table: str, secret: DrawSecret) -> dict[str, Any]:
    return _put(
        table, {"pk": f"SEED#{secret.listing_id}", "sk": "SEED", "data": secret.model_dump()}, NEW
    )


PAYOUT_QUEUE_PARTITIONS = 16


def payout_put(table: str, payout: PayoutRecord) -> dict[str, Any]:
    """Issued once; marked paid only where it was issued. An issued payout is on the operator's
    queue (sparse ByHoldExpiry entries under PAYOUTS#<0..15>, by issue time) until it is paid."""
    issued = payout.status == "issued"
    values: dict[str, Any] = {
        "pk": f"PAYOUT#{payout.payout_id}",
        "sk": "PAYOUT",
        "data": payout.model_dump(mode="json"),
    }
    shard = bucket(payout.payout_id, PAYOUT_QUEUE_PARTITIONS)
    if issued:
        values["gsi3pk"] = f"PAYOUTS#{shard}"
        values["gsi3sk"] = f"{iso(payout.issued_at)}#{payout.payout_id}"
    elif payout.paid_at is not None:  # the history: paid ones, by when they were paid
        values["gsi3pk"] = f"PAID_PAYOUTS#{shard}"
        values["gsi3sk"] = f"{iso(payout.paid_at)}#{payout.payout_id}"
    if issued:
        return _put(table, values, NEW)
    put = _put(table, values, "#data.#status = :issued")  # paid once, where it was issued
    put["Put"]["ExpressionAttributeNames"] = {"#data": "data", "#status": "status"}
    put["Put"]["ExpressionAttributeValues"] = to_item({":issued": "issued"})
    return put


UNDELIVERED_PARTITIONS = 4  # the operator's list of notes a channel failed for
NOTES_END = "NOTE#~"  # after every note id (digits, letters and '#' sort before '~')


def note_puts(table: str, note: NoteRecord) -> list[dict[str, Any]]:
    """The note (NOTES#<uid> / NOTE#<arrived>#<notice>) and, new, its notice's marker
    (NOTES#<uid> / SEEN#<notice>, naming the note): one note per person and notice, for ever."""
    pk = f"NOTES#{note.user_id}"
    data = note.model_dump(mode="json")
    return [
        _put(table, {"pk": pk, "sk": f"SEEN#{note.notice}", "note_id": note.note_id}, NEW),
        _put(table, {"pk": pk, "sk": f"NOTE#{note.note_id}", "data": data}, NEW),
    ]


def after_note(note_id: str | None) -> str:
    """The lowest sort key after note ``note_id`` (note ids all have one length)."""
    return f"NOTE#{note_id}~" if note_id else "NOTE#"


def delivery_update(
    table: str,
    user_id: str,
    note_id: str,
    channel: str,
    was: str,
    now: Delivery,
    *,
    listed: bool,
) -> dict[str, Any]:
    """One channel's state, over the state it was read in; the note filed on the operator's
    undelivered list (sparse ByHoldExpiry entries under UNDELIVERED#<0..3>) or taken off it."""
    names = {"#d": "data", "#c": "channels", "#ch": channel, "#s": "state"}
    values: dict[str, Any] = {":now": now.model_dump(mode="json"), ":was": was}
    update = "SET #d.#c.#ch = :now"
    condition = "#d.#c.#ch.#s = :was"
    if listed:
        update += ", gsi3pk = :q, gsi3sk = :k"
        values[":q"] = f"UNDELIVERED#{bucket(user_id, UNDELIVERED_PARTITIONS)}"
        values[":k"] = f"{note_id}#{user_id}"
    else:  # off the list only while no other channel is failed or being sent
        update += " REMOVE gsi3pk, gsi3sk"
        values.update({":failed": "failed", ":sending": "sending"})
        for n, other in enumerate(c for c in get_args(Channel) if c != channel):
            names[f"#o{n}"] = other
            condition += f" AND NOT #d.#c.#o{n}.#s IN (:failed, :sending)"
    return {
        "TableName": table,
        "Key": to_item({"pk": f"NOTES#{user_id}", "sk": f"NOTE#{note_id}"}),
        "UpdateExpression": update,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }


def inbox_read_put(table: str, user_id: str, note_id: str) -> dict[str, Any]:
    """How far a person has read their notes; it only moves forward."""
    put = _put(
        table,
        {"pk": f"NOTES#{user_id}", "sk": "INBOX", "read_upto": note_id},
        "attribute_not_exists(pk) OR read_upto < :upto",
    )
    put["Put"]["ExpressionAttributeValues"] = to_item({":upto": note_id})
    return put


def attention_write(table: str, listing_id: str, attention: Attention | None) -> dict[str, Any]:
    """On the operator's list, or off it (None)."""
    if attention is None:
        key = to_item({"pk": "ATTENTION", "sk": listing_id})
        return {"Delete": {"TableName": table, "Key": key}}
    return _put(
        table, {"pk": "ATTENTION", "sk": listing_id, "data": attention.model_dump(mode="json")}
    )


def mileage_debit(table: str, debit: MileageDebit) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": mileage_key(debit.buyer_id, debit.currency),
            "UpdateExpression": "SET balance = balance - :a",
            "ConditionExpression": "balance >= :a",
            "ExpressionAttributeValues": to_item({":a": debit.amount}),
        }
    }


OUTBOX_GRACE = timedelta(seconds=60)  # the runner that committed a batch usually runs it first


def outbox_put(
    table: str,
    effects: list[Effect],
    now: datetime,
    *,
    due: datetime | None = None,
    created: datetime | None = None,
    attempts: int = 0,
    last_error: str | None = None,
    listing_id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Effects kept until run, on one of the outbox partitions at random (no write key for the
    whole platform), sorted by when the sweep should take them (a minute after commit, or the
    next attempt after a failure); returns the outbox id and the write."""
    partition = uuid.uuid4().int % OUTBOX_PARTITIONS
    sk = f"{iso(due or now + OUTBOX_GRACE)}#{uuid.uuid4().hex}"
    return f"{partition}|{sk}", _put(
        table,
        {
            "pk": f"OUTBOX#{partition}",
            "sk": sk,
            "effects": effects_json(effects),
            "created_at": iso(created or now),
            "attempts": attempts,
            "last_error": last_error,
            "listing_id": listing_id,
        },
    )


def effects_json(effects: list[Effect]) -> str:
    return json.dumps([effect_json(e) for e in effects])


DEAD_EFFECTS_PK = "DEAD_EFFECTS"  # rare: effects that kept failing, for the operator


def dead_effects_put(
    table: str,
    dead_id: str,
    effects: list[Effect],
    now: datetime,
    created: datetime,
    attempts: int,
    error: str,
    listing_id: str | None,
) -> dict[str, Any]:
    """A dead letter (its id sorts by when its effect was committed and is safe in a URL)."""
    return _put(
        table,
        {
            "pk": DEAD_EFFECTS_PK,
            "sk": dead_id,
            "effects": effects_json(effects),
            "created_at": iso(created),
            "failed_at": iso(now),
            "attempts": attempts,
            "last_error": error,
            "listing_id": listing_id,
        },
        NEW,
    )


# ---------------------------------------------------------------------------- responsible play
def standing_key(user_id: str) -> dict[str, Any]:
    return to_item({"pk": f"USER#{user_id}", "sk": "STANDING"})


def standing_put(table: str, standing: StandingRecord) -> dict[str, Any]:
    put = _put(
        table,
        {
            "pk": f"USER#{standing.user_id}",
            "sk": "STANDING",
            "version": standing.version,
            "data": standing.model_dump(mode="json"),
        },
    )
    return _versioned(put, standing.version, standing.version <= 1)


def standing_check(table: str, user_id: str, version: int) -> dict[str, Any]:
    """The standing a purchase was decided on is still the one read (none: still none)."""
    check: dict[str, Any] = {"TableName": table, "Key": standing_key(user_id)}
    if version == 0:
        check["ConditionExpression"] = NEW
    else:
        check["ConditionExpression"] = "version = :v"
        check["ExpressionAttributeValues"] = to_item({":v": version})
    return {"ConditionCheck": check}


def person_claim_put(table: str, person: str, user_id: str, at: datetime) -> dict[str, Any]:
    """One account per person: the claim is written once, by the first account verified."""
    return _put(
        table,
        {"pk": f"PERSON#{person}", "sk": "PERSON", "user_id": user_id, "at": iso(at)},
        NEW,
    )


def spend_key(user_id: str, window: str) -> dict[str, Any]:
    return to_item({"pk": f"USER#{user_id}", "sk": f"SPEND#{window}"})


def spend_update(table: str, charge: SpendCharge) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": table,
        "Key": spend_key(charge.user_id, charge.window),
        "UpdateExpression": "ADD spent :a",
        "ExpressionAttributeValues": to_item({":a": charge.amount}),
    }
    if charge.room is not None:
        # a charge larger than the limit itself (room < 0) passes on no window, not even an
        # empty one
        update["ConditionExpression"] = (
            "attribute_not_exists(spent) OR spent <= :room"
            if charge.room >= 0
            else "spent <= :room"
        )
        update["ExpressionAttributeValues"] = to_item({":a": charge.amount, ":room": charge.room})
    return {"Update": update}


REFUSED_ACCOUNTS_PK = "REFUSED_ACCOUNTS"  # the operator's list (rare: a second account refused)


def refused_account_put(table: str, refused: RefusedAccount) -> dict[str, Any]:
    """One row per refused account, the first refusal's (a retrying account adds nothing)."""
    return _put(
        table,
        {
            "pk": REFUSED_ACCOUNTS_PK,
            "sk": f"ACCOUNT#{refused.user_id}",
            "data": refused.model_dump(mode="json"),
        },
        NEW,
    )


# ---------------------------------------------------------------------------- complaints
OPEN_COMPLAINTS_PK = "OPEN_COMPLAINTS"  # the operator's queue, oldest first (gsi3)
ANSWERED_COMPLAINTS_PK = "ANSWERED_COMPLAINTS"  # answered, newest answer first (gsi3)


def complaint_key(user_id: str, complaint_id: str) -> dict[str, Any]:
    return to_item({"pk": f"COMPLAINTS#{user_id}", "sk": f"COMPLAINT#{complaint_id}"})


def complaint_put(table: str, complaint: ComplaintRecord, read: int | None) -> dict[str, Any]:
    when = complaint.answered_at or complaint.opened_at
    put = _put(
        table,
        {
            "pk": f"COMPLAINTS#{complaint.user_id}",
            "sk": f"COMPLAINT#{complaint.complaint_id}",
            "version": complaint.version,
            "gsi3pk": OPEN_COMPLAINTS_PK if complaint.open else ANSWERED_COMPLAINTS_PK,
            "gsi3sk": f"{iso(when)}#{complaint.user_id}#{complaint.complaint_id}",
            "data": complaint.model_dump(mode="json"),
        },
    )
    return _versioned(put, (read or 0) + 1, read is None)


HARM_SIGNALS_PK = "HARM_SIGNALS"  # the operator's list, newest first (gsi3)
PLAY_STATS_SHARDS = 8  # the operator's counts, spread so no key takes every person's writes


def harm_put(table: str, signal: HarmSignal) -> dict[str, Any]:
    """Kept once per person, currency and week: the first signal stays, and writing another
    never fails (a signal must never stop a purchase)."""
    return {
        "Update": {
            "TableName": table,
            "Key": to_item({"pk": f"HARM#{signal.user_id}", "sk": signal.week}),
            "UpdateExpression": "SET #d = if_not_exists(#d, :d), gsi3pk = if_not_exists("
            "gsi3pk, :gp), gsi3sk = if_not_exists(gsi3sk, :gs)",
            "ExpressionAttributeNames": {"#d": "data"},
            "ExpressionAttributeValues": to_item(
                {
                    ":d": signal.model_dump(mode="json"),
                    ":gp": HARM_SIGNALS_PK,
                    ":gs": f"{iso(signal.at)}#{signal.user_id}",
                }
            ),
        }
    }


def play_stats_pk(user_id: str) -> str:
    shard = int(hashlib.sha256(user_id.encode()).hexdigest(), 16) % PLAY_STATS_SHARDS
    return f"PLAY_STATS#{shard}"


def play_count_update(table: str, user_id: str, counter: str, delta: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": to_item({"pk": play_stats_pk(user_id), "sk": counter}),
            "UpdateExpression": "ADD n :d",
            "ExpressionAttributeValues": to_item({":d": delta}),
        }
    }
