"""Notifications as real life delivers them (fast tier, MemoryStore): late, twice, at once,
cut off, throttled, to a landline; each case once broke the promise of "told once, and what
did not go out is on the operator's list"."""

from __future__ import annotations

import copy
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fast_platform import FastWorld
from tombola.api.models import NotesReadIn
from tombola.domain.auth import Caller, Role
from tombola.ports.messages import Channel, Message, TryLater
from tombola.services import inbox, waits
from tombola.services.notifications import NotReached, notify_event
from tombola.state.records import ProfileRecord


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[Channel, str, Message]] = []

    def send(self, channel: Channel, address: str, message: Message) -> None:
        self.sent.append((channel, address, message))


def who(user: str, role: Role = Role.BUYER) -> Caller:
    return Caller(user_id=user, roles=frozenset({role}))


def profile(w: FastWorld, user: str, phone: str = "+821012345678") -> None:
    w.store.put_profile(
        ProfileRecord(
            user_id=user, name=user, email=f"{user}@example.com", phone=phone, address="Seoul"
        )
    )


T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def detail(notice: str, at: datetime | None, **more: object) -> dict[str, object]:
    d: dict[str, object] = {
        "listing_id": "L1",
        "title": "Lamp",
        "recipients": ["ann"],
        "notice_id": notice,
        **more,
    }
    if at is not None:
        d["at"] = at.isoformat()
    return d


def test_a_notice_decided_earlier_but_delivered_after_a_read_is_unread(
    w: FastWorld,
) -> None:
    """A notice whose publish was held up in the outbox (EventBridge throttled, backoff 1..60
    min, or a dead effect the operator retries days later) arrives after the person read their
    list: its note sorts by when it arrived, so it is new to them (it once sorted by when it
    was decided, below the read mark, and was never shown as unread)."""
    profile(w, "ann")
    outbox = Outbox()
    # t0: "you were drawn, pay by ..." is decided, but its publish fails and waits in the outbox
    late = detail("n-drawn", T0, amount=7000, currency="KRW")
    # t0+5 min: another notice is decided and delivered at once; ann reads her list
    first = detail("n-other", T0 + timedelta(minutes=5))
    notify_event(w.store, outbox, "ListingClosed", first, "e1", T0, T0)
    newest = inbox.my_notes(w.deps, who("ann")).notes[0].note_id
    inbox.read_notes(w.deps, who("ann"), NotesReadIn(upto=newest))
    # t0+10 min: the outbox retry publishes the drawn notice
    notify_event(w.store, outbox, "SecondPaymentDue", late, "e2", T0, T0 + timedelta(minutes=10))
    mine = inbox.my_notes(w.deps, who("ann"))
    drawn = next(n for n in mine.notes if n.kind == "SecondPaymentDue")
    assert not drawn.read, "a note that arrived after the read mark is shown as read"
    assert mine.unread == 1, f"unread count is {mine.unread}, the new note is not counted"


def test_a_notice_without_at_republished_by_the_outbox_is_sent_once(w: FastWorld) -> None:
    """A notice with no ``at`` (committed to the outbox before notes were kept, or a dead
    effect from then retried) re-published by the outbox comes as a new event at a new time:
    still one note and one e-mail, since a notice is kept once per person by its id."""
    profile(w, "ann")
    outbox = Outbox()
    same = detail("n-1", None)
    notify_event(w.store, outbox, "Shipped", same, "evt-a", T0, T0)
    notify_event(
        w.store,
        outbox,
        "Shipped",
        same,
        "evt-b",
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=2),
    )
    emails = [a for c, a, _ in outbox.sent if c == "email"]
    assert emails == ["ann@example.com"], f"sent {len(emails)} times for one notice id"


def test_a_landline_takes_no_sms_and_clutters_no_list(w: FastWorld) -> None:
    """A landline (02-123-4567, 070-…, 1588-…) is a valid phone for the shipping address but
    takes no SMS: the channel is "none" from the start, so its notices are not rows on the
    operator's list burying real failures."""
    profile(w, "ann", phone="+8221234567")  # what ProfileIn stores for 02-123-4567
    outbox = Outbox()
    for n in range(5):
        notify_event(
            w.store, outbox, "Shipped", detail(f"n-{n}", T0 + timedelta(seconds=n)), f"e{n}", T0, T0
        )
    undelivered = inbox.undelivered(w.deps, who("op", Role.OPERATOR)).notes
    assert len(undelivered) == 0, f"{len(undelivered)} rows on the operator's list for a landline"


class LambdaTimedOut(BaseException):
    """The function's 30 s ran out in the middle of an SES call (boto3's defaults: 60 s
    connect and read timeouts, retried): the process stops, no ``except`` runs."""


class SlowSes(Outbox):
    def send(self, channel: Channel, address: str, message: Message) -> None:
        if channel == "email":
            raise LambdaTimedOut
        super().send(channel, address, message)


def test_a_send_cut_off_by_the_lambda_timeout_stays_on_the_operators_list(w: FastWorld) -> None:
    """The channel was claimed (pending → sending) and the process died: the redelivery sends
    nothing (at most once), and the note stays on the operator's undelivered list from its
    claim, so "you were drawn: pay by …" is never lost unseen."""
    profile(w, "ann")
    drawn = detail("n-drawn", T0, amount=7000, currency="KRW")
    with pytest.raises(LambdaTimedOut):
        notify_event(w.store, SlowSes(), "SecondPaymentDue", drawn, "e1", T0, T0)
    later = T0 + timedelta(hours=1)
    notify_event(w.store, Outbox(), "SecondPaymentDue", drawn, "e1", T0, later)  # redelivered
    note = inbox.my_notes(w.deps, who("ann")).notes[0]
    assert note.channels["email"] == "sending"  # stuck for ever
    undelivered = inbox.undelivered(w.deps, who("op", Role.OPERATOR)).notes
    assert undelivered, "the lost e-mail is on no one's list"


def test_a_notice_republished_by_the_outbox_is_one_note_and_one_email(
    w: FastWorld,
) -> None:
    """The bus accepted the event but the runner crashed before completing the outbox item:
    the sweep publishes the same notice again (new event id, new event time)."""
    w.people()
    w.open()
    first = list(w.events.published)
    # every effect committed so far is re-published by the sweep as though never completed
    for kind, d in first:
        w.events.published.append((kind, copy.deepcopy(d)))
    outbox = Outbox()
    for n, (kind, d) in enumerate(w.events.published):
        t = T0 + timedelta(minutes=n)
        notify_event(w.store, outbox, kind, d, f"evt-{n}", t, t)
    emails = [a for c, a, _ in outbox.sent if c == "email"]
    assert len(emails) == len({(k, str(d["notice_id"])) for k, d in first}), emails


def test_two_notifiers_racing_on_one_event_send_once(w: FastWorld) -> None:
    profile(w, "ann")
    outbox = Outbox()
    go = threading.Barrier(8)

    def one() -> None:
        go.wait()
        notify_event(w.store, outbox, "Shipped", detail("n-race", T0), "e", T0, T0)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c for c, _, _ in outbox.sent) == ["email", "sms"]


def test_more_than_99_unread_can_be_told_from_exactly_99(w: FastWorld) -> None:
    """The count goes to 100, so the header can tell "99+" from 99."""
    profile(w, "ann")
    outbox = Outbox()
    for n in range(150):
        at = T0 + timedelta(seconds=n)
        notify_event(w.store, outbox, "Shipped", detail(f"n-{n}", at), f"e{n}", at, at)
    assert inbox.my_notes(w.deps, who("ann")).unread > 99


class ThrottledSes(Outbox):
    """SES's sending rate is exceeded once: the adapter says try later (TryLater)."""

    def __init__(self) -> None:
        super().__init__()
        self.throttled = False

    def send(self, channel: Channel, address: str, message: Message) -> None:
        if channel == "email" and not self.throttled:
            self.throttled = True
            raise TryLater("Throttling: Maximum sending rate exceeded.")
        super().send(channel, address, message)


def test_a_provider_asking_to_try_later_is_tried_again_and_nothing_repeats(w: FastWorld) -> None:
    """Many people are told at once and SES throttles: the e-mail goes back to
    pending and the event fails, so it comes again; the SMS that did go out is not repeated."""
    profile(w, "ann")
    ses = ThrottledSes()
    shipped = detail("n-shipped", T0)
    with pytest.raises(NotReached):
        notify_event(w.store, ses, "Shipped", shipped, "e1", T0, T0)
    assert [c for c, _, _ in ses.sent] == ["sms"]
    assert inbox.undelivered(w.deps, who("op", Role.OPERATOR)).notes == []
    notify_event(w.store, ses, "Shipped", shipped, "e1", T0, T0 + timedelta(minutes=1))
    assert sorted(c for c, _, _ in ses.sent) == ["email", "sms"]
    assert inbox.my_notes(w.deps, who("ann")).notes[0].channels == {"email": "sent", "sms": "sent"}


def test_a_wait_registered_again_announces_once(w: FastWorld) -> None:
    """Step Functions retries the wait task (a lost Lambda answer, a throttle) or the operator
    resumes the listing: ``store_token`` runs again and announces again, under the same notice
    id (the listing and stage), so the seller is asked to ship once."""
    w.people()
    w.open()
    w.buy("ann", 2)
    w.close()
    w.run()
    w.pay(w.second_payment())
    assert w.run() == "wait_ship"
    waits.store_token(w.deps, w.listing_id, "shipment", "token-retry", None)
    outbox = Outbox()
    for n, (kind, d) in enumerate(w.events.published):
        notify_event(w.store, outbox, kind, d, f"e{n}", T0, T0)
    asked = [m for c, a, m in outbox.sent if c == "email" and "ship the item" in m.subject]
    assert len(asked) == 1, f"the seller was asked to ship {len(asked)} times"
