"""A seller who mistyped the tracking number corrects it until the carrier reports on the
parcel: the buyer is told the new number, the carrier's events must name it, the deadlines stay
those of the first entry; once the carrier has spoken (or the sale moved on) it is refused."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from pydantic import ValidationError

from tests.fast.test_notifications import Outbox, deliver
from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.api.models import CarrierEventIn, ShipmentIn
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Forbidden, InvalidInput, NotAllowedNow, OutcomeFixed
from tombola.services import delivery, inbox, purchase, settling, timeline

SELLER = caller("seller", Role.SELLER)


def shipped(w: FastWorld) -> str:
    lid = w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    assert w.pay(w.second_payment()) == "final_buyer"
    assert w.run() == "wait_ship"
    w.ship()  # CJ T-<lid>
    return lid


def correct(w: FastWorld, number: str, carrier: str = "CJ", who: Caller = SELLER) -> None:
    body = ShipmentIn(carrier=carrier, tracking_number=number)
    purchase.ship(w.deps, who, w.listing_id, body)


def carrier_event(w: FastWorld, number: str, kind: str = "shipment.in_transit") -> str:
    w.sent += 1
    event = CarrierEventIn.model_validate(
        {
            "id": f"car-{w.sent}",
            "type": kind,
            "created": int(w.clock.now().timestamp()),
            "data": {"listing_id": w.listing_id, "tracking_number": number},
        }
    )
    return delivery.handle_carrier_event(w.deps, event).result


def test_a_mistyped_number_is_corrected_and_the_buyer_told(w: FastWorld) -> None:
    w.people()
    lid = shipped(w)
    first = w.record()
    assert first.shipment is not None
    waits_before = dict(first.waits)
    correct(w, "1234567890123", "우체국택배")
    corrected = w.record()
    assert corrected.shipment is not None
    assert (corrected.shipment.carrier, corrected.shipment.tracking_number) == (
        "우체국택배",
        "1234567890123",
    )
    assert corrected.shipment.shipped_at == first.shipment.shipped_at
    assert corrected.shipment.corrected_at == w.clock.now()
    assert corrected.waits == waits_before
    assert corrected.status.value == "shipped"
    correct(w, "1234567890123", "우체국택배")  # the same again: nothing new
    assert w.record().version == corrected.version
    deliver(w, Outbox())
    buyer = corrected.final_buyer or ""
    notes = inbox.my_notes(w.deps, caller(buyer, Role.BUYER)).notes
    told = [n for n in notes if n.kind == "ShipmentCorrected"]
    assert len(told) == 1
    assert told[0].facts["tracking_number"] == "1234567890123"
    view = timeline.timeline(w.deps, SELLER, lid)
    assert view.shipment is not None
    assert view.shipment.correctable
    assert view.shipment.corrected_at is not None
    # the carrier's events name the corrected number; the mistyped one is not this parcel
    with pytest.raises(InvalidInput):
        carrier_event(w, f"T-{lid}")
    carrier_event(w, "1234567890123")
    view = timeline.timeline(w.deps, SELLER, lid)
    assert view.shipment is not None
    assert not view.shipment.correctable


def test_once_the_carrier_reported_the_number_stands(w: FastWorld) -> None:
    w.people()
    lid = shipped(w)
    carrier_event(w, f"T-{lid}")
    with pytest.raises(NotAllowedNow) as refused:
        correct(w, "999")
    assert refused.value.field == "tracking_number"
    shipment = w.record().shipment
    assert shipment is not None
    assert shipment.tracking_number == f"T-{lid}"


def test_only_the_listing_s_seller_corrects_and_not_after_delivery(w: FastWorld) -> None:
    w.people()
    lid = shipped(w)
    with pytest.raises(Forbidden):
        correct(w, "999", who=caller("mallory", Role.SELLER))
    w.deliver()
    assert w.record().status.value == "delivered"
    with pytest.raises(NotAllowedNow):
        correct(w, "999")
    shipment = w.record().shipment
    assert shipment is not None
    assert shipment.tracking_number == f"T-{lid}"


def test_corrections_are_few_and_never_texted(w: FastWorld) -> None:
    """Each correction tells the buyer: a few for a mistyped number, then refused; and the
    seller's words (a carrier's name) reach the buyer by e-mail and in the app, not by SMS."""
    w.people()
    lid = shipped(w)
    outbox = Outbox()
    deliver(w, outbox)
    w.events.published.clear()
    outbox.sent.clear()
    for n in range(purchase.MAX_CORRECTIONS):
        correct(w, f"X{n}", "동네 택배")
    with pytest.raises(NotAllowedNow) as refused:
        correct(w, "X9", "동네 택배")
    assert "corrected 3 times" in str(refused.value)
    view = timeline.timeline(w.deps, SELLER, lid)
    assert view.shipment is not None
    assert not view.shipment.correctable
    deliver(w, outbox)
    assert [c for c, _, _ in outbox.sent] == ["email"] * purchase.MAX_CORRECTIONS


@pytest.mark.parametrize(
    "carrier",
    ["택배 http://pay-again.example/0", "택배\u202e", "CJ\x00", "택배\x1b[2J", "a/b", "https:"],
)
def test_a_carrier_name_is_words_not_a_link_or_a_control(carrier: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ShipmentIn(carrier=carrier, tracking_number="AB12")
    assert refused.value.errors()[0]["type"] == "carrier_invalid"


def test_a_carrier_name_is_kept_as_people_write_it() -> None:
    wide = " CJ  대한통운 ".translate({ord("C"): 0xFF23, ord("J"): 0xFF2A})  # as typed full-width
    assert ShipmentIn(carrier=wide, tracking_number="6001-2002-3003").carrier == "CJ 대한통운"
    assert ShipmentIn(carrier="GS Postbox (편의점)", tracking_number="AB-12").carrier == (
        "GS Postbox (편의점)"
    )


def test_no_correction_once_the_outcome_is_fixed(w: FastWorld) -> None:
    """Auto-confirmation began settling from "shipped": the number stands (409 outcome_fixed),
    and the timeline no longer offers to correct it."""
    w.people()
    lid = shipped(w)
    settling.begin(w.deps, lid, "sold", "auto_confirmed")
    assert w.status == "shipped"
    with pytest.raises(OutcomeFixed):
        correct(w, "1234567890123", "우체국택배")
    view = timeline.timeline(w.deps, SELLER, lid)
    assert view.shipment is not None
    assert not view.shipment.correctable


@pytest.mark.parametrize("first", ["correction", "carrier"])
def test_a_correction_racing_the_carriers_first_event_ends_one_way(
    w: FastWorld, first: str
) -> None:
    """Both read the head at the same version before either writes: whichever commits first
    stands, and the other, deciding again on what it wrote, is refused. Never a corrected number
    with an event of the old one recorded, nor an event of a number the parcel no longer has."""
    w.people()
    lid = shipped(w)
    old = f"T-{lid}"
    both_read = threading.Barrier(2)
    go_second = threading.Event()
    get = w.store.get_listing
    reads: dict[str, int] = {}

    def paced(listing_id: str) -> Any:
        found = get(listing_id)
        me = threading.current_thread().name
        reads[me] = reads.get(me, 0) + 1
        if reads[me] == 1 and me in {"correction", "carrier"}:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait(timeout=5)
            if me != first:
                go_second.wait(timeout=5)  # the first commits before the second writes
        return found

    w.store.get_listing = paced  # type: ignore[method-assign]
    outcome: dict[str, str] = {}

    def run(name: str, job: Any) -> None:
        try:
            outcome[name] = str(job())
        except (NotAllowedNow, InvalidInput) as refused:
            outcome[name] = f"refused: {type(refused).__name__}"
        finally:
            if name == first:
                go_second.set()

    jobs = {
        "correction": lambda: correct(w, "1234567890123"),
        "carrier": lambda: carrier_event(w, old),
    }
    threads = [threading.Thread(target=run, args=(n, j), name=n) for n, j in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    w.store.get_listing = get  # type: ignore[method-assign]
    second = "carrier" if first == "correction" else "correction"
    assert reads[second] >= 2  # its first decision was refused at the write: it read again
    record = w.record()
    assert record.shipment is not None
    if first == "correction":
        assert outcome["carrier"] == "refused: InvalidInput"  # not this parcel any more
        assert record.shipment.tracking_number == "1234567890123"
        assert record.tracking_events == []
    else:
        assert outcome["correction"] == "refused: NotAllowedNow"
        assert record.shipment.tracking_number == old
        assert [e.get("tracking_number", old) for e in record.tracking_events] == [old]
    w.conserved()
