"""Every entrant learns what the draw did: the others when a candidate is drawn, all but the
final buyer when it is sold; told once each however often the events come, in bounded events
whatever the listing's size, in the app and by e-mail (no paid SMS to every entrant)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.fast.test_notifications import Outbox, drawn
from tests.support.fast_platform import FastWorld
from tests.support.interleavings import RecordingEvents
from tests.support.memory_store import MemoryStore
from tombola.domain.auth import Caller, Role
from tombola.domain.ledger import EXTERNAL, Posting, mileage_holder
from tombola.domain.references import payment_of
from tombola.services import inbox
from tombola.services.buyers import find_buyer
from tombola.services.entrant_notices import SPAN, SPLIT, fan_out
from tombola.services.notices import NOTICE_RECIPIENTS, TELL_ENTRANTS
from tombola.services.notifications import notify_event


def told(w: FastWorld, outbox: Outbox, *, times: int = 1) -> int:
    """Deliver every event so far ``times`` each, the entrants' ranges fanned out as the
    notifier does (what they publish is delivered in turn)."""
    sent, n = 0, 0
    while n < len(w.events.published):
        kind, detail = w.events.published[n]
        for _ in range(times):
            if kind == TELL_ENTRANTS:
                fan_out(w.store, w.events, detail)
            else:
                sent += notify_event(
                    w.store, outbox, kind, detail, f"evt-{n}", w.clock.now(), w.clock.now()
                )
        n += 1
    return sent


def kinds_of(w: FastWorld, user: str) -> Counter[str]:
    notes = inbox.my_notes(w.deps, Caller(user_id=user, roles=frozenset({Role.BUYER})))
    return Counter(n.kind for n in notes.notes)


def test_the_others_learn_the_draw_took_place_and_then_that_it_was_sold(w: FastWorld) -> None:
    w.people()
    candidate = drawn(w)  # ann and bob entered
    other = "bob" if candidate == "ann" else "ann"
    outbox = Outbox()
    told(w, outbox, times=3)
    assert kinds_of(w, other)["DrawTookPlace"] == 1
    assert kinds_of(w, candidate)["DrawTookPlace"] == 0
    to_other = outbox.to(f"{other}@example.com")
    assert any("The draw took place" in s for s in to_other), to_other
    assert not [a for c, a, _ in outbox.sent if c == "sms" and a and other in a]
    note = next(
        n
        for n in inbox.my_notes(w.deps, Caller(user_id=other, roles=frozenset({Role.BUYER}))).notes
        if n.kind == "DrawTookPlace"
    )
    assert note.facts["due_at"] == w.record().candidate_due_at.isoformat()
    assert note.channels == {"email": "sent", "sms": "none"}
    # each is told their own place in the draw order: two entrants, the candidate first
    assert note.facts["place"] == 2
    texts = [m.text for _, a, m in outbox.sent if a == f"{other}@example.com"]
    assert any("You are 2nd in the draw order" in t and "추첨 순서 2번째" in t for t in texts)

    w.pay(w.second_payment())
    told(w, outbox, times=2)
    assert w.record().final_buyer == candidate
    assert kinds_of(w, other)["SoldToAnother"] == 1
    assert kinds_of(w, candidate)["SoldToAnother"] == 0
    assert kinds_of(w, candidate)["YouBought"] == 1
    assert kinds_of(w, "seller")["SoldToAnother"] == 0
    before = len(outbox.sent)
    told(w, outbox)  # everything again, a month later: nothing new
    assert len(outbox.sent) == before


def order_of(store: MemoryStore, n: int) -> list[str]:
    order = [f"u{i:07d}" for i in range(n)]
    store.put_draw("L1", order, [])
    return order


def tell_all(store: MemoryStore, n: int, times: int = 1) -> tuple[Counter[str], list[int]]:
    """Run the whole fan-out of a listing of ``n`` buyers (each event ``times``); who was named
    in a notice and how many events each invocation published."""
    events = RecordingEvents()
    first = {"listing_id": "L1", "title": "Bike", "kind": "SoldToAnother", "start": 0}
    events.publish(TELL_ENTRANTS, first | {"end": n, "except": "u0000003"})
    named: Counter[str] = Counter()
    per_invocation: list[int] = []
    i = 0
    while i < len(events.published):
        kind, detail = events.published[i]
        if kind == TELL_ENTRANTS:
            for _ in range(times):
                per_invocation.append(fan_out(store, events, detail))
        else:
            assert kind == "SoldToAnother"
            assert detail["notice_id"] == "L1:SoldToAnother"
            recipients = detail["recipients"]
            assert isinstance(recipients, list)
            assert len(recipients) <= NOTICE_RECIPIENTS
            named.update(recipients)
        i += 1
    return named, per_invocation


@pytest.mark.parametrize("n", [2, 26, SPAN, SPAN + 1, 2_345, 25_000])
def test_every_entrant_but_one_is_named_once_in_bounded_events(w: FastWorld, n: int) -> None:
    order = order_of(w.store, n)
    named, per_invocation = tell_all(w.store, n)
    assert set(named) == set(order) - {"u0000003"}
    assert set(named.values()) == {1}
    assert max(per_invocation) <= max(SPLIT, -(-SPAN // NOTICE_RECIPIENTS))


def test_a_range_delivered_again_names_people_again_and_the_note_tells_them_once(
    w: FastWorld,
) -> None:
    order_of(w.store, 60)
    named, _ = tell_all(w.store, 60, times=2)
    assert set(named.values()) == {2}  # the bus repeated each range: the notices repeat ...
    w.people("u0000001")
    outbox = Outbox()
    for _ in range(2):  # ... and the note's fixed id tells the person once
        notify_event(
            w.store,
            outbox,
            "SoldToAnother",
            {
                "listing_id": "L1",
                "title": "Bike",
                "recipients": ["u0000001"],
                "notice_id": "L1:SoldToAnother",
            },
            "evt-x",
            w.clock.now(),
            w.clock.now(),
        )
    assert len(outbox.to("u0000001@example.com")) == 1


@pytest.mark.parametrize(
    "broken",
    [
        {"kind": "Settled"},  # not a kind told to entrants
        {"start": 5, "end": 2},
        {"start": "0"},
        {"end": True},
    ],
)
def test_a_range_that_is_not_one_is_refused(w: FastWorld, broken: dict[str, object]) -> None:
    order_of(w.store, 3)
    detail = {"listing_id": "L1", "kind": "DrawTookPlace", "start": 0, "end": 3, "except": ""}
    with pytest.raises(ValueError):
        fan_out(w.store, RecordingEvents(), detail | broken)


def test_a_cancelled_sale_tells_each_buyer_what_comes_back_to_them(w: FastWorld) -> None:
    w.people()
    w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.buy("cat", 1)
    w.close()
    assert w.run() == "wait_p2"
    w.pay(w.second_payment())
    assert w.run() == "wait_ship"
    w.lapse()  # the seller never ships: cancelled, everyone refunded
    assert w.status == "cancelled"
    outbox = Outbox()
    told(w, outbox)
    p1 = w.record().terms.first_payment.amount
    final = w.record().final_buyer
    for buyer, tickets in (("ann", 2), ("bob", 1), ("cat", 1)):
        notes = inbox.my_notes(w.deps, Caller(user_id=buyer, roles=frozenset({Role.BUYER})))
        ended = [n for n in notes.notes if n.kind.startswith("Cancelled")]
        assert len(ended) == 1, (buyer, [n.kind for n in notes.notes])
        assert ended[0].kind == "CancelledRefunded"
        if buyer == final:  # by the settlement's head: their tickets and second payment
            p2 = w.record().second_payment_paid
            assert p2
            assert ended[0].facts["amount"] == tickets * p1 + p2
        else:
            assert ended[0].facts["amount"] == tickets * p1
    assert any("₩" in m.text for _, a, m in outbox.sent if a == "bob@example.com")


def test_buyers_whose_turns_all_passed_are_told_it_ended_unsold_with_nothing_back(
    w: FastWorld,
) -> None:
    w.people()
    w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    while w.run() == "wait_p2":
        w.forfeit()
    assert w.status == "unsold"
    told(w, Outbox())
    for buyer in ("ann", "bob"):
        notes = inbox.my_notes(w.deps, Caller(user_id=buyer, roles=frozenset({Role.BUYER})))
        assert [n.kind for n in notes.notes if n.kind.startswith("Unsold")] == [
            "UnsoldNothingBack"  # not "refunds follow the rules": nothing comes back to them
        ]
        assert [n.kind for n in notes.notes if n.kind.startswith("Candidate")] == [
            "CandidateGaveUp"  # they gave up: told so, not that a deadline passed
        ]


def test_the_draw_notice_coming_after_the_sale_says_nothing_untrue(w: FastWorld) -> None:
    """The fan-out was slow: by the time "the draw took place" would go out, the candidate paid.
    The others are told it went to someone else, never afterwards that they may still be drawn."""
    w.people()
    candidate = drawn(w)
    other = "bob" if candidate == "ann" else "ann"
    w.pay(w.second_payment())  # before any event was delivered
    told(w, Outbox())
    assert kinds_of(w, other)["SoldToAnother"] == 1
    assert kinds_of(w, other)["DrawTookPlace"] == 0


def test_a_later_candidate_is_not_told_someone_else_was_drawn(w: FastWorld) -> None:
    w.people()
    w.open()
    for buyer in ("ann", "bob", "cat"):
        w.buy(buyer, 1)
    w.close()
    assert w.run() == "wait_p2"
    w.forfeit()  # the first candidate gives up before the draw's notices go out
    assert w.run() == "wait_p2"
    second = w.record().candidate
    told(w, Outbox())
    assert kinds_of(w, second)["DrawTookPlace"] == 0
    assert kinds_of(w, second)["SecondPaymentDue"] == 1
    third = ({"ann", "bob", "cat"} - {second} - set(w.store.draw_order(w.listing_id, 0, 1))).pop()
    assert kinds_of(w, third)["DrawTookPlace"] == 1


@pytest.mark.parametrize(
    ("decision", "kind", "words"),
    [
        ("release", "DisputeReleased", "the payment goes to the seller"),
        ("refund", "DisputeRefunded", "the buyer refunded"),
    ],
)
def test_the_buyer_and_the_seller_are_told_how_a_dispute_was_decided(
    w: FastWorld, decision: str, kind: str, words: str
) -> None:
    w.people()
    w.open()
    w.buy("ann", 1)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    w.pay(w.second_payment())
    assert w.run() == "wait_ship"
    w.ship()
    w.run()
    w.dispute()
    w.run()
    w.resolve(decision)
    w.resolve(decision)  # the same decision again: told once
    outbox = Outbox()
    told(w, outbox, times=2)
    final = w.record().final_buyer
    for person in (final, "seller"):
        assert kinds_of(w, person)[kind] == 1, person
        assert any(words in m.text for _, a, m in outbox.sent if a == f"{person}@example.com")
    loser = "bob" if final == "ann" else "ann"
    assert kinds_of(w, loser)[kind] == 0


def test_each_recipient_reads_their_own_place_whatever_the_range(w: FastWorld) -> None:
    order = order_of(w.store, 60)
    w.events.published.clear()
    fan_out(
        w.store,
        w.events,
        {
            "listing_id": "L1",
            "kind": "SoldToAnother",
            "title": "t",
            "start": 10,
            "end": 60,
            "except": order[11],
        },
    )
    for _, detail in w.events.published:
        places = detail["places"]
        assert isinstance(places, dict)
        assert list(places) == detail["recipients"]
        for buyer, place in places.items():
            assert order[place - 1] == buyer  # 1-based, in the whole order
    told_places: dict[str, int] = {}
    for _, d in w.events.published:
        assert isinstance(d["places"], dict)
        told_places |= d["places"]
    assert order[11] not in told_places
    assert len(told_places) == 49


def test_a_range_arriving_after_re_draws_tells_only_those_still_to_come(w: FastWorld) -> None:
    """The draw's TellEntrants is held up (a dead letter retried later) while two candidates
    pass: when it comes, nobody already drawn is told "you will be told if it is you", and the
    deadline said is the candidate's of the moment."""
    w.people()
    w.open()
    for b in ("ann", "bob", "cat", "dan"):
        w.buy(b, 1)
    w.close()
    assert w.run() == "wait_p2"
    first = w.record().candidate
    held = [e for e in w.events.published if e[0] == TELL_ENTRANTS]
    assert held
    w.events.published.clear()
    w.forfeit()
    assert w.run() == "wait_p2"
    second = w.record().candidate
    w.forfeit()
    assert w.run() == "wait_p2"
    record = w.record()
    third = record.candidate
    w.events.published[:] = held
    told(w, Outbox())
    for passed in (first, second, third):
        assert kinds_of(w, str(passed))["DrawTookPlace"] == 0, passed
    [last] = {"ann", "bob", "cat", "dan"} - {first, second, third}
    [note] = [
        n
        for n in inbox.my_notes(w.deps, Caller(user_id=last, roles=frozenset({Role.BUYER}))).notes
        if n.kind == "DrawTookPlace"
    ]
    assert note.facts["place"] == 4
    assert record.candidate_due_at is not None
    assert note.facts["due_at"] == record.candidate_due_at.isoformat()


@pytest.mark.parametrize("how", ["not_shipped", "dispute_refunded"])
def test_the_failed_sales_final_buyer_is_told_what_the_journal_gives_back(
    w: FastWorld, how: str
) -> None:
    """Tickets paid in mileage and a second payment by card: the amount in their notice is
    the sum of what the journal's entries refund and credit to them."""
    w.people()
    w.open()
    for b in ("ann", "bob", "cat"):
        w.store.credit_mileage(b, "KRW", 5_000, f"seed:{b}")
        assert w.hold(b, 1, "mileage") is None  # paid with mileage at once
        w.buy(b, 1)
    w.close()
    assert w.run() == "wait_p2"
    assert w.pay(w.second_payment()) == "final_buyer"
    final = w.record().final_buyer
    assert final is not None
    assert w.run() == "wait_ship"
    if how == "not_shipped":
        w.lapse()
    else:
        w.ship()
        w.run()
        w.deliver()
        w.run()
        w.dispute()
        w.run()
        w.resolve("refund")
        w.run()
    assert w.status == "cancelled"
    told(w, Outbox())
    notes = inbox.my_notes(w.deps, Caller(user_id=final, roles=frozenset({Role.BUYER}))).notes
    [note] = [n for n in notes if n.kind.startswith("Cancelled")]
    buyer = find_buyer(w.deps, w.record(), final)
    assert buyer is not None
    payments = {e.payment().payment_id for e in buyer.paid()} | {w.record().second_payment_id}

    def to_them(p: Posting) -> bool:  # mileage credited, or one of their payments refunded
        if mileage_holder(p.account) == final:
            return True
        return p.account == EXTERNAL and payment_of(p.ref) in payments

    entries = w.store.journal_of_listing(w.listing_id)
    back = sum(p.amount for e in entries for p in e.postings if p.amount > 0 and to_them(p))
    assert back > 0
    assert note.facts["amount"] == back
