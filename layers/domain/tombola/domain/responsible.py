"""Responsible play: who may buy a chance, and how much (docs/RULES.md, "Responsible play").

Pure rules over what a person's standing holds; the services read the standing, the store
commits the purchase with it (its version and the spend windows' room conditioned, so that no
race passes a limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Market(StrEnum):
    KR = "KR"
    UK = "UK"
    US = "US"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class PlayPolicy:
    """What the operator's market asks of a person before they pay for a chance."""

    market: Market
    minimum_age: int
    identity_required: bool  # verified (and of age) before a first paid entry or listing
    free_entry_cap: int  # free entries a person may make per listing (0: no free route)
    limit_prompt: bool  # a spend limit (or "none") chosen before a first purchase
    time_zone: str  # where a day, week and month of spending start
    phone_region: str  # how a number typed without a country code is read (ISO 3166 alpha-2)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


MARKETS: dict[Market, PlayPolicy] = {
    # Korea: 19 (Juvenile Protection Act), identity by the carriers' verification, no free route
    Market.KR: PlayPolicy(Market.KR, 19, True, 0, True, "Asia/Seoul", "KR"),
    # UK prize draws: 18+, a free route of equal odds, a spend-limit prompt (DCMS code 2025)
    Market.UK: PlayPolicy(Market.UK, 18, True, 1, True, "Europe/London", "GB"),
    # US sweepstakes: 18+, an alternative method of entry with the same odds
    Market.US: PlayPolicy(Market.US, 18, True, 1, False, "America/New_York", "US"),
    # no market chosen: the product's home, Korea, reads a number typed without a country code
    Market.NONE: PlayPolicy(Market.NONE, 18, False, 0, False, "UTC", "KR"),
}

BREAK_DAYS = (1, 7, 30, 90, 180)
EXCLUSION_MONTHS = (6, 12, 24, 60)
RAISE_DELAY = timedelta(hours=24)
WINDOWS = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class SpendLimits:
    """The most a person will spend on chances (P1 and P2, card and mileage) in a day, an ISO
    week and a calendar month of the market's time zone, in one currency's minor units; None:
    no limit in that window; 0: nothing."""

    day: int | None = None
    week: int | None = None
    month: int | None = None

    def of(self, window: str) -> int | None:
        value: int | None = getattr(self, window)
        return value


@dataclass(frozen=True, slots=True)
class PendingLimits:
    limits: SpendLimits
    effective_at: datetime


def _looser(new: int | None, old: int | None) -> bool:
    return (new is None and old is not None) or (new is not None and old is not None and new > old)


def changed_limits(
    kept: SpendLimits | None, asked: SpendLimits, now: datetime
) -> tuple[SpendLimits, PendingLimits | None]:
    """A lower limit applies at once; a higher one (or none where there was one) after 24 hours,
    and until then the lower of the two holds. The first limits chosen apply at once."""
    if kept is None:
        return asked, None
    at_once = SpendLimits(
        **{w: kept.of(w) if _looser(asked.of(w), kept.of(w)) else asked.of(w) for w in WINDOWS}
    )
    if at_once == asked:
        return asked, None
    return at_once, PendingLimits(limits=asked, effective_at=now + RAISE_DELAY)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True, slots=True)
class Window:
    """One spending window of one currency: its key (what the store counts under) and when it
    ends (the next one starts)."""

    name: str  # day, week, month
    key: str  # KRW#D2026-12-02, KRW#W2026-W49, KRW#M2026-12
    ends_at: datetime


def windows(currency: str, now: datetime, zone: ZoneInfo) -> list[Window]:
    local = now.astimezone(zone)
    day = local.date()
    week_start = day - timedelta(days=day.weekday())
    month_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    iso = day.isocalendar()

    def start(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC)

    return [
        Window("day", f"{currency}#D{day.isoformat()}", start(day + timedelta(days=1))),
        Window(
            "week",
            f"{currency}#W{iso.year}-W{iso.week:02d}",
            start(week_start + timedelta(days=7)),
        ),
        Window("month", f"{currency}#M{day:%Y-%m}", start(month_next)),
    ]


# A harm signal (the operator's list): a week's spending that reaches three times the week
# before's, and at least a floor (so a first small purchase after a quiet week is not one).
HARM_FACTOR = 3
HARM_FLOOR = {"KRW": 100_000, "JPY": 10_000}  # other currencies: 10,000 minor units ($100)


def rose_sharply(currency: str, previous: int, before: int, after: int) -> bool:
    """Whether this purchase (taking the week from ``before`` to ``after``) crosses the line;
    only the purchase that crosses it raises the signal."""
    threshold = max(HARM_FLOOR.get(currency, 10_000), HARM_FACTOR * previous)
    return before < threshold <= after
