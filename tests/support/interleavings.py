"""A listing's services on a real table (DynamoDB Local), with the state machine played by the
test: every step of the listing's execution (draw, waits, timeouts, settlement) is a step the
scheduler may take at any moment, between or beside (on real threads) the people's and the
provider's steps. What runs is the product's services, called as the Lambda handlers call them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from tombola_dev.doubles import ManualClock, RecordingTelemetry, SeededRandomness
from tombola_dev.parameters import FAST
from tombola_dev.sandbox import cancellation_webhook
from tombola_dev.template import Template

from tests.support.ttl import forget_expired
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.idempotency import NoIdempotency
from tombola.adapters.local_beacon import LocalBeacon
from tombola.adapters.sandbox_psp import SandboxPaymentProvider, WebhookSigning
from tombola.api.models import (
    CarrierEventIn,
    DisputeIn,
    EntryIn,
    ListingIn,
    ResolutionIn,
    ShipmentIn,
)
from tombola.config import Settings
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import DomainError
from tombola.ports.payment_provider import PaymentEvent
from tombola.services import (
    closing,
    delivery,
    drawing,
    entries,
    listings,
    payments,
    purchase,
    runner,
    settling,
    waits,
)
from tombola.services.deps import Deps


@cache
def _functions_env() -> dict[str, str]:
    template = Template.load()
    params = template.parameters | FAST
    env: dict[str, str] = {}
    for fn in template.functions().values():
        env |= fn.stand_in_environment(params)
    return env


def settings_for(table: str) -> Settings:
    """Every function's variables as template.yaml gives them (fast test deadlines)."""
    return Settings.from_env(_functions_env() | {"TABLE_NAME": table, "IDEMPOTENCY_TABLE": ""})


class ManualWorkflow:
    """Step Functions played by the test: executions started, and which waits were resumed or
    failed (a token whose wait timed out is gone, as Step Functions says TaskTimedOut)."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.answers: dict[str, tuple[str, dict[str, object]]] = {}
        self.gone: set[str] = set()
        self.lock = threading.Lock()

    def start(self, name: str, payload: dict[str, object]) -> None:
        with self.lock:
            if name not in self.started:
                self.started.append(name)

    def status(self, name: str) -> str | None:
        return "RUNNING" if name in self.started else None

    def resume(self, token: str, output: dict[str, object]) -> None:
        with self.lock:
            if token not in self.gone:
                self.answers.setdefault(token, ("ok", output))

    def fail(self, token: str, error: str, cause: str) -> None:
        with self.lock:
            if token not in self.gone:
                self.answers.setdefault(token, ("fail", {"Error": error, "Cause": cause}))


class RecordingEvents:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, object]]] = []

    def publish(self, detail_type: str, detail: dict[str, object]) -> None:
        self.published.append((detail_type, detail))


class FixedSecrets:
    def json(self, arn: str) -> dict[str, str]:
        return {"key": "k" * 32, "current": "whsec-test", "previous": ""}


class Ids:
    def __init__(self) -> None:
        self.n = 0
        self.lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self.lock:
            self.n += 1
            return f"{prefix}{self.n:06d}"


def platform(table: str, client: Any, start: datetime) -> tuple[Deps, ManualClock]:
    clock = ManualClock(start)
    s = settings_for(table)
    signing = WebhookSigning(secrets=lambda: ["whsec-test"], now=lambda: 0)
    deps = Deps(
        store=DynamoStore(table, clock, client),
        clock=clock,
        randomness=SeededRandomness(7),
        payments=SandboxPaymentProvider(table, client, "http://sandbox.invalid", signing),
        workflow=ManualWorkflow(),
        events=RecordingEvents(),
        ids=Ids(),
        settings=s,
        requests=NoIdempotency(),
        secrets=FixedSecrets(),
        telemetry=RecordingTelemetry(),
        beacon=LocalBeacon(b"test beacon", clock),
    )
    return deps, clock


def caller(user: str, role: Role) -> Caller:
    return Caller(user_id=user, roles=frozenset({role}))


# ------------------------------------------------------------------------- the state machine
LONG_AGO = datetime.min.replace(tzinfo=UTC)
WAIT_STAGE = {
    "wait_close": "close",
    "wait_p2": "second_payment",
    "wait_ship": "shipment",
    "wait_delivery": "delivery",
    "wait_confirm": "confirmation",
    "wait_resolution": "resolution",
}


@dataclass
class Execution:
    """Where the listing's execution is, as statemachines/listing.asl.json moves it: each
    `step` runs one task (or takes the answer a wait got); `lapse` is a wait's timeout."""

    deps: Deps
    listing_id: str
    phase: str = "none"  # none | <wait> | close | draw | redraw | begin | chunks | finish | done
    token: str | None = None
    candidate: str | None = None
    passed: tuple[str, str] | None = None  # (candidate, reason) for the re-draw
    settle: tuple[str, str] | None = None  # (outcome, reason) to begin
    chunks: list[tuple[int, str | None]] = field(default_factory=list)
    fixed_outcome: str | None = None
    beacon_at: datetime = LONG_AGO  # wait_beacon: when the Wait ends

    @property
    def workflow(self) -> ManualWorkflow:
        wf = self.deps.workflow
        assert isinstance(wf, ManualWorkflow)
        return wf

    def can_step(self) -> bool:
        if self.phase == "none":
            return self.listing_id in self.workflow.started
        if self.phase == "wait_beacon":  # the Wait state: its seconds pass on the test's clock
            return self.deps.clock.now() >= self.beacon_at
        if self.phase in WAIT_STAGE:
            return self.token is None or self.token in self.workflow.answers
        return self.phase != "done"

    def _wait(self, phase: str) -> None:
        self.phase, self.token = phase, None

    def _after_draw(self, outcome: str, candidate: str | None, wait: int = 0) -> None:
        self.candidate = candidate
        if outcome == "beacon_pending":
            self.phase = "wait_beacon"
            self.beacon_at = self.deps.clock.now() + timedelta(seconds=wait)
            return
        if outcome == "second_payment_due":
            self._wait("wait_p2")
        elif outcome == "final_buyer":
            self._wait("wait_ship")
        else:
            self._begin("unsold", "order_exhausted")

    def _begin(self, outcome: str, reason: str) -> None:
        self.phase, self.settle = "begin", (outcome, reason)

    def step(self) -> None:
        d, lid = self.deps, self.listing_id
        if self.phase == "none":
            self._wait("wait_close")  # started at publish: waits for the close
        elif self.phase == "close":
            closed = closing.close_on_time(d, lid)
            if closed["closed"]:
                self.phase = "draw"
            else:
                self._wait("wait_close")
        elif self.phase == "draw":
            r = drawing.run_draw(d, lid)
            self._after_draw(r.outcome, r.candidate, r.wait)
        elif self.phase == "wait_beacon":
            self.phase = "draw"
        elif self.phase == "redraw":
            assert self.passed is not None
            r = drawing.run_redraw(d, lid, *self.passed)
            self._after_draw(r.outcome, r.candidate)
        elif self.phase in WAIT_STAGE and self.token is None:
            self.token = f"tok-{uuid.uuid4().hex[:10]}"
            waits.store_token(d, lid, WAIT_STAGE[self.phase], self.token, self.candidate)
        elif self.phase in WAIT_STAGE:
            assert self.token is not None
            kind, output = self.workflow.answers[self.token]
            self._answered(kind, output)
        elif self.phase == "begin":
            assert self.settle is not None
            result = settling.begin(d, lid, *self.settle)
            diverted = result.get("diverted")
            if diverted == "disputed":
                self._wait("wait_resolution")
            elif diverted == "shipped":
                self._wait("wait_delivery")
            else:
                self.fixed_outcome = self.fixed_outcome or self.settle[0]
                parts = result["partitions"]
                assert isinstance(parts, list)
                self.chunks = [(int(p), None) for p in parts]
                self.phase = "chunks"
        elif self.phase == "chunks":
            if not self.chunks:
                self.phase = "finish"
                return
            partition, after = self.chunks.pop(0)
            out = settling.settle_chunk(d, lid, partition, after)
            if out["after"] is not None:
                self.chunks.append((partition, str(out["after"])))
        elif self.phase == "finish":
            settling.finish(d, lid)
            self.phase = "done"

    def _answered(self, kind: str, output: dict[str, object]) -> None:
        if self.phase == "wait_close":
            self.phase = "close"
        elif self.phase == "wait_p2":
            if kind == "fail":
                self.phase = "redraw"
                self.passed = (self.candidate or "", str(output["Error"]))
            else:
                self._wait("wait_ship")
        elif self.phase == "wait_ship":
            self._wait("wait_delivery")
        elif self.phase in {"wait_delivery", "wait_confirm"}:
            event = output.get("event")
            if event == "confirmed":
                self._begin("sold", "confirmed")
            elif event == "disputed":
                self._wait("wait_resolution")
            else:
                self._wait("wait_confirm")
        elif self.phase == "wait_resolution":
            if output.get("decision") == "refund":
                self._begin("seller_fault", "dispute_refunded")
            else:
                self._begin("sold", "confirmed")

    def can_lapse(self) -> bool:
        return self.phase in WAIT_STAGE and self.token is not None

    def lapse(self) -> None:
        """The wait's timer fires: its token is gone; the catch path runs."""
        assert self.token is not None
        with self.workflow.lock:
            if self.token in self.workflow.answers:
                return  # answered first: the timer lost the race
            self.workflow.gone.add(self.token)
        if self.phase == "wait_close":
            self.phase = "close"
        elif self.phase == "wait_p2":
            self.phase, self.passed = "redraw", (self.candidate or "", "States.Timeout")
        elif self.phase == "wait_ship":
            self._begin("seller_fault", "not_shipped")
        elif self.phase == "wait_delivery":
            self._wait("wait_confirm")
        elif self.phase == "wait_confirm":
            self._begin("sold", "auto_confirmed")
        else:
            self._wait("wait_resolution")


# ------------------------------------------------------------------------- people and provider
@dataclass
class World:
    deps: Deps
    clock: ManualClock
    listing_id: str = ""
    execution: Execution | None = None
    deposit_checkout: str = ""
    checkouts: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → reference, amount
    delivered: dict[str, int] = field(default_factory=dict)  # payment id → amount succeeded
    events: int = 0

    @property
    def store(self) -> DynamoStore:
        store = self.deps.store
        assert isinstance(store, DynamoStore)
        return store

    def open_listing(self, **fields: Any) -> str:
        seller = caller("seller", Role.SELLER)
        from tombola.state.records import PayoutAccount, ProfileRecord  # noqa: PLC0415

        for user in ("seller", "ann", "bob", "cat"):
            self.store.put_profile(
                ProfileRecord(
                    user_id=user,
                    name=user,
                    email=f"{user}@example.com",
                    phone="+821012345678",
                    address="Seoul",
                    payout_account=PayoutAccount(
                        bank="004", number="110123456789", holder_name=user
                    )
                    if user == "seller"
                    else None,
                )
            )
        body = ListingIn.model_validate(
            {
                "title": "Camera",
                "price": 10_000,
                "closes_at": (self.clock.now() + timedelta(hours=1)).isoformat(),
            }
            | fields
        )
        created = listings.create_listing(self.deps, seller, body)
        self.listing_id = created.listing.listing_id
        self.execution = Execution(self.deps, self.listing_id)
        assert created.deposit.checkout is not None
        self.deposit_checkout = created.deposit.checkout.checkout_id
        self._checkout(self.deposit_checkout)
        self.pay(self.deposit_checkout)
        return self.listing_id

    def _checkout(self, checkout_id: str) -> None:
        payments_ = self.deps.payments
        assert isinstance(payments_, SandboxPaymentProvider)
        found = payments_.checkout(checkout_id)
        assert found is not None
        self.checkouts[checkout_id] = found

    def hold(self, buyer: str, tickets: int, method: str = "card") -> str | None:
        made = entries.apply_for_tickets(
            self.deps,
            caller(buyer, Role.BUYER),
            self.listing_id,
            EntryIn(tickets=tickets, payment_method=method),  # type: ignore[arg-type]
        )
        if made.checkout is None:
            return None
        self._checkout(made.checkout.checkout_id)
        return made.checkout.checkout_id

    def _event(self, kind: str, checkout_id: str, payment_id: str) -> PaymentEvent:
        c = self.checkouts[checkout_id]
        self.events += 1
        return PaymentEvent.model_validate(
            {
                "id": f"evt-{self.events}-{uuid.uuid4().hex[:6]}",
                "type": kind,
                "created": int(self.clock.now().timestamp()),
                "data": {
                    "payment_id": payment_id,
                    "reference": c["reference"],
                    "amount": c["amount"],
                    "currency": c["currency"],
                },
            }
        )

    @property
    def psp(self) -> SandboxPaymentProvider:
        psp = self.deps.payments
        assert isinstance(psp, SandboxPaymentProvider)
        return psp

    def pay(self, checkout_id: str) -> str:
        """The provider reports the checkout paid (the same payment id every time)."""
        payment_id = f"pay_{checkout_id}"
        c = self.checkouts[checkout_id]
        self.psp.record_payment(
            payment_id=payment_id,
            reference=c["reference"],
            amount=c["amount"],
            currency=c["currency"],
        )
        event = self._event("payment.succeeded", checkout_id, payment_id)
        result = payments.handle_payment_event(self.deps, event).result
        self.delivered[payment_id] = int(self.checkouts[checkout_id]["amount"])
        return result

    def provider_cancels(self, payment_id: str, part: bool) -> dict[str, Any] | None:
        """A chargeback or a console cancellation, of all or half of what is left; reported."""
        payment = self.psp.payment(payment_id)
        if payment is None:
            return None
        left = int(payment["amount"]) - int(payment["cancelled"])
        if left <= 0:
            return None
        cancellation = self.psp.cancel(payment_id, amount=max(1, left // 2) if part else None)
        self.report(cancellation)
        return cancellation

    def report(self, cancellation: dict[str, Any]) -> str:
        """The provider's ``payment.cancelled`` for one of its cancellations (again, if asked)."""
        now = int(self.clock.now().timestamp())
        raw, _ = cancellation_webhook("unused", cancellation=cancellation, now_epoch=now)
        event = PaymentEvent.model_validate_json(raw)
        return payments.handle_payment_event(self.deps, event).result

    def fail(self, checkout_id: str) -> str:
        event = self._event("payment.failed", checkout_id, f"pay_{checkout_id}")
        return payments.handle_payment_event(self.deps, event).result

    def second_payment(self) -> str | None:
        record = self.store.get_listing(self.listing_id)
        if record is None or record.candidate is None:
            return None
        due = purchase.second_payment_checkout(
            self.deps, caller(record.candidate, Role.BUYER), self.listing_id
        )
        self._checkout(due.checkout.checkout_id)
        return due.checkout.checkout_id

    def carrier_delivered(self) -> str:
        record = self.store.get_listing(self.listing_id)
        tracking = record.shipment.tracking_number if record and record.shipment else "none"
        event = CarrierEventIn.model_validate(
            {
                "id": f"car-{uuid.uuid4().hex[:8]}",
                "type": "shipment.delivered",
                "created": int(self.clock.now().timestamp()),
                "data": {"listing_id": self.listing_id, "tracking_number": tracking},
            }
        )
        return delivery.handle_carrier_event(self.deps, event).result

    def act(self, who: str, what: str) -> Any:
        """A person's step on the listing (as its route would call it)."""
        lid = self.listing_id
        if what == "forfeit":
            return purchase.forfeit(self.deps, caller(who, Role.BUYER), lid)
        if what == "ship":
            body = ShipmentIn(carrier="CJ", tracking_number=f"T-{lid}")
            return purchase.ship(self.deps, caller(who, Role.SELLER), lid, body)
        if what == "confirm":
            return purchase.confirm(self.deps, caller(who, Role.BUYER), lid)
        if what == "dispute":
            body_d = DisputeIn(reason="arrived broken")
            return purchase.dispute(self.deps, caller(who, Role.BUYER), lid, body_d)
        decision = "refund" if what == "refund" else "release"
        body_r = ResolutionIn(decision=decision)  # type: ignore[arg-type]
        return purchase.resolve(self.deps, caller("op", Role.OPERATOR), lid, body_r)

    def schedule(self) -> None:
        """The minute schedule: closes what is due, releases holds, runs the outbox."""
        closing.close_due(self.deps)

    def a_month_passes(self, days: int = 45) -> int:
        """Time jumps; what DynamoDB's TTL would have deleted by then is gone."""
        self.clock.advance(timedelta(days=days))
        now = int(self.clock.now().timestamp())
        return forget_expired(self.store.client, self.store.table, now)

    def drain(self) -> None:
        drain_outbox(self.deps, self.clock)


def drain_outbox(deps: Deps, clock: ManualClock) -> None:
    """Every effect left in the outbox runs (the sweep, as often as it takes)."""
    for _ in range(20):
        if not deps.store.pending_effects(-(10**6)):
            return
        clock.advance(timedelta(hours=2))
        runner.sweep_outbox(deps)
    raise AssertionError("effects still pending after 20 sweeps")


def refused(f: Callable[[], Any]) -> Any:
    """Run a person's step; a business refusal (4xx) is an answer, not a failure."""
    try:
        return f()
    except DomainError as err:
        return err


def together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job on its own thread, released at once: real concurrent requests."""
    start = threading.Barrier(len(jobs))
    out: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        start.wait()
        try:
            out[i] = jobs[i]()
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def start_time() -> datetime:
    return datetime(2026, 6, 1, 12, tzinfo=UTC)
