"""Interleavings, explored: hypothesis drives one listing through every order of what people,
the provider, the schedule and the state machine do (buyers hold, pay and are paid for again,
the close fires, P2 deadlines lapse, candidates give up, sellers ship late, buyers dispute at
the edge, time jumps past every marker's expiry, and some steps race on real threads), on
DynamoDB Local (Amazon's engine). After every step the money must balance; at the end a
reference model says exactly which payments were kept, which were refunded (each once and in
full), that the seller was paid Pp only for a sale, and that nothing is left in escrow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from tombola_dev.driver import check_conserved

from tests.reliability import figures
from tests.support.dynamodb_local import DynamoDBLocal
from tests.support.interleavings import World, platform, refused, start_time, together
from tombola.domain.errors import DomainError
from tombola.domain.lifecycle import ListingStatus

BUYERS = ("ann", "bob", "cat")
EXAMPLES = int(os.environ.get("INTERLEAVINGS", "400" if figures.FULL else "12"))
STEPS = 40 if figures.FULL else 25
TERMINAL = {"settled": "sold", "unsold": "unsold", "cancelled": "seller_fault"}
SERVER: DynamoDBLocal | None = None
EXPLORED = {"examples": 0, "steps": 0, "violations": 0}


class ListingLife(RuleBasedStateMachine):
    """One listing; the rules are everything that may happen to it, in any order."""

    def __init__(self) -> None:
        super().__init__()
        assert SERVER is not None
        table, client = SERVER.new_table("interleave")
        self.deps, self.clock = platform(table, client, start_time())
        self.w = World(self.deps, self.clock)
        self.pending: list[str] = []  # checkouts of holds not yet paid
        self.paid: list[str] = []  # checkouts paid (a re-delivery uses these)
        self.p2: list[str] = []  # second-payment checkouts
        self.cancellations: list[dict[str, Any]] = []  # the provider's own, as it reported them
        self.steps = 0

    # ------------------------------------------------------------------ set-up
    @initialize(
        np=st.sampled_from([3, 10]),
        surplus=st.sampled_from(["operator", "mileage"]),
        full=st.booleans(),
    )
    def open(self, np: int, surplus: str, full: bool) -> None:
        self.w.open_listing(
            expected_entrants=np,
            ticket_limit=3,
            surplus_policy=surplus,
            close_when_full=full,
            deadlines={
                "second_payment": 3600,
                "ship": 86_400,
                "delivery": 86_400,
                "confirm": 259_200,
                "resolution": 86_400,
            },
        )

    @property
    def record(self) -> Any:
        return self.w.store.get_listing(self.w.listing_id)

    @property
    def ex(self) -> Any:
        assert self.w.execution is not None
        return self.w.execution

    # ------------------------------------------------------------------ buyers and provider
    @rule(buyer=st.sampled_from(BUYERS), tickets=st.integers(1, 2))
    def hold(self, buyer: str, tickets: int) -> None:
        made = refused(lambda: self.w.hold(buyer, tickets))
        if isinstance(made, str):
            self.pending.append(made)

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def pay(self, data: st.DataObject) -> None:
        checkout = data.draw(st.sampled_from(self.pending))
        self.pending.remove(checkout)
        self.paid.append(checkout)
        self.w.pay(checkout)

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def payment_fails(self, data: st.DataObject) -> None:
        checkout = data.draw(st.sampled_from(self.pending))
        self.w.fail(checkout)

    @precondition(lambda self: self.paid or self.p2)
    @rule(data=st.data())
    def provider_delivers_again(self, data: st.DataObject) -> None:
        """A console resend or a later webhook of the same payment."""
        checkout = data.draw(st.sampled_from(self.paid + self.p2 + [self.w.deposit_checkout]))
        self.w.pay(checkout)

    @precondition(lambda self: self.paid or self.p2)
    @rule(data=st.data(), part=st.booleans())
    def provider_cancels(self, data: st.DataObject, part: bool) -> None:
        """A chargeback, or someone in the provider's console, gives money back on its own."""
        checkout = data.draw(st.sampled_from(self.paid + self.p2 + [self.w.deposit_checkout]))
        made = self.w.provider_cancels(f"pay_{checkout}", part)
        if made is not None:
            self.cancellations.append(made)

    @precondition(lambda self: self.cancellations)
    @rule(data=st.data())
    def provider_reports_a_cancellation_again(self, data: st.DataObject) -> None:
        self.w.report(data.draw(st.sampled_from(self.cancellations)))

    @rule()
    def a_month_passes(self) -> None:
        self.w.a_month_passes()

    @rule()
    def schedule(self) -> None:
        self.w.schedule()

    @rule()
    def window_ends(self) -> None:
        record = self.record
        if self.clock.now() <= record.closes_at:
            self.clock.current = record.closes_at + timedelta(seconds=1)
        self.w.schedule()

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def a_payment_races_the_close(self, data: st.DataObject) -> None:
        checkout = data.draw(st.sampled_from(self.pending))
        self.pending.remove(checkout)
        self.paid.append(checkout)
        record = self.record
        if self.clock.now() <= record.closes_at:
            self.clock.current = record.closes_at + timedelta(seconds=1)
        together(lambda: self.w.pay(checkout), self.w.schedule)

    # ------------------------------------------------------------------ the execution
    @precondition(lambda self: self.ex.can_step())
    @rule()
    def execution_steps(self) -> None:
        self.ex.step()

    @precondition(lambda self: self.ex.can_lapse())
    @rule()
    def a_deadline_passes(self) -> None:
        self.ex.lapse()

    # ------------------------------------------------------------------ candidate, seller, buyer
    @rule()
    def candidate_pays(self) -> None:
        checkout = refused(self.w.second_payment)
        if isinstance(checkout, str):
            self.p2.append(checkout)
            self.w.pay(checkout)

    @rule()
    def candidate_gives_up(self) -> None:
        record = self.record
        if record.candidate:
            refused(lambda: self.w.act(record.candidate, "forfeit"))

    @rule()
    def seller_ships(self) -> None:
        refused(lambda: self.w.act("seller", "ship"))

    @rule()
    def carrier_delivers(self) -> None:
        refused(self.w.carrier_delivered)

    @rule(what=st.sampled_from(["confirm", "dispute"]))
    def final_buyer_acts(self, what: str) -> None:
        buyer = self.record.final_buyer
        if buyer:
            refused(lambda: self.w.act(buyer, what))

    @rule(decision=st.sampled_from(["release", "refund"]))
    def operator_resolves(self, decision: str) -> None:
        refused(lambda: self.w.act("op", decision))

    @precondition(lambda self: self.ex.can_lapse())
    @rule(what=st.sampled_from(["dispute", "confirm", "ship", "forfeit"]))
    def an_action_races_its_deadline(self, what: str) -> None:
        """The person acts as the wait times out: both on real threads."""
        record = self.record
        who = {
            "dispute": record.final_buyer,
            "confirm": record.final_buyer,
            "ship": "seller",
            "forfeit": record.candidate,
        }[what]
        if not who:
            return

        def lapse_and_go_on() -> None:
            self.ex.lapse()
            if self.ex.phase == "begin":
                self.ex.step()

        together(lambda: refused(lambda: self.w.act(who, what)), lapse_and_go_on)

    # ------------------------------------------------------------------ after every step
    @invariant()
    def money_balances(self) -> None:
        self.steps += 1
        record = self.record
        if record is None:
            return
        entries = self.w.store.all_journal_entries()
        try:
            check_conserved(
                entries,
                self.w.store.mileage_balance,
                record.model_copy(update={"status": ListingStatus.OPEN}),  # escrow: at the end
                self.w.store.journal_of_listing(self.w.listing_id),
            )
            self._each_payment_once(entries)
        except AssertionError:
            EXPLORED["violations"] += 1
            raise

    def _each_payment_once(self, entries: Any) -> None:
        """Every payment the provider reported is on the journal exactly once, as kept or as
        refunded, and refunded at most once and at most what it was."""
        incoming = (":deposit:", ":tickets:", ":second-payment:", ":unaccepted:")
        for payment_id in self.w.delivered:
            named = [
                e.key
                for e in entries
                if e.key.endswith(f":{payment_id}")
                and (any(k in e.key for k in incoming) or e.key == f"stray:{payment_id}")
            ]
            assert len(named) == 1, (payment_id, named)
        asked: dict[str, int] = {}
        for r in self._refunds():
            asked[r["payment_id"]] = asked.get(r["payment_id"], 0) + 1
        assert all(n == 1 for n in asked.values()), asked  # one refund id per payment
        for payment_id, back in self._given_back().items():
            assert back <= self.w.delivered.get(payment_id, 0), (payment_id, back)

    def _given_back(self) -> dict[str, int]:
        """What the provider gave back of each payment: our refunds and its own cancellations."""
        back: dict[str, int] = {}
        for r in [*self._refunds(), *self.w.psp.records("CANCEL")]:
            back[r["payment_id"]] = back.get(r["payment_id"], 0) + int(r["amount"])
        return back

    def _refunds(self) -> list[dict[str, Any]]:
        return self.deps.payments.records("REFUND")  # type: ignore[attr-defined,no-any-return]

    # ------------------------------------------------------------------ the end
    def teardown(self) -> None:
        EXPLORED["examples"] += 1
        EXPLORED["steps"] += self.steps
        try:
            if self.record is not None and self.w.execution is not None:
                self._to_the_end()
                self._as_the_reference_says()
        except AssertionError:
            EXPLORED["violations"] += 1
            raise
        finally:
            figures.record(
                "interleavings",
                {
                    "examples": 1,
                    "steps": self.steps,
                    "violations": EXPLORED["violations"],
                },
            )
            EXPLORED["violations"] = 0

    def _to_the_end(self) -> None:
        """Nobody acts any more: deadlines lapse until the listing ends; effects drain."""
        for _ in range(200):
            record = self.record
            if record.status.value in TERMINAL and self.ex.phase == "done":
                break
            if record.status is ListingStatus.OPEN:
                self.clock.current = max(self.clock.now(), record.closes_at) + timedelta(seconds=1)
                self.w.schedule()
            elif self.ex.can_step():
                self.ex.step()
            elif self.ex.can_lapse():
                self.ex.lapse()
            else:
                self.w.schedule()
        else:
            raise AssertionError(f"the listing never ended: {self.record.status}, {self.ex}")
        self.w.drain()

    def _as_the_reference_says(self) -> None:
        record = self.record
        lid = self.w.listing_id
        outcome = TERMINAL[record.status.value]
        assert outcome == self.ex.fixed_outcome, (outcome, self.ex.fixed_outcome)
        entries = self.w.store.journal_of_listing(lid)
        keys = [e.key for e in entries]

        def paid_as(kind: str) -> set[str]:
            return {k.rsplit(":", 1)[1] for k in keys if f":{kind}:" in k}

        kept_tickets, turned_back = paid_as("tickets"), paid_as("unaccepted")
        deposit, second = paid_as("deposit"), paid_as("second-payment")
        buyers = {b.buyer_id: b for b in self.w.store.buyers_of_listing(lid, 64)}
        payer = {
            e.payment_id: b.buyer_id for b in buyers.values() for e in b.paid() if e.payment_id
        }
        forfeited = {b for b, rec in buyers.items() if rec.forfeited}
        # the draw took exactly the tickets kept
        tickets = sum(e.tickets for b in buyers.values() for e in b.paid())
        assert record.paid_tickets == tickets
        expected = set(turned_back)
        if outcome == "sold":
            expected |= deposit
        elif outcome == "unsold":
            expected |= deposit | {p for p in kept_tickets if payer.get(p) not in forfeited}
        else:
            expected |= kept_tickets | second
        refunded = {r["payment_id"] for r in self._refunds()}
        cancelled_by_provider = {c["payment_id"] for c in self.w.psp.records("CANCEL")}
        # we refund exactly what the reference says (a payment the provider had already given
        # back in full needs no refund of ours) ...
        assert refunded <= expected, (outcome, refunded - expected)
        assert expected - refunded <= cancelled_by_provider, (outcome, expected - refunded)
        # ... and every payment owed back came back whole, once
        back = self._given_back()
        for payment_id in expected:
            assert back.get(payment_id) == self.w.delivered[payment_id], (payment_id, back)
        st_ = check_conserved(
            self.w.store.all_journal_entries(),
            self.w.store.mileage_balance,
            record,
            entries,
        )
        assert st_.held_in_escrow == 0
        assert st_.paid_out.get("seller_payout", 0) == (record.price if outcome == "sold" else 0)
        every_key = [e.key for e in self.w.store.all_journal_entries()]
        for c in self.cancellations:  # each of the provider's own cancellations posted, once
            assert every_key.count(f"provider-cancel:{c['sk']}") == 1, c


@pytest.fixture
def listing_life(dynamodb_local: DynamoDBLocal) -> Iterator[type[ListingLife]]:
    global SERVER  # noqa: PLW0603
    SERVER = dynamodb_local
    yield ListingLife
    SERVER = None


def test_every_interleaving_keeps_the_money_right(listing_life: type[ListingLife]) -> None:
    runner = listing_life.TestCase
    runner.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        derandomize=not figures.FULL,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    runner().runTest()


def test_a_refusal_is_an_answer_not_a_failure() -> None:
    """The harness treats a 4xx as what the person was told; anything else fails the run."""

    def boom() -> None:
        raise DomainError("no")

    assert isinstance(refused(boom), DomainError)
    with pytest.raises(ZeroDivisionError):
        refused(lambda: 1 / 0)
