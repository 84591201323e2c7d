"""Each step that needs someone tells them, by e-mail (SES) and SMS (SNS) [0068]."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.moto_resources import ACCOUNT as DEFAULT_ACCOUNT_ID

from tombola.adapters.aws import EventBridgePublisher
from tombola.ports.messages import Notification
from tombola.services.notices import NOTICE_RECIPIENTS
from tombola.services.notifications import NotReached, notify_event
from tombola.state.records import ProfileRecord


def emails() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def sms() -> list[Any]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


def test_people_are_told_of_each_step(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    complete_sale(d, lid)
    delivered = d.stack.deliver_events()
    assert delivered >= 6
    by_subject: dict[str, set[str]] = {}
    for m in emails():
        by_subject.setdefault(m.subject, set()).update(m.destinations["ToAddresses"])
    winner = d.record(lid).final_buyer
    assert by_subject["Your listing is open"] == {"seller@example.com"}
    assert by_subject["A final buyer is chosen"] == {f"{winner}@example.com", "seller@example.com"}
    assert by_subject["Please ship the item"] == {"seller@example.com"}
    assert by_subject["Your item is on its way"] == {f"{winner}@example.com"}
    assert by_subject["The sale is settled"] == {f"{winner}@example.com", "seller@example.com"}
    texts = sms()
    assert any("final buyer" in str(t) for t in texts)
    # An event delivered twice is a second message, never a lost one; nothing is pending now.
    assert d.stack.deliver_events() == 0


class _Profiles:
    """Just what the notifier reads and writes of the store."""

    def __init__(self, users: list[str]) -> None:
        self.users = set(users)
        self.noted: set[str] = set()

    def get_profile(self, user_id: str) -> Any:
        if user_id not in self.users:
            return None
        return ProfileRecord(
            user_id=user_id,
            name=user_id,
            email=f"{user_id}@example.com",
            phone="+821012345678",
            address="Seoul",
        )

    def remembers(self, key: str) -> bool:
        return key in self.noted

    def remember(self, key: str) -> bool:
        fresh = key not in self.noted
        self.noted.add(key)
        return fresh


class _FlakyNotifier:
    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.sent: list[str] = []

    def send(self, notification: Notification) -> None:
        if notification.recipient_id in self.failing:
            raise RuntimeError("SMS refused")
        self.sent.append(notification.recipient_id)


def test_each_recipient_is_told_once_and_one_failing_holds_up_no_other() -> None:
    """Row 5: a notice to many was sent one by one; a timeout's retry re-sent to the first
    ones and the rest were never told."""
    users = [f"u{i}" for i in range(10)]
    store = _Profiles(users)
    notifier = _FlakyNotifier(failing={"u3"})
    detail: dict[str, object] = {"listing_id": "L1", "recipients": users, "notice_id": "n1"}
    with pytest.raises(NotReached):
        notify_event(store, notifier, "Unsold", detail, "evt-1")  # type: ignore[arg-type]
    assert notifier.sent == [u for u in users if u != "u3"]  # u3 held up nobody
    notifier.failing = set()
    assert notify_event(store, notifier, "Unsold", detail, "evt-1") == 1  # type: ignore[arg-type]
    assert sorted(notifier.sent) == sorted(users)  # everyone once, u3 on the retry
    assert notify_event(store, notifier, "Unsold", detail, "evt-2") == 0  # type: ignore[arg-type]


def test_a_settlement_tells_many_buyers_in_bounded_events(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    n = NOTICE_RECIPIENTS + 5
    lid = d.open_listing("seller", expected_entrants=n, ticket_limit=1, deadlines={"ship": 1})
    for i in range(n):
        d.user(f"b{i}", "buyer")
        d.buy(f"b{i}", lid)
    published: list[dict[str, Any]] = []
    real = EventBridgePublisher.publish

    def spy(self: EventBridgePublisher, detail_type: str, detail: dict[str, Any]) -> None:
        published.append({"type": detail_type, **detail})
        real(self, detail_type, detail)

    with mock.patch.object(EventBridgePublisher, "publish", spy):
        d.wait_status(lid, "cancelled", timeout=30)
    sizes = [len(e["recipients"]) for e in published if e["type"] == "Cancelled"]
    assert max(sizes) <= NOTICE_RECIPIENTS, sizes
    assert sum(sizes) == n + 1, sizes  # every buyer once, and the seller
    d.stack.deliver_events()
    told = [m for m in emails() if m.subject == "The sale was cancelled"]
    to = [a for m in told for a in m.destinations["ToAddresses"]]
    assert sorted(to) == sorted([f"b{i}@example.com" for i in range(n)] + ["seller@example.com"])
    d.conserved(lid)
