"""Each step that needs someone tells them, by e-mail (SES) and SMS (SNS) [0068]."""

from __future__ import annotations

from typing import Any

from moto.ses.models import ses_backends
from moto.sns.models import sns_backends
from tombola_dev.stack import ACCOUNT as DEFAULT_ACCOUNT_ID

from tests.support.app_driver import Driver, complete_sale


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
