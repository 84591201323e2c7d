"""Responsible play on every purchase path (card and mileage entries, the second payment, a
listing): an unverified person, a minor, a second account of one person, a self-excluded or
resting person and a person over their own limit are refused, and racing purchases cannot pass
a limit together. On the MemoryStore; the books balance after each."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.support.fast_platform import FastWorld, fast_deps
from tests.support.interleavings import caller
from tombola.api.models import BreakIn, ExclusionIn
from tombola.domain.auth import Role
from tombola.domain.errors import (
    DomainError,
    MayNotPlay,
    SamePerson,
    SpendLimitReached,
)
from tombola.services import play

P1 = 1_000  # the fast listing: 10,000 over 10 expected entrants


def refused(code: str, act: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        act()
    assert caught.value.code == code, caught.value.message
    return caught.value


def entry_statuses(w: FastWorld, buyer: str) -> list[str]:
    found = w.store.get_buyer(w.listing_id, 0, buyer)
    return [e.status.value for e in found.entries.values()] if found else []


def refund_whys(w: FastWorld) -> list[object]:
    w.drain()
    return [d.get("why") for t, d in w.events.published if t == "PaymentRefunded"]


@pytest.fixture
def kr(w: FastWorld) -> FastWorld:
    """Korea: verified 19+, a spend limit chosen before the first purchase; the seller is
    verified and lists."""
    w.people()
    w.market("KR")
    w.verify("seller")
    return w


def ready(
    w: FastWorld,
    buyer: str,
    day: int | None = None,
    week: int | None = None,
    month: int | None = None,
) -> None:
    w.verify(buyer)
    w.limits(buyer, day=day, week=week, month=month)


# ---------------------------------------------------------------------------- verification
def test_an_unverified_person_is_refused_on_every_path(w: FastWorld) -> None:
    w.people()
    w.market("KR")
    refused("verification_needed", w.create)
    w.verify("seller")
    w.open()
    w.grant_mileage("ann", 5_000)
    for method in ("card", "mileage"):
        refused("verification_needed", lambda m=method: w.hold("ann", 1, m))
    assert entry_statuses(w, "ann") == []
    assert w.store.mileage_balance("ann", "KRW") == 5_000
    w.conserved()


def test_a_minor_is_refused_and_so_is_their_listing(w: FastWorld) -> None:
    w.people()
    w.market("KR")  # 19 in Korea
    today = w.clock.now().date()
    eighteen = date(today.year - 18, today.month, today.day)
    w.verify("seller")
    w.open()
    standing = w.verify("ann", born=eighteen)
    assert standing.verified
    assert standing.age == 18
    assert standing.of_age is False
    assert standing.refusal == "under_age"
    w.limits("ann", day=None)
    w.grant_mileage("ann", 5_000)
    for method in ("card", "mileage"):
        refused("under_age", lambda m=method: w.hold("ann", 1, m))
    w.verify("dan", born=eighteen)
    with pytest.raises(MayNotPlay):
        play.may_list(w.deps, "dan")
    # the UK's 18 lets the same person in
    w.market("UK")
    w.hold("ann", 1, "mileage")
    assert entry_statuses(w, "ann") == ["paid"]


def test_one_person_one_account(kr: FastWorld) -> None:
    w = kr
    w.verify("ann", person="ci-kim")
    assert w.verify("ann", person="ci-kim").verified  # again, the same: the same answer
    refused("same_person", lambda: w.verify("bob", person="ci-kim"))
    standing = play.my_standing(w.deps, caller("bob", Role.BUYER))
    assert not standing.verified
    assert standing.refusal == "verification_needed"
    seen = play.overview(w.deps, caller("op", Role.OPERATOR)).refused_accounts
    assert [(r.user_id, r.holder_id) for r in seen] == [("bob", "ann")]
    # the person is kept as a keyed hash: the provider's id is nowhere in the store
    assert "ci-kim" not in repr(w.store.get_standing("ann"))
    # an account cannot be re-verified as someone else
    refused("conflict", lambda: w.verify("ann", person="ci-lee"))


def test_two_accounts_of_one_person_verifying_at_once_one_wins(kr: FastWorld) -> None:
    w = kr
    barrier = threading.Barrier(2)
    holder = w.store.person_holder
    outcomes: dict[str, str] = {}

    def slow_holder(person: str) -> str | None:
        found = holder(person)
        if threading.current_thread().name != "MainThread":
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)  # both read "nobody" before either writes
        return found

    w.store.person_holder = slow_holder  # type: ignore[method-assign]

    def verify(user: str) -> None:
        try:
            w.verify(user, person="ci-park")
            outcomes[user] = "verified"
        except SamePerson:
            outcomes[user] = "refused"

    threads = [threading.Thread(target=verify, args=(u,), name=u) for u in ("cat", "dan")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["refused", "verified"]
    winner = next(u for u, o in outcomes.items() if o == "verified")
    assert holder(play.person_of(w.deps, "ci-park")) == winner


# ---------------------------------------------------------------------------- limits
def open_for_days(w: FastWorld, days: int = 3, **fields: Any) -> str:
    return w.open(closes_at=(w.clock.now() + timedelta(days=days)).isoformat(), **fields)


def test_a_limit_is_chosen_before_the_first_purchase(kr: FastWorld) -> None:
    w = kr
    open_for_days(w)
    w.verify("ann")
    refused("limit_needed", lambda: w.hold("ann", 1))
    w.limits("ann", day=0)  # ₩0 is a limit too
    err = refused("spend_limit_reached", lambda: w.hold("ann", 1))
    assert isinstance(err, SpendLimitReached)
    assert err.window == "day"
    w.limits("ann", day=None)  # a raise (to no limit) waits 24 hours
    refused("spend_limit_reached", lambda: w.hold("ann", 1))
    w.clock.advance(timedelta(hours=24))
    assert w.buy("ann", 1) == "tickets_issued"
    w.conserved()


def test_over_the_limit_is_refused_with_the_window_and_its_reset(kr: FastWorld) -> None:
    w = kr
    open_for_days(w, ticket_limit=8)
    ready(w, "ann", day=2 * P1, week=3 * P1)
    w.grant_mileage("ann", 10_000)
    assert w.buy("ann", 1) == "tickets_issued"  # card: 1,000
    w.hold("ann", 1, "mileage")  # mileage: 1,000 — both count
    for method in ("card", "mileage"):
        err = refused("spend_limit_reached", lambda m=method: w.hold("ann", 1, m))
        assert isinstance(err, SpendLimitReached)
        assert (err.window, err.limits) == ("day", {"limit": 2_000, "spent": 2_000})
        # Seoul's next midnight: 2026-06-01 12:00 UTC is 21:00 KST
        assert err.resets_at == datetime(2026, 6, 1, 15, tzinfo=UTC).isoformat()
    w.clock.advance(timedelta(hours=3, seconds=1))  # a new day in Seoul, the same week
    assert w.buy("ann", 1) == "tickets_issued"
    err = refused("spend_limit_reached", lambda: w.hold("ann", 1))
    assert isinstance(err, SpendLimitReached)
    assert err.window == "week"
    standing = play.my_standing(w.deps, caller("ann", Role.BUYER))
    [krw] = standing.limits
    assert [(s.window, s.spent, s.limit) for s in krw.spent] == [
        ("day", 1_000, 2_000),
        ("week", 3_000, 3_000),
        ("month", 3_000, None),
    ]
    w.conserved()


def test_lowering_applies_at_once_and_raising_after_a_day(kr: FastWorld) -> None:
    w = kr
    open_for_days(w, ticket_limit=8)
    ready(w, "ann", week=5 * P1)
    w.limits("ann", week=P1)
    assert w.buy("ann", 1) == "tickets_issued"
    refused("spend_limit_reached", lambda: w.hold("ann", 1))
    view = w.limits("ann", week=9 * P1)
    [krw] = view.limits
    assert krw.limits.week == P1
    assert krw.raise_waiting is not None
    assert krw.raise_waiting.week == 9 * P1
    w.clock.advance(timedelta(hours=23))
    refused("spend_limit_reached", lambda: w.hold("ann", 1))
    w.clock.advance(timedelta(hours=1))
    assert w.buy("ann", 1) == "tickets_issued"


def test_a_card_payment_that_would_pass_the_limit_is_refunded(kr: FastWorld) -> None:
    """Two checkouts opened while there was room (each alone fits): the first paid counts, the
    second is given back and says why."""
    w = kr
    w.open(ticket_limit=8)
    ready(w, "ann", day=P1)
    first, second = w.hold("ann", 1), w.hold("ann", 1)
    assert first
    assert second
    assert w.pay(first) == "tickets_issued"
    assert w.pay(second) == "refunded"
    assert w.psp.refunded(f"pay_{second}") == P1
    assert sorted(entry_statuses(w, "ann")) == ["paid", "refunded"]
    assert refund_whys(w) == ["spend_limit"]
    st = w.conserved()
    assert st.paid_out == {"refunds": P1}


def test_racing_mileage_purchases_cannot_pass_the_limit_together(kr: FastWorld) -> None:
    w = kr
    w.open(ticket_limit=8)
    ready(w, "ann", day=P1)
    w.grant_mileage("ann", 10_000)
    barrier = threading.Barrier(2)
    spent = w.store.spent
    first_read: set[str] = set()

    def both_read_first(user_id: str, windows: Any) -> dict[str, int]:
        found = spent(user_id, windows)
        me = threading.current_thread().name
        if me.startswith("racer") and me not in first_read:
            first_read.add(me)
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
        return found

    w.store.spent = both_read_first  # type: ignore[method-assign]
    outcomes: list[str] = []

    def buy() -> None:
        try:
            w.hold("ann", 1, "mileage")
            outcomes.append("bought")
        except SpendLimitReached:
            outcomes.append("refused")

    threads = [threading.Thread(target=buy, name=f"racer-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["bought", "refused"]
    assert entry_statuses(w, "ann") == ["paid"]
    assert w.store.mileage_balance("ann", "KRW") == 9_000


# ---------------------------------------------------------------------------- breaks, exclusion
@pytest.mark.parametrize("pause", ["break", "exclusion"])
def test_a_break_or_exclusion_stops_buying_and_listing(kr: FastWorld, pause: str) -> None:
    w = kr
    w.open(ticket_limit=8)
    ready(w, "ann")
    w.grant_mileage("ann", 10_000)
    late = w.hold("ann", 1)  # a checkout opened before the pause ...
    assert late is not None
    who = caller("ann", Role.BUYER)
    if pause == "break":
        play.take_break(w.deps, who, BreakIn(days=7))
        code, ends = "on_break", timedelta(days=7)
    else:
        play.exclude(w.deps, who, ExclusionIn(months=6, confirm=True))
        code, ends = "self_excluded", timedelta(days=183)
    for method in ("card", "mileage"):
        err = refused(code, lambda m=method: w.hold("ann", 1, m))
        assert isinstance(err, MayNotPlay)
        assert err.until == (w.clock.now() + ends).isoformat()
    assert w.pay(late) == "refunded"  # ... is paid after it: given back
    assert refund_whys(w) == ["paused"]
    with pytest.raises(MayNotPlay):
        play.may_list(w.deps, "ann")
    # a shorter break never ends it early; the exclusion is never shortened
    play.take_break(w.deps, who, BreakIn(days=1))
    if pause == "exclusion":
        play.exclude(w.deps, who, ExclusionIn(months=6, confirm=True))
    w.clock.advance(ends - timedelta(seconds=1))
    refused(code, lambda: play.precheck(w.deps, "ann", "KRW", P1))
    w.clock.advance(timedelta(seconds=2))
    assert play.my_standing(w.deps, who).may_buy
    w.conserved()


def drawn_with_p2_due(w: FastWorld) -> str:
    """ann and bob, ready and with a ticket each; drawn: the candidate owes a P2."""
    w.open()
    ready(w, "ann")
    ready(w, "bob")
    w.buy("ann", 1)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    candidate: str = w.record().candidate
    return candidate


def test_a_drawn_candidate_may_still_pay_the_p2_they_owe(kr: FastWorld) -> None:
    """docs/DECISIONS.md: a break or exclusion taken after the draw does not take the item
    from the candidate; their spend limit still counts the P2."""
    w = kr
    candidate = drawn_with_p2_due(w)
    play.exclude(w.deps, caller(candidate, Role.BUYER), ExclusionIn(months=6, confirm=True))
    assert w.pay(w.second_payment()) == "final_buyer"
    w.conserved()


def test_a_p2_past_the_limit_is_refused_at_checkout_and_refunded_when_paid(
    kr: FastWorld,
) -> None:
    w = kr
    candidate = drawn_with_p2_due(w)
    due = w.record().second_payment_due
    assert due > P1
    opened = w.second_payment()  # a checkout made before a lower limit ...
    w.limits(candidate, month=2 * P1)
    refused_p2 = refused(
        "spend_limit_reached",
        lambda: play.precheck(w.deps, candidate, "KRW", due, owed=True),
    )
    assert isinstance(refused_p2, SpendLimitReached)
    assert refused_p2.window == "month"
    assert w.pay(opened) == "refunded"  # ... paid: given back, the turn goes on
    assert w.record().candidate == candidate
    assert w.status == "awaiting_second_payment"
    w.conserved()


def test_market_none_asks_nothing_but_a_chosen_limit_still_holds() -> None:
    deps, clock = fast_deps(datetime(2026, 6, 1, 12, tzinfo=UTC))
    w = FastWorld(deps, clock)
    w.people()
    w.open(ticket_limit=8)
    assert w.buy("ann", 1) == "tickets_issued"  # nobody verified, no limit asked
    w.limits("ann", day=P1)
    refused("spend_limit_reached", lambda: w.hold("ann", 1))
    play.take_break(w.deps, caller("bob", Role.BUYER), BreakIn(days=1))
    refused("on_break", lambda: w.hold("bob", 1))
    w.conserved()


# ---------------------------------------------------------------------------- the operator
def test_the_operator_sees_counts_and_a_sharp_rise_never_more(kr: FastWorld) -> None:
    w = kr
    open_for_days(w, days=14, price=1_000_000, expected_entrants=100, ticket_limit=100)
    ready(w, "ann")  # P1 = 10,000
    ready(w, "bob")
    who = caller("bob", Role.BUYER)
    play.take_break(w.deps, caller("ann", Role.BUYER), BreakIn(days=1))
    play.exclude(w.deps, who, ExclusionIn(months=6, confirm=True))
    play.exclude(w.deps, who, ExclusionIn(months=12, confirm=True))  # extended: counted once
    op = caller("op", Role.OPERATOR)
    seen = play.overview(w.deps, op)
    assert (seen.verified, seen.with_limits, seen.on_break, seen.excluded) == (3, 2, 1, 1)
    w.clock.advance(timedelta(days=2))  # ann's break ended
    assert play.overview(w.deps, op).on_break == 0
    # a quiet week, then a week that reaches 3× it (and the ₩100,000 floor): raised once, by
    # the purchase that crossed the line
    w.buy("ann", 4)  # 40,000 this week
    w.clock.advance(timedelta(days=7))
    w.buy("ann", 11)  # 110,000: below 3 × 40,000
    assert play.overview(w.deps, op).harm_signals == []
    w.buy("ann", 1)  # 120,000 = 3 × 40,000
    w.buy("ann", 1)
    [signal] = play.overview(w.deps, op).harm_signals
    assert (signal.user_id, signal.spent, signal.previous) == ("ann", 120_000, 40_000)
    assert "ci-" not in repr(play.overview(w.deps, op))  # counts and ids, no person's details
    w.conserved()


def test_the_refusal_names_the_window_that_blocks_longest(kr: FastWorld) -> None:
    """Past the day's limit and the month's too: waiting for tomorrow would not be enough, so
    the refusal names the month and when it resets."""
    w = kr
    open_for_days(w, ticket_limit=8)
    ready(w, "ann", day=P1, month=P1)
    assert w.buy("ann", 1) == "tickets_issued"
    err = refused("spend_limit_reached", lambda: w.hold("ann", 1))
    assert isinstance(err, SpendLimitReached)
    assert err.window == "month"
    assert err.resets_at == datetime(2026, 6, 30, 15, tzinfo=UTC).isoformat()  # 1 July, Seoul
