"""Responsible play as a newcomer meets it, in a market that asks for it (its own stack with
Market=KR: a verified identity, 19 or older, a spend limit chosen before the first purchase): the
market's rule in plain words, identity verified through the sandbox's window, spend limits set
and read back (a raise waits its 24 hours), one person one account, a break that asks first and
then stops buying on the listing with a link to where it ends, and a refused listing that says
what to do. The set-up that is not under test goes through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from tombola_dev.client import Client, User
from tombola_dev.process import RunningStack, running_stack

from tests.browser.conftest import PARAMETERS, ROOT
from tests.browser.people import Person, settled
from tests.browser.test_web import _run, _usable
from tests.browser.test_web_clarity import _amounts_hold, _korean, _listing, _seller

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def kr_stack() -> Iterator[RunningStack]:
    """The browser tests' stack, but in the Korean market (the session's runs Market=none)."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web client is not built: run `make web`", pytrace=False)
    log = ROOT / ".local" / "browser-stack-kr.log"
    with running_stack(log, parameters=PARAMETERS | {"Market": "KR"}) as running:
        yield running


def _verified(base: str, user: User, name: str, born: str, phone: str) -> None:
    """Through the API, as the sandbox's window and the web client would."""
    vid = user.ok("POST", "/me/verification/start")["verification_id"]
    person = {"name": name, "birth_date": born, "phone": phone}
    Client(base).ok("POST", f"/sandbox/identity/{vid}", person)
    user.ok("POST", "/me/verification", {"verification_id": vid})


def _open_play(person: Person) -> Page:
    """From the header's link, where the profile is."""
    page = person.page
    page.get_by_test_id("play-link").click()
    settled(page, "/play")
    expect(page.get_by_role("heading", name="Responsible play", level=1)).to_be_visible()
    return page


def _verify_in_page(page: Page, name: str, born: str, phone: str) -> None:
    """The button, the sandbox's window (a page of ours saying so), and back."""
    page.get_by_role("button", name="Verify your identity").click()
    expect(page).to_have_url(re.compile(r"#/verify/idv-"))
    expect(page.get_by_role("heading", name="Identity verification (sandbox)")).to_be_visible()
    expect(page.get_by_test_id("verify-sandbox")).to_contain_text("nothing is checked")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label("Phone").fill(phone)
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/play$"))
    settled(page, "/play")


def _row(page: Page, window: str) -> Locator:
    return page.get_by_test_id("limits-KRW").get_by_test_id(f"window-{window}")


def test_a_newcomer_verifies_in_the_sandbox_window_and_sets_limits_they_read_back(
    browser: Browser, kr_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), kr_stack.url
    buyer = Person.sign_in(browser, base, f"rp{run}", "buyer")
    # the profile says where it is; the header links it
    expect(buyer.page.get_by_test_id("play-on-profile")).to_contain_text("Responsible play")
    page = _open_play(buyer)
    expect(page.get_by_test_id("play-policy")).to_contain_text(
        "Buying a chance or listing an item needs a verified identity, 19 or older."
    )
    expect(page.get_by_test_id("play-policy")).to_contain_text("choose your spend limits")
    expect(page.get_by_test_id("play-now")).to_contain_text("verify your identity first")
    expect(page.get_by_test_id("not-verified")).to_have_text("Not verified yet.")

    _verify_in_page(page, f"Mina Park {run}", "1990-05-06", "010-2222-3333")
    expect(page.get_by_test_id("verified-now")).to_have_text("Your identity is verified.")
    expect(page.get_by_test_id("verified")).to_contain_text("Verified on")
    expect(page.get_by_test_id("age")).to_contain_text("old enough to take part (19 or older)")
    expect(page.get_by_role("button", name="Verify your identity")).to_have_count(0)
    # verified, but no limit chosen yet: the page says so before a purchase would
    expect(page.get_by_test_id("play-now")).to_contain_text("Choose your spend limits below")

    # limits: a day's above the week's is said next to the week, as the server refuses it
    form = page.get_by_test_id("limits-form")
    expect(page.get_by_test_id("limits-rule")).to_contain_text("A lower limit applies at once")
    expect(page.get_by_test_id("limits-rule")).to_contain_text("24 hours")
    page.get_by_label("Daily limit (KRW)").fill("200,000")
    page.get_by_label("Weekly limit (KRW)").fill("100000")
    page.get_by_role("button", name="Save limits").click()
    week = page.get_by_label("Weekly limit (KRW)")
    expect(form.locator(".field", has=week).get_by_role("alert")).to_contain_text(
        "cannot be more than a longer one's"
    )
    page.get_by_label("Daily limit (KRW)").fill("30,000")  # as people type it
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_test_id("limits-saved")).to_have_text("Saved.")
    expect(_row(page, "day").get_by_test_id("limit")).to_have_text("₩30,000")
    expect(_row(page, "week").get_by_test_id("limit")).to_have_text("₩100,000")
    expect(_row(page, "month").get_by_test_id("limit")).to_have_text("No limit")  # left empty
    expect(_row(page, "day").get_by_test_id("spent")).to_have_text("₩0")
    expect(_row(page, "day").locator(".when")).not_to_be_empty()  # when it starts again
    expect(page.get_by_test_id("play-now")).to_have_text("You may buy chances now.")

    # a higher limit waits 24 hours: the lower holds meanwhile, and the page says from when
    page.get_by_label("Daily limit (KRW)").fill("50000")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_test_id("limits-saved")).to_contain_text("The higher limits apply from")
    expect(page.get_by_test_id("raise-waiting")).to_contain_text("₩50,000")
    expect(_row(page, "day").get_by_test_id("limit")).to_have_text("₩30,000")
    buyer.shot(artifacts, "responsible-play")
    _amounts_hold(page, "responsible play")
    _usable(page, "responsible play")

    # kept: read back after a reload, and in Korean
    page.reload()
    settled(page, "/play")
    expect(_row(page, "day").get_by_test_id("limit")).to_have_text("₩30,000")
    expect(page.get_by_test_id("raise-waiting")).to_be_visible()
    _korean(page)
    expect(_row(page, "week").get_by_test_id("limit")).to_have_text("100,000원")
    expect(_row(page, "month").get_by_test_id("limit")).to_have_text("한도 없음")
    expect(page.get_by_test_id("play-now")).to_have_text("지금 응모할 수 있습니다.")
    expect(page.get_by_test_id("play-policy")).to_contain_text("만 19세 이상")
    buyer.shot(artifacts, "responsible-play-ko")
    _amounts_hold(page, "responsible play, Korean")


def test_one_person_one_account_and_a_break_stops_buying_with_words_and_a_way_back(
    browser: Browser, kr_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), kr_stack.url
    seller = _seller(base, f"rps{run}")
    _verified(base, seller, f"Seller {run}", "1980-01-02", "010-5555-6666")
    lid = _listing(base, seller, f"Kettle {run}", price=10_000, np=10, limit=4)
    who = (f"Jun Lee {run}", "1995-03-04", "010-7777-8888")

    first = Person.sign_in(browser, base, f"rpa{run}", "buyer")
    page = _open_play(first)
    _verify_in_page(page, *who)
    expect(page.get_by_test_id("verified-now")).to_be_visible()
    # "no limit" is a choice: saved with every field empty
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_test_id("limits-saved")).to_have_text("Saved.")

    # the same person on a second account is refused, in words
    second = Person.sign_in(browser, base, f"rpb{run}", "buyer")
    other = _open_play(second)
    _verify_in_page(other, *who)
    identity = other.get_by_test_id("play-identity")
    expect(identity.get_by_role("alert")).to_contain_text(
        "You are verified on another account already: one person, one account."
    )
    expect(identity.get_by_test_id("not-verified")).to_be_visible()
    second.shot(artifacts, "same-person")

    # a break asks first; Cancel does nothing
    break_button = page.get_by_role("button", name="Take a break")
    page.get_by_label("Break for").select_option(label="1 day")
    break_button.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Take a break of 1 day?")
    expect(dialog).to_contain_text("This cannot be undone")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    first.shot(artifacts, "break-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("on-break")).to_have_count(0)
    break_button.click()
    dialog.get_by_role("button", name="Start the break").click()
    expect(page.get_by_test_id("on-break")).to_contain_text("You are on a break until")
    expect(page.get_by_test_id("play-now")).to_contain_text("You are on a break until")
    # it can be made longer, never shorter: a day is no longer offered
    expect(page.get_by_label("Break for").locator("option")).to_have_count(4)

    # the listing's buy form says why, and links to until when
    page = first.open(f"/listing/{lid}")
    page.get_by_label("Tickets").fill("1")
    page.get_by_role("button", name="Enter and pay").click()
    refusal = page.locator(".error").filter(has_text="break")
    expect(refusal).to_contain_text("You are taking a break from play until")
    expect(page).to_have_url(re.compile(f"#/listing/{re.escape(lid)}$"))  # no checkout opened
    first.shot(artifacts, "break-refused")
    page.get_by_test_id("play-help").get_by_role("link", name="See until when").click()
    settled(page, "/play")
    expect(page.get_by_test_id("on-break")).to_be_visible()

    # excluding oneself asks first, saying it cannot be lifted early; then the break is moot
    page = second.page
    page.get_by_role("button", name="Exclude myself").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Exclude yourself for 6 months?")
    expect(dialog).to_contain_text("It cannot be lifted early")
    dialog.get_by_role("button", name="Exclude me").click()
    expect(page.get_by_test_id("excluded")).to_contain_text("You have excluded yourself until")
    expect(page.get_by_test_id("play-break")).to_have_count(0)


def test_an_unverified_seller_is_told_to_verify_first_with_the_way_there(
    browser: Browser, kr_stack: RunningStack
) -> None:
    run, base = _run(), kr_stack.url
    seller = Person.sign_in(browser, base, f"rpv{run}", "seller")
    page = seller.open("/sell")
    settled(page, "/sell")
    page.get_by_label("Item").fill(f"Lamp {run}")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".error")).to_contain_text("Verify your identity first")
    page.get_by_test_id("play-help").get_by_role("link", name="Verify your identity").click()
    settled(page, "/play")
    expect(page.get_by_role("button", name="Verify your identity")).to_be_visible()
