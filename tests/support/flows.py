"""Whole listings driven through the World, as people, the provider and the carrier would: each
returns the listing id and the end it must reach."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tombola_dev.accounts import payout_account

from tests.support.world import World

Flow = Callable[[World], tuple[str, str]]


def _people(w: World, buyers: tuple[str, ...]) -> None:
    for name, group in (("seller", "seller"), ("op", "operator"), *((b, "buyer") for b in buyers)):
        w.d.users[name] = (group,)
        profile = {
            "name": f"Name {name}",
            "email": f"{name}@example.com",
            "phone": "+82 10 1234 5678",
            "address": f"{name} street 1, Seoul",
            "payout_account": payout_account(name),
        }
        w.ok(name, "PUT", "/me/profile", profile)


def _listing(w: World, **fields: Any) -> str:
    body = {
        "title": "Camera",
        "price": 1_000_000,
        "expected_entrants": 1_000,
        "ticket_limit": 4,
        "closes_at": (w.d.clock.now() + timedelta(hours=1)).isoformat(),
        "deadlines": {"second_payment": 30},
    } | fields
    created = w.ok("seller", "POST", "/listings", body, key="listing-1", status=201)
    lid: str = created["listing"]["listing_id"]
    w.pay(created["deposit"]["checkout"]["checkout_id"])
    w.reaches(lid, "open")
    return lid


def _buy(w: World, lid: str, buyer: str, tickets: int) -> None:
    path = f"/listings/{lid}/entries"
    entry = w.ok(buyer, "POST", path, {"tickets": tickets}, key=f"{buyer}-entry", status=201)
    w.pay(entry["checkout"]["checkout_id"])


def _close(w: World, lid: str) -> None:
    record = w.d.record(lid)
    if w.d.clock.now() < record.closes_at:
        w.d.clock.current = record.closes_at + timedelta(seconds=1)
    w.until("the close", lambda: w.status(lid) != "open")


def _candidate(w: World, lid: str, passed: set[str]) -> str:
    def named() -> bool:
        r = w.d.record(lid)
        return r.status.value == "awaiting_second_payment" and r.candidate not in passed

    w.until("a new candidate", named)
    candidate: str | None = w.d.record(lid).candidate
    assert candidate is not None
    return candidate


def _ship_and_deliver(w: World, lid: str) -> str:
    w.reaches(lid, "final_buyer")
    w.waiting(lid, "shipment")
    w.ok("seller", "POST", f"/listings/{lid}/shipment", {"carrier": "CJ", "tracking_number": "T1"})
    w.waiting(lid, "delivery")
    w.deliver(lid, "T1")
    w.waiting(lid, "confirmation")
    buyer: str | None = w.d.record(lid).final_buyer
    assert buyer is not None
    return buyer


def _confirm_and_settle(w: World, lid: str) -> tuple[str, str]:
    """Shipped, delivered, confirmed, settled, and the payout reported paid."""
    buyer = _ship_and_deliver(w, lid)
    w.ok(buyer, "POST", f"/listings/{lid}/confirm")
    w.reaches(lid, "settled")
    w.payout_paid(lid)
    w.drain()
    return lid, "settled"


def sale_with_redraw(w: World) -> tuple[str, str]:
    """The first candidate gives up, the second pays P2; shipped, delivered, confirmed, paid."""
    _people(w, ("ann", "bob", "cat"))
    lid = _listing(w)
    for buyer, tickets in (("ann", 2), ("bob", 1), ("cat", 1)):
        _buy(w, lid, buyer, tickets)
    _close(w, lid)
    first = _candidate(w, lid, set())
    w.ok(first, "POST", f"/listings/{lid}/forfeit")
    second = _candidate(w, lid, {first})
    due = w.ok(second, "POST", f"/listings/{lid}/second-payment")
    w.pay(due["checkout"]["checkout_id"])
    return _confirm_and_settle(w, lid)


def unsold(w: World) -> tuple[str, str]:
    """Every candidate gives up: the deposit and the never-drawn P1s are refunded."""
    _people(w, ("ann", "bob"))
    lid = _listing(w, expected_entrants=10)
    _buy(w, lid, "ann", 2)
    _buy(w, lid, "bob", 1)
    _close(w, lid)
    passed: set[str] = set()
    for _ in range(2):
        candidate = _candidate(w, lid, passed)
        w.ok(candidate, "POST", f"/listings/{lid}/forfeit")
        passed.add(candidate)
    w.reaches(lid, "unsold")
    w.drain()
    return lid, "unsold"


def mileage(w: World) -> tuple[str, str]:
    """The tickets cover the price: no P2, the surplus becomes the losers' mileage."""
    _people(w, ("ann", "bob", "cat"))
    lid = _listing(w, expected_entrants=2, close_when_full=False, surplus_policy="mileage")
    for buyer, tickets in (("ann", 2), ("bob", 1), ("cat", 1)):
        _buy(w, lid, buyer, tickets)
    _close(w, lid)
    return _confirm_and_settle(w, lid)


def dispute(w: World) -> tuple[str, str]:
    """The final buyer disputes and the operator refunds: the sale is undone."""
    _people(w, ("ann", "bob"))
    lid = _listing(w, expected_entrants=2, ticket_limit=1)
    _buy(w, lid, "ann", 1)
    _buy(w, lid, "bob", 1)  # full: closes at once
    buyer = _ship_and_deliver(w, lid)
    w.ok(buyer, "POST", f"/listings/{lid}/dispute", {"reason": "not as described"})
    w.waiting(lid, "resolution")
    w.ok("op", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "refund"})
    w.reaches(lid, "cancelled")
    w.drain()
    return lid, "cancelled"


FLOWS: dict[str, Flow] = {
    "sale_with_redraw": sale_with_redraw,
    "unsold": unsold,
    "mileage": mileage,
    "dispute": dispute,
}
