"""Turns domain events into what people are told [0068]: a note in the person's in-app list
(the channel that cannot fail), then an e-mail and an SMS, each tried once per person and
notice however often the event comes. A channel that fails holds up no other channel or person
and puts the note on the operator's undelivered list; one the provider refused for now (a
throttle) is tried again with the event, the others are not sent twice."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from tombola.api.phones import textable
from tombola.ports.messages import Channel, Message, Notifier, TryLater
from tombola.ports.store import Store
from tombola.services.message_texts import facts_of, render, sms_text
from tombola.state.records import Delivery, NoteRecord, ProfileRecord

log = logging.getLogger(__name__)

OPERATOR = "operator"  # alerts: the alarm and the operator's pages tell them, not a note
CHANNELS: tuple[Channel, ...] = ("email", "sms")
UNSETTLED = {"failed", "sending"}  # what keeps a note on the operator's undelivered list
# told to every entrant, asking nothing of them: in the app and by e-mail, never a paid SMS each
NO_SMS = frozenset(
    {
        "DrawTookPlace",
        "SoldToAnother",
        "Unsold",
        "UnsoldRefunded",
        "Cancelled",
        "CancelledRefunded",
        "UnsoldNothingBack",
        "CancelledNothingBack",
        "PaymentRefunded",
        "ShipmentCorrected",  # the seller's words again: the app and e-mail say it
    }
)


class NotReached(Exception):
    """A provider asked to be tried later: the event is delivered again for those only."""


def notice_digest(notice: str) -> str:
    return hashlib.sha256(notice.encode()).hexdigest()[:32]


def note_id(arrived: datetime, notice: str) -> str:
    """Sorts by when the note reached the person (so a notice that waited in the outbox is
    still new to them); one length for every note (the store counts unread notes by it)."""
    return f"{arrived.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}#{notice_digest(notice)}"


def _at(detail: Mapping[str, object], event_time: datetime) -> datetime:
    raw = detail.get("at")
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    return event_time


def _reaches(profile: ProfileRecord | None, channel: Channel, kind: str) -> bool:
    return _address(profile, channel) is not None and not (channel == "sms" and kind in NO_SMS)


def _address(profile: ProfileRecord | None, channel: Channel) -> str | None:
    if profile is None:
        return None
    if channel == "email":
        return profile.email or None
    return textable(profile.phone)  # a landline takes no SMS: not even tried


def notify_event(
    store: Store,
    notifier: Notifier,
    detail_type: str,
    detail: Mapping[str, object],
    event_id: str,
    event_time: datetime,
    now: datetime,
) -> int:
    """Returns how many e-mails and SMS were sent now (0 when the event came before); raises
    NotReached, after everyone else was told, when a provider asked to be tried later."""
    recipients = detail.get("recipients") or []
    assert isinstance(recipients, list)
    notice = str(detail.get("notice_id") or event_id)
    listing_id = detail.get("listing_id")
    sent = later = 0
    places = detail.get("places")
    own = places if isinstance(places, Mapping) else {}
    for user_id in dict.fromkeys(str(r) for r in recipients if r and r != OPERATOR):
        profile = store.get_profile(user_id)
        facts = facts_of(detail)
        if isinstance(own.get(user_id), int):
            facts["place"] = own[user_id]
        note = store.add_note(
            NoteRecord(
                user_id=user_id,
                note_id=note_id(now, notice),
                notice=notice_digest(notice),
                kind=detail_type,
                listing_id=str(listing_id) if listing_id else None,
                title=str(detail.get("title") or ""),
                facts=facts,
                at=_at(detail, event_time),
                channels={
                    c: Delivery(state="pending" if _reaches(profile, c, detail_type) else "none")
                    for c in CHANNELS
                },
            )
        )
        states: dict[str, str] = {c: d.state for c, d in note.channels.items()}
        for channel in CHANNELS:
            if states.get(channel) == "pending":
                outcome = _send(
                    store, notifier, note, channel, _address(profile, channel), now, states
                )
                sent += outcome == "sent"
                later += outcome == "later"
    if later:
        raise NotReached(f"{later} message(s) of {detail_type} to be tried again")
    return sent


def _listed(states: dict[str, str]) -> bool:
    return any(s in UNSETTLED for s in states.values())


def _without(text: str, address: str | None) -> str:
    """The operator's list names the person, never their e-mail or phone."""
    return text.replace(address, "…") if address else text


def _send(
    store: Store,
    notifier: Notifier,
    note: NoteRecord,
    channel: Channel,
    address: str | None,
    now: datetime,
    states: dict[str, str],
) -> str:
    """Claim the channel (pending → sending, on the operator's list until it is settled) so a
    concurrent or later delivery of the same event never sends it again; then record how it
    went: sent, failed (stays listed), or back to pending when the provider said later."""
    user, nid = note.user_id, note.note_id
    states[channel] = "sending"
    claimed = Delivery(state="sending", at=now)
    if not store.move_delivery(user, nid, channel, "pending", claimed, listed=True):
        return "taken"
    message = (
        Message("", sms_text(note.kind, note.title, note.facts))
        if channel == "sms"
        else render(note.kind, note.title, note.facts)
    )
    try:
        notifier.send(channel, address or "", message)
    except TryLater as exc:
        log.warning("%s of %s to %s: try later (%s)", channel, note.kind, user, exc)
        states[channel] = "pending"
        back = Delivery(state="pending", error=_without(str(exc), address)[:500], at=now)
        store.move_delivery(user, nid, channel, "sending", back, listed=_listed(states))
        return "later"
    except Exception as exc:  # kept on the operator's list, whatever it was
        log.warning("could not %s %s of %s", channel, user, note.kind, exc_info=True)
        states[channel] = "failed"
        error = _without(f"{type(exc).__name__}: {exc}", address)[:500]
        failed = Delivery(state="failed", error=error, at=now)
        store.move_delivery(user, nid, channel, "sending", failed, listed=True)
        return "failed"
    states[channel] = "sent"
    done = Delivery(state="sent", at=now)
    store.move_delivery(user, nid, channel, "sending", done, listed=_listed(states))
    return "sent"
