"""A concurrent duplicate delivery of one notice, on both stores: a channel that failed keeps
the note on the operator's undelivered list, whatever the other delivery's channel writes after
it (its "sent" is conditioned on the other channels being settled, not on its stale copy)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tombola_dev.doubles import ManualClock

from tests.contract.stores import KINDS, store_of
from tombola.ports.messages import Channel, Message
from tombola.ports.store import Store
from tombola.services.notifications import notify_event
from tombola.state.records import ProfileRecord

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
DETAIL = {"listing_id": "L1", "title": "Lamp", "recipients": ["ann"], "notice_id": "n-1"}


class SmsDown:
    def send(self, channel: Channel, address: str, message: Message) -> None:
        if channel == "sms":
            raise RuntimeError("SNS said no")


class EmailWhileAnotherDeliveryRuns:
    """Delivery A: while its e-mail is with SES, delivery B of the same event runs to the end
    (B finds the e-mail claimed and tries the SMS, which fails)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def send(self, channel: Channel, address: str, message: Message) -> None:
        if channel == "email":
            notify_event(self.store, SmsDown(), "Shipped", DETAIL, "evt", T0, T0)


@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_sms_stays_listed_when_a_concurrent_delivery_sends_the_email(kind: str) -> None:
    with store_of(kind, ManualClock(T0)) as store:
        store.put_profile(
            ProfileRecord(
                user_id="ann",
                name="ann",
                email="ann@example.com",
                phone="+821012345678",
                address="Seoul",
            )
        )
        notify_event(store, EmailWhileAnotherDeliveryRuns(store), "Shipped", DETAIL, "evt", T0, T0)
        [note] = store.notes_of("ann", 10)
        assert (note.channels["email"].state, note.channels["sms"].state) == ("sent", "failed")
        assert [n.note_id for n in store.undelivered_notes(100)] == [note.note_id]
