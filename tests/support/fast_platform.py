"""The services on the MemoryStore, the state machine played by hand, an in-memory payment
provider: the fast tier (tests/fast). Nothing here talks to AWS, and nothing waits for real time.

``FastWorld`` plays the people, the provider and the listing's execution
(tests/support/interleavings.py's ``Execution``); ``FakeProvider`` keeps the provider's records
so that the books can be checked against what the provider holds."""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tombola_dev.doubles import ManualClock, RecordingTelemetry, SeededRandomness
from tombola_dev.driver import check_conserved

from tests.support.identity import MemoryIdentity
from tests.support.interleavings import (
    Execution,
    FixedSecrets,
    Ids,
    ManualWorkflow,
    RecordingEvents,
    caller,
    drain_outbox,
    settings_for,
)
from tests.support.memory_store import MemoryStore
from tombola.adapters.idempotency import NoIdempotency
from tombola.adapters.local_beacon import LocalBeacon
from tombola.api.models import (
    CarrierEventIn,
    DisputeIn,
    EntryIn,
    ListingIn,
    ResolutionIn,
    ShipmentIn,
    SpendLimitsIn,
    VerificationIn,
)
from tombola.api.views import ListingCreated
from tombola.domain.auth import Role
from tombola.domain.errors import ProviderUnavailable
from tombola.domain.ledger import (
    EXTERNAL,
    OPERATOR_PROMOTIONS,
    Category,
    EntryKind,
    transfer,
)
from tombola.domain.ledger import mileage as mileage_account
from tombola.domain.money import Money
from tombola.domain.references import payout_id_for
from tombola.domain.responsible import Market
from tombola.domain.signatures import SIGNATURE_HEADER, sign, verify_signature
from tombola.domain.statement import Statement
from tombola.ports.payment_provider import (
    Checkout,
    PaymentEvent,
    ProviderRecord,
    RecordKind,
    checkout_id_for,
)
from tombola.services import (
    closing,
    delivery,
    entries,
    free_entries,
    listings,
    payments,
    play,
    purchase,
)
from tombola.services.deps import Deps
from tombola.state.changes import Change
from tombola.state.records import PayoutAccount, ProfileRecord

SECRET = "whsec-fast"
DAY_PAGE = 500


class FakeProvider:
    """A payment provider in memory, with the sandbox's rules: a refund is idempotent by its id
    and gives back at most what is left of the payment; a payout is made once per id; the
    provider may give a payment back on its own (``cancel``). ``down`` names the calls that
    fail (ProviderUnavailable) until taken out of it."""

    pays_out = True

    def __init__(self, clock: ManualClock, secret: str = SECRET) -> None:
        self.clock = clock
        self.secret = secret
        self.down: set[str] = set()  # "checkout", "refund", "payout"
        self._lock = threading.RLock()
        self.checkouts: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}  # ours, by refund id
        self.cancellations: dict[str, dict[str, Any]] = {}  # its own, by cancellation id
        self.payouts: dict[str, dict[str, Any]] = {}

    def _up(self, call: str) -> None:
        if call in self.down:
            raise ProviderUnavailable(f"the provider's {call} is down")

    # ------------------------------------------------------------------ the port
    def create_checkout(
        self, *, reference: str, payer_id: str, amount: Money, expires_at: datetime
    ) -> Checkout:
        self._up("checkout")
        checkout_id = checkout_id_for(reference)
        with self._lock:
            self.checkouts[checkout_id] = {
                "reference": reference,
                "payer_id": payer_id,
                "amount": amount.amount,
                "currency": amount.currency,
            }
        return Checkout(checkout_id, amount, f"http://fast.invalid/{checkout_id}", expires_at)

    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> int | None:
        self._up("refund")
        with self._lock:
            done = self.refunds.get(refund_id)
            if done is not None and not done["payment_known"]:
                return None
            if done is not None:
                return int(done["amount"])
            payment = self.payments.get(payment_id)
            if payment is None:  # no record of it: done as asked, the provider cannot say
                self.refunds[refund_id] = self._cancellation(
                    payment_id, amount.amount, amount.currency, None, reason, refund_id=refund_id
                ) | {"payment_known": False}
                return None
            take = min(amount.amount, int(payment["amount"]) - int(payment["cancelled"]))
            if take <= 0:
                return 0
            payment["cancelled"] += take
            self.refunds[refund_id] = self._cancellation(
                payment_id, take, payment["currency"], payment["reference"], reason, refund_id
            ) | {"payment_known": True, "asked": amount.amount}
            return take

    def payout(self, *, payout_id: str, payee_id: str, amount: Money) -> None:
        self._up("payout")
        with self._lock:
            self.payouts.setdefault(
                payout_id,
                {
                    "payee_id": payee_id,
                    "amount": amount.amount,
                    "currency": amount.currency,
                    "at": self.clock.now(),
                },
            )

    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        now = int(self.clock.now().timestamp())
        verify_signature([self.secret], body, lowered.get(SIGNATURE_HEADER), now)
        return PaymentEvent.model_validate_json(body)

    def records_of_day(
        self, day: date, cursor: str | None = None
    ) -> tuple[list[ProviderRecord], str | None]:
        with self._lock:
            rows = sorted(
                (f"{r.kind}#{r.record_id}", r) for r in self._records() if r.at.date() == day
            )
        rows = [(sk, r) for sk, r in rows if cursor is None or sk > cursor]
        page = rows[:DAY_PAGE]
        more = len(rows) > DAY_PAGE
        return [r for _, r in page], (page[-1][0] if more else None)

    def find_record(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        payment_id: str | None = None,
        refund_id: str | None = None,
    ) -> ProviderRecord | None:
        with self._lock:
            if kind == "payment":
                p = self.payments.get(record_id)
                return self._payment_record(record_id, p) if p else None
            if kind == "payout":
                o = self.payouts.get(record_id)
                return self._payout_record(record_id, o) if o else None
            if refund_id is not None:
                c = self.refunds.get(refund_id)
                return self._cancel_record(refund_id, c) if c and c["payment_known"] else None
            c = self.cancellations.get(record_id)
            return self._cancel_record(record_id, c) if c else None

    # ------------------------------------------------------------------ the provider's side
    def record_payment(
        self, *, payment_id: str, reference: str, amount: int, currency: str
    ) -> bool:
        """The payer paid: kept once per payment id (then its webhook is sent)."""
        with self._lock:
            if payment_id in self.payments:
                return False
            self.payments[payment_id] = {
                "reference": reference,
                "amount": amount,
                "currency": currency,
                "cancelled": 0,
                "at": self.clock.now(),
            }
            return True

    def cancel(
        self, payment_id: str, *, amount: int | None = None, reason: str = "charged back"
    ) -> dict[str, Any]:
        """The provider gives (part of) a payment back on its own: a chargeback, its console."""
        with self._lock:
            payment = self.payments[payment_id]
            left = payment["amount"] - payment["cancelled"]
            take = left if amount is None else amount
            assert 0 < take <= left, f"{payment_id} has {left} left"
            payment["cancelled"] += take
            cancellation_id = f"cancel_{uuid.uuid4().hex[:12]}"
            done = self._cancellation(
                payment_id, take, payment["currency"], payment["reference"], reason
            )
            self.cancellations[cancellation_id] = done | {"cancellation_id": cancellation_id}
            return self.cancellations[cancellation_id]

    def _cancellation(
        self,
        payment_id: str,
        amount: int,
        currency: str,
        reference: str | None,
        reason: str,
        refund_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "payment_id": payment_id,
            "amount": amount,
            "currency": currency,
            "reference": reference,
            "reason": reason,
            "refund_id": refund_id,
            "at": self.clock.now(),
        }

    def _records(self) -> list[ProviderRecord]:
        return [
            *(self._payment_record(i, p) for i, p in self.payments.items()),
            *(self._cancel_record(i, c) for i, c in self.refunds.items() if c["payment_known"]),
            *(self._cancel_record(i, c) for i, c in self.cancellations.items()),
            *(self._payout_record(i, o) for i, o in self.payouts.items()),
        ]

    @staticmethod
    def _payment_record(payment_id: str, p: dict[str, Any]) -> ProviderRecord:
        return ProviderRecord(
            "payment",
            payment_id,
            p["amount"],
            p["currency"],
            p["at"],
            payment_id=payment_id,
            reference=p["reference"],
        )

    @staticmethod
    def _cancel_record(record_id: str, c: dict[str, Any]) -> ProviderRecord:
        return ProviderRecord(
            "cancellation",
            record_id,
            c["amount"],
            c["currency"],
            c["at"],
            payment_id=c["payment_id"],
            reference=c["reference"],
            refund_id=c["refund_id"],
        )

    @staticmethod
    def _payout_record(payout_id: str, o: dict[str, Any]) -> ProviderRecord:
        return ProviderRecord("payout", payout_id, o["amount"], o["currency"], o["at"])

    def held(self, currency: str = "KRW") -> int:
        """What the provider took and has not given back or paid out."""
        with self._lock:
            return sum(
                r.amount if r.kind == "payment" else -r.amount
                for r in self._records()
                if r.currency == currency
            )

    def refunded(self, payment_id: str) -> int:
        with self._lock:
            return sum(
                int(c["amount"])
                for c in self.refunds.values()
                if c["payment_id"] == payment_id and c["payment_known"]
            )


def fast_deps(start: datetime | None = None) -> tuple[Deps, ManualClock]:
    clock = ManualClock(start or datetime(2026, 6, 1, 12, tzinfo=UTC))
    deps = Deps(
        store=MemoryStore(clock),
        clock=clock,
        randomness=SeededRandomness(7),
        payments=FakeProvider(clock),
        workflow=ManualWorkflow(),
        events=RecordingEvents(),
        ids=Ids(),
        settings=settings_for("fast"),
        requests=NoIdempotency(),
        secrets=FixedSecrets(),
        telemetry=RecordingTelemetry(),
        identity=MemoryIdentity(),
        beacon=LocalBeacon(b"test beacon", clock),
    )
    return deps, clock


PEOPLE = ("seller", "ann", "bob", "cat", "dan", "eve")


@dataclass
class FastWorld:
    """One listing's life, step by step: people call the services as their routes do, the
    provider sends signed webhooks, ``run`` plays the execution until it waits for someone."""

    deps: Deps
    clock: ManualClock
    listing_id: str = ""
    execution: Execution | None = None
    sent: int = 0
    results: list[str] = field(default_factory=list)

    @property
    def store(self) -> MemoryStore:
        store = self.deps.store
        assert isinstance(store, MemoryStore)
        return store

    @property
    def psp(self) -> FakeProvider:
        psp = self.deps.payments
        assert isinstance(psp, FakeProvider)
        return psp

    @property
    def workflow(self) -> ManualWorkflow:
        wf = self.deps.workflow
        assert isinstance(wf, ManualWorkflow)
        return wf

    @property
    def events(self) -> RecordingEvents:
        ev = self.deps.events
        assert isinstance(ev, RecordingEvents)
        return ev

    def record(self) -> Any:
        record = self.store.get_listing(self.listing_id)
        assert record is not None
        return record

    @property
    def status(self) -> str:
        return str(self.record().status.value)

    # ------------------------------------------------------------------ people
    def people(self, *names: str) -> None:
        for user in names or PEOPLE:
            self.store.put_profile(
                ProfileRecord(
                    user_id=user,
                    name=f"Name {user}",
                    email=f"{user}@example.com",
                    phone="+821012345678",
                    address=f"{user} street 1, Seoul",
                    payout_account=PayoutAccount(
                        bank="004", number="110123456789", holder_name=f"Name {user}"
                    )
                    if user == "seller"
                    else None,
                )
            )

    def market(self, market: str, **overrides: Any) -> None:
        """The operator's market (and any of its defaults overridden) from now on."""
        self.deps.settings = self.deps.settings.model_copy(
            update={"market": Market(market), **overrides}
        )

    def verify(self, user: str, born: date = date(1990, 5, 17), person: str | None = None) -> Any:
        """``user`` verifies as ``person`` (by default a person of their own), born ``born``."""
        identity = self.deps.identity
        assert isinstance(identity, MemoryIdentity)
        who = caller(user, Role.BUYER)
        started = play.start_verification(self.deps, who)
        identity.finish(started.verification_id, person or f"ci-{user}", born)
        return play.finish_verification(
            self.deps, who, VerificationIn(verification_id=started.verification_id)
        )

    def grant_mileage(self, buyer: str, amount: int, currency: str = "KRW") -> None:
        """The operator gives ``buyer`` mileage (a promotion): booked, then credited."""
        key = f"promotion:{buyer}:{amount}:{self.clock.now().isoformat()}"
        entry = transfer(
            key,
            EntryKind.SETTLEMENT,
            OPERATOR_PROMOTIONS,
            mileage_account(buyer),
            Money(amount, currency),
            source_category=Category.OPERATOR_FUNDED_MILEAGE,
            target_category=Category.MILEAGE_ISSUED,
        )
        self.store.commit(Change(journal=[entry]))
        assert self.store.credit_mileage(buyer, currency, amount, key)

    def limits(self, user: str, currency: str = "KRW", **limits: int | None) -> Any:
        return play.set_limits(
            self.deps,
            caller(user, Role.BUYER),
            SpendLimitsIn.model_validate({"currency": currency} | limits),
        )

    def create(self, **fields: Any) -> ListingCreated:
        body = ListingIn.model_validate(
            {
                "title": "Camera",
                "price": 10_000,
                "expected_entrants": 10,
                "closes_at": (self.clock.now() + timedelta(hours=1)).isoformat(),
            }
            | fields
        )
        created = listings.create_listing(self.deps, caller("seller", Role.SELLER), body)
        self.listing_id = created.listing.listing_id
        self.execution = Execution(self.deps, self.listing_id)
        return created

    def open(self, **fields: Any) -> str:
        """A listing created and its deposit paid."""
        self.people()
        created = self.create(**fields)
        if created.deposit.checkout is not None:
            assert self.pay(created.deposit.checkout.checkout_id) == "listing_opened"
        assert self.status == "open"
        return self.listing_id

    def hold(self, buyer: str, tickets: int = 1, method: str = "card") -> str | None:
        made = entries.apply_for_tickets(
            self.deps,
            caller(buyer, Role.BUYER),
            self.listing_id,
            EntryIn(tickets=tickets, payment_method=method),  # type: ignore[arg-type]
        )
        return made.checkout.checkout_id if made.checkout else None

    def free(self, buyer: str) -> Any:
        """``buyer`` takes the free entry route on the listing."""
        return free_entries.enter_free(self.deps, caller(buyer, Role.BUYER), self.listing_id)

    def buy(self, buyer: str, tickets: int = 1) -> str:
        checkout = self.hold(buyer, tickets)
        assert checkout is not None
        return self.pay(checkout)

    # ------------------------------------------------------------------ the provider
    def webhook(self, event: dict[str, Any]) -> str:
        """Signed as the provider signs, verified and handled as the webhook function does."""
        body = json.dumps(event).encode()
        now = int(self.clock.now().timestamp())
        headers = {SIGNATURE_HEADER: sign(self.psp.secret, body, now)}
        ack = payments.handle_verified_event(self.deps, self.psp.verified_event(body, headers))
        self.results.append(ack.result)
        return ack.result

    def event(self, kind: str, data: dict[str, Any], event_id: str | None = None) -> str:
        self.sent += 1
        return self.webhook(
            {
                "id": event_id or f"evt-{self.sent}",
                "type": kind,
                "created": int(self.clock.now().timestamp()),
                "data": data,
            }
        )

    def pay(
        self,
        checkout_id: str,
        *,
        payment_id: str | None = None,
        amount: int | None = None,
        event_id: str | None = None,
    ) -> str:
        """The payer pays the checkout: the provider records it, then reports it."""
        c = self.psp.checkouts[checkout_id]
        payment_id = payment_id or f"pay_{checkout_id}"
        paid = c["amount"] if amount is None else amount
        self.psp.record_payment(
            payment_id=payment_id, reference=c["reference"], amount=paid, currency=c["currency"]
        )
        data = {"payment_id": payment_id, "reference": c["reference"], "amount": paid}
        return self.event("payment.succeeded", data | {"currency": c["currency"]}, event_id)

    def stray(self, payment_id: str, amount: int, reference: str = "nothing:of-ours") -> str:
        self.psp.record_payment(
            payment_id=payment_id, reference=reference, amount=amount, currency="KRW"
        )
        data = {"payment_id": payment_id, "reference": reference, "amount": amount}
        return self.event("payment.succeeded", data | {"currency": "KRW"})

    def fail(self, checkout_id: str, event_id: str | None = None) -> str:
        c = self.psp.checkouts[checkout_id]
        data = {"payment_id": f"pay_{checkout_id}", "reference": c["reference"]}
        return self.event(
            "payment.failed", data | {"amount": c["amount"], "currency": c["currency"]}, event_id
        )

    def provider_cancels(
        self, payment_id: str, amount: int | None = None
    ) -> tuple[dict[str, Any], str]:
        cancellation = self.psp.cancel(payment_id, amount=amount)
        return cancellation, self.report(cancellation)

    def report(self, cancellation: dict[str, Any], event_id: str | None = None) -> str:
        """The provider's ``payment.cancelled`` for one of its cancellations (or our refund)."""
        data = {
            "payment_id": cancellation["payment_id"],
            "reference": cancellation["reference"] or f"unknown:{cancellation['payment_id']}",
            "amount": int(cancellation["amount"]),
            "currency": cancellation["currency"],
            "cancellation_id": cancellation.get("cancellation_id")
            or f"c-{cancellation['refund_id']}",
            "reason": cancellation["reason"],
        }
        if cancellation.get("refund_id"):
            data["refund_id"] = cancellation["refund_id"]
        return self.event("payment.cancelled", data, event_id)

    def payout_reported(self, amount: int | None = None, event_id: str | None = None) -> str:
        payout = self.store.get_payout(payout_id_for(self.listing_id))
        assert payout is not None
        data = {
            "payment_id": payout.payout_id,
            "reference": f"payout:{payout.payout_id}",
            "amount": payout.amount if amount is None else amount,
            "currency": payout.currency,
        }
        return self.event("payout.paid", data, event_id)

    # ------------------------------------------------------------------ the sale
    def second_payment(self) -> str:
        candidate = self.record().candidate
        due = purchase.second_payment_checkout(
            self.deps, caller(candidate, Role.BUYER), self.listing_id
        )
        return due.checkout.checkout_id

    def forfeit(self, who: str | None = None) -> None:
        who = who or self.record().candidate
        purchase.forfeit(self.deps, caller(who, Role.BUYER), self.listing_id)

    def ship(self) -> None:
        body = ShipmentIn(carrier="CJ", tracking_number=f"T-{self.listing_id}")
        purchase.ship(self.deps, caller("seller", Role.SELLER), self.listing_id, body)

    def deliver(self, event_id: str | None = None) -> str:
        self.sent += 1
        event = CarrierEventIn.model_validate(
            {
                "id": event_id or f"car-{self.sent}",
                "type": "shipment.delivered",
                "created": int(self.clock.now().timestamp()),
                "data": {"listing_id": self.listing_id, "tracking_number": f"T-{self.listing_id}"},
            }
        )
        return delivery.handle_carrier_event(self.deps, event).result

    def confirm(self) -> None:
        buyer = self.record().final_buyer
        purchase.confirm(self.deps, caller(buyer, Role.BUYER), self.listing_id)

    def dispute(self) -> None:
        buyer = self.record().final_buyer
        body = DisputeIn(reason="arrived broken")
        purchase.dispute(self.deps, caller(buyer, Role.BUYER), self.listing_id, body)

    def resolve(self, decision: str) -> None:
        body = ResolutionIn(decision=decision)  # type: ignore[arg-type]
        purchase.resolve(self.deps, caller("op", Role.OPERATOR), self.listing_id, body)

    # ------------------------------------------------------------------ time and the machine
    def schedule(self) -> dict[str, object]:
        """The minute schedule runs now: closes what is due, releases lapsed holds, sweeps."""
        return closing.close_due(self.deps)

    def close(self) -> dict[str, object]:
        """The entry window ends and the minute schedule runs."""
        closes_at = self.record().closes_at
        if self.clock.now() <= closes_at:
            self.clock.current = closes_at + timedelta(seconds=1)
        return closing.close_due(self.deps)

    def run(self) -> str:
        """The execution steps until it waits for someone (or is done); returns its phase."""
        assert self.execution is not None
        for _ in range(1_000):
            if not self.execution.can_step():
                break
            self.execution.step()
        return self.execution.phase

    def lapse(self) -> str:
        """The current wait's deadline passes, then the execution runs on."""
        assert self.execution is not None
        assert self.execution.can_lapse(), self.execution.phase
        self.clock.advance(timedelta(days=30))
        self.execution.lapse()
        return self.run()

    def drain(self) -> None:
        drain_outbox(self.deps, self.clock)

    def a_month_passes(self, days: int = 45) -> int:
        """Time jumps; what DynamoDB's TTL would have deleted by then is gone."""
        self.clock.advance(timedelta(days=days))
        return self.store.forget_expired(int(self.clock.now().timestamp()))

    def checkout_of(self, kind: str, buyer: str | None = None) -> str:
        """The listing's checkout of ``kind`` (deposit, entry, p2), the buyer's if named."""
        for checkout_id, c in self.psp.checkouts.items():
            parts = c["reference"].split(":")
            if parts[0] == kind and parts[1] == self.listing_id and buyer in (None, *parts[2:]):
                return checkout_id
        raise AssertionError(f"no {kind} checkout of {buyer or 'anyone'} on {self.listing_id}")

    def checkouts_paid(self) -> dict[str, int]:
        """The listing's checkouts paid (by the payment ``pay`` made): what each took."""
        return {
            checkout_id: self.psp.payments[f"pay_{checkout_id}"]["amount"]
            for checkout_id, c in self.psp.checkouts.items()
            if c["reference"].split(":")[1] == self.listing_id
            and f"pay_{checkout_id}" in self.psp.payments
        }

    # ------------------------------------------------------------------ money checks
    def conserved(self, *, provider: bool = True) -> Statement:
        """Every entry balances, money sums to zero, no internal account is negative, mileage
        balances match the journal, the listing's statement balances (and is closed once the
        listing ended); with ``provider``, what the provider holds is what the books say
        crossed it (every effect ran, the payout was reported)."""
        journal = self.store.all_journal_entries()
        st = check_conserved(
            journal,
            self.store.mileage_balance,
            self.record(),
            self.store.journal_of_listing(self.listing_id),
        )
        if provider:
            external: dict[str, int] = defaultdict(int)
            for e in journal:
                external[e.currency] += sum(p.amount for p in e.postings if p.account == EXTERNAL)
            assert -external["KRW"] == self.psp.held("KRW"), (dict(external), self.psp.held())
        return st
