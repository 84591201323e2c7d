from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections import Counter
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tombola_dev.doubles import SeededRandomness

from tombola.domain.draw import (
    PublicDraw,
    PublicTicket,
    candidate_order,
    commitment,
    entries_digest,
    new_seed,
    verify,
)
from tombola.domain.errors import DrawError

SEED = bytes(range(32))
TICKETS = (
    PublicTicket("t1", "alice"),
    PublicTicket("t2", "alice"),
    PublicTicket("t3", "bob"),
    PublicTicket("t4", "carol"),
    PublicTicket("t5", "dave"),
)


def published(seed: bytes = SEED, tickets: tuple[PublicTicket, ...] = TICKETS) -> PublicDraw:
    return PublicDraw(
        listing_id="L1",
        commitment=commitment(seed),
        entries_digest=entries_digest(t.ticket_id for t in tickets),
        tickets=tickets,
        seed=seed.hex(),
        order=tuple(candidate_order(seed, "L1", tickets)),
    )


def test_the_key_follows_the_domain_formula() -> None:
    digest = hashlib.sha256(b"t1\nt2\nt3\nt4\nt5").hexdigest()
    assert entries_digest(["t3", "t1", "t2", "t5", "t4"]) == digest
    key = hmac.new(SEED, f"draw-v1|L1|{digest}".encode(), hashlib.sha256).digest()
    ranks = {
        t.ticket_id: hmac.new(key, t.ticket_id.encode(), hashlib.sha256).digest() for t in TICKETS
    }
    best: dict[str, bytes] = {}
    for t in TICKETS:
        best[t.buyer_id] = min(best.get(t.buyer_id, b"\xff" * 32), ranks[t.ticket_id])
    assert candidate_order(SEED, "L1", TICKETS) == sorted(best, key=best.__getitem__)


def test_same_inputs_same_order_and_input_order_does_not_matter() -> None:
    a = candidate_order(SEED, "L1", TICKETS)
    b = candidate_order(SEED, "L1", tuple(reversed(TICKETS)))
    assert a == b


def test_a_buyer_with_several_tickets_appears_once() -> None:
    order = candidate_order(SEED, "L1", TICKETS)
    assert sorted(order) == ["alice", "bob", "carol", "dave"]


def test_seed_is_32_bytes_and_commitment_is_its_sha256() -> None:
    seed = new_seed(SeededRandomness(1))
    assert len(seed) == 32
    assert commitment(seed) == hashlib.sha256(seed).hexdigest()


def test_duplicate_ticket_ids_are_refused() -> None:
    with pytest.raises(DrawError, match="unique"):
        entries_digest(["a", "a"])


def test_verify_accepts_a_genuine_draw() -> None:
    result = verify(published())
    assert result.ok, result.problems


def test_verify_rejects_a_changed_seed() -> None:
    other = bytes(32)
    result = verify(dataclasses.replace(published(), seed=other.hex()))
    assert not result.ok
    assert any("commitment mismatch" in p for p in result.problems)


def test_verify_rejects_a_changed_ticket_list() -> None:
    changed = (*TICKETS[:-1], PublicTicket("t6", "dave"))
    result = verify(dataclasses.replace(published(), tickets=changed))
    assert any("entries digest mismatch" in p for p in result.problems)


def test_verify_rejects_a_changed_order() -> None:
    genuine = published()
    swapped = (genuine.order[1], genuine.order[0], *genuine.order[2:])
    result = verify(dataclasses.replace(genuine, order=swapped))
    assert result.problems == (
        f"order differs at position 1: published {swapped[0]!r}, recomputed {genuine.order[0]!r}",
    )


def test_verify_accepts_a_prefix_but_not_a_longer_order() -> None:
    genuine = published()
    assert verify(dataclasses.replace(genuine, order=genuine.order[:1])).ok
    longer = dataclasses.replace(genuine, order=(*genuine.order, "mallory"))
    assert not verify(longer).ok


def test_verify_before_reveal_says_so() -> None:
    assert verify(dataclasses.replace(published(), seed=None)).problems == (
        "the seed has not been revealed yet",
    )


@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=8).filter(lambda s: "\n" not in s),
            st.sampled_from(["a", "b", "c", "d"]),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda t: t[0],
    ),
    st.binary(min_size=32, max_size=32),
)
def test_every_buyer_appears_exactly_once(pairs: list[tuple[str, str]], seed: bytes) -> None:
    tickets = [PublicTicket(t, b) for t, b in pairs]
    order = candidate_order(seed, "L", tickets)
    assert sorted(order) == sorted({b for _, b in pairs})


# Chi-square critical value, 1% level, 4 degrees of freedom (5 tickets).
CHI2_99_DF4 = 13.277


def test_no_bias_per_ticket_over_ten_thousand_seeded_draws() -> None:
    tickets = tuple(PublicTicket(f"t{i}", f"buyer{i}") for i in range(5))
    rng = Random(20261128)
    draws = 10_000
    first = Counter(candidate_order(rng.randbytes(32), "L-chi", tickets)[0] for _ in range(draws))
    expected = draws / len(tickets)
    chi2 = sum((first[t.buyer_id] - expected) ** 2 / expected for t in tickets)
    assert chi2 < CHI2_99_DF4, (chi2, first)


def test_several_tickets_raise_a_buyers_chance_in_proportion() -> None:
    # alice holds 2 of 4 tickets: she should lead about half the time.
    tickets = (
        PublicTicket("a1", "alice"),
        PublicTicket("a2", "alice"),
        PublicTicket("b1", "bob"),
        PublicTicket("c1", "carol"),
    )
    rng = Random(7)
    draws = 10_000
    first = Counter(candidate_order(rng.randbytes(32), "L", tickets)[0] for _ in range(draws))
    expected = {"alice": draws / 2, "bob": draws / 4, "carol": draws / 4}
    chi2 = sum((first[b] - e) ** 2 / e for b, e in expected.items())
    assert chi2 < 9.210  # 1% level, 2 degrees of freedom
