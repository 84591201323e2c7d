"""Before paying, the chance of being drawn first, and the free way in beside the paid one; a
complaint to the operator, answered in the app; the operator's view of responsible play. In a
market with the free entry route (its own stack with Market=UK, without the identity check and
the limit prompt, which test_responsible_play.py covers). The set-up that is not under test goes
through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tombola_dev.client import Client, User
from tombola_dev.process import RunningStack, running_stack

from tests.browser.conftest import PARAMETERS, ROOT
from tests.browser.people import Person, settled
from tests.browser.test_web import LONG, _run, _usable
from tests.browser.test_web_clarity import (
    _amounts_hold,
    _buy,
    _english,
    _korean,
    _listing,
    _seller,
    _wait,
)

pytestmark = pytest.mark.browser

ODDS_HOW = "Every ticket in the draw, paid or free, is one equal chance"


@pytest.fixture(scope="module")
def uk_stack() -> Iterator[RunningStack]:
    """The browser tests' stack in the UK market: one free entry per person per listing."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web client is not built: run `make web`", pytrace=False)
    log = ROOT / ".local" / "browser-stack-uk.log"
    market = {"Market": "UK", "IdentityRequired": "no", "LimitPrompt": "no"}
    with running_stack(log, parameters=PARAMETERS | market) as running:
        yield running


def _buyer(base: str, name: str) -> User:
    """A buyer with a profile, through the API."""
    buyer = User(Client(base), name, ("buyer",))
    profile = {"name": "B", "email": "b@example.com", "phone": "+82 10 1111 2222"}
    buyer.ok("PUT", "/me/profile", profile | {"address": "Seoul"})
    return buyer


def _paid(base: str, lid: str, n: int) -> None:
    _wait(lambda: Client(base).ok("GET", f"/listings/{lid}")["paid_tickets"] == n, f"{n} paid")


def test_the_chance_of_being_drawn_first_before_paying_on_the_listing_and_the_checkout(
    browser: Browser, uk_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), uk_stack.url
    seller = _seller(base, f"ose{run}")
    lid = _listing(base, seller, f"Kettle {run}", price=10_000, np=10, limit=4)
    _buy(base, _buyer(base, f"oot{run}"), lid, 2)  # someone else's 2 tickets
    _paid(base, lid, 2)

    buyer = Person.sign_in(browser, base, f"obu{run}", "buyer", width=390)
    page = buyer.open(f"/listing/{lid}")
    # beside the rule that P1 is not refunded, in the buy form, before the buttons
    rule = page.get_by_test_id("refund-rule")
    odds = rule.get_by_test_id("odds")
    expect(rule).to_contain_text("The ticket price (P1) is not refunded")
    expect(odds).to_contain_text(
        "Your chance of being drawn first: 1 in 10 (10%) if it fills; 1 in 3 (33%) now"
    )
    expect(odds).to_contain_text(ODDS_HOW)
    page.get_by_label("Tickets").fill("3")
    expect(odds).to_contain_text("3 in 10 (30%) if it fills; 3 in 5 (60%) now")
    page.get_by_label("Tickets").fill("2")
    expect(odds).to_contain_text("2 in 10 (20%) if it fills; 2 in 4 (50%) now")
    buyer.shot(artifacts, "odds-listing")
    _usable(page, "listing with the odds")
    _amounts_hold(page, "listing with the odds")
    _korean(page)
    expect(odds).to_contain_text(
        "먼저 뽑힐 확률: 다 차면 10장 중 2장 (20%), 아직 응모가 적은 지금은 4장 중 2장 (50%)"
    )
    expect(page.get_by_test_id("free-entry")).to_contain_text("무료로 응모하기")
    buyer.shot(artifacts, "odds-listing-ko")
    _amounts_hold(page, "listing with the odds, Korean")
    _english(page)

    # the checkout counts the entry being paid once (it is pending among the buyer's own)
    page.get_by_role("button", name="Enter and pay").click()
    expect(page).to_have_url(re.compile(r"#/checkout/"))
    expect(page.get_by_test_id("checkout-what")).to_have_text("2 tickets (₩1,000 each)")
    expect(page.get_by_test_id("odds")).to_contain_text(
        "Your chance of being drawn first: 2 in 10 (20%) if it fills; 2 in 4 (50%) now"
    )
    expect(page.get_by_test_id("checkout-refund-rule")).to_contain_text(
        "refunded only if the listing ends unsold or is cancelled"
    )
    buyer.shot(artifacts, "odds-checkout")
    _usable(page, "checkout with the odds")
    buyer.pay_checkout()
    _paid(base, lid, 4)

    # once paid, the next purchase counts them as the buyer's own
    page = buyer.open(f"/listing/{lid}")
    expect(page.get_by_test_id("tickets-held")).to_contain_text("You already hold 2 tickets")
    expect(page.get_by_test_id("odds")).to_contain_text(
        "3 in 10 (30%) if it fills; 3 in 5 (60%) now"
    )


def test_a_free_entry_from_the_listing_page_is_in_my_entries_and_counts_in_the_odds(
    browser: Browser, uk_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), uk_stack.url
    seller = _seller(base, f"fse{run}")
    lid = _listing(base, seller, f"Lamp {run}", price=10_000, np=10, limit=2)
    _buy(base, _buyer(base, f"fpa{run}"), lid, 2)
    _paid(base, lid, 2)

    buyer = Person.sign_in(browser, base, f"ffr{run}", "buyer", width=390)
    page = buyer.open(f"/listing/{lid}")
    free = page.get_by_test_id("free-entry")
    expect(free).to_contain_text("exactly the same chance as a paid one, and no payment")
    expect(free).to_contain_text("1 free entry per person on each listing")
    expect(page.get_by_test_id("odds")).to_contain_text(
        "1 in 10 (10%) if it fills; 1 in 3 (33%) now"
    )
    buyer.shot(artifacts, "free-entry-offered")
    _usable(page, "listing with the free entry")
    free.get_by_role("button", name="Enter for free").click()
    expect(page.get_by_test_id("free-entered")).to_contain_text("You entered for free")
    expect(free.get_by_test_id("free-used")).to_have_text(
        "You have used your free entry on this listing (1 per person)."
    )
    expect(free.get_by_role("button", name="Enter for free")).to_have_count(0)
    # the listing's counts: the free ticket is in the draw, and in the buyer's odds
    expect(page.get_by_test_id("free-tickets")).to_have_text("1")
    expect(page.get_by_test_id("tickets-held")).to_contain_text("You already hold 1 ticket")
    expect(page.get_by_test_id("odds")).to_contain_text(
        "2 in 11 (18%) if it fills; 2 in 4 (50%) now"
    )
    buyer.shot(artifacts, "free-entry-done")

    # My entries: a free entry, not a ₩0 payment
    page.get_by_test_id("free-entered").get_by_role("link", name="My entries").click()
    settled(page, "/entries")
    card = page.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("free-entry")).to_have_text("1 ticket, nothing paid")
    expect(card.get_by_test_id("p1-paid")).to_have_count(0)
    expect(card.get_by_test_id("standing")).to_have_text("Waiting for the draw")
    _korean(page)
    expect(card.get_by_test_id("free-entry")).to_have_text("응모권 1장, 결제 없음")

    # anyone reading the listing (Korean, by default): one ticket's chance, the free one counted
    visitor = browser.new_page()
    visitor.goto(f"{base}/#/listing/{lid}")
    expect(visitor.get_by_test_id("odds")).to_contain_text(
        "응모권 1장이 먼저 뽑힐 확률: 다 차면 11장 중 1장 (9.1%), "
        "아직 응모가 적은 지금은 4장 중 1장 (25%)"
    )
    expect(visitor.get_by_test_id("free-tickets")).to_have_text("1")
    # how it works says the free way in, where it is offered
    visitor.goto(f"{base}/#/how")
    expect(visitor.get_by_test_id("how-free")).to_contain_text("한 사람이 추첨마다 1번")


def test_a_complaint_is_answered_by_the_operator_and_the_person_is_told(
    browser: Browser, uk_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), uk_stack.url
    buyer = Person.sign_in(browser, base, f"cbu{run}", "buyer")
    page = buyer.page
    page.get_by_role("contentinfo").get_by_role("link", name="Complaints").click()
    settled(page, "/complaints")
    expect(page.get_by_role("heading", name="Complaints", level=1)).to_be_visible()
    expect(page.get_by_test_id("not-a-dispute")).to_contain_text("is a dispute instead")
    page.get_by_role("button", name="Send to the operator").click()  # nothing written yet
    text = page.get_by_label("What happened")
    expect(page.locator(".field", has=text).get_by_role("alert")).to_have_text("Required.")
    page.get_by_label("What is it about").select_option(label="A payment")
    text.fill(f"Charged twice {run}\nfor one ticket.")
    page.get_by_role("button", name="Send to the operator").click()
    expect(page.get_by_test_id("complaint-sent")).to_contain_text("Sent.")
    mine = page.get_by_test_id("complaints-mine").get_by_role("listitem").filter(has_text=run)
    expect(mine).to_contain_text("A payment")
    expect(mine.get_by_test_id("complaint-waiting")).to_be_visible()
    buyer.shot(artifacts, "complaints-sent")
    _usable(page, "complaints")

    operator = Person.sign_in(browser, base, f"cop{run}", "operator")
    page = operator.page
    queue = page.get_by_test_id("op-complaints")
    card = queue.get_by_role("listitem").filter(has_text=f"Charged twice {run}")
    expect(card).to_contain_text(f"cbu{run}")
    expect(card.get_by_test_id("complaint-age")).to_contain_text(re.compile(r"waiting for \d+"))
    answer = card.get_by_label("Your answer")
    answer.fill(f"Sorry {run}: the second charge is refunded.\nIt shows in 3 days.")
    card.get_by_role("button", name="Send the answer").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Send this answer?")
    expect(dialog).to_contain_text("answered once")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    operator.shot(artifacts, "complaint-answer-dialog")
    dialog.get_by_role("button", name="Send the answer").click()
    expect(queue.get_by_role("listitem").filter(has_text=run)).to_have_count(0)
    answered = page.get_by_test_id("op-complaints-answered")
    expect(answered).to_contain_text(f"Sorry {run}")

    # the buyer is told, and reads the answer on their complaints
    page = buyer.page
    note = buyer.open("/notifications").get_by_test_id("note-ComplaintAnswered")
    expect(note).to_contain_text("The operator answered your complaint", timeout=LONG)
    note.get_by_role("link", name="Complaints").click()
    settled(page, "/complaints")
    mine = page.get_by_test_id("complaints-mine").get_by_role("listitem").filter(has_text=run)
    expect(mine.get_by_test_id("complaint-answer")).to_contain_text(f"Sorry {run}")
    expect(mine.get_by_test_id("complaint-waiting")).to_have_count(0)
    buyer.shot(artifacts, "complaint-answered")


def test_the_operator_sees_responsible_play_in_numbers(
    browser: Browser, uk_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), uk_stack.url
    client = Client(base)
    person = {"name": f"Ann {run}", "birth_date": "1990-01-02", "phone": "010-3333-4444"}
    spender = _buyer(base, f"psp{run}")
    vid = spender.ok("POST", "/me/verification/start")["verification_id"]
    client.ok("POST", f"/sandbox/identity/{vid}", person)
    spender.ok("POST", "/me/verification", {"verification_id": vid})
    spender.ok("PUT", "/me/limits", {"currency": "KRW", "day": None, "week": None, "month": None})
    # the same person on a second account: refused, and the operator sees it
    second = User(client, f"psq{run}", ("buyer",))
    vid = second.ok("POST", "/me/verification/start")["verification_id"]
    client.ok("POST", f"/sandbox/identity/{vid}", person)
    status, _ = second.call("POST", "/me/verification", {"verification_id": vid})
    assert status == 409
    # a first week's ₩100,000 raises a harm signal
    seller = _seller(base, f"pse{run}")
    lid = _listing(base, seller, f"Watch {run}", price=1_000_000, np=10, limit=4)
    _buy(base, spender, lid, 1)
    admin = User(client, f"pop{run}", ("operator",))

    def raised() -> bool:
        signals = admin.ok("GET", "/operator/play")["harm_signals"]
        return any(s["user_id"] == spender.user_id for s in signals)

    _wait(raised, "the harm signal")
    spender.ok("POST", "/me/break", {"days": 1})

    operator = Person.sign_in(browser, base, f"pop{run}", "operator")
    page = operator.page
    settled(page, "/operator")
    play = page.get_by_test_id("op-play")
    expect(play.get_by_role("heading", name="Responsible play")).to_be_visible()
    for count in ("verified", "with-limits", "on-break"):
        expect(play.get_by_test_id(f"count-{count}")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(play.get_by_test_id("count-excluded")).to_have_text(re.compile(r"^\d+$"))
    signal = play.get_by_test_id(f"harm-{spender.user_id}")
    expect(signal).to_contain_text("₩100,000")
    expect(signal).to_contain_text("₩0")
    expect(signal).to_contain_text(re.compile(r"week \d+ of \d{4}"))
    refused = (
        play.get_by_test_id("refused-accounts").get_by_role("row").filter(has_text=second.user_id)
    )
    expect(refused).to_contain_text(spender.user_id)
    operator.shot(artifacts, "operator-play")
    _usable(page, "operator, responsible play")
    _amounts_hold(page, "operator, responsible play")
