"""A dispute in full, in Chromium, by each of its three people: the final buyer writes a reason of
several Korean lines and adds a photo (a file of another type refused in the page first), sent
with the dispute through the listing photos' own signed uploads; the seller reads the reason and
the photo on their listing's page and answers once (asked first); the operator's card shows the
reason on its lines, the photo and the answer; both timelines show the dispute, the operator's
deadline, then the decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Locator, expect
from tombola_dev.client import Client
from tombola_dev.process import RunningStack

from tests.browser.people import Person
from tests.browser.test_web import LONG, _confirm, _run, _usable
from tests.browser.test_web_clarity import _bought, _status, _wait
from tests.support.images import png

pytestmark = pytest.mark.browser

REASON = "상자를 열어 보니 렌즈가 깨져 있었습니다.\n포장은 멀쩡했습니다."
ANSWER = "발송 전에 찍은 사진이 있습니다.\nThe lens was whole when it left."


def _file(name: str, mime: str, data: bytes) -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": data}


def _written(scope: Locator, test_id: str, text: str) -> None:
    """The text as written, its lines kept (not run together)."""
    shown = scope.get_by_test_id(test_id)
    expect(shown).to_contain_text(text.rsplit("\n", maxsplit=1)[-1], timeout=LONG)
    assert shown.inner_text() == text


def _photo_loaded(scope: Locator, name: str) -> None:
    img = scope.get_by_role("img", name=name)
    expect(img).to_be_visible(timeout=LONG)
    img.scroll_into_view_if_needed()
    scope.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=LONG
    )
    assert img.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [8, 6]


def _steps(scope: Locator, *states: tuple[str, str]) -> None:
    for step, state in states:
        expect(scope.get_by_test_id(f"step-{step}")).to_have_attribute(
            "data-state", state, timeout=LONG
        )


def test_a_dispute_told_in_full_to_the_buyer_the_seller_and_the_operator(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    lid, winner, _, seller = _bought(browser, base, run, "dp")
    seller.ok(
        "POST",
        f"/listings/{lid}/shipment",
        {"carrier": "CJ대한통운", "tracking_number": "6001-2002-3003"},
    )
    Client(base).ok("POST", f"/sandbox/carrier/{lid}", {"event": "delivered"})
    _wait(lambda: _status(base, lid) == "delivered", "delivery")

    # the buyer: several lines, a photo checked in the page first
    page = winner.open("/entries")
    card = page.get_by_test_id(f"entry-{lid}")
    # apart from "confirm receipt", folded: a different step, for when something is wrong
    expect(card.get_by_label("Reason")).not_to_be_visible()
    card.locator("summary", has_text="Something wrong with the item?").click()
    reason = card.get_by_label("Reason")
    expect(reason).to_be_visible(timeout=LONG)
    reason.fill(REASON)
    expect(card.get_by_text(f"({1000 - len(REASON)} left)")).to_be_visible()
    pick = card.get_by_label("Photos of the problem (optional)")
    pick.set_input_files([_file("clip.gif", "image/gif", b"GIF89a")])
    expect(card.get_by_test_id("dispute-photo-refused")).to_have_text(
        "clip.gif: only JPEG, PNG or WebP images can be added."
    )
    pick.set_input_files([_file("crack.png", "image/png", png(8, 6))])
    expect(card.get_by_test_id("dispute-photo-refused")).to_have_count(0)
    expect(card.get_by_text("Photos chosen: 1")).to_be_visible()
    winner.shot(artifacts, "dispute-buyer-form")
    _confirm(card, "Open a dispute", "Open the dispute")
    _wait(lambda: _status(base, lid) == "disputed", "the dispute")
    case = card.get_by_test_id("dispute-case")
    _written(case, "dispute-reason", REASON)
    _photo_loaded(case, "Buyer's photo 1 of 1")
    expect(case.get_by_test_id("dispute-answer")).to_have_text("The seller has not answered yet.")
    timeline = page.get_by_test_id(f"timeline-{lid}")
    _steps(timeline, ("disputed", "done"), ("decision", "now"))
    expect(timeline.get_by_test_id("step-decision")).to_contain_text("by ", timeout=LONG)
    expect(case.get_by_test_id("dispute-due")).to_contain_text("The operator decides by")
    _usable(page, "entries: a dispute opened, with its photo")

    # the seller reads it on their listing's page and answers once
    owner = Person.sign_in(browser, base, seller.user_id, "seller", known=True)
    page = owner.open(f"/sell/{lid}")
    case = page.get_by_test_id("dispute-case")
    _written(case, "dispute-reason", REASON)
    _photo_loaded(case, "Buyer's photo 1 of 1")
    _steps(page.get_by_test_id(f"timeline-{lid}"), ("disputed", "done"), ("decision", "now"))
    case.get_by_role("button", name="Send the answer").click()  # nothing written: said first
    expect(page.get_by_role("dialog")).to_have_count(0)
    answer = page.get_by_label("Your answer to the buyer's dispute")  # ("has" is not scoped)
    expect(case.locator(".field", has=answer).get_by_role("alert")).to_have_text("Required.")
    answer.fill(ANSWER)
    case.get_by_role("button", name="Send the answer").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Send this answer?")
    expect(dialog).to_contain_text("You can answer only once")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    _confirm(case, "Send the answer")
    _written(case, "dispute-answer", ANSWER)
    expect(case.get_by_label("Your answer to the buyer's dispute")).to_have_count(0)
    owner.shot(artifacts, "dispute-seller")
    _usable(page, "the seller's listing, disputed and answered")

    # the operator reads the reason on its lines, the photo and the answer, then decides
    operator = Person.sign_in(browser, base, f"dpo{run}", "operator")
    page = operator.open("/operator")
    dispute = page.get_by_test_id(f"dispute-{lid}")
    _written(dispute, "dispute-reason", REASON)
    _photo_loaded(dispute, "Buyer's photo 1 of 1")
    expect(dispute.get_by_test_id("dispute-answer")).to_contain_text("The lens was whole")
    assert dispute.get_by_test_id("dispute-answer").locator(".written").inner_text() == ANSWER
    operator.shot(artifacts, "dispute-operator")
    _usable(page, "operator: a dispute with its photo and answer")
    _confirm(dispute, "Refund the buyer")
    expect(dispute).to_have_count(0, timeout=LONG)

    # decided: both read the decision, and their timelines end with it
    page = owner.open(f"/sell/{lid}")
    expect(page.get_by_test_id("dispute-decision")).to_contain_text(
        "the sale is cancelled and the buyer refunded", timeout=LONG
    )
    _steps(page.get_by_test_id(f"timeline-{lid}"), ("refunded", "done"))
    _wait(lambda: _status(base, lid) == "cancelled", "the refund settled")
    page = winner.open("/entries?tab=past")
    card = page.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("dispute-decision")).to_contain_text(
        "the buyer refunded", timeout=LONG
    )
    timeline = page.get_by_test_id(f"timeline-{lid}")
    if timeline.get_attribute("open") is None:
        timeline.locator("summary").click()
    _steps(timeline, ("disputed", "done"), ("refunded", "done"), ("cancelled", "done"))
