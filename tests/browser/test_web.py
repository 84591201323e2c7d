"""Every role through a whole sale in a real browser: the seller lists and funds, three buyers
enter (one is stopped at the ticket limit), the full listing draws, the drawn buyer pays P2, the
seller ships, the buyer confirms, the statement balances and the draw verifies in the page. A
drawn buyer who gives up hands the draw to the next; when the last one gives up too, the listing
ends unsold and its statement balances with nothing held. Korean and English, a phone's width,
and an accessibility scan. Screenshots go to test-results/browser/."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from tombola_dev.accounts import account_digits
from tombola_dev.process import RunningStack

from tests.browser.people import Person, settled

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
LONG = 60_000  # ms: the stack draws and settles in the background


def _run() -> str:
    return uuid.uuid4().hex[:6]


def _create_listing(
    seller: Person, title: str, price: int, np: int, limit: int, second_payment_hours: int = 0
) -> str:
    """Through the form: the preview shows P1 and the deposit the checkout then asks for."""
    page = seller.open("/sell")
    page.get_by_label("Item").fill(title)
    page.get_by_label("Price (KRW)").fill(str(price))
    page.get_by_label("Expected tickets (Np)").fill(str(np))
    page.get_by_label("At most per buyer").fill(str(limit))
    expect(page.get_by_test_id("preview")).to_contain_text(f"₩{-(-price // np):,}")
    if second_payment_hours:
        page.get_by_label("Second payment within", exact=True).fill(str(second_payment_hours))
        page.get_by_label("Second payment within: Unit").select_option("hour")
    deposit = page.get_by_test_id("deposit-preview").inner_text()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("checkout-amount")).to_have_text(deposit)
    seller.pay_checkout()  # the deposit
    # back on the listing's own page: it says the listing is open, links to the public page, and
    # shows what was set
    expect(page).to_have_url(re.compile(r"#/sell/[^/?]+$"))
    lid = page.url.rsplit("/", 1)[-1]
    now = page.get_by_test_id("seller-now")
    expect(now).to_contain_text("Your listing is open.", timeout=LONG)
    expect(now.get_by_role("link", name="See it as buyers do")).to_have_attribute(
        "href", f"#/listing/{lid}"
    )
    facts = page.get_by_test_id("seller-facts")
    expect(facts).to_contain_text(f"Price₩{price:,}")
    expect(facts).to_contain_text(f"Expected tickets (Np){np:,}")
    expect(facts).to_contain_text(f"At most per buyer{limit}")
    expect(facts).to_contain_text("Closes")
    return lid


def _enter(buyer: Person, lid: str, tickets: int) -> Page:
    page = buyer.open(f"/listing/{lid}")
    page.get_by_label("Tickets").fill(str(tickets))
    page.get_by_role("button", name="Enter and pay").click()
    return page


def _drawn(buyers: list[Person], lid: str) -> Person:
    """The buyer whose entries page says they were drawn (the draw runs in the background)."""
    for _ in range(60):
        for b in buyers:
            page = b.open("/entries")
            standing = page.get_by_test_id(f"entry-{lid}").get_by_test_id("standing").first
            standing.wait_for(timeout=LONG)
            if "Drawn!" in standing.inner_text():
                return b
        buyers[0].page.wait_for_timeout(500)
    raise AssertionError("nobody was drawn")


def _confirm(scope: Page | Locator, button: str, confirm: str | None = None) -> Locator:
    """Clicks a button that asks first, and confirms in its dialog; returns the dialog."""
    scope.get_by_role("button", name=button).click()
    page = scope if isinstance(scope, Page) else scope.page
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=confirm or button, exact=True).click()
    expect(dialog).to_have_count(0)
    return dialog


def _axe(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run()")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def _usable(page: Page, what: str) -> None:
    """No serious or critical accessibility violation, and no horizontal scroll at 390 px."""
    serious = _axe(page)
    assert serious == [], (what, json.dumps(serious, ensure_ascii=False)[:2000])
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (what, width)
    if size is not None:
        page.set_viewport_size(size)


def test_a_whole_sale_in_the_browser(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    seller = Person.sign_in(browser, base, f"sam{run}", "seller")
    title = f"Camera <b>{run}</b>"  # user text is shown as text, never as markup
    lid = _create_listing(seller, title, price=10_000, np=10, limit=4)
    ann, bob, cat = (
        Person.sign_in(browser, base, f"{n}{run}", "buyer") for n in ("ann", "bob", "cat")
    )

    page = _enter(ann, lid, 4)
    ann.pay_checkout()
    listing = ann.open(f"/listing/{lid}")
    expect(listing.get_by_role("heading", name=title)).to_be_visible()
    assert listing.locator("h1 b").count() == 0  # escaped
    # at the limit: no form offering more, the words say why
    expect(listing.get_by_test_id("at-limit")).to_contain_text(
        "You hold the most tickets one person may have on this listing (4)", timeout=LONG
    )
    expect(listing.get_by_label("Tickets")).to_have_count(0)
    ann.shot(artifacts, "listing")
    _usable(listing, "listing")

    _enter(bob, lid, 4)
    bob.pay_checkout()
    page = bob.open(f"/listing/{lid}")  # a fifth ticket is not offered (the API refuses one)
    expect(page.get_by_test_id("at-limit")).to_contain_text("(4)", timeout=LONG)
    bob.shot(artifacts, "ticket-limit")

    _enter(cat, lid, 2)
    cat.pay_checkout()  # 10 of 10: the listing closes and draws at once
    winner = _drawn([ann, bob, cat], lid)
    entries = winner.page
    expect(entries.get_by_test_id(f"entry-{lid}").get_by_test_id("standing")).to_contain_text(
        "₩500"
    )
    winner.shot(artifacts, "drawn")
    _usable(entries, "my entries")
    entries.get_by_role("button", name=re.compile(r"^Pay ₩500")).click()
    winner.pay_checkout()
    entries = winner.open("/entries")
    expect(entries.get_by_test_id(f"entry-{lid}").get_by_test_id("standing")).to_have_text(
        "You are the final buyer", timeout=LONG
    )

    page = seller.open(f"/sell/{lid}")
    rows = page.get_by_test_id("entrants").locator("tbody tr")
    expect(rows).to_have_count(3)
    paid = sorted(int(r.locator("td").first.inner_text()) for r in rows.all())
    assert paid == [2, 4, 4]
    expect(page.get_by_test_id("final-buyer")).to_contain_text(
        f"{winner.name} street 1", timeout=LONG
    )
    page.get_by_label("Carrier").fill("CJ")
    page.get_by_label("Tracking number").fill("6001-2002")
    page.get_by_role("button", name="Enter shipment").click()

    entries = winner.open("/entries")
    card = entries.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("standing")).to_have_text("Shipped: CJ 6001-2002", timeout=LONG)
    _confirm(card, "Confirm receipt")
    # the card moves to Past; the page says so rather than let it vanish
    expect(entries.get_by_test_id("confirmed")).to_contain_text("confirmed", timeout=LONG)

    page = seller.open(f"/sell/{lid}")
    expect(page.get_by_text("Settled")).to_be_visible(timeout=LONG)
    loser = next(b for b in (ann, bob, cat) if b is not winner)
    entries = loser.open("/entries?tab=past")  # another buyer bought it: a past entry
    card = entries.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("standing")).to_contain_text("Another buyer bought", timeout=LONG)
    expect(card.get_by_test_id("mileage-earned")).to_have_count(0)  # nothing earned: not shown
    page.reload()
    expect(page.get_by_test_id("balanced")).to_have_text("✓", timeout=LONG)
    expect(page.get_by_test_id("escrow")).to_have_text("₩0")
    expect(page.get_by_test_id("payout")).to_contain_text("waiting for the transfer")
    seller.shot(artifacts, "statement")
    _usable(page, "seller's listing")

    page = ann.open(f"/draw/{lid}")
    page.get_by_role("button", name="Verify it yourself").click()
    expect(page.get_by_test_id("verdict")).to_contain_text("It matches", timeout=LONG)
    ann.shot(artifacts, "draw-verified")
    _usable(page, "draw")
    page = seller.open("/sell")
    expect(page.get_by_role("heading", name="New listing")).to_be_visible()
    _usable(page, "sell")
    seller.shot(artifacts, "sell")
    operator = Person.sign_in(browser, base, f"op{run}", "operator")
    page = operator.open("/operator")
    expect(page.get_by_role("heading", name="Payouts waiting")).to_be_visible()
    policy = page.get_by_test_id("policy")
    expect(policy).to_contain_text("Seller deposit5% of the price, rounded up")
    row = policy.get_by_role("row", name=re.compile("^Second payment within"))
    expect(row.get_by_role("cell").last).to_have_text("7 days")  # the template's longest
    operator.shot(artifacts, "operator")
    _usable(page, "operator")
    # the operator makes the transfer and records it; the seller sees the payout paid
    # in full while it waits: the bank, the number (as its digits) and the holder
    digits = account_digits(seller.name)
    to = f"KB국민 {digits} ({seller.name.title()} Kim)"
    payout = page.get_by_role("listitem").filter(has_text=to)
    payout.get_by_label("Transfer reference").fill("KB-TRANSFER-1")
    _confirm(payout, "Record as paid")
    expect(payout).to_have_count(0, timeout=LONG)
    page = seller.open(f"/sell/{lid}")
    payout = page.get_by_test_id("payout")
    expect(payout).to_contain_text("₩10,000 · paid on", timeout=LONG)
    expect(payout).to_contain_text(f"to KB국민 …{digits[-4:]}")  # its bank and last 4 digits
    expect(payout).to_contain_text("transfer reference KB-TRANSFER-1")


def test_a_drawn_buyer_who_gives_up_hands_the_draw_to_the_next_and_nobody_buying_is_unsold(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    seller = Person.sign_in(browser, base, f"sid{run}", "seller")
    lid = _create_listing(seller, f"Lamp {run}", price=2_000, np=2, limit=1, second_payment_hours=3)
    page = seller.open(f"/listing/{lid}")
    page.get_by_text("Deadlines").click()
    expect(page.get_by_test_id("deadlines")).to_contain_text("Second payment within3 hours")
    dan, eve = (Person.sign_in(browser, base, f"{n}{run}", "buyer") for n in ("dan", "eve"))
    for b in (dan, eve):
        _enter(b, lid, 1)
        b.pay_checkout()
    first = _drawn([dan, eve], lid)
    other = eve if first is dan else dan
    page = other.open("/entries")
    standing = page.get_by_test_id(f"entry-{lid}").get_by_test_id("standing")
    expect(standing).to_contain_text("Another buyer was drawn")
    _confirm(first.page, "Give up")
    expect(standing).to_contain_text("Drawn!", timeout=LONG)
    _confirm(page, "Give up")
    # nobody left to draw: the listing ends unsold and the money goes back as the rules say
    for person in (first, other):
        mine = (
            person.open("/entries?tab=past")
            .get_by_test_id(f"entry-{lid}")
            .get_by_test_id("standing")
        )
        expect(mine).to_contain_text("gave up or let the deadline pass", timeout=LONG)
    page = seller.open(f"/sell/{lid}")
    expect(page.get_by_text("Unsold")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("balanced")).to_have_text("✓", timeout=LONG)
    expect(page.get_by_test_id("escrow")).to_have_text("₩0", timeout=LONG)
    # why, in words: every drawn buyer passed; what went where
    now = page.get_by_test_id("seller-now")
    expect(now).to_contain_text("every drawn buyer passed", timeout=LONG)
    expect(now).to_contain_text("they go to the operator, not to you")
    seller.shot(artifacts, "unsold-statement")


def test_korean_english_phone_width_and_accessibility(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    base = web_stack.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    page.goto(f"{base}/#/")
    expect(page.get_by_role("heading", level=1)).to_have_text("진행 중인 추첨")
    assert page.evaluate("document.documentElement.lang") == "ko"
    settled(page, "/")  # the listings, or the words saying there are none
    page.screenshot(path=str(artifacts / "browse-ko-phone.png"), full_page=True)
    for route in ("/", "/signin"):
        page.goto(f"{base}/#{route}")
        settled(page, route)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (route, width)
        serious = _axe(page)
        assert serious == [], json.dumps(serious, ensure_ascii=False)[:2000]
    page.get_by_label("언어").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.evaluate("document.documentElement.lang") == "en"
