"""The data model at work: holds released by the schedule, a head that does not grow with the
buyers, the draw's chunks, and listings browsed page by page (docs/DATA_MODEL.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tombola_dev.driver import Driver, complete_sale

from tombola.services import settling


def _head_bytes(d: Driver, lid: str) -> int:
    item = d.store.client.get_item(
        TableName=d.store.table, Key={"pk": {"S": f"LISTING#{lid}"}, "sk": {"S": "META"}}
    )["Item"]
    return len(item["data"]["M"].__repr__())


def test_an_expired_hold_is_released_by_the_schedule_and_its_tickets_come_back(
    d: Driver,
) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=4, ticket_limit=4)
    d.user("ann", "buyer")
    d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 3}), 201)
    assert [s.remaining for s in d.store.quota(lid, [0])] == [1]
    assert d.store.expired_holds(d.clock.now() + timedelta(hours=1)) == [(lid, "ann")]
    d.clock.current += timedelta(minutes=11)
    d.stack.run_schedules()
    assert d.holds(lid) == []
    assert [s.remaining for s in d.store.quota(lid, [0])] == [4]
    assert d.store.expired_holds(d.clock.now() + timedelta(hours=1)) == []
    mine = d.ok(d.as_("ann", "GET", "/me/entries"))["entries"]
    assert [e["status"] for e in mine] == ["expired"]
    d.conserved(lid)


def test_the_listing_head_does_not_grow_with_buyers(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=1000, ticket_limit=4)
    # the execution started at publish keeps its close wait's token on the head: one, constant
    d.waiting_for_close(lid)
    empty = _head_bytes(d, lid)
    for i in range(25):
        d.user(f"b{i}", "buyer")
        d.buy(f"b{i}", lid, tickets=1 + i % 4)
    assert _head_bytes(d, lid) == empty
    assert d.listing(lid)["paid_tickets"] == sum(1 + i % 4 for i in range(25))


def test_draw_chunks_page_through_the_order_and_the_tickets(d: Driver) -> None:
    order = [f"buyer-{i:05d}" for i in range(2_345)]
    tickets = [(f"E{i:06d}-1", order[i % len(order)]) for i in range(2_500)]
    d.store.put_draw("Lbig", order, tickets)
    assert d.store.draw_order("Lbig", 998, 4) == order[998:1002]
    assert d.store.draw_order("Lbig", 2_344, 5) == order[2_344:]
    pages = []
    page, more = 0, True
    while more:
        chunk, more = d.store.draw_tickets("Lbig", page)
        pages.append(chunk)
        page += 1
    assert [len(p) for p in pages] == [1024, 1024, 452]  # a chunk is a Merkle subtree
    assert [t for p in pages for t in p] == tickets


def test_listings_are_browsed_one_status_a_page_at_a_time(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    ids = [d.open_listing("seller", title=f"item {i}") for i in range(3)]
    first = d.ok(d.stack.http("GET", "/listings", query={"limit": "2"}))
    assert len(first["listings"]) == 2
    assert first["next_cursor"]
    rest = d.ok(
        d.stack.http("GET", "/listings", query={"limit": "2", "cursor": first["next_cursor"]})
    )
    assert rest["next_cursor"] is None
    seen = [x["listing_id"] for x in first["listings"] + rest["listings"]]
    assert sorted(seen) == sorted(ids)
    assert d.ok(d.stack.http("GET", "/listings", query={"status": "settled"}))["listings"] == []
    bad = d.stack.http("GET", "/listings", query={"cursor": "not-a-cursor"})
    assert bad.status == 422
    assert bad.body["error"]["field"] == "cursor"


def test_a_mileage_sale_settles_in_chunks_of_buyers_each_posted_once(
    d: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 3 buyers over 4 entry partitions: many chunk entries, each buyer's mileage
    credited once, escrow empty, and the statement balanced."""
    monkeypatch.setattr(settling, "CHUNK_BUYERS", 3)
    d.user("seller", "seller", payout=True)
    lid = d.open_listing(
        "seller",
        price=100_000,
        expected_entrants=100,
        ticket_limit=4,
        close_when_full=False,
        surplus_policy="mileage",
        deadlines={"confirm": 1},
    )
    assert d.record(lid).entry_partitions == 4
    buyers = [f"m{i}" for i in range(30)]
    for b in buyers:
        d.user(b, "buyer")
        d.buy(b, lid, tickets=4)  # 120 tickets: 20,000 over the price
    d.close_window(lid)
    d.wait_status(lid, "final_buyer")
    complete_sale(d, lid, confirm=False)
    st = d.conserved(lid)
    journal = d.store.journal_of_listing(lid)
    chunks = [e for e in journal if ":chunk:" in e.key]
    assert len(chunks) > 4
    credited = [p.account for e in chunks for p in e.postings if p.account.startswith("mileage:")]
    assert sorted(credited) == sorted(
        f"mileage:{b}" for b in buyers if b != d.record(lid).final_buyer
    )
    per_ticket = 20_000 // (120 - 4)
    assert st.paid_out["mileage_issued"] == per_ticket * 116
    for b in buyers:
        expected = 0 if b == d.record(lid).final_buyer else per_ticket * 4
        assert d.ok(d.as_(b, "GET", "/me/mileage"))["balance"] == expected
    events = d.stack.execution(lid)
    assert events["status"] == "SUCCEEDED"


def test_mileage_credits_apply_once_each_and_the_balance_item_does_not_grow(d: Driver) -> None:
    def balance_item_bytes() -> int:
        item = d.store.client.get_item(
            TableName=d.store.table, Key={"pk": {"S": "USER#ann"}, "sk": {"S": "MILEAGE#KRW"}}
        )["Item"]
        return len(repr(item))

    assert d.store.credit_mileage("ann", "KRW", 100, "L1:settled:chunk:0:-:ann")
    first = balance_item_bytes()
    for i in range(2, 41):
        assert d.store.credit_mileage("ann", "KRW", 100, f"L{i}:settled:chunk:0:-:ann")
    # a retry of any of them (the outbox runs an effect again) credits nothing
    assert not d.store.credit_mileage("ann", "KRW", 100, "L7:settled:chunk:0:-:ann")
    assert d.store.mileage_balance("ann", "KRW") == 4_000
    assert balance_item_bytes() <= first + 2  # the balance's digits, nothing per credit
