"""Drives the application under moto as its users, the payment provider and the carrier would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from tombola.adapters.container import deps
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.sandbox_identity import SandboxIdentityVerifier
from tombola.adapters.sandbox_psp import SandboxPaymentProvider
from tombola.domain.ledger import JournalEntry
from tombola.domain.references import payout_id_for
from tombola.domain.statement import Statement, statements
from tombola.state.records import ListingRecord
from tombola_dev.accounts import payout_account
from tombola_dev.api_gateway import HttpResponse
from tombola_dev.doubles import ManualClock, RecordingTelemetry
from tombola_dev.memory_ledger import Ledger, net_postings
from tombola_dev.sandbox import cancellation_webhook, carrier_webhook, payment_webhook
from tombola_dev.stack import Stack


def claims(user_id: str, *groups: str) -> dict[str, Any]:
    return {"sub": user_id, "cognito:groups": "[" + " ".join(groups) + "]"}


@dataclass
class Driver:
    stack: Stack
    clock: ManualClock
    telemetry: RecordingTelemetry = field(default_factory=RecordingTelemetry)
    users: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # ------------------------------------------------------------------ people
    def as_(self, user: str, method: str, path: str, body: Any = None, **kw: Any) -> HttpResponse:
        return self.stack.http(
            method, path, body=body, claims=claims(user, *self.users[user]), **kw
        )

    def as_op(self, method: str, path: str, body: Any = None, **kw: Any) -> HttpResponse:
        """An operator ("op") calls."""
        self.users.setdefault("op", ("operator",))
        return self.as_("op", method, path, body, **kw)

    def user(self, user: str, *groups: str, payout: bool = False) -> None:
        self.users[user] = groups
        body: dict[str, Any] = {
            "name": f"Name {user}",
            "email": f"{user}@example.com",
            "phone": "+82 10 1234 5678",
            "address": f"{user} street 1, Seoul",
        }
        if payout:
            body["payout_account"] = payout_account(user)
        r = self.as_(user, "PUT", "/me/profile", body)
        assert r.status == 200, r

    def verify(
        self, user: str, born: str = "1990-05-17", name: str | None = None, phone: str = ""
    ) -> HttpResponse:
        """``user`` verifies their identity in the sandbox's window as ``name`` (their own by
        default: another name, birth date and phone is another person)."""
        started = self.ok(self.as_(user, "POST", "/me/verification/start"))
        verifier = deps().identity
        assert isinstance(verifier, SandboxIdentityVerifier)
        vid = started["verification_id"]
        verifier.record(vid, name or f"Name {user}", date.fromisoformat(born), phone or "010")
        return self.as_(user, "POST", "/me/verification", {"verification_id": vid})

    def ok(self, r: HttpResponse, status: int = 200) -> Any:
        assert r.status == status, (r.status, r.body)
        return r.body

    def create_listing(self, seller: str, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Camera",
            "price": 1_000_000,
            "expected_entrants": 1_000,
            "closes_at": (self.clock.now() + timedelta(hours=1)).isoformat(),
        } | fields
        out: dict[str, Any] = self.ok(self.as_(seller, "POST", "/listings", body), 201)
        return out

    # ------------------------------------------------------------------ payment provider
    @property
    def secret(self) -> str:
        """What the payment provider signs with."""
        return self.stack.webhook_secret()

    @property
    def carrier_secret(self) -> str:
        """What the carrier signs with: its own secret."""
        return self.stack.carrier_secret()

    @property
    def psp(self) -> SandboxPaymentProvider:
        payments = deps().payments
        assert isinstance(payments, SandboxPaymentProvider)
        return payments

    @property
    def store(self) -> DynamoStore:
        store = deps().store
        assert isinstance(store, DynamoStore)
        return store

    def pay(
        self,
        checkout_id: str,
        *,
        event_id: str | None = None,
        payment_id: str | None = None,
        amount: int | None = None,
        event_type: str = "payment.succeeded",
    ) -> HttpResponse:
        checkout = self.psp.checkout(checkout_id)
        assert checkout is not None, checkout_id
        paid = checkout["amount"] if amount is None else amount
        payment_id = payment_id or f"pay_{checkout_id}"
        if event_type == "payment.succeeded":  # the provider took it, then tells us
            self.psp.record_payment(
                payment_id=payment_id,
                reference=checkout["reference"],
                amount=paid,
                currency=checkout["currency"],
            )
        raw, headers = payment_webhook(
            self.secret,
            reference=checkout["reference"],
            amount=paid,
            currency=checkout["currency"],
            now_epoch=int(self.clock.now().timestamp()),
            event_type=event_type,
            payment_id=payment_id,
            event_id=event_id,
            checkout_id=checkout_id,
        )
        return self.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers)

    def provider_cancels(
        self,
        payment_id: str,
        *,
        amount: int | None = None,
        cancellation_id: str | None = None,
        reason: str = "charged back by the card issuer",
        event_id: str | None = None,
    ) -> tuple[dict[str, Any], HttpResponse]:
        """The provider gives (part of) a payment back on its own (a chargeback, its console)
        and reports it: the cancellation and the webhook's answer."""
        cancellation = self.psp.cancel(
            payment_id, amount=amount, cancellation_id=cancellation_id, reason=reason
        )
        return cancellation, self.report_cancellation(cancellation, event_id=event_id)

    def report_cancellation(
        self, cancellation: dict[str, Any], *, event_id: str | None = None
    ) -> HttpResponse:
        """The provider's ``payment.cancelled`` for a cancellation it has (again, if asked)."""
        raw, headers = cancellation_webhook(
            self.secret,
            cancellation=cancellation,
            now_epoch=int(self.clock.now().timestamp()),
            event_id=event_id,
        )
        return self.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers)

    def payout_paid(
        self,
        listing_id: str,
        amount: int,
        *,
        currency: str = "KRW",
        payout_id: str | None = None,
        event_id: str | None = None,
    ) -> HttpResponse:
        """The provider reports the seller's payout as sent."""
        payout_id = payout_id or payout_id_for(listing_id)
        raw, headers = payment_webhook(
            self.secret,
            reference=f"payout:{payout_id}",
            amount=amount,
            currency=currency,
            now_epoch=int(self.clock.now().timestamp()),
            event_type="payout.paid",
            payment_id=payout_id,
            event_id=event_id,
        )
        return self.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers)

    def deliver(self, listing_id: str, tracking: str, event_id: str | None = None) -> HttpResponse:
        raw, headers = carrier_webhook(
            self.carrier_secret,
            listing_id=listing_id,
            tracking_number=tracking,
            now_epoch=int(self.clock.now().timestamp()),
            event_id=event_id,
        )
        return self.stack.http("POST", "/webhooks/delivery", raw=raw, headers=headers)

    def open_listing(self, seller: str, **fields: Any) -> str:
        created = self.create_listing(seller, **fields)
        listing_id: str = created["listing"]["listing_id"]
        checkout = created["deposit"]["checkout"]
        if checkout is not None:
            self.ok(self.pay(checkout["checkout_id"]))
        return listing_id

    def waiting_for_close(self, listing_id: str) -> None:
        """Until the execution started at publish holds its close wait (its token on the head):
        after this nothing of the execution's writes until the close."""
        self.stack.wait_for(
            lambda: "close" in self.record(listing_id).waits, what=f"{listing_id}'s close wait"
        )

    def buy(self, buyer: str, listing_id: str, tickets: int = 1, method: str = "card") -> Any:
        r = self.as_(
            buyer,
            "POST",
            f"/listings/{listing_id}/entries",
            {"tickets": tickets, "payment_method": method},
        )
        body = self.ok(r, 201)
        if method == "card":
            self.ok(self.pay(body["checkout"]["checkout_id"]))
        return body

    def sold_out(self, seller: str = "seller", buyers: tuple[str, ...] = ("ann", "bob")) -> str:
        """A listing whose one ticket per buyer filled it: drawn at once, its final buyer
        named (the tickets cover the price), the shipment awaited."""
        if seller not in self.users:
            self.user(seller, "seller", payout=True)
        lid = self.open_listing(seller, expected_entrants=len(buyers), ticket_limit=1)
        for b in buyers:
            if b not in self.users:
                self.user(b, "buyer")
            self.buy(b, lid)
        self.wait_status(lid, "final_buyer")
        self.stack.wait_for(lambda: "shipment" in self.record(lid).waits, 10, "the shipment wait")
        return lid

    def awaiting_second_payment(self, second_payment_seconds: int) -> str:
        """ann and bob with two tickets each on a listing of 1,000: closed by time, drawn, a
        candidate named with ``second_payment_seconds`` to pay P2."""
        self.user("seller", "seller", payout=True)
        lid = self.open_listing(
            "seller", ticket_limit=4, deadlines={"second_payment": second_payment_seconds}
        )
        for b in ("ann", "bob"):
            self.user(b, "buyer")
            self.buy(b, lid, tickets=2)
        self.close_window(lid)
        self.wait_status(lid, "awaiting_second_payment")
        return lid

    def listing(self, listing_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self.ok(self.stack.http("GET", f"/listings/{listing_id}"))
        return out

    def record(self, listing_id: str) -> Any:
        return self.store.get_listing(listing_id)

    def as_draw_v1(self, listing_id: str) -> None:
        """The listing as one published before draw-v2 (no beacon round fixed), whose order a
        test can foresee from its seed alone, as the patent's examples need."""
        self.store.client.update_item(
            TableName=self.store.table,
            Key={"pk": {"S": f"LISTING#{listing_id}"}, "sk": {"S": "META"}},
            UpdateExpression="REMOVE #d.draw_version, #d.beacon_chain, #d.beacon_planned",
            ExpressionAttributeNames={"#d": "data"},
        )

    def buyers(self, listing_id: str) -> list[Any]:
        record = self.record(listing_id)
        return list(self.store.buyers_of_listing(listing_id, record.entry_partitions))

    def holds(self, listing_id: str) -> list[Any]:
        """Entries whose hold still reserves tickets."""
        return [e for b in self.buyers(listing_id) for e in b.pending()]

    def forfeited(self, listing_id: str) -> list[str]:
        """Buyers who passed as candidate, in draw order."""
        record = self.record(listing_id)
        passed = {b.buyer_id for b in self.buyers(listing_id) if b.forfeited}
        return [b for b in self.store.draw_order(listing_id, 0, record.drawn_count) if b in passed]

    def wait_status(self, listing_id: str, *statuses: str, timeout: float = 20) -> str:
        def reached() -> bool:
            return self.record(listing_id).status.value in statuses

        self.stack.wait_for(reached, timeout, f"{listing_id} to reach {statuses}")
        return str(self.record(listing_id).status.value)

    def redrawn_pays(self, listing_id: str, first: str) -> tuple[str, Any]:
        """Once ``first``'s deadline has passed and the re-draw named another candidate, that
        candidate asks for the checkout and pays at once: the test's own checks come after, so
        a loaded machine cannot spend the second (real-time) deadline on them. Returns the
        second candidate and the webhook's answer."""
        self.stack.wait_for(
            lambda: self.record(listing_id).candidate not in (None, first), 20, "the re-draw"
        )
        second = self.record(listing_id).candidate
        due = self.ok(self.as_(second, "POST", f"/listings/{listing_id}/second-payment"))
        paid = self.ok(self.pay(due["checkout"]["checkout_id"]))
        return second, paid | {"amount": due["amount"]}

    def close_window(self, listing_id: str) -> None:
        record = self.record(listing_id)
        if self.clock.now() < record.closes_at:
            self.clock.current = record.closes_at + timedelta(seconds=1)
        self.stack.run_schedules()

    # ------------------------------------------------------------------ money checks
    def conserved(self, listing_id: str) -> Statement:
        """Every journal entry balances, money sums to zero, no internal account is negative,
        mileage balances match the journal, and the listing's statement balances."""
        return check_conserved(
            self.store.all_journal_entries(),
            self.store.mileage_balance,
            self.record(listing_id),
            self.store.journal_of_listing(listing_id),
        )


def check_conserved(
    entries: Sequence[JournalEntry],
    mileage_balance: Callable[[str, str], int],
    record: ListingRecord,
    of_listing: Sequence[JournalEntry],
) -> Statement:
    """The conservation check over a journal read in full (the Driver reads it through the
    store; the bench straight from moto's table)."""
    ledger = Ledger()
    for entry in entries:
        assert sum(p.amount for p in entry.postings) == 0, entry.key
        for account, delta in net_postings(entry).items():
            ledger.balances[(account, entry.currency)] += delta
        ledger.entries[entry.key] = entry
    for (account, currency), balance in ledger.balances.items():
        if account.startswith(("escrow:", "mileage:", "seller:", "operator:revenue")):
            assert balance >= 0, (account, balance)
        if account.startswith("mileage:"):
            buyer = account.removeprefix("mileage:")
            assert mileage_balance(buyer, currency) == balance, account
    for currency in {c for (_, c) in ledger.balances}:
        assert sum(b for (_, c), b in ledger.balances.items() if c == currency) == 0
    st, others = statements(record.listing_id, record.currency, of_listing)
    for one in (st, *others.values()):
        assert one.balanced, one
        if record.status.value in {"settled", "unsold", "cancelled"}:
            assert one.held_in_escrow == 0, one
    return st


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class CountingIds:
    """Predictable ids, so a test can know ticket ids (and so the draw) in advance."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            self.n += 1
            return f"{prefix}{self.n:06d}"


def complete_sale(
    d: Driver,
    listing_id: str,
    *,
    confirm: bool = True,
    until: Literal["delivered", "confirmed", "settled"] = "settled",
    ship: bool = True,
    settle_timeout: float = 20,
) -> None:
    """Seller ships, the carrier delivers, the buyer confirms (or, without ``confirm``, the
    window passes), the sale settles. ``until`` stops earlier: "delivered" with the buyer's
    confirmation awaited, "confirmed" once the buyer confirmed. ``ship=False``: the seller has
    shipped already (the carrier delivers what the listing records)."""
    if ship:
        d.wait_status(listing_id, "final_buyer")
        d.stack.wait_for(lambda: "shipment" in d.record(listing_id).waits, 10, "the shipment wait")
        d.ok(
            d.as_(
                d.record(listing_id).seller_id,
                "POST",
                f"/listings/{listing_id}/shipment",
                {"carrier": "CJ", "tracking_number": f"T-{listing_id}"},
            )
        )
    d.stack.wait_for(lambda: "delivery" in d.record(listing_id).waits, 10, "the delivery wait")
    tracking = f"T-{listing_id}" if ship else d.record(listing_id).shipment.tracking_number
    d.ok(d.deliver(listing_id, tracking))
    if confirm or until == "delivered":
        d.stack.wait_for(
            lambda: "confirmation" in d.record(listing_id).waits, 10, "the confirm wait"
        )
    if until == "delivered":
        return
    if confirm:
        buyer = d.record(listing_id).final_buyer
        d.ok(d.as_(buyer, "POST", f"/listings/{listing_id}/confirm"))
    d.wait_status(listing_id, until, timeout=settle_timeout)
