"""Telling every entrant what the draw did, however many they are.

One event names a range of the draw order. The notifier splits a range of more than SPAN buyers
into at most SPLIT smaller ranges, and tells the buyers of a range of at most SPAN in events of
NOTICE_RECIPIENTS each: every invocation publishes a bounded number of events whatever the
listing's size, and the notice's fixed id (listing and kind) tells each person once, however
often any of these events comes again. "The draw took place" is not said once it is no longer
true (the listing sold or ended before the notice went out)."""

from __future__ import annotations

from collections.abc import Mapping

from tombola.domain.lifecycle import ListingStatus
from tombola.ports.runtime import EventPublisher
from tombola.ports.store import Store
from tombola.services.notices import ENTRANT_KINDS, NOTICE_RECIPIENTS, TELL_ENTRANTS

STILL_DRAWING = frozenset({ListingStatus.DRAWING, ListingStatus.AWAITING_SECOND_PAYMENT})
SPAN = 1_000  # buyers read and told by one invocation (one order chunk)
SPLIT = 10  # smaller ranges a larger range becomes


def fan_out(store: Store, events: EventPublisher, detail: Mapping[str, object]) -> int:
    """Publish the smaller ranges, or the notices of one range; returns how many events."""
    listing_id, kind = str(detail["listing_id"]), str(detail["kind"])
    start, end = _int(detail, "start"), _int(detail, "end")
    if kind not in ENTRANT_KINDS or not 0 <= start <= end:
        raise ValueError(f"not a range of entrants to tell: {dict(detail)}")
    if end - start > SPAN:
        step = max(SPAN, -(-(end - start) // SPLIT))
        ranges = [(s, min(end, s + step)) for s in range(start, end, step)]
        for s, e in ranges:
            events.publish(TELL_ENTRANTS, {**detail, "start": s, "end": e})
        return len(ranges)
    skip = {str(detail["except"])}
    drawn = 0  # places already drawn: their candidates were told to pay, or passed
    facts = {
        k: v
        for k, v in detail.items()
        if k not in {"kind", "start", "end", "except", "listing_id", "title"}
    }
    if kind == "DrawTookPlace":  # said only while it is true: a candidate still has to pay
        listing = store.get_listing(listing_id)
        if listing is None or listing.status not in STILL_DRAWING:
            return 0
        # a range that comes late (after re-draws) tells nobody already drawn, with the
        # deadline of the candidate of the moment
        drawn = listing.drawn_count
        if listing.candidate_due_at is not None:
            facts["due_at"] = listing.candidate_due_at.isoformat()
    order = store.draw_order(listing_id, start, end - start)
    places = {b: start + i + 1 for i, b in enumerate(order)}  # 1-based, in the whole order
    buyers = [b for b in order if b not in skip and places[b] > drawn]
    published = 0
    for i in range(0, len(buyers), NOTICE_RECIPIENTS):
        events.publish(
            kind,
            {
                **facts,
                "listing_id": listing_id,
                "title": detail.get("title", ""),
                "recipients": buyers[i : i + NOTICE_RECIPIENTS],
                "notice_id": f"{listing_id}:{kind}",
                # each recipient's own place in the draw order (a fact of their note alone)
                "places": {b: places[b] for b in buyers[i : i + NOTICE_RECIPIENTS]},
            },
        )
        published += 1
    return published


def _int(detail: Mapping[str, object], key: str) -> int:
    value = detail.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key} is not a whole number: {value!r}")
    return value
