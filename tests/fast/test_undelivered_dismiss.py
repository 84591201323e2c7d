"""The operator's undelivered list can be worked through: a note whose e-mail failed (or whose
send never came back) is taken off once the operator has dealt with it; a send still under way
is not, nor anyone's note by someone who is not the operator, and doing it twice is the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fast.test_notification_edges import (
    T0,
    LambdaTimedOut,
    Outbox,
    SlowSes,
    detail,
    profile,
    who,
)
from tests.support.fast_platform import FastWorld
from tombola.domain.auth import Role
from tombola.domain.errors import Forbidden, NotAllowedNow, NotFound
from tombola.ports.messages import Channel, Message, TryLater
from tombola.services import inbox
from tombola.services.notifications import NotReached, notify_event
from tombola.state.records import NoteRecord

OP = who("op", Role.OPERATOR)


class Refusing(Outbox):
    def send(self, channel: Channel, address: str, message: Message) -> None:
        raise RuntimeError(f"InvalidParameter: {channel} refused")


def listed(w: FastWorld) -> list[str]:
    return [n.note_id for n in inbox.undelivered(w.deps, OP).notes]


def test_a_failed_note_is_dismissed_once_and_leaves_the_list(w: FastWorld) -> None:
    profile(w, "ann")
    w.clock.current = T0
    notify_event(w.store, Refusing(), "Shipped", detail("n-1", T0), "e1", T0, T0)
    [note_id] = listed(w)
    with pytest.raises(Forbidden):
        inbox.dismiss_undelivered(w.deps, who("ann"), "ann", note_id)
    with pytest.raises(NotFound):
        inbox.dismiss_undelivered(w.deps, OP, "bob", note_id)
    assert inbox.dismiss_undelivered(w.deps, OP, "ann", note_id).notes == []
    assert listed(w) == []
    note = inbox.my_notes(w.deps, who("ann")).notes[0]
    assert note.channels == {"email": "dismissed", "sms": "dismissed"}
    assert inbox.dismiss_undelivered(w.deps, OP, "ann", note_id).notes == []  # again: the same
    # the same event delivered again a month later sends nothing and lists nothing
    later = T0 + timedelta(days=30)
    assert notify_event(w.store, Outbox(), "Shipped", detail("n-1", T0), "e1", T0, later) == 0
    assert listed(w) == []


def test_a_send_under_way_is_not_dismissed_until_it_is_clearly_stuck(w: FastWorld) -> None:
    profile(w, "ann")
    w.clock.current = T0
    with pytest.raises(LambdaTimedOut):
        notify_event(w.store, SlowSes(), "Shipped", detail("n-2", T0), "e2", T0, T0)
    [note_id] = listed(w)
    w.clock.current = T0 + timedelta(minutes=1)
    with pytest.raises(NotAllowedNow):
        inbox.dismiss_undelivered(w.deps, OP, "ann", note_id)
    assert listed(w) == [note_id]
    w.clock.current = T0 + timedelta(hours=1)
    assert inbox.dismiss_undelivered(w.deps, OP, "ann", note_id).notes == []
    assert inbox.my_notes(w.deps, who("ann")).notes[0].channels["email"] == "dismissed"


def test_a_note_filed_again_by_a_delivery_that_read_it_before_is_still_dismissed(
    w: FastWorld,
) -> None:
    """The e-mail failed and the SMS was throttled; the event comes again and the notifier reads
    the note (e-mail failed); the operator dismisses the e-mail right then; the SMS goes out and
    the notifier, deciding from what it read, files the note again. Nothing is failed or being
    sent any more: dismissing it again takes it off the list for good."""
    profile(w, "ann")
    w.clock.current = T0

    class Flaky(Outbox):
        throttled = True

        def send(self, channel: Channel, address: str, message: Message) -> None:
            if channel == "email":
                raise RuntimeError("MessageRejected")
            if self.throttled:
                raise TryLater("throttled")
            super().send(channel, address, message)

    flaky = Flaky()
    shipped = detail("n-3", T0)
    with pytest.raises(NotReached):
        notify_event(w.store, flaky, "Shipped", shipped, "e3", T0, T0)
    [note_id] = listed(w)
    real_add = w.store.add_note

    def add_as_the_operator_dismisses(record: NoteRecord) -> NoteRecord:
        got = real_add(record)
        inbox.dismiss_undelivered(w.deps, OP, "ann", got.note_id)
        return got

    w.store.add_note = add_as_the_operator_dismisses  # type: ignore[method-assign,assignment]
    flaky.throttled = False
    notify_event(w.store, flaky, "Shipped", shipped, "e3", T0, T0)
    w.store.add_note = real_add  # type: ignore[method-assign]
    channels = inbox.my_notes(w.deps, who("ann")).notes[0].channels
    assert channels == {"email": "dismissed", "sms": "sent"}
    assert inbox.dismiss_undelivered(w.deps, OP, "ann", note_id).notes == []
    assert listed(w) == []
