"""Money the provider moves without our asking (issue row 7): a cancellation, a partial
cancellation or a chargeback started at the provider reached no ledger, so the seller was still
paid and a later refund of that payment failed for ever.

Now each cancellation of the provider's own is booked once, for ever, under its id; one we asked
for is only acknowledged; and our own later refund of such a payment asks for what is left and
completes, booking what the provider had already given back to the operator who advanced it."""

from __future__ import annotations

from typing import Any

import pytest
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.serve import LocalApi

from tests.reliability.test_late_events import a_month_later
from tombola.domain.ledger import EXTERNAL, OPERATOR_PROVIDER_CANCELLATIONS, escrow, seller_payable
from tombola.domain.references import refund_id_for

P1 = 500_000  # price 1,000,000 over two tickets
DEPOSIT = 50_000


def alerts(d: Driver, kind: str) -> list[dict[str, Any]]:
    d.stack.deliver_events()
    return [
        e["detail"]
        for fn, e in d.stack.invocations
        if fn == "NotifierFunction"
        and e.get("detail-type") == "OperatorAlert"
        and e["detail"].get("alert") == kind
    ]


def balance(d: Driver, account: str) -> int:
    return sum(
        p.amount for e in d.store.all_journal_entries() for p in e.postings if p.account == account
    )


def keys(d: Driver, prefix: str) -> list[str]:
    return sorted(e.key for e in d.store.all_journal_entries() if e.key.startswith(prefix))


def two_ticket_listing(d: Driver, **fields: Any) -> str:
    """A listing of two one-ticket entries (P1 = 500,000, no P2), the seller given 2 s to ship."""
    d.user("seller", "seller", payout=True)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
    return d.open_listing("seller", expected_entrants=2, ticket_limit=1, **fields)


@pytest.mark.parametrize("given_back", [P1, 200_000], ids=["whole", "partial"])
def test_a_chargeback_of_a_first_payment_before_the_draw_is_booked_and_the_later_refund_completes(
    d: Driver, given_back: int
) -> None:
    lid = two_ticket_listing(d, deadlines={"ship": 2})
    ann = "pay_" + d.buy("ann", lid)["checkout"]["checkout_id"]
    amount = None if given_back == P1 else given_back
    cancellation, r = d.provider_cancels(ann, amount=amount)
    assert d.ok(r)["result"] == "cancellation_recorded"
    assert d.listing(lid)["status"] == "open"  # before the draw
    [entry] = [e for e in d.store.journal_of_listing(lid) if e.key.startswith("provider-cancel:")]
    assert entry.key == f"provider-cancel:{cancellation['sk']}"
    # out of escrow to the payer, and escrow refilled by the operator until the outcome
    net = {p.account: 0 for p in entry.postings}
    for p in entry.postings:
        net[p.account] += p.amount
    assert net == {
        escrow(lid): 0,
        EXTERNAL: given_back,
        OPERATOR_PROVIDER_CANCELLATIONS: -given_back,
    }
    st = d.conserved(lid)
    assert st.paid_out == {"provider_cancelled": given_back}
    assert st.paid_in == {"deposit": DEPOSIT, "first_payments": P1, "operator_covered": given_back}
    assert st.held_in_escrow == DEPOSIT + P1  # the listing still owes what it owed
    [alert] = alerts(d, "ProviderCancelled")
    assert (alert["payment_id"], alert["amount"], alert["listing_id"]) == (ann, given_back, lid)

    # The sale goes on and is cancelled (the seller never ships): every P1 is refunded, and
    # ann's refund asks for what the provider still holds. Before, it failed for ever.
    d.buy("bob", lid)
    d.wait_status(lid, "cancelled")
    assert d.store.pending_effects(-(10**6)) == []  # every effect ran, none waits to retry
    assert d.ok(d.as_op("GET", "/operator/effects"))["effects"] == []
    refunds = {x["payment_id"]: x["amount"] for x in d.psp.records("REFUND")}
    assert refunds.get(ann, 0) == P1 - given_back  # what was left of it, or nothing
    taken = d.psp.payment(ann)
    assert taken is not None
    assert taken["cancelled"] == P1  # the payer has it all back, once
    assert keys(d, "refund-covered:") == [f"refund-covered:{refund_id_for(ann)}"]
    st = d.conserved(lid)
    assert st.held_in_escrow == 0
    assert st.paid_out == {
        "provider_cancelled": given_back,
        "refunds": 2 * P1 - given_back,
        "deposit_forfeit": DEPOSIT,
    }
    assert st.paid_in == {"deposit": DEPOSIT, "first_payments": 2 * P1}
    # ann was owed the refund anyway: the operator bore nothing in the end
    assert balance(d, OPERATOR_PROVIDER_CANCELLATIONS) == 0


def test_a_chargeback_of_a_second_payment_after_the_sale_settled_is_borne_by_the_operator(
    d: Driver,
) -> None:
    lid = d.awaiting_second_payment(30)
    candidate = d.record(lid).candidate
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    p2 = f"pay_{due['checkout']['checkout_id']}"
    d.ok(d.pay(due["checkout"]["checkout_id"]))
    complete_sale(d, lid)
    p2_amount = d.record(lid).second_payment_paid
    assert p2_amount > 0
    cancellation, r = d.provider_cancels(p2, reason="card issuer chargeback")
    assert d.ok(r)["result"] == "cancellation_recorded"
    [entry] = [e for e in d.store.journal_of_listing(lid) if e.key.startswith("provider-cancel:")]
    assert {p.account for p in entry.postings} == {EXTERNAL, OPERATOR_PROVIDER_CANCELLATIONS}
    # the seller was paid: their payable stays the price, the operator bears the chargeback
    assert balance(d, seller_payable("seller")) == 1_000_000
    assert balance(d, OPERATOR_PROVIDER_CANCELLATIONS) == -p2_amount
    st = d.conserved(lid)
    assert st.held_in_escrow == 0
    assert st.paid_out["provider_cancelled"] == p2_amount
    assert st.paid_in["operator_covered"] == p2_amount
    [alert] = alerts(d, "ProviderCancelled")
    assert "the operator" in alert["problem"]
    assert alert["cancellation_id"] == cancellation["sk"]


def test_the_same_cancellation_reported_twice_and_a_month_later_is_booked_once(
    d: Driver,
) -> None:
    lid = two_ticket_listing(d)
    ann = "pay_" + d.buy("ann", lid)["checkout"]["checkout_id"]
    cancellation, first = d.provider_cancels(ann, amount=100_000, event_id="evt-c-1")
    assert d.ok(first)["result"] == "cancellation_recorded"
    again = d.report_cancellation(cancellation, event_id="evt-c-2")
    assert d.ok(again)["result"] == "duplicate"
    a_month_later(d)  # whatever expires has expired; the journal key has not
    late = d.report_cancellation(cancellation, event_id="evt-c-3")
    assert d.ok(late)["result"] == "duplicate"
    assert keys(d, "provider-cancel:") == [f"provider-cancel:{cancellation['sk']}"]
    # a second, different cancellation of the same payment is its own
    _, r = d.provider_cancels(ann, amount=50_000)
    assert d.ok(r)["result"] == "cancellation_recorded"
    assert len(keys(d, "provider-cancel:")) == 2
    assert d.conserved(lid).paid_out == {"provider_cancelled": 150_000}
    assert len(alerts(d, "ProviderCancelled")) == 2


def test_a_cancellation_we_asked_for_is_only_acknowledged(d: Driver) -> None:
    """The provider reports our own refund (our refund id in it): it was booked with the change
    that asked for it, and is not booked again."""
    lid = two_ticket_listing(d)
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    checkout = entry["checkout"]["checkout_id"]
    d.ok(d.pay(checkout))
    # the same entry paid a second time: refunded at once, as not accepted
    assert d.ok(d.pay(checkout, payment_id="pay-twice"))["result"] == "refunded"
    [ours] = [x for x in d.psp.records("REFUND") if x["payment_id"] == "pay-twice"]
    assert ours["refund_id"] == refund_id_for("pay-twice")
    before = sorted(e.key for e in d.store.all_journal_entries())
    for event_id in ("evt-ours-1", "evt-ours-2"):
        r = d.report_cancellation(ours, event_id=event_id)
        assert d.ok(r)["result"] == "cancellation_acknowledged"
    assert sorted(e.key for e in d.store.all_journal_entries()) == before
    assert alerts(d, "ProviderCancelled") == []
    st = d.conserved(lid)
    assert st.paid_out == {"refunds": P1}
    assert "provider_cancelled" not in st.paid_out


def test_a_refund_of_a_payment_the_provider_already_gave_back_is_done_not_retried(
    d: Driver,
) -> None:
    """Before: the refund asked for the whole payment, the provider refused (already
    cancelled), and the effect was retried until it died on the operator's list."""
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    lid = created["listing"]["listing_id"]
    deposit = created["deposit"]["checkout"]["checkout_id"]
    d.ok(d.pay(deposit))
    # the deposit paid again (another payment): refunded as not due, under its refund id;
    # the provider had already given it back on its own by then
    d.psp.record_payment(
        payment_id="pay-dup", reference=f"deposit:{lid}", amount=DEPOSIT, currency="KRW"
    )
    cancellation = d.psp.cancel("pay-dup", reason="cancelled in the console", trigger="CONSOLE")
    assert d.ok(d.pay(deposit, payment_id="pay-dup"))["result"] == "refunded"
    assert d.ok(d.report_cancellation(cancellation))["result"] == "cancellation_recorded"
    assert d.store.pending_effects(-(10**6)) == []
    assert [x for x in d.psp.records("REFUND") if x["payment_id"] == "pay-dup"] == []
    assert keys(d, "refund-covered:") == [f"refund-covered:{refund_id_for('pay-dup')}"]
    st = d.conserved(lid)
    assert st.paid_out == {"provider_cancelled": DEPOSIT}  # our refund of it: made by then
    assert st.held_in_escrow == DEPOSIT  # the deposit that opened the listing
    assert balance(d, OPERATOR_PROVIDER_CANCELLATIONS) == 0


class _Itself:
    """The local stack's calls to its own webhook routes, made in-process."""

    def __init__(self, d: Driver) -> None:
        self.d = d

    def call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        r = self.d.stack.http(method, path, raw=kw.get("raw"), headers=kw.get("headers"))
        return r.status, r.body


def test_the_local_sandbox_gives_a_payment_back_when_asked(d: Driver) -> None:
    """``POST /sandbox/payments/<payment id>/cancel`` on the local stack: a chargeback by hand."""
    lid = two_ticket_listing(d)
    ann = "pay_" + d.buy("ann", lid)["checkout"]["checkout_id"]
    api = LocalApi(d.stack, "http://127.0.0.1:0")
    api.self_client = _Itself(d)  # type: ignore[assignment]
    path = f"/sandbox/payments/{ann}/cancel"
    status, body = api.handle("POST", path, {}, b'{"amount": 100000, "reason": "by hand"}')
    assert (status, body["result"]) == (200, "cancellation_recorded")
    status, body = api.handle("POST", path, {}, b'{"amount": 900000}')
    assert status == 404  # more than is left of it
    status, listed = api.handle("GET", "/sandbox/cancellations", {}, b"")
    assert [(c["payment_id"], c["amount"]) for c in listed] == [(ann, 100_000)]
    assert d.conserved(lid).paid_out == {"provider_cancelled": 100_000}
