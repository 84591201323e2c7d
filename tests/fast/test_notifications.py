"""Told in time, once, everywhere: every notice is a note in the person's in-app list; e-mail
and SMS are each tried once per person and notice, whatever the event's repeats; a channel that
fails holds up no other and lands on the operator's undelivered list."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.support.fast_platform import FastWorld
from tombola.api import phones
from tombola.api.models import NotesReadIn, ProfileIn
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Forbidden, NotFound
from tombola.ports.messages import Channel, Message
from tombola.services import inbox, profiles
from tombola.services.notifications import notify_event
from tombola.state.records import ProfileRecord


class Outbox:
    """A notifier whose SMS provider refuses some numbers (as SNS refuses what is not E.164)."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.refuse = refuse or set()
        self.sent: list[tuple[Channel, str, Message]] = []

    def send(self, channel: Channel, address: str, message: Message) -> None:
        if address in self.refuse:
            raise RuntimeError(f"InvalidParameter: {address}")
        self.sent.append((channel, address, message))

    def to(self, address: str) -> list[str]:
        return [m.subject or m.text for _, a, m in self.sent if a == address]


def deliver(w: FastWorld, outbox: Outbox, *, times: int = 1) -> int:
    """Every event published so far, each delivered ``times`` (EventBridge may repeat one)."""
    sent = 0
    for n, (kind, detail) in enumerate(w.events.published):
        for _ in range(times):
            sent += notify_event(
                w.store, outbox, kind, detail, f"evt-{n}", w.clock.now(), w.clock.now()
            )
    return sent


def who(user: str, role: Role = Role.BUYER) -> Caller:
    return Caller(user_id=user, roles=frozenset({role}))


def drawn(w: FastWorld) -> str:
    w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    candidate: str = w.record().candidate
    return candidate


@pytest.mark.parametrize(
    "typed",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "+82 10-1234-5678",
        "０１０－１２３４－５６７８",  # noqa: RUF001 - full-width, as typed on a Korean keyboard
    ],
)
def test_a_phone_typed_the_korean_way_is_kept_in_e164(typed: str) -> None:
    body = ProfileIn(name="김민지", email="minji@example.com", phone=typed, address="서울")
    assert body.phone == "+821012345678"


@pytest.mark.parametrize("typed", ["010-123", "12345", "call me", "+82 10 1234 5678 9999"])
def test_a_phone_that_cannot_be_one_is_refused_with_its_own_error(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ProfileIn(name="Kim", email="k@example.com", phone=typed, address="Seoul")
    assert [e["type"] for e in refused.value.errors()] == ["phone_invalid"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07400 123456", "+447400123456"),
        ("０７４００１２３４５６", "+447400123456"),  # noqa: RUF001 - full-width digits
        ("+82 10-1234-5678", "+821012345678"),  # a Korean number with its country code
    ],
)
def test_a_uk_market_reads_a_phone_the_british_way(typed: str, kept: str) -> None:
    with phones.home_region("GB"):
        body = ProfileIn(name="Amy Lee", email="amy@example.com", phone=typed, address="London")
    assert body.phone == kept


def test_the_phone_error_shows_the_markets_own_way_of_typing_one() -> None:
    with pytest.raises(ValidationError) as korean:
        ProfileIn(name="Kim", email="k@example.com", phone="010-123", address="Seoul")
    with phones.home_region("GB"), pytest.raises(ValidationError) as british:
        ProfileIn(name="Amy", email="a@example.com", phone="010-123", address="London")
    assert "010-2000-0000" in korean.value.errors()[0]["msg"]
    assert "+44 7400 123456" in korean.value.errors()[0]["msg"]
    assert "07400 123456" in british.value.errors()[0]["msg"]
    assert "+82 10-2000-0000" in british.value.errors()[0]["msg"]
    # a Korean mobile typed the Korean way is not a British number
    with phones.home_region("GB"), pytest.raises(ValidationError):
        ProfileIn(name="Kim", email="k@example.com", phone="010-1234-5678", address="London")


def test_the_drawn_buyer_is_told_once_by_each_channel_and_sees_it_in_the_app(
    w: FastWorld,
) -> None:
    w.people()
    candidate = drawn(w)
    outbox = Outbox()
    first = deliver(w, outbox, times=3)  # the bus delivered every event three times
    assert first > 0
    told = [m for c, a, m in outbox.sent if a == f"{candidate}@example.com" and c == "email"]
    assert len(told) == 1  # "you were drawn" once, not seven times
    assert "잔금" in told[0].subject
    assert "pay the rest" in told[0].subject
    assert "₩" in told[0].text
    assert "원" in told[0].text
    assert deliver(w, outbox) == 0  # and again a month later: nothing new
    notes = inbox.my_notes(w.deps, who(candidate))
    due = [n for n in notes.notes if n.kind == "SecondPaymentDue"]
    assert len(due) == 1
    assert notes.unread >= 1
    assert due[0].facts["amount"] == w.record().second_payment_due
    assert due[0].facts["due_at"] == w.record().candidate_due_at.isoformat()
    assert due[0].channels == {"email": "sent", "sms": "sent"}


def test_a_failed_sms_repeats_nothing_blocks_nobody_and_reaches_the_operator(
    w: FastWorld,
) -> None:
    w.people()
    for user in ("ann", "bob"):  # numbers saved before they were checked
        profile = w.store.get_profile(user)
        assert profile is not None
        w.store.put_profile(profile.model_copy(update={"phone": f"010-99{user}"}))
    w.store.put_profile(
        ProfileRecord(
            user_id="cat",
            name="Cat",
            email="cat@example.com",
            phone="02-123-4567",
            address="Seoul",
        )
    )  # a landline: no SMS
    w.open()
    for b in ("ann", "bob", "cat"):
        w.buy(b, 1)
    w.close()
    w.run()
    candidate = w.record().candidate
    assert w.lapse() == "wait_p2"  # the first candidate lapsed: the next one is drawn
    outbox = Outbox(refuse={"+821012345678"})  # and the provider refuses the seller's number
    deliver(w, outbox, times=2)
    second = w.record().candidate
    assert second != candidate
    for user in (candidate, second):
        emails = [m for c, a, m in outbox.sent if c == "email" and a == f"{user}@example.com"]
        assert sum("pay the rest" in m.subject for m in emails) == 1, user
    undelivered = inbox.undelivered(w.deps, who("op", Role.OPERATOR)).notes
    assert undelivered, "failed sends reach the operator's list"
    failed_users = {n.user_id for n in undelivered}
    assert {"seller"} <= failed_users  # refused by the provider
    assert {"ann", "bob", "cat"} & failed_users  # not a mobile number
    assert all(set(n.failures) == {"sms"} for n in undelivered)
    assert all("@" not in e and "+82" not in e for n in undelivered for e in n.failures.values())
    with pytest.raises(Forbidden):
        inbox.undelivered(w.deps, who("ann"))


def test_notes_read_up_to_one_and_a_stranger_cannot_name_someone_elses(w: FastWorld) -> None:
    w.people()
    candidate = drawn(w)
    deliver(w, Outbox())
    mine = inbox.my_notes(w.deps, who(candidate))
    assert mine.unread == len(mine.notes) > 0
    newest = mine.notes[0].note_id
    after = inbox.read_notes(w.deps, who(candidate), NotesReadIn(upto=newest))
    assert after.unread == 0
    assert all(n.read for n in after.notes)
    other = next(u for u in ("ann", "bob") if u != candidate)
    with pytest.raises(NotFound):
        inbox.read_notes(w.deps, who(other), NotesReadIn(upto=newest))
    # reading an older one after the newest moves nothing back
    inbox.read_notes(w.deps, who(candidate), NotesReadIn(upto=mine.notes[-1].note_id))
    assert inbox.my_notes(w.deps, who(candidate)).unread == 0


def test_the_profile_keeps_the_number_as_e164(w: FastWorld) -> None:
    body = ProfileIn(name="김민지", email="m@example.com", phone="010-1234-5678", address="서울")
    assert profiles.put_profile(w.deps, who("minji"), body).phone == "+821012345678"


@pytest.mark.parametrize(
    "typed",
    [
        "Call me at 010-1234-5678",  # words around it: the digits were once picked out
        "010-1234-5678 ext. 12",  # an extension, once silently dropped
        "010-1234-5678;ext=9",
    ],
)
def test_a_phone_with_text_around_it_is_refused_not_silently_cut(typed: str) -> None:
    with pytest.raises(ValidationError):
        ProfileIn(name="Kim", email="k@example.com", phone=typed, address="Seoul")


@pytest.mark.parametrize("typed", ["02-123-4567", "070-1234-5678", "1588-1234"])
def test_a_landline_is_kept_and_the_profile_says_texts_cannot_reach_it(
    w: FastWorld, typed: str
) -> None:
    body = ProfileIn(name="Kim", email="k@example.com", phone=typed, address="Seoul")
    assert not profiles.put_profile(w.deps, who("kim"), body).texts_reach_phone
    mobile = body.model_copy(update={"phone": "+821012345678"})
    assert profiles.put_profile(w.deps, who("kim"), mobile).texts_reach_phone
