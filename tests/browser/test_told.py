"""Told in time, once, everywhere: a phone typed the Korean way is kept (one that cannot be a
number is refused in words next to it); the drawn buyer sees "you were drawn: pay X by Y" on
every page and a count of what is new in the header; the notification centre lists what the
product told them; each side of the sale follows the order step by step, with what comes next
and by when."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tombola_dev.process import RunningStack

from tests.browser.people import Person
from tests.browser.test_web import LONG, _run, _usable
from tests.browser.test_web_clarity import _amounts_hold, _drawn_pair

pytestmark = pytest.mark.browser


def test_a_phone_typed_the_korean_way_is_kept_and_a_wrong_one_is_refused_next_to_it(
    browser: Browser, web_stack: RunningStack
) -> None:
    person = Person.sign_in(browser, web_stack.url, f"ph{_run()}", "buyer")
    page = person.open("/profile")
    phone = page.get_by_label("Phone")
    phone.fill("010-123")
    page.get_by_role("button", name="Save profile").click()
    field = page.locator(".field").filter(has=phone)
    expect(field.get_by_role("alert")).to_contain_text("010-1234-5678")
    phone.fill("010-9876-5432")
    expect(field.get_by_role("alert")).to_have_count(0)  # cleared as the field changes
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Phone")).to_have_value("010-9876-5432")  # kept in E.164
    expect(page.get_by_test_id("no-texts")).to_have_count(0)
    # a landline is a phone for the delivery, but no text reaches it: the page says so
    page.get_by_label("Phone").fill("02-123-4567")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_test_id("no-texts")).to_contain_text("Not a mobile number")


def test_the_drawn_buyer_cannot_miss_it_and_everyone_sees_what_they_were_told(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    base = web_stack.url
    lid, first, other, _ = _drawn_pair(browser, base, _run(), "tl")
    # on any page: the header counts what is new, the banner says pay what by when
    page = first.open("/")
    banner = page.get_by_test_id("drawn-banner")
    expect(banner).to_contain_text("You were drawn", timeout=LONG)
    expect(banner).to_contain_text("₩")
    expect(page.get_by_test_id("bell")).to_contain_text("Notifications")
    expect(page.get_by_test_id("bell").locator(".count")).to_be_visible()
    first.shot(artifacts, "drawn-banner")
    _amounts_hold(page, "drawn banner")
    # the centre lists it; opening it marks it read; the banner stays until they pay
    page.get_by_test_id("bell").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_test_id("note-SecondPaymentDue")).to_contain_text("pay", timeout=LONG)
    expect(page.get_by_test_id("bell").locator(".count")).to_have_count(0, timeout=LONG)
    expect(banner).to_be_visible()
    first.shot(artifacts, "notifications")
    _usable(page, "notifications")
    # the order, step by step: drawn, and the payment due now with its deadline
    page = first.open("/entries")
    timeline = page.get_by_test_id(f"timeline-{lid}")
    expect(timeline.get_by_test_id("step-drawn")).to_have_attribute("data-state", "done")
    paid = timeline.get_by_test_id("step-paid")
    expect(paid).to_have_attribute("data-state", "now")
    expect(paid).to_contain_text("by ")
    # the other buyer reads that someone else was drawn
    mine = other.open("/entries").get_by_test_id(f"timeline-{lid}")
    mine.locator("summary").click()
    expect(mine.get_by_test_id("step-other_drawn")).to_have_attribute("data-state", "done")
    # ... and was told so, without looking: the draw took place, by when the other must pay
    page = other.open("/notifications")
    expect(page.get_by_test_id("note-DrawTookPlace")).to_contain_text(
        "Another entrant was drawn first", timeout=LONG
    )
    # ... with their own place in the draw order, there, on My entries and on the draw page,
    # without verifying the whole draw first
    expect(page.get_by_test_id("note-DrawTookPlace")).to_contain_text(
        "You are 2nd in the draw order"
    )
    page = other.open("/entries")
    expect(page.get_by_test_id(f"entry-{lid}").get_by_test_id("place-in-line")).to_have_text(
        "2nd", timeout=LONG
    )
    page = other.open(f"/draw/{lid}")
    expect(page.get_by_test_id("your-place")).to_contain_text(
        "You are 2nd in line (1 ahead of you)"
    )
    # paying ends the banner and moves the order on
    page = first.open("/entries")
    page.get_by_test_id(f"entry-{lid}").get_by_role("button", name="Pay ₩").click()
    first.pay_checkout()
    page = first.open("/entries")
    timeline = page.get_by_test_id(f"timeline-{lid}")
    expect(timeline.get_by_test_id("step-paid")).to_have_attribute(
        "data-state", "done", timeout=LONG
    )
    expect(timeline.get_by_test_id("step-shipped")).to_have_attribute("data-state", "now")
    expect(timeline.get_by_test_id("paid-so-far")).to_have_text("₩1,500")  # P1 1,000 + P2 500
    expect(page.get_by_test_id("drawn-banner")).to_have_count(0, timeout=LONG)
    first.shot(artifacts, "timeline-buyer")
    # the other buyer learns it went to someone else
    page = other.open("/notifications")
    expect(page.get_by_test_id("note-SoldToAnother")).to_contain_text(
        "went to another entrant", timeout=LONG
    )
