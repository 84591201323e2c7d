"""The patent's worked examples, one test each (paragraph numbers of KR 10-1753024)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.money_checks import assert_conserved
from tests.support.scenarios import Scenario
from tests.support.ticket_book import TicketBook
from tombola.domain.ledger import OPERATOR_REVENUE, mileage, seller_payable
from tombola.domain.money import Money
from tombola.domain.pricing import PriceTerms, SurplusPolicy, proportional_mileage
from tombola.domain.settlement import Outcome
from tombola.domain.tickets import PaymentDecision, TicketPolicy

KRW = "KRW"
PRICE = Money(1_000_000, KRW)


def terms() -> PriceTerms:
    return PriceTerms.from_expected_entrants(PRICE, 1_000)


def one_ticket_each(n: int) -> dict[str, int]:
    return {f"B{i:04d}": 1 for i in range(n)}


def test_0043_price_one_million_and_np_1000_gives_p1_1000() -> None:
    assert terms().first_payment == Money(1_000, KRW)


def test_0045_nine_hundred_tickets_leave_p2_of_100_000() -> None:
    assert terms().second_payment(900) == Money(100_000, KRW)

    s = Scenario(terms(), one_ticket_each(900), final_buyer="B0007", deposit=Money(50_000, KRW))
    s.pay_in()
    s.settle(Outcome.SOLD)
    st = assert_conserved(s.ledger, s.listing_id, KRW)
    assert s.ledger.balance(seller_payable("S1"), KRW) == 1_000_000
    assert st.paid_in["second_payment"] == 100_000
    assert st.held_in_escrow == 0


def test_0048_eleven_hundred_tickets_operator_policy_books_100_000_and_no_p2() -> None:
    assert not terms().needs_second_payment(1_100)

    s = Scenario(terms(), one_ticket_each(1_100), final_buyer="B0000")
    s.pay_in()
    s.settle(Outcome.SOLD)
    assert_conserved(s.ledger, s.listing_id, KRW)
    assert s.ledger.balance(OPERATOR_REVENUE, KRW) == 100_000
    assert s.ledger.balance(seller_payable("S1"), KRW) == 1_000_000


def test_0050_eleven_hundred_tickets_mileage_policy_gives_90_each_and_1090_to_operator() -> None:
    s = Scenario(
        terms(),
        one_ticket_each(1_100),
        final_buyer="B0000",
        surplus_policy=SurplusPolicy.MILEAGE,
    )
    s.pay_in()
    s.settle(Outcome.SOLD)
    st = assert_conserved(s.ledger, s.listing_id, KRW)
    losers = [b for b in s.tickets_per_buyer if b != "B0000"]
    assert len(losers) == 1_099
    assert {s.ledger.balance(mileage(b), KRW) for b in losers} == {90}
    assert s.ledger.balance(mileage("B0000"), KRW) == 0
    assert s.ledger.balance(OPERATOR_REVENUE, KRW) == 1_090
    assert st.paid_out["mileage_issued"] == 98_910


def test_0056_fifty_basis_points_of_1000_is_5() -> None:
    assert proportional_mileage(Money(1_000, KRW), 50) == Money(5, KRW)


def test_0051_the_thousandth_ticket_closes_the_listing_and_no_p2_is_due() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    book = TicketBook(TicketPolicy(capacity=terms().expected_entrants, per_buyer_limit=1))
    for i in range(1_000):
        assert book.is_open
        book.reserve(f"h{i}", f"B{i}", 1, now)
        assert book.pay(f"h{i}", now) is PaymentDecision.ACCEPT
    assert not book.is_open
    assert book.paid_total == 1_000
    assert not terms().needs_second_payment(book.paid_total)
    assert terms().second_payment(book.paid_total) == Money(0, KRW)
