"""Attacks on identity verification, age and the operator's refusal list (review of
d03ed7f..7370636)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from tests.support.fast_platform import FastWorld, fast_deps
from tests.support.interleavings import caller
from tombola.adapters.sandbox_identity import sandbox_person_id
from tombola.api.models import BreakIn, VerificationIn
from tombola.domain.auth import Role
from tombola.domain.errors import MayNotPlay, SamePerson
from tombola.services import play


@pytest.mark.parametrize(
    "vid", ["idv-00-ü", "idv-0123456789abcdef-" + "\u0660" * 10 + "abcdef0123", "x"]
)
def test_a_malformed_verification_id_is_refused_before_any_check(vid: str) -> None:
    """Only the ids this API hands out pass the body's check (422 naming it), so nothing
    non-ASCII ever reaches the HMAC comparison (a TypeError there would be a 500)."""
    with pytest.raises(ValidationError):
        VerificationIn(verification_id=vid)


def test_a_second_account_retrying_does_not_flood_the_operators_list(w: FastWorld) -> None:
    """bob is refused as ann's person; each POST /me/verification again (the verification
    id stays valid at the provider) writes another REFUSED_ACCOUNTS row: the operator's list
    (the newest 100) fills with one account's retries and hides every other refusal."""
    w.people()
    w.market("KR")
    w.verify("ann", person="ci-kim")
    who = caller("bob", Role.BUYER)
    started = play.start_verification(w.deps, who)
    w.deps.identity.finish(started.verification_id, "ci-kim", date(1990, 5, 17))  # type: ignore[union-attr]
    for i in range(5):
        w.clock.current = w.clock.now().replace(second=i)
        with pytest.raises(SamePerson):
            play.finish_verification(
                w.deps, who, VerificationIn(verification_id=started.verification_id)
            )
    seen = play.overview(w.deps, caller("op", Role.OPERATOR)).refused_accounts
    assert len(seen) == 1, f"{len(seen)} rows for one refused account"


def test_the_minimum_age_is_counted_on_the_markets_calendar() -> None:
    """US market: 2026-06-02 02:00 UTC is 2026-06-01 22:00 in New York. A person born
    2008-06-02 is 17 there until midnight; the gate counts age on the UTC date and lets them
    buy four hours before their 18th birthday (19:00 local the evening before, in winter)."""
    deps, clock = fast_deps(datetime(2026, 6, 2, 2, tzinfo=UTC))
    w = FastWorld(deps, clock)
    w.people()
    w.market("US")
    w.verify("ann", born=date(2008, 6, 2))
    with pytest.raises(MayNotPlay) as refused:
        play.precheck(w.deps, "ann", "KRW", 1_000)
    assert refused.value.code == "under_age"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("김민수", "010-1234-5678"), ("김 민수", "010-1234-5678")),  # a space in a Korean name
        (("김민수", "010-1234-5678"), ("김민수", "+82 010 1234 5678")),  # +82 with the trunk 0
    ],
)
def test_the_sandbox_sees_one_person_typed_two_ways(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    """Sandbox only (the local stack): one person typed two ordinary ways is two persons, so
    one-person-one-account is bypassed by a space or a '+82 010' number."""
    born = date(1990, 5, 17)
    assert sandbox_person_id(first[0], born, first[1]) == sandbox_person_id(
        second[0], born, second[1]
    )


def test_a_break_taken_the_day_the_last_one_ended_is_one_person_on_a_break(
    w: FastWorld,
) -> None:
    """counted() takes the old break's end day off only while it is in the future; the
    overview counts every end day >= today. A break that ended this morning, then a new one:
    two on a break for one person until midnight (UTC). Self-heals; the operator's number is
    wrong for the rest of the day."""
    w.people()
    who = caller("ann", Role.BUYER)
    play.take_break(w.deps, who, BreakIn(days=1))  # 06-01 12:00 → 06-02 12:00
    w.clock.advance(timedelta(days=1, hours=1))  # 06-02 13:00: ended
    play.take_break(w.deps, who, BreakIn(days=1))
    assert play.overview(w.deps, caller("op", Role.OPERATOR)).on_break == 1
