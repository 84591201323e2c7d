"""The pure rules of responsible play and the odds, property-tested: a limit change never loosens
anything at once; the spend windows contain the moment and end when the next begins in the
market's zone; age is counted on the birthday; the chance of being drawn first is mine over the
tickets in, and never grows as more come in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tombola.domain.odds import chances
from tombola.domain.responsible import (
    MARKETS,
    RAISE_DELAY,
    WINDOWS,
    SpendLimits,
    age_on,
    changed_limits,
    rose_sharply,
    windows,
)

limit = st.none() | st.integers(min_value=0, max_value=10**9)
limits = st.builds(SpendLimits, day=limit, week=limit, month=limit)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def tighter_or_equal(a: int | None, b: int | None) -> bool:
    """a is at least as strict as b (None: no limit)."""
    return b is None or (a is not None and a <= b)


@given(kept=limits, asked=limits, now=moments)
def test_a_change_never_loosens_at_once_and_a_raise_waits_a_day(
    kept: SpendLimits, asked: SpendLimits, now: datetime
) -> None:
    at_once, waiting = changed_limits(kept, asked, now)
    for w in WINDOWS:
        assert tighter_or_equal(at_once.of(w), kept.of(w))
        assert tighter_or_equal(at_once.of(w), asked.of(w))
        if tighter_or_equal(asked.of(w), kept.of(w)):
            assert at_once.of(w) == asked.of(w)  # a lower limit applies at once
    if waiting is None:
        assert at_once == asked
    else:
        assert waiting.limits == asked
        assert waiting.effective_at == now + RAISE_DELAY


@given(asked=limits, now=moments)
def test_the_first_limits_apply_at_once(asked: SpendLimits, now: datetime) -> None:
    assert changed_limits(None, asked, now) == (asked, None)


@given(now=moments, zone=st.sampled_from([m.time_zone for m in MARKETS.values()]))
def test_the_windows_hold_the_moment_and_end_at_local_midnight(now: datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    day, week, month = windows("KRW", now, tz)
    local = now.astimezone(tz)
    for w in (day, week, month):
        assert w.ends_at > now
        end = w.ends_at.astimezone(tz)
        assert (end.hour, end.minute, end.second) == (0, 0, 0)
    assert day.key == f"KRW#D{local.date().isoformat()}"
    assert day.ends_at.astimezone(tz).date() == local.date() + timedelta(days=1)
    assert week.ends_at.astimezone(tz).weekday() == 0  # weeks start on Monday
    assert week.ends_at <= now + timedelta(days=7, hours=1)
    assert month.ends_at.astimezone(tz).day == 1
    before = now - timedelta(microseconds=1)
    assert windows("KRW", before, tz)[0].key in {
        day.key,
        f"KRW#D{(local.date() - timedelta(days=1)).isoformat()}",
    }


def test_age_is_counted_on_the_birthday() -> None:
    assert age_on(date(2007, 12, 2), date(2026, 12, 1)) == 18
    assert age_on(date(2007, 12, 2), date(2026, 12, 2)) == 19
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


@given(
    previous=st.integers(0, 10**7),
    before=st.integers(0, 10**7),
    amount=st.integers(1, 10**6),
)
def test_a_sharp_rise_is_raised_by_exactly_one_purchase(
    previous: int, before: int, amount: int
) -> None:
    crossed = rose_sharply("KRW", previous, before, before + amount)
    threshold = max(100_000, 3 * previous)
    assert crossed == (before < threshold <= before + amount)
    if crossed:  # the next purchase of the week does not raise it again
        assert not rose_sharply("KRW", previous, before + amount, before + amount + 1)


@given(
    mine=st.integers(0, 100),
    adding=st.integers(1, 100),
    paid=st.integers(0, 10_000),
    free=st.integers(0, 100),
    expected=st.integers(2, 10_000),
    more=st.integers(0, 1_000),
)
def test_the_chance_is_mine_over_the_tickets_in_and_falls_as_more_come(
    mine: int, adding: int, paid: int, free: int, expected: int, more: int
) -> None:
    c = chances(mine=mine, adding=adding, paid=paid, free=free, expected=expected)
    assert c.mine == mine + adding
    assert c.now == paid + free + adding
    assert c.if_full >= c.now  # a fuller listing never gives a better chance
    assert c.if_full == max(expected, paid + adding) + free
    later = chances(mine=mine, adding=adding, paid=paid + more, free=free, expected=expected)
    assert later.mine * c.now <= c.mine * later.now  # more tickets in: never a better chance
