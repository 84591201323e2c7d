"""Property-based money rules over prices, Np, tickets, buyers, policies and outcomes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.money_checks import assert_conserved
from tests.support.scenarios import Scenario
from tests.support.settlement_oracle import settlement_plan
from tombola.domain.ledger import (
    EXTERNAL,
    OPERATOR_REVENUE,
    Posting,
    escrow,
    mileage,
    seller_payable,
)
from tombola.domain.money import Money
from tombola.domain.pricing import PriceTerms, SurplusPolicy
from tombola.domain.references import payment_ref
from tombola.domain.settlement import Outcome, chunk_entry, chunk_rules, head_entry


@dataclass
class Case:
    scenario: Scenario
    outcome: Outcome


@st.composite
def cases(draw: st.DrawFn) -> Case:
    price = draw(st.integers(2, 10**9))
    np_ = draw(st.integers(2, 60))
    fee = draw(st.integers(0, price // 10))
    terms = PriceTerms.from_expected_entrants(Money(price, "KRW"), np_, Money(fee, "KRW"))
    n_buyers = draw(st.integers(0, 25))
    tickets = {f"b{i}": draw(st.integers(1, 4)) for i in range(n_buyers)}
    buyers = sorted(tickets)
    outcome = draw(st.sampled_from(list(Outcome)) if buyers else st.just(Outcome.UNSOLD))
    final = None if outcome is Outcome.UNSOLD else draw(st.sampled_from(buyers))
    others = [b for b in buyers if b != final]
    forfeited = tuple(draw(st.lists(st.sampled_from(others), unique=True))) if others else ()
    return Case(
        Scenario(
            terms,
            tickets,
            deposit=Money(draw(st.integers(0, price)), "KRW"),
            surplus_policy=draw(st.sampled_from(list(SurplusPolicy))),
            mileage_bps=draw(st.integers(0, 1_000)),
            mileage_funded=frozenset(draw(st.lists(st.sampled_from(buyers), unique=True)))
            if buyers
            else frozenset(),
            forfeited=forfeited,
            final_buyer=final,
        ),
        outcome,
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_every_outcome_conserves_money(case: Case) -> None:
    s = case.scenario
    s.pay_in()
    posted = s.settle(case.outcome)
    st_ = assert_conserved(s.ledger, s.listing_id, "KRW")
    assert st_.closed, st_
    assert s.ledger.balance(escrow(s.listing_id), "KRW") == 0

    seller = s.ledger.balance(seller_payable(s.seller_id), "KRW")
    if case.outcome is Outcome.SOLD:
        assert seller == s.terms.price.amount
    else:
        assert seller == 0
        # Nobody is credited mileage except as a refund of mileage they spent.
        for buyer in s.tickets_per_buyer:
            assert s.ledger.balance(mileage(buyer), "KRW") == (
                s.terms.first_payment.amount * s.tickets_per_buyer[buyer]
                if buyer in s.mileage_funded
                and (case.outcome is Outcome.SELLER_FAULT or buyer not in s.forfeited)
                else 0
            )
    if case.outcome is Outcome.SELLER_FAULT:
        # Every card payment returns to the outside world; the deposit is the operator's.
        assert s.ledger.balance(OPERATOR_REVENUE, "KRW") == s.funds().deposit.amount
        assert s.ledger.balance(EXTERNAL, "KRW") == -s.funds().deposit.amount

    # Posting the settlement again adds nothing, and working it out again gives the same entries.
    assert s.ledger.post(*posted) == []
    assert s.settlement_entries(case.outcome, _second(s, case.outcome)) == posted


def _second(s: Scenario, outcome: Outcome) -> Money | None:
    if s.final_buyer is None or outcome is Outcome.UNSOLD:
        return None
    return s.terms.second_payment(sum(s.tickets_per_buyer.values()))


@settings(max_examples=200, deadline=None)
@given(cases())
def test_sold_surplus_goes_where_the_policy_says(case: Case) -> None:
    s = case.scenario
    if case.outcome is not Outcome.SOLD:
        return
    s.pay_in()
    s.settle(Outcome.SOLD)
    nr = sum(s.tickets_per_buyer.values())
    surplus = s.terms.surplus(nr).amount
    losers = {b: n for b, n in s.tickets_per_buyer.items() if b != s.final_buyer}
    bonus = s.terms.first_payment.amount * s.mileage_bps // 10_000
    # Mileage spent on tickets was granted first, so a loser's balance is what was issued.
    issued = sum(s.ledger.balance(mileage(b), "KRW") for b in losers)
    revenue = s.ledger.balance(OPERATOR_REVENUE, "KRW")
    if s.surplus_policy is SurplusPolicy.OPERATOR:
        assert revenue == s.terms.fee.amount + surplus
        assert issued == bonus * sum(losers.values())
    else:
        per = surplus // sum(losers.values()) if losers else 0
        assert issued == (per + bonus) * sum(losers.values())
        assert revenue == s.terms.fee.amount + surplus - per * sum(losers.values())
    assert s.ledger.balance(mileage(str(s.final_buyer)), "KRW") == 0


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(1, 6))
def test_settling_in_chunks_posts_exactly_what_one_entry_posts(case: Case, chunks: int) -> None:
    """The buyers split into chunks in any way, each chunk its own entry, plus the head entry:
    per account and category, the same postings as the one-entry settlement."""
    s = case.scenario
    second = None
    if s.final_buyer is not None and case.outcome is not Outcome.UNSOLD:
        second = s.terms.second_payment(sum(s.tickets_per_buyer.values()))
    funds = s.funds(second if second is not None and second.amount else None)
    whole = settlement_plan(funds, case.outcome)
    rules = chunk_rules(
        s.listing_id,
        s.terms,
        case.outcome,
        s.surplus_policy,
        s.mileage_bps,
        funds.paid_tickets,
        s.final_buyer,
        funds.tickets_by_buyer.get(s.final_buyer or "", 0),
    )
    parts = [
        chunk_entry(
            rules,
            str(k),
            tuple(p for i, p in enumerate(funds.payments) if i % chunks == k),
            funds.forfeited_buyers,
        )
        for k in range(chunks)
    ]
    parts.append(
        head_entry(
            rules,
            funds.seller_id,
            s.terms,
            funds.deposit,
            funds.second_payment,
            deposit_payment_id="dep",
            second_payment_id="p2",
        )
    )
    entries = [e for e in parts if e is not None]
    assert all(sum(p.amount for p in e.postings) == 0 for e in entries)
    assert len({e.key for e in entries}) == len(entries)

    def by_account(postings: list[Posting]) -> dict[tuple[str, str], int]:
        totals: Counter[tuple[str, str]] = Counter()
        for p in postings:
            totals[(p.account, p.category.value)] += p.amount
        return {k: v for k, v in totals.items() if v}

    expected = by_account(list(whole.postings) if whole else [])
    assert by_account([p for e in entries for p in e.postings]) == expected

    # Each payment to the world names the card payment it returns, and returns all of it.
    paid = {
        payment_ref(p.payment_id): p.amount.amount
        for p in funds.payments
        if p.funding.value == "card"
    }
    paid |= {
        payment_ref("dep"): funds.deposit.amount,
        payment_ref("p2"): funds.second_payment_amount,
    }
    returned: Counter[str] = Counter()
    for p in (p for e in entries for p in e.postings if p.account == EXTERNAL and p.amount > 0):
        assert p.ref in paid, p
        returned[p.ref] += p.amount
    assert all(returned[ref] == paid[ref] for ref in returned)
