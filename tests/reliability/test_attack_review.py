"""Holes an attacker's review found in the race and late-event fixes; each test failed before
its fix."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tombola_dev.driver import Driver

from tests.reliability.test_races import between_read_and_write, ship
from tombola.adapters.dynamo_items import dedupe_put, effects_json, iso, mileage_key, to_item
from tombola.state.changes import CreditMileage, Effect, Publish


def test_a_credit_applied_by_the_previous_release_is_not_applied_again_from_its_outbox(
    d: Driver,
) -> None:
    """The previous release kept a mileage credit by the marker ``DEDUPE#mileage:<key>`` and ran
    a batch all or nothing: a credit followed by an effect that failed (row 4's stuck refund)
    stayed in the outbox, credited. The new runner re-runs that batch: the credit also checks
    the old marker, so the buyer is not credited a second time."""
    d.user("ann", "buyer")
    store, now = d.store, d.clock.now()
    key = "L1:settlement:chunk:0::ann"
    # what the previous release's credit_mileage wrote, in one transaction
    writes: list[Any] = [
        dedupe_put(store.table, f"mileage:{key}", now),
        {
            "Update": {
                "TableName": store.table,
                "Key": mileage_key("ann", "KRW"),
                "UpdateExpression": "ADD balance :a",
                "ExpressionAttributeValues": to_item({":a": 500}),
            }
        },
    ]
    store.client.transact_write_items(TransactItems=writes)
    # ... and its outbox item (its format then), kept because an effect after the credit failed
    effects: list[Effect] = [
        CreditMileage(key=key, buyer_id="ann", amount=500, currency="KRW"),
        Publish(detail_type="Unsold", detail={"listing_id": "L1", "recipients": ["ann"]}),
    ]
    store.client.put_item(
        TableName=store.table,
        Item=to_item(
            {
                "pk": "OUTBOX#0",
                "sk": f"{iso(now - timedelta(minutes=5))}#{uuid.uuid4().hex}",
                "effects": effects_json(effects),
            }
        ),
    )
    d.stack.run_schedules({"CloseFunction"})  # the new release's sweep runs it
    assert store.pending_effects(-3600) == []
    assert store.mileage_balance("ann", "KRW") == 500, "credited twice"


def test_a_shipment_and_confirmation_as_the_ship_deadline_passes_settle_the_sale(
    d: Driver,
) -> None:
    """The seller ships and the final buyer confirms between the not-shipped settlement's read
    and its write: it diverted only from shipped/delivered, met ``confirmed`` and refused, and
    the listing stopped for the operator. Now it diverts to the delivery wait, which resumes at
    once with the confirmation, and the sale settles."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1, deadlines={"ship": 2})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)

    def ship_and_confirm() -> tuple[int, int]:
        shipped = ship(d, lid)
        buyer = d.record(lid).final_buyer
        return shipped.status, d.as_(buyer, "POST", f"/listings/{lid}/confirm").status

    with between_read_and_write(d, "get_listing", "settling.begin", ship_and_confirm) as r:
        d.stack.wait_for(lambda: bool(r), 20, "the ship deadline to pass")
    assert r[0] == (200, 200), r
    d.stack.wait_for(
        lambda: d.record(lid).attention is not None or d.record(lid).status.value == "settled",
        30,
        "the sale to settle or stop",
    )
    attention = d.record(lid).attention
    assert attention is None, f"stopped for the operator: {attention}"
    d.conserved(lid)
