"""What the services rely on the Store for, checked on DynamoStore (moto, the template's table)
and on the fast tier's MemoryStore alike: the fake cannot drift from the real one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tombola_dev.doubles import ManualClock

from tests.contract.records import (
    START,
    bump,
    buyer,
    created,
    deposit,
    entry,
    grant,
    listing,
    notice,
)
from tests.contract.stores import AnyStore
from tests.support.memory_store import InvalidTransaction
from tombola.domain.errors import (
    BadCursor,
    Conflict,
    InsufficientBalance,
    QuotaShort,
    SamePerson,
    SpendShort,
)
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.provider_match import RefundReceipt
from tombola.services.notifications import note_id, notice_digest
from tombola.state.changes import (
    Change,
    CreditMileage,
    Effect,
    MileageDebit,
    NewQuotaShard,
    PendingEffects,
    QuotaMove,
    Refund,
    SpendCharge,
)
from tombola.state.records import (
    Attention,
    Delivery,
    DrawSecret,
    EntryStatus,
    HarmSignal,
    NoteRecord,
    PayoutAccount,
    PayoutAccountKept,
    PayoutRecord,
    ProfileRecord,
    RefusedAccount,
    StandingRecord,
)

REFUSED = (ClientError, InvalidTransaction)  # DynamoDB's ValidationException, or the fake's


def remember(store: AnyStore, key: str) -> bool:
    """A dedupe marker is written now (False: it was there)."""
    return store.commit(Change(dedupe=[key])) is not None


# a seller's payout account as kept: a bank (its code), the number's digits, the holder
SHINHAN = PayoutAccount(bank="088", number="110123456789", holder_name="김민지")


def profile(user_id: str, account: PayoutAccountKept | None = None) -> ProfileRecord:
    return ProfileRecord(
        user_id=user_id,
        name=user_id,
        email=f"{user_id}@example.com",
        phone="+821012345678",
        address="Seoul",
        payout_account=account,
    )


def payout(payout_id: str = "payout-L1", **fields: object) -> PayoutRecord:
    values: dict[str, object] = {
        "payout_id": payout_id,
        "listing_id": "L1",
        "seller_id": "seller",
        "amount": 9_000,
        "currency": "KRW",
        "issued_at": START,
    }
    return PayoutRecord.model_validate(values | fields)


def pending_now(store: AnyStore) -> list[PendingEffects]:
    return list(store.pending_effects(-(10**6)))


# ---------------------------------------------------------------------------- listings
def test_a_new_listing_is_written_once(store: AnyStore) -> None:
    record = listing()
    assert store.commit(Change(listing=record, new_listing=True)) == []
    assert store.get_listing("L1") == record
    with pytest.raises(Conflict):
        store.commit(Change(listing=listing(title="another"), new_listing=True))
    got = store.get_listing("L1")
    assert got is not None
    assert got.title == "Camera"
    assert store.get_listing("nope") is None


def test_a_listing_is_written_over_exactly_the_version_read(store: AnyStore) -> None:
    created(store, listing())
    read = store.get_listing("L1")
    assert read is not None
    assert store.commit(Change(listing=bump(read, title="v1"))) == []
    # A second writer that read the same version loses, and nothing of its change is written.
    stale = Change(listing=bump(read, title="stale"), journal=[deposit()], dedupe=["d1"])
    stale.quota.append(QuotaMove("L1", 0, take=1))
    with pytest.raises(Conflict) as lost:
        store.commit(stale)
    assert not isinstance(lost.value, QuotaShort)
    now = store.get_listing("L1")
    assert now is not None
    assert (now.title, now.version) == ("v1", 1)
    assert store.journal_of_listing("L1") == []
    assert remember(store, "d1")  # the stale change's dedupe marker was not written
    assert store.quota("L1", [0])[0].remaining == 5
    # A listing that does not exist cannot be written as an update.
    with pytest.raises(Conflict):
        store.commit(Change(listing=bump(listing("L9"))))


def test_a_read_record_is_a_copy(store: AnyStore) -> None:
    created(store, listing())
    read = store.get_listing("L1")
    assert read is not None
    read.title = "changed in memory"
    again = store.get_listing("L1")
    assert again is not None
    assert again.title == "Camera"


def test_pages_of_a_status_go_closing_soonest_first(store: AnyStore) -> None:
    for n in range(5):
        closes = START + timedelta(hours=5 - n)
        created(store, listing(f"L{n}", closes_at=closes))
    created(store, listing("LD", status=ListingStatus.AWAITING_DEPOSIT))
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page, after = store.list_listings("open", 2, after)
        pages += 1
        seen.extend(r.listing_id for _, r in page)
        assert all(isinstance(at, str) for at, _ in page)
        if after is None:
            break
    assert seen == ["L4", "L3", "L2", "L1", "L0"]
    assert pages == 3
    # the position of a row is where a page ending with it goes on
    page, _ = store.list_listings("open", 5)
    rest, _ = store.list_listings("open", 5, page[1][0])
    assert [r.listing_id for _, r in rest] == ["L2", "L1", "L0"]
    assert store.list_listings("settled", 10) == ([], None)
    with pytest.raises(BadCursor):
        store.list_listings("open", 2, "not a position")


def test_a_sellers_listings_page_newest_first(store: AnyStore, clock: ManualClock) -> None:
    for n in range(4):
        created(store, listing(f"L{n}", created_at=clock.now()))
        clock.advance(timedelta(minutes=1))
    created(store, listing("X", seller_id="other"))
    first, after = store.listings_of_seller("seller", 3)
    assert [r.listing_id for _, r in first] == ["L3", "L2", "L1"]
    assert after is not None
    rest, done = store.listings_of_seller("seller", 3, after)
    assert [r.listing_id for _, r in rest] == ["L0"]
    assert done is None


def test_decided_disputes_page_newest_decision_first_once_each(
    store: AnyStore, clock: ManualClock
) -> None:
    disputed = {"status": ListingStatus.DISPUTED, "dispute_reason": "broken"}
    for n in range(4):
        created(store, listing(f"L{n}", **disputed))
    created(store, listing("OPEN", **disputed))  # not decided: not in the history
    for n in (2, 0, 3, 1):  # decided in this order, a minute apart
        clock.advance(timedelta(minutes=1))
        read = store.get_listing(f"L{n}")
        assert read is not None
        decided = bump(read, resolution="release", resolved_at=clock.now(), resolved_by="op")
        assert store.commit(Change(listing=decided)) == []
    # written again after the decision (the settlement): still there, once, where it was
    read = store.get_listing("L2")
    assert read is not None
    store.commit(Change(listing=bump(read, status=ListingStatus.SETTLED, settling="sold")))
    first, after = store.decided_disputes(3)
    assert [r.listing_id for _, r in first] == ["L1", "L3", "L0"]
    assert after is not None
    rest, done = store.decided_disputes(3, after)
    assert [(r.listing_id, r.status) for _, r in rest] == [("L2", ListingStatus.SETTLED)]
    assert done is None
    # the position of a row is where a page ending with it goes on
    page, _ = store.decided_disputes(10)
    assert [r.listing_id for _, r in store.decided_disputes(10, page[0][0])[0]] == [
        "L3",
        "L0",
        "L2",
    ]
    with pytest.raises(BadCursor):
        store.decided_disputes(2, "not a position")


def test_a_disputes_answer_and_photos_are_kept_on_the_head_under_its_version(
    store: AnyStore, clock: ManualClock
) -> None:
    """The buyer's photos and the seller's answer are the head's own attributes: written in
    the head's one conditioned put (version = read), read back as written (several lines,
    Korean), and a writer that read an older version writes none of it."""
    reason = "상자가 비어 있었습니다.\n사진을 봐 주세요."
    answer = "발송 전 사진이 있습니다.\n확인 바랍니다."
    created(store, listing(status=ListingStatus.DISPUTED, dispute_reason=reason))
    read = store.get_listing("L1")
    assert read is not None
    assert (read.dispute_photos, read.dispute_photo_forms, read.dispute_answer) == ([], 0, None)
    photos = ["photos/L1/P1", "photos/L1/P2"]
    with_photos = bump(read, dispute_photos=photos, dispute_photo_forms=3)
    assert store.commit(Change(listing=with_photos)) == []
    # a writer that read the head before the photos (an answer racing them) loses it all
    with pytest.raises(Conflict):
        store.commit(Change(listing=bump(read, dispute_answer="stale")))
    now = store.get_listing("L1")
    assert now is not None
    assert (now.dispute_photos, now.dispute_photo_forms, now.dispute_answer) == (photos, 3, None)
    answered = bump(now, dispute_answer=answer, dispute_answered_at=clock.now())
    assert store.commit(Change(listing=answered)) == []
    got = store.get_listing("L1")
    assert got is not None
    assert (got.dispute_reason, got.dispute_answer) == (reason, answer)
    assert (got.dispute_answered_at, got.dispute_photos, got.version) == (clock.now(), photos, 2)


def test_due_listings_are_open_or_awaiting_deposit_and_closed_by_now(
    store: AnyStore, clock: ManualClock
) -> None:
    now = clock.now()
    created(store, listing("late", closes_at=now - timedelta(minutes=5)))
    created(store, listing("exact", closes_at=now))
    created(store, listing("later", closes_at=now + timedelta(seconds=1)))
    created(
        store,
        listing(
            "unpaid", closes_at=now - timedelta(hours=1), status=ListingStatus.AWAITING_DEPOSIT
        ),
    )
    created(store, listing("done", closes_at=now - timedelta(hours=2), status=ListingStatus.CLOSED))
    assert list(store.due_listing_ids(now)) == ["late", "exact", "unpaid"]


def test_a_listing_awaiting_its_deposit_is_due_when_the_deposit_expires(
    store: AnyStore, clock: ManualClock
) -> None:
    now = clock.now()
    waiting: dict[str, Any] = {
        "status": ListingStatus.AWAITING_DEPOSIT,
        "closes_at": now + timedelta(days=3),
    }
    created(store, listing("expired", deposit_due_at=now - timedelta(seconds=1), **waiting))
    created(store, listing("waiting", deposit_due_at=now + timedelta(minutes=1), **waiting))
    assert list(store.due_listing_ids(now)) == ["expired"]
    # once open, only its close is due
    opened = store.get_listing("expired")
    assert opened is not None
    opened = opened.model_copy(update={"status": ListingStatus.OPEN, "version": opened.version + 1})
    store.commit(Change(listing=opened))
    assert list(store.due_listing_ids(now)) == []


# ---------------------------------------------------------------------------- buyers
def test_a_buyer_is_new_once_then_written_over_its_version(store: AnyStore) -> None:
    first = buyer("ann", entry("E1", "ann"))
    assert store.commit(Change(buyers=[first])) == []
    with pytest.raises(Conflict):
        store.commit(Change(buyers=[buyer("ann", entry("E2", "ann"))]))
    read = store.get_buyer("L1", 0, "ann")
    assert read == first
    two = read.model_copy(deep=True, update={"version": 2})
    two.entries["E1"].status = EntryStatus.EXPIRED
    assert store.commit(Change(buyers=[two])) == []
    stale = read.model_copy(deep=True, update={"version": 2})
    with pytest.raises(Conflict):
        store.commit(Change(buyers=[stale]))
    again = store.get_buyer("L1", 0, "ann")
    assert again is not None
    assert again.entries["E1"].status is EntryStatus.EXPIRED
    assert store.get_buyer("L1", 1, "ann") is None


def test_buyers_page_through_a_partition_in_buyer_id_order(store: AnyStore) -> None:
    names = ["dan", "ann", "cat", "bob", "eve"]
    change = Change(buyers=[buyer(n, entry(f"E{n}", n)) for n in names])
    change.buyers.append(buyer("zed", entry("Ez", "zed"), partition=1))
    store.commit(change)
    page, cursor = store.buyers_in_partition("L1", 0, None, 2)
    assert [b.buyer_id for b in page] == ["ann", "bob"]
    assert cursor == "bob"
    page, cursor = store.buyers_in_partition("L1", 0, cursor, 2)
    assert [b.buyer_id for b in page] == ["cat", "dan"]
    page, cursor = store.buyers_in_partition("L1", 0, cursor, 2)
    assert ([b.buyer_id for b in page], cursor) == (["eve"], None)
    everyone, cursor = store.buyers_in_partition("L1", 0)
    assert ([b.buyer_id for b in everyone], cursor) == (["ann", "bob", "cat", "dan", "eve"], None)
    assert [b.buyer_id for b in store.buyers_of_listing("L1", 2)] == [
        "ann",
        "bob",
        "cat",
        "dan",
        "eve",
        "zed",
    ]
    assert store.buyers_in_partition("L1", 5) == ([], None)


def test_a_buyers_items_page_by_listing(store: AnyStore) -> None:
    change = Change(
        buyers=[
            buyer("ann", entry(f"E{n}", "ann", listing_id=f"L{n}"), listing_id=f"L{n}")
            for n in (3, 1, 2)
        ]
    )
    change.buyers.append(buyer("bob", entry("Eb", "bob")))
    store.commit(change)
    page, after = store.buyer_records_of("ann", 2)
    assert [b.listing_id for _, b in page] == ["L1", "L2"]
    assert after is not None
    rest, done = store.buyer_records_of("ann", 2, after)
    assert ([b.listing_id for _, b in rest], done) == (["L3"], None)


def test_expired_holds_are_pending_entries_due_by_now(store: AnyStore, clock: ManualClock) -> None:
    now = clock.now()
    due = now - timedelta(seconds=1)
    store.commit(
        Change(
            buyers=[
                buyer("ann", entry("E1", "ann", expires_at=due)),
                buyer("bob", entry("E2", "bob", expires_at=now + timedelta(minutes=1))),
                buyer("cat", entry("E3", "cat", expires_at=due, status=EntryStatus.PAID)),
                buyer("dan", entry("E4", "dan", expires_at=now)),
                buyer("eve", entry("E5", "eve", listing_id="L2", expires_at=due), listing_id="L2"),
            ]
        )
    )
    assert sorted(store.expired_holds(now)) == [("L1", "ann"), ("L1", "dan"), ("L2", "eve")]
    assert sorted(store.expired_holds(now, "L1")) == [("L1", "ann"), ("L1", "dan")]
    # once released, the buyer leaves the index
    read = store.get_buyer("L1", 0, "ann")
    assert read is not None
    released = read.model_copy(deep=True, update={"version": 2})
    released.entries["E1"].status = EntryStatus.EXPIRED
    store.commit(Change(buyers=[released]))
    assert sorted(store.expired_holds(now, "L1")) == [("L1", "dan")]


# ---------------------------------------------------------------------------- quota
def test_quota_shards_count_holds_and_payments_under_their_conditions(store: AnyStore) -> None:
    created(store, listing(), shards=[3, 2])
    assert store.commit(Change(quota=[QuotaMove("L1", 0, take=2)])) == []
    assert store.commit(Change(quota=[QuotaMove("L1", 0, paid=2)])) == []
    s0, s1 = store.quota("L1", [0, 1])
    assert (s0.shard, s0.remaining, s0.paid, s0.open, s0.cap) == (0, 1, 2, True, 3)
    assert (s1.remaining, s1.paid, s1.cap) == (2, 0, 2)
    # more than is left: QuotaShort, nothing written (the other shard's move neither)
    with pytest.raises(QuotaShort):
        store.commit(Change(quota=[QuotaMove("L1", 0, take=2), QuotaMove("L1", 1, take=1)]))
    assert [s.remaining for s in store.quota("L1", [0, 1])] == [1, 2]
    # two moves of one shard are one update (merged), not the same item twice
    store.commit(Change(quota=[QuotaMove("L1", 1, take=1), QuotaMove("L1", 1, take=1)]))
    assert store.quota("L1", [1])[0].remaining == 0
    # a give and a take of the same shard net out
    store.commit(Change(quota=[QuotaMove("L1", 1, give=1), QuotaMove("L1", 1, take=1)]))
    assert store.quota("L1", [1])[0].remaining == 0
    store.commit(Change(quota=[QuotaMove("L1", 0, take=1, paid=1)]))
    s0 = store.quota("L1", [0])[0]
    assert (s0.remaining, s0.paid, s0.fully_paid) == (0, 3, True)
    # a shard that does not exist refuses any move
    with pytest.raises(QuotaShort):
        store.commit(Change(quota=[QuotaMove("L1", 7, give=1)]))
    assert store.quota("L1", [0, 7, 1]) == store.quota("L1", [0, 1])


def test_a_closed_shard_takes_and_pays_nothing_but_gives_back(store: AnyStore) -> None:
    created(store, listing(), shards=[3])
    store.commit(Change(quota=[QuotaMove("L1", 0, take=1)]))
    # the close freezes the paid count it read: a payment in between cancels it
    with pytest.raises(Conflict) as stale:
        store.commit(Change(quota=[QuotaMove("L1", 0, close=True, expect_paid=1)]))
    assert not isinstance(stale.value, QuotaShort)
    assert store.quota("L1", [0])[0].open
    store.commit(Change(quota=[QuotaMove("L1", 0, close=True, expect_paid=0)]))
    assert not store.quota("L1", [0])[0].open
    for move in (QuotaMove("L1", 0, take=1), QuotaMove("L1", 0, paid=1)):
        with pytest.raises(QuotaShort):
            store.commit(Change(quota=[move]))
    store.commit(Change(quota=[QuotaMove("L1", 0, give=1)]))
    s = store.quota("L1", [0])[0]
    assert (s.remaining, s.paid, s.open) == (3, 0, False)


def test_free_entries_count_on_an_open_shard_and_take_nothing_of_the_cap(
    store: AnyStore,
) -> None:
    created(store, listing(), shards=[2])
    store.commit(Change(quota=[QuotaMove("L1", 0, free=1), QuotaMove("L1", 0, take=1)]))
    s = store.quota("L1", [0])[0]
    assert (s.free, s.remaining, s.paid, s.fully_paid) == (1, 1, 0, False)
    store.commit(Change(quota=[QuotaMove("L1", 0, close=True, expect_paid=0)]))
    with pytest.raises(QuotaShort):  # after the close: no free entry either
        store.commit(Change(quota=[QuotaMove("L1", 0, free=1)]))
    assert store.quota("L1", [0])[0].free == 1


def test_an_uncapped_shard_counts_only_payments_but_checks_it_is_open(store: AnyStore) -> None:
    created(store, listing(close_when_full=False), shards=[None])
    store.commit(Change(quota=[QuotaMove("L1", 0, take=500, paid=500, capped=False)]))
    s = store.quota("L1", [0])[0]
    assert (s.remaining, s.paid, s.cap, s.fully_paid) == (None, 500, None, False)
    store.commit(Change(quota=[QuotaMove("L1", 0, close=True, capped=False, expect_paid=500)]))
    with pytest.raises(QuotaShort):  # a bare condition check: the shard must be open
        store.commit(Change(quota=[QuotaMove("L1", 0, take=1, capped=False)]))


def test_a_quota_shard_and_a_listing_failing_together_are_a_conflict(store: AnyStore) -> None:
    created(store, listing(), shards=[1])
    read = store.get_listing("L1")
    assert read is not None
    store.commit(Change(listing=bump(read)))
    change = Change(listing=bump(read), quota=[QuotaMove("L1", 0, take=2)])
    with pytest.raises(Conflict) as err:
        store.commit(change)
    assert not isinstance(err.value, QuotaShort)


def test_a_quota_shard_is_created_once(store: AnyStore) -> None:
    created(store, listing(), shards=[2])
    with pytest.raises(Conflict):
        store.commit(Change(new_quota=[NewQuotaShard("L1", 0, 9)]))
    assert store.quota("L1", [0])[0].cap == 2


# ---------------------------------------------------------------------------- journal, dedupe
def test_a_journal_entry_is_written_once_per_key(store: AnyStore) -> None:
    created(store, listing())
    read = store.get_listing("L1")
    assert read is not None
    assert store.commit(Change(journal=[deposit()])) == []
    # the same key again: applied before; nothing of the change is written
    again = Change(listing=bump(read, title="again"), journal=[deposit()], effects=[notice()])
    assert store.commit(again) is None
    assert store.get_listing("L1") == read
    assert pending_now(store) == []
    assert store.journal_of_listing("L1") == [deposit()]
    # a duplicate wins over a conflict: the event was applied, whatever else moved since
    store.commit(Change(listing=bump(read)))
    assert store.commit(Change(listing=bump(read), journal=[deposit()])) is None


def test_the_journal_is_read_by_listing_and_by_key(store: AnyStore) -> None:
    entries = [deposit("L1", "p2"), deposit("L1", "p1"), deposit("L2", "p3"), grant("ann", 70)]
    store.commit(Change(journal=entries))
    assert [e.key for e in store.journal_of_listing("L1")] == ["L1:deposit:p1", "L1:deposit:p2"]
    found = store.journal_entries(
        [
            ("L1", "L1:deposit:p1"),
            ("L2", "L1:deposit:p2"),  # filed under L1, not found under L2
            (None, "L2:deposit:p3"),
            ("elsewhere", "grant:ann:70"),
            ("L1", "L1:deposit:none"),
        ]
    )
    assert found == {"L1:deposit:p1": deposit("L1", "p1"), "grant:ann:70": grant("ann", 70)}
    assert sorted(e.key for e in store.all_journal_entries()) == sorted(e.key for e in entries)


def test_one_change_naming_an_item_twice_is_refused(store: AnyStore) -> None:
    with pytest.raises(REFUSED):
        store.commit(Change(journal=[deposit(), deposit()]))
    with pytest.raises(REFUSED):
        store.commit(Change(dedupe=["k", "k"]))
    assert store.all_journal_entries() == []
    assert remember(store, "k")


def test_a_change_of_more_than_100_items_is_refused(store: AnyStore) -> None:
    with pytest.raises(REFUSED):
        store.commit(Change(dedupe=[f"k{n}" for n in range(101)]))
    assert remember(store, "k0")
    assert store.commit(Change(dedupe=[f"j{n}" for n in range(100)])) == []
    assert not remember(store, "j99")


def test_a_dedupe_key_seen_makes_the_change_a_duplicate(store: AnyStore) -> None:
    assert store.commit(Change(dedupe=["payments:evt1"], effects=[notice()])) is not None
    change = Change(dedupe=["payments:evt1"], journal=[deposit()], effects=[notice(1)])
    assert store.commit(change) is None
    assert store.journal_of_listing("L1") == []
    assert len(pending_now(store)) == 1
    assert not remember(store, "payments:evt1")
    assert remember(store, "other")
    assert not remember(store, "other")


# ---------------------------------------------------------------------------- mileage
def test_mileage_is_credited_once_per_key_and_debited_only_when_there(store: AnyStore) -> None:
    with pytest.raises(InsufficientBalance):
        store.commit(Change(mileage_debits=[MileageDebit("ann", "KRW", 1)]))
    assert store.credit_mileage("ann", "KRW", 900, "settle:L1:ann")
    assert not store.credit_mileage("ann", "KRW", 900, "settle:L1:ann")
    assert store.credit_mileage("ann", "KRW", 100, "settle:L2:ann")
    assert store.mileage_balance("ann", "KRW") == 1_000
    assert store.mileage_balance("ann", "USD") == 0
    store.commit(Change(mileage_debits=[MileageDebit("ann", "KRW", 400)]))
    assert store.mileage_balance("ann", "KRW") == 600
    # too much: refused, and nothing else of the change is written
    change = Change(journal=[deposit()], mileage_debits=[MileageDebit("ann", "KRW", 601)])
    with pytest.raises(InsufficientBalance):
        store.commit(change)
    assert store.mileage_balance("ann", "KRW") == 600
    assert store.journal_of_listing("L1") == []
    store.commit(Change(mileage_debits=[MileageDebit("ann", "KRW", 600)]))
    assert store.mileage_balance("ann", "KRW") == 0


def test_a_credit_kept_by_an_older_dedupe_marker_is_not_applied_again(store: AnyStore) -> None:
    assert remember(store, "mileage:old-credit")
    assert not store.credit_mileage("ann", "KRW", 50, "old-credit")
    assert store.mileage_balance("ann", "KRW") == 0


# ---------------------------------------------------------------------------- draw
def test_the_draw_is_kept_in_chunks(store: AnyStore) -> None:
    order = [f"b{n:05d}" for n in range(2_500)]
    tickets = [(f"E{n:05d}-1", f"b{n:05d}") for n in range(2_500)]
    store.put_draw("L1", order, tickets)
    store.put_draw("L1", order, tickets)  # a retry writes the same
    assert store.draw_order("L1", 0, 1) == ["b00000"]
    assert store.draw_order("L1", 998, 4) == order[998:1002]
    assert store.draw_order("L1", 2_499, 5) == ["b02499"]
    assert store.draw_order("L1", 3_000, 1) == []
    assert store.draw_order("L1", 0, 0) == []
    first, more = store.draw_tickets("L1", 0)  # tickets: 1,024 per chunk, the Merkle subtrees
    assert (len(first), more, first[0]) == (1_024, True, ("E00000-1", "b00000"))
    last, more = store.draw_tickets("L1", 2)
    assert (len(last), more, last[-1]) == (452, False, ("E02499-1", "b02499"))
    assert store.draw_tickets("L1", 3) == ([], False)
    assert store.draw_order("L2", 0, 5) == []


def test_a_ticket_and_a_rank_find_their_chunks(store: AnyStore) -> None:
    order = [f"b{n:05d}" for n in range(2_500)]
    ranks = {b: n.to_bytes(4, "big") for n, b in enumerate(order)}
    tickets = [(f"E{n:05d}-1", f"b{n:05d}") for n in range(2_500)]
    paths = [[bytes([n]) * 32, bytes([n + 9]) * 32] for n in range(3)]
    store.put_draw("L1", [], tickets, paths)  # the entries at close
    store.put_draw("L1", order, [], (), ranks)  # the order once the round is out
    found = store.ticket_chunk("L1", "E01024-1")
    assert found is not None
    n, chunk, path = found
    assert (n, chunk[0], path) == (1, ("E01024-1", "b01024"), paths[1])
    assert store.ticket_chunk("L1", "E01023-1") is not None
    assert store.ticket_chunk("L1", "E01023-1")[0] == 0  # type: ignore[index]
    assert store.ticket_chunk("L1", "A") is None  # before the first ticket
    assert store.ticket_chunk("L2", "E00001-1") is None
    at = store.order_chunk_at("L1", (1_500).to_bytes(4, "big"))
    assert at is not None
    assert at[0] == 1
    assert at[1][500] == "b01500"
    assert store.order_chunk_at("L1", (0).to_bytes(4, "big"))[0] == 0  # type: ignore[index]


# ---------------------------------------------------------------------------- people, seeds
def test_profiles_secrets_attention_and_sweep_cursors(store: AnyStore, clock: ManualClock) -> None:
    store.put_profile(profile("ann"))
    store.put_profile(profile("ann", "KB-1"))  # kept as free text before accounts had banks
    got = store.get_profile("ann")
    assert got is not None
    assert got.payout_account == "KB-1"
    store.put_profile(profile("ann", SHINHAN))
    got = store.get_profile("ann")
    assert got is not None
    assert got.payout_account == SHINHAN
    assert store.get_profile("bob") is None
    store.commit(Change(secrets=[DrawSecret(listing_id="L1", seed="ab" * 32)]))
    with pytest.raises(Conflict):
        store.commit(Change(secrets=[DrawSecret(listing_id="L1", seed="cd" * 32)]))
    secret = store.get_secret("L1")
    assert secret is not None
    assert secret.seed == "ab" * 32
    assert store.get_secret("L2") is None
    a = Attention(error="E", cause="c", execution="L2", at=clock.now())
    store.commit(Change(attention={"L2": a, "L1": a.model_copy(update={"execution": "L1"})}))
    assert [lid for lid, _ in store.needing_attention()] == ["L1", "L2"]
    assert dict(store.needing_attention())["L2"] == a
    store.commit(Change(attention={"L1": None, "L9": None}))
    assert [lid for lid, _ in store.needing_attention()] == ["L2"]
    assert store.sweep_cursor("recovery") is None
    store.save_sweep_cursor("recovery", '{"status": "open"}')
    assert store.sweep_cursor("recovery") == '{"status": "open"}'
    store.save_sweep_cursor("recovery", None)
    assert store.sweep_cursor("recovery") is None


# ---------------------------------------------------------------------------- payouts
def test_a_payout_is_issued_once_and_paid_only_where_issued(
    store: AnyStore, clock: ManualClock
) -> None:
    store.put_profile(profile("seller", SHINHAN))
    store.commit(Change(payouts=[payout()]))
    issued = store.get_payout("payout-L1")
    assert issued is not None
    assert (issued.status, issued.payout_account) == ("issued", SHINHAN)
    with pytest.raises(Conflict):
        store.commit(Change(payouts=[payout(amount=1)]))
    with pytest.raises(Conflict):  # paid, never issued
        store.commit(Change(payouts=[payout("payout-L9", status="paid", paid_at=clock.now())]))
    paid = issued.model_copy(update={"status": "paid", "paid_at": clock.now()})
    store.commit(Change(payouts=[paid]))
    with pytest.raises(Conflict):  # paid twice
        store.commit(Change(payouts=[paid]))
    assert store.get_payout("payout-L1") == paid
    assert store.get_payout("payout-L9") is None


def test_the_payout_queue_is_the_issued_ones_oldest_first(store: AnyStore) -> None:
    store.put_profile(profile("seller", "KB-1"))
    for n, minutes in enumerate([30, 10, 20]):
        at = START + timedelta(minutes=minutes)
        store.commit(Change(payouts=[payout(f"payout-L{n}", issued_at=at)]))
    # an account given with the payout is kept as given
    store.commit(Change(payouts=[payout("payout-Lx", issued_at=START, payout_account="KB-given")]))
    queue = store.issued_payouts()
    assert [p.payout_id for p in queue] == ["payout-Lx", "payout-L1", "payout-L2", "payout-L0"]
    assert [p.payout_account for p in queue] == ["KB-given", "KB-1", "KB-1", "KB-1"]
    assert [p.payout_id for p in store.issued_payouts(limit=2)] == ["payout-Lx", "payout-L1"]
    done = queue[1].model_copy(update={"status": "paid", "paid_at": START})
    store.commit(Change(payouts=[done]))
    assert [p.payout_id for p in store.issued_payouts()] == ["payout-Lx", "payout-L2", "payout-L0"]
    later = queue[3].model_copy(update={"status": "paid", "paid_at": START + timedelta(hours=1)})
    store.commit(Change(payouts=[later]))
    # the history: paid ones, newest paid first
    assert [p.payout_id for p in store.paid_payouts()] == ["payout-L0", "payout-L1"]
    assert [p.payout_id for p in store.paid_payouts(limit=1)] == ["payout-L0"]


# ---------------------------------------------------------------------------- outbox
def test_effects_wait_in_the_outbox_until_completed(store: AnyStore, clock: ManualClock) -> None:
    created(store, listing())
    effects = [notice(n) for n in range(401)]
    ids = store.commit(Change(journal=[deposit()], effects=list(effects)))
    assert ids is not None
    assert len(ids) == 2  # at most 400 effects an item
    # the runner that committed them runs them first: the sweep waits a grace minute
    assert store.pending_effects() == []
    clock.advance(timedelta(seconds=61))
    pending = store.pending_effects()
    assert sorted(p.outbox_id for p in pending) == sorted(ids)
    assert sorted(len(p.effects) for p in pending) == [1, 400]
    assert [e for p in sorted(pending, key=lambda p: -len(p.effects)) for e in p.effects] == effects
    assert {(p.attempts, p.last_error, p.listing_id) for p in pending} == {(0, None, "L1")}
    assert {p.created_at for p in pending} == {START}
    assert store.pending_effects(older_than_seconds=3_600) == []
    store.complete_effects(ids[0])
    store.complete_effects(ids[0])  # again: nothing happens
    assert [p.outbox_id for p in store.pending_effects()] == [ids[1]]


def test_a_change_with_effects_only_files_them_under_its_journals_listing(
    store: AnyStore,
) -> None:
    ids = store.commit(Change(journal=[deposit("L7", "p")], effects=[notice()]))
    assert ids is not None
    assert [p.listing_id for p in pending_now(store)] == ["L7"]
    assert store.commit(Change()) == []


def test_a_failed_batch_is_replaced_by_its_failed_effects(
    store: AnyStore, clock: ManualClock
) -> None:
    ok, failing = notice(1), Refund.of_payment("pay-1", 500, "KRW", "test")
    store.commit(Change(effects=[ok, failing]))
    [batch] = pending_now(store)
    due = clock.now() + timedelta(minutes=2)
    assert store.retry_effects(batch, [failing], due, "boom " * 300)
    assert not store.retry_effects(batch, [failing], due, "again")  # replaced already
    assert store.pending_effects() == []  # not due yet
    clock.advance(timedelta(minutes=2))
    [retried] = store.pending_effects()
    assert retried.outbox_id != batch.outbox_id
    assert list(retried.effects) == [failing]
    assert (retried.attempts, retried.created_at, retried.listing_id) == (1, START, None)
    assert retried.last_error is not None
    assert len(retried.last_error) == 1_000


def test_effects_that_keep_failing_go_to_the_dead_letters_and_back(
    store: AnyStore, clock: ManualClock
) -> None:
    credit = CreditMileage(key="k", buyer_id="ann", amount=5, currency="KRW")
    failing: list[Effect] = [notice(1), credit]
    store.commit(Change(journal=[deposit()], effects=failing))
    [batch] = pending_now(store)
    clock.advance(timedelta(hours=3))
    dead_ids = store.bury_effects(batch, failing, "gave up")
    assert dead_ids is not None
    assert len(set(dead_ids)) == 2
    assert pending_now(store) == []
    # a second runner burying the same batch writes the same letters and learns it lost
    assert store.bury_effects(batch, failing, "gave up") is None
    open_ = store.dead_effects()
    assert [d.dead_id for d in open_] == sorted(dead_ids)
    one = store.get_dead_effects(dead_ids[1])
    assert one is not None
    assert list(one.effects) == [credit]
    assert (one.attempts, one.last_error, one.listing_id) == (1, "gave up", "L1")
    assert (one.created_at, one.failed_at, one.resolved_at) == (START, clock.now(), None)
    # retried: back to the outbox, due now, with fresh attempts
    assert store.revive_dead_effects(dead_ids[1])
    assert not store.revive_dead_effects(dead_ids[1])
    [revived] = store.pending_effects()
    assert (list(revived.effects), revived.attempts, revived.listing_id) == ([credit], 0, "L1")
    assert store.get_dead_effects(dead_ids[1]) is None
    # resolved by hand: into the history, with who and why
    assert store.resolve_dead_effects(dead_ids[0], "op", "sent by hand")
    assert not store.resolve_dead_effects(dead_ids[0], "op", "again")
    assert not store.revive_dead_effects(dead_ids[0])
    assert store.dead_effects() == []
    [resolved] = store.dead_effects(resolved=True)
    assert (resolved.resolved_by, resolved.resolution_note) == ("op", "sent by hand")
    assert resolved.resolved_at == clock.now()
    assert store.get_dead_effects(dead_ids[0]) == resolved
    assert store.get_dead_effects("nope") is None


def test_resolved_dead_letters_read_newest_first(store: AnyStore, clock: ManualClock) -> None:
    ids = []
    for n in range(3):
        store.commit(Change(effects=[notice(n)]))
        [batch] = pending_now(store)
        buried = store.bury_effects(batch, list(batch.effects), "x")
        assert buried is not None
        ids += buried
        clock.advance(timedelta(seconds=1))
    for dead_id in ids:
        store.resolve_dead_effects(dead_id, "op", "done")
    assert [d.dead_id for d in store.dead_effects(resolved=True)] == sorted(ids, reverse=True)
    assert [d.dead_id for d in store.dead_effects(resolved=True, limit=2)] == sorted(ids)[::-1][:2]


# ---------------------------------------------------------------------------- reconciliation
def test_refund_receipts_are_kept_once(store: AnyStore, clock: ManualClock) -> None:
    receipt = RefundReceipt("refund-p1", "p1", "L1", 500, 300, "KRW", clock.now())
    assert store.keep_refund_receipt(receipt)
    assert not store.keep_refund_receipt(
        RefundReceipt("refund-p1", "p1", "L1", 500, 500, "KRW", clock.now())
    )
    assert store.refund_receipts(["refund-p1", "refund-p2"]) == {"refund-p1": receipt}


def test_the_days_index_names_what_booked_a_provider_record(
    store: AnyStore, clock: ManualClock
) -> None:
    day = f"{clock.now():%Y-%m-%d}"
    payments = [deposit(f"L{n}", f"p{n}") for n in range(5)]
    store.commit(Change(journal=[*payments, grant("ann", 10)]))
    store.keep_refund_receipt(RefundReceipt("refund-p1", "p1", "L1", 500, 500, "KRW", clock.now()))
    store.keep_refund_receipt(RefundReceipt("refund-p2", "p2", "L2", 500, 0, "KRW", clock.now()))
    clock.advance(timedelta(days=1))
    store.commit(Change(journal=[deposit("L9", "p9")]))
    store.keep_refund_receipt(RefundReceipt("refund-p3", "p3", "L3", 500, 9, "KRW", clock.now()))
    today = list(store.recorded_on(day))
    keys = sorted(i.refund_id if isinstance(i, RefundReceipt) else i.key for i in today)
    assert keys == sorted([e.key for e in payments] + ["refund-p1"])
    tomorrow = list(store.recorded_on(f"{clock.now():%Y-%m-%d}"))
    assert len(tomorrow) == 2
    assert list(store.recorded_on("2020-01-01")) == []


# ---------------------------------------------------------------------------- notes
def note(user_id: str, second: int, notice_id: str = "n") -> NoteRecord:
    at = START + timedelta(seconds=second)
    return NoteRecord(
        user_id=user_id,
        note_id=note_id(at, f"{notice_id}{second}"),
        notice=notice_digest(f"{notice_id}{second}"),
        kind="Shipped",
        listing_id="L1",
        title="Lamp",
        facts={"carrier": "CJ", "amount": 500},
        at=at,
        channels={"email": Delivery(state="pending"), "sms": Delivery(state="none")},
    )


def test_a_note_is_kept_once_per_person_and_notice(store: AnyStore) -> None:
    first = note("ann", 1)
    assert store.add_note(first) == first
    again = first.model_copy(update={"title": "changed"})
    assert store.add_note(again) == first  # the kept one
    later = first.model_copy(update={"note_id": note_id(START + timedelta(hours=1), "n1")})
    assert store.add_note(later) == first  # the same notice arriving again, an hour on
    assert store.get_note("ann", later.note_id) is None
    assert store.add_note(note("bob", 1)).user_id == "bob"  # another person's copy
    assert store.get_note("ann", first.note_id) == first
    assert store.get_note("bob", "nope") is None


def test_a_channel_moves_only_from_the_state_read(store: AnyStore) -> None:
    kept = store.add_note(note("ann", 1))
    sending = Delivery(state="sending", at=START)
    assert store.move_delivery("ann", kept.note_id, "email", "pending", sending, listed=True)
    # a second delivery of the same event finds it claimed: it is not sent twice
    assert not store.move_delivery("ann", kept.note_id, "email", "pending", sending, listed=True)
    assert not store.move_delivery("ann", kept.note_id, "sms", "pending", sending, listed=True)
    assert not store.move_delivery("ann", "missing", "email", "pending", sending, listed=True)
    assert [n.note_id for n in store.undelivered_notes(10)] == [kept.note_id]  # while sending
    failed = Delivery(state="failed", error="InvalidParameter", at=START)
    assert store.move_delivery("ann", kept.note_id, "email", "sending", failed, listed=True)
    stored = store.get_note("ann", kept.note_id)
    assert stored is not None
    assert stored.channels["email"] == failed
    assert stored.channels["sms"].state == "none"
    assert [n.note_id for n in store.undelivered_notes(10)] == [kept.note_id]


def test_a_note_leaves_the_undelivered_list_when_nothing_of_it_is_unsettled(
    store: AnyStore,
) -> None:
    kept = store.add_note(note("ann", 1))
    claim = Delivery(state="sending", at=START)
    store.move_delivery("ann", kept.note_id, "email", "pending", claim, listed=True)
    sent = Delivery(state="sent", at=START)
    assert store.move_delivery("ann", kept.note_id, "email", "sending", sent, listed=False)
    assert store.undelivered_notes(10) == []


def test_the_undelivered_list_is_newest_first_and_bounded(store: AnyStore) -> None:
    failed = Delivery(state="failed", error="x", at=START)
    claim = Delivery(state="sending")
    ids = []
    for n, user in enumerate(["ann", "bob", "cat", "dan", "eve", "fay"]):
        kept = store.add_note(note(user, n))
        store.move_delivery(user, kept.note_id, "email", "pending", claim, listed=True)
        assert store.move_delivery(user, kept.note_id, "email", "sending", failed, listed=True)
        ids.append(kept.note_id)
    sent = store.add_note(note("gus", 9))
    store.move_delivery("gus", sent.note_id, "email", "pending", claim, listed=True)
    store.move_delivery(
        "gus", sent.note_id, "email", "sending", Delivery(state="sent"), listed=False
    )
    assert [n.note_id for n in store.undelivered_notes(4)] == ids[::-1][:4]


def test_notes_page_newest_first_and_count_unread_after_the_read_mark(store: AnyStore) -> None:
    notes = [store.add_note(note("ann", s)) for s in range(5)]
    store.add_note(note("bob", 7))
    ids = [n.note_id for n in notes]
    assert [n.note_id for n in store.notes_of("ann", 3)] == ids[::-1][:3]
    assert [n.note_id for n in store.notes_of("ann", 3, before=ids[2])] == [ids[1], ids[0]]
    assert store.notes_of("ann", 3, before=ids[0]) == []
    assert store.unread_notes("ann", 99) == 5
    assert store.unread_notes("ann", 2) == 2  # counted up to the cap
    assert store.read_upto("ann") is None
    assert store.mark_read("ann", ids[2])
    assert store.read_upto("ann") == ids[2]
    assert store.unread_notes("ann", 99) == 2
    assert not store.mark_read("ann", ids[1])  # never back
    assert store.read_upto("ann") == ids[2]
    assert store.mark_read("ann", ids[4])
    assert store.unread_notes("ann", 99) == 0
    assert store.unread_notes("bob", 99) == 1
    # the profile and the read mark, in the same partition, are not notes
    store.put_profile(profile("ann"))
    assert len(store.notes_of("ann", 10)) == 5


def test_notes_before_an_empty_string_page_the_same_on_both_stores(store: AnyStore) -> None:
    """``GET /me/notifications?before=``: "" is no bound on both stores."""
    for s in range(3):
        store.add_note(note("ann", s))
    assert len(store.notes_of("ann", 10, before="")) == 3


def test_notes_before_an_id_prefix(store: AnyStore) -> None:
    ids = [store.add_note(note("ann", s)).note_id for s in range(3)]
    assert [n.note_id for n in store.notes_of("ann", 10, before=ids[2][:10])] == []
    assert [n.note_id for n in store.notes_of("ann", 10, before=ids[2] + "~")] == ids[::-1]
    assert store.unread_notes("ann", 1) == 1


def test_a_profile_is_saved_over_the_version_read(store: AnyStore) -> None:
    """Two saves of one profile never lose one another: each is written over the version it
    read, a profile written before versions counting as version 0."""
    assert store.save_profile(profile("ann").model_copy(update={"version": 1}), None)
    assert not store.save_profile(profile("ann").model_copy(update={"version": 1}), None)
    assert store.save_profile(profile("ann", SHINHAN).model_copy(update={"version": 2}), 1)
    stale = profile("ann", "KB-1").model_copy(update={"version": 2})
    assert not store.save_profile(stale, 1)  # another save came first
    got = store.get_profile("ann")
    assert got is not None
    assert (got.version, got.payout_account) == (2, SHINHAN)
    store.put_profile(profile("bob"))  # as written before profiles had versions
    assert store.save_profile(profile("bob", SHINHAN).model_copy(update={"version": 1}), 0)
    assert not store.save_profile(profile("bob").model_copy(update={"version": 1}), 0)


# ---------------------------------------------------------------------------- responsible play
def test_a_standing_is_saved_over_its_version_and_a_person_claimed_once(store: AnyStore) -> None:
    first = StandingRecord(user_id="ann", version=1, person="p1", verified_at=START)
    assert store.commit(Change(standing=first, person_claims=[("p1", "ann")])) == []
    assert store.get_standing("ann") == first
    assert store.person_holder("p1") == "ann"
    with pytest.raises(Conflict):  # another save of version 1: ann's exists now
        store.commit(Change(standing=first))
    with pytest.raises(SamePerson):  # a second account claiming the same person
        store.commit(
            Change(standing=StandingRecord(user_id="bob", version=1), person_claims=[("p1", "bob")])
        )
    assert store.get_standing("bob") is None  # nothing of it written
    assert store.person_holder("p1") == "ann"
    second = first.model_copy(update={"version": 2, "break_until": START})
    assert store.commit(Change(standing=second)) == []
    assert store.get_standing("ann") == second


def test_spend_counts_under_the_room_left_and_the_standing_read(store: AnyStore) -> None:
    def spend(amount: int, room: int | None, read: int = 0) -> Change:
        return Change(
            spends=[SpendCharge("ann", "KRW#D2026-06-01", amount, room)],
            standing_read=("ann", read),
        )

    assert store.commit(spend(1_000, 2_000)) == []
    assert store.commit(spend(1_000, 1_000)) == []
    with pytest.raises(SpendShort):  # 2,000 spent: more than the room a third 1,000 needs
        store.commit(spend(1_000, 1_000))
    assert store.commit(spend(500, None)) == []  # no limit: counted all the same
    assert store.spent("ann", ["KRW#D2026-06-01", "KRW#W2026-W23"]) == {
        "KRW#D2026-06-01": 2_500,
        "KRW#W2026-W23": 0,
    }
    store.commit(Change(standing=StandingRecord(user_id="ann", version=1)))
    with pytest.raises(Conflict):  # decided on "no standing": a limit was set meanwhile
        store.commit(spend(1, None, read=0))
    assert store.commit(spend(1, None, read=1)) == []
    assert store.spent("ann", ["KRW#D2026-06-01"]) == {"KRW#D2026-06-01": 2_501}


def test_refused_accounts_are_listed_newest_first(store: AnyStore) -> None:
    for i, user in enumerate(("bob", "cat")):
        store.add_refused_account(
            RefusedAccount(user_id=user, holder_id="ann", at=START + timedelta(minutes=i))
        )
    assert [r.user_id for r in store.refused_accounts()] == ["cat", "bob"]


def test_play_counts_add_up_over_shards_and_a_harm_signal_is_kept_once(store: AnyStore) -> None:
    for user in ("ann", "bob", "cat"):
        store.commit(Change(play_counts=[(user, "verified", 1), (user, "verified", 0)]))
    store.commit(Change(play_counts=[("ann", "break#2026-06-03", 1)]))
    store.commit(
        Change(play_counts=[("ann", "break#2026-06-03", -1), ("ann", "break#2026-06-10", 1)])
    )
    counts = store.play_counts()
    assert counts["verified"] == 3
    assert counts.get("break#2026-06-03", 0) == 0
    assert counts["break#2026-06-10"] == 1
    signal = HarmSignal(
        user_id="ann", currency="KRW", week="KRW#W2026-W23", spent=9, previous=1, at=START
    )
    store.commit(Change(harm=signal))
    # the same person, currency and week again: the first stays, and the write never fails
    assert store.commit(Change(harm=signal.model_copy(update={"spent": 10}))) == []
    assert store.harm_signals() == [signal]
