"""Two writers racing on one listing: each test makes the second writer commit exactly between
the first one's read and its write (moto runs one call at a time, so the interleaving is forced
by a hook on the store), and checks that the first one re-reads and decides again or is
refused, and that the money ends where one writer alone would have left it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from tombola_dev.driver import Driver, complete_sale

from tombola.adapters.dynamo import DynamoStore


@contextmanager
def between_read_and_write(
    d: Driver, method: str, caller: str, interleave: Callable[[], Any]
) -> Iterator[list[Any]]:
    """The first call of ``store.<method>`` made (directly or not) by ``caller``, a function
    named ``module.function`` of the domain, runs ``interleave`` after reading: whatever that
    commits lands between the read and the write decided from it."""
    original = getattr(DynamoStore, method)  # every function's store, in this process
    module, name = caller.rsplit(".", 1)
    results: list[Any] = []
    fired: list[bool] = []

    def called_from_caller() -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            if code.co_name == name and code.co_filename.endswith(f"/{module}.py"):
                return True
            frame = frame.f_back  # type: ignore[assignment]
        return False

    def hooked(self: DynamoStore, *args: Any, **kwargs: Any) -> Any:
        value = original(self, *args, **kwargs)
        if not fired and called_from_caller():
            fired.append(True)  # once: the interleaved writer's own reads pass through
            results.append(interleave())
        return value

    setattr(DynamoStore, method, hooked)
    try:
        yield results
    finally:
        setattr(DynamoStore, method, original)
    assert fired, f"{caller} never called store.{method}: the race was not played"


def test_a_ticket_paid_while_the_listing_closes_is_drawn_or_refunded_never_stranded(
    d: Driver,
) -> None:
    """Row 1: the close read the quota shards, then a payment committed, then the close wrote
    the count it had read. The draw found more tickets than frozen and stopped for good, with
    the deposit and every P1 in escrow. Now the close is conditioned on each shard's count."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=1_000, ticket_limit=4)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
    d.buy("ann", lid, tickets=2)
    held = d.ok(d.as_("bob", "POST", f"/listings/{lid}/entries", {"tickets": 3}), 201)
    d.clock.current = d.record(lid).closes_at + timedelta(seconds=1)
    paid: dict[str, str] = {}

    def bob_pays() -> None:
        paid["result"] = d.ok(d.pay(held["checkout"]["checkout_id"]))["result"]

    with between_read_and_write(d, "quota", "ticket_counts.close", bob_pays):
        d.stack.run_schedules()
    assert paid["result"] == "tickets_issued"  # it committed before the close did
    d.wait_status(lid, "awaiting_second_payment", "final_buyer")
    record = d.record(lid)
    assert record.paid_tickets == 5  # the close re-read and froze both payments
    assert record.attention is None
    draw = d.ok(d.stack.http("GET", f"/listings/{lid}/draw"))
    assert draw["ticket_count"] == 5
    d.conserved(lid)


def _delivered(d: Driver, **deadlines: int) -> str:
    """A sold-out listing (no second payment) shipped and delivered, with ``deadlines``."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1, deadlines=deadlines)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    complete_sale(d, lid, until="delivered")
    return lid


def ship(d: Driver, lid: str) -> Any:
    return d.as_(
        "seller",
        "POST",
        f"/listings/{lid}/shipment",
        {"carrier": "CJ", "tracking_number": f"T-{lid}"},
    )


def dispute(d: Driver, lid: str) -> Any:
    buyer = d.record(lid).final_buyer
    return d.as_(buyer, "POST", f"/listings/{lid}/dispute", {"reason": "arrived broken"})


def test_a_dispute_that_commits_as_the_confirm_window_lapses_is_heard(d: Driver) -> None:
    """Row 3: the dispute committed, then the auto-confirm settled the sale anyway. Now the
    auto-confirm begins only from shipped or delivered: it finds the dispute and waits for the
    operator, who refunds the buyer."""
    lid = _delivered(d, confirm=2)
    with between_read_and_write(d, "get_listing", "settling.begin", lambda: dispute(d, lid)) as r:
        d.stack.wait_for(lambda: bool(r), 60, "the confirm window to lapse")
    assert r[0].status == 200, r[0].body
    d.wait_status(lid, "disputed")
    d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")
    assert d.record(lid).settling is None
    d.users["op"] = ("operator",)
    d.ok(d.as_("op", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "refund"}))
    d.wait_status(lid, "cancelled")
    st = d.conserved(lid)
    assert st.paid_out.get("seller_payout", 0) == 0


def test_a_dispute_after_the_auto_confirm_began_is_refused_and_the_sale_settles(
    d: Driver,
) -> None:
    """Row 3: a dispute filed once the settlement began answered 200, then the payout went out.
    Now it is 409 saying the outcome is fixed, and nothing of it is written."""
    lid = _delivered(d, confirm=2)
    with between_read_and_write(
        d, "buyers_in_partition", "settling.settle_chunk", lambda: dispute(d, lid)
    ) as r:
        d.stack.wait_for(lambda: bool(r), 20, "the settlement to begin")
    assert r[0].status == 409, r[0].body
    assert r[0].body["error"]["code"] == "outcome_fixed"
    d.wait_status(lid, "settled")
    assert d.record(lid).dispute_reason is None
    d.conserved(lid)


def test_a_shipment_after_the_not_shipped_settlement_began_is_refused(d: Driver) -> None:
    """Row 3: the shipment answered 200 after the ship deadline began the "not shipped"
    settlement; every P1 was refunded, the last step failed shipped → cancelled, and the deposit
    stayed in escrow for ever."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1, deadlines={"ship": 2})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    with between_read_and_write(
        d, "buyers_in_partition", "settling.settle_chunk", lambda: ship(d, lid)
    ) as r:
        d.stack.wait_for(lambda: bool(r), 20, "the ship deadline to pass")
    assert (r[0].status, r[0].body["error"]["code"]) == (409, "outcome_fixed"), r[0].body
    d.wait_status(lid, "cancelled")
    assert d.record(lid).shipment is None
    st = d.conserved(lid)
    assert st.held_in_escrow == 0


def test_a_shipment_that_commits_as_the_ship_deadline_passes_goes_on_to_delivery(
    d: Driver,
) -> None:
    """The shipment won the race: the not-shipped settlement finds it and the execution waits
    for the delivery instead; the sale then settles as sold."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing(
        "seller", expected_entrants=2, ticket_limit=1, deadlines={"ship": 2, "confirm": 30}
    )
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    with between_read_and_write(d, "get_listing", "settling.begin", lambda: ship(d, lid)) as r:
        d.stack.wait_for(lambda: bool(r), 20, "the ship deadline to pass")
    assert r[0].status == 200, r[0].body
    d.stack.wait_for(lambda: "delivery" in d.record(lid).waits, 10, "the delivery wait")
    assert d.record(lid).settling is None
    complete_sale(d, lid, ship=False)
    d.conserved(lid)
