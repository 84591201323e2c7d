"""A newcomer on a phone, in Korean or English, is never surprised: refusals in their language
next to their field, the whole cost and the refund rule before paying, a question before every
step that cannot be undone, entries that read right after the sale, the draw in words, amounts
that never break across lines, and a page that explains it all. The set-up that is not under test
goes through the API (as the stack's own clients would), the rest through the page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tombola_dev.accounts import account_digits, payout_account
from tombola_dev.client import Client, User
from tombola_dev.process import RunningStack

from tests.browser.people import Person, settled
from tests.browser.test_web import LONG, _confirm, _run, _usable

pytestmark = pytest.mark.browser
# conftest's policy: FeeK 500, so P2 = Pp + 500 − P1 × Nr


# ------------------------------------------------------------------ set-up through the API


def _api(base: str, person: Person) -> User:
    """The same person calling the API directly (the stack's local tokens)."""
    return User(Client(base), person.name, (person.group,))


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def _seller(base: str, name: str) -> User:
    """A seller with a profile (a KB국민 payout account of their own), through the API."""
    seller = User(Client(base), name, ("seller",))
    profile = {"name": "S", "email": "s@example.com", "phone": "+82 10 1111 2222"}
    account = payout_account(name)
    seller.ok("PUT", "/me/profile", profile | {"address": "Seoul", "payout_account": account})
    return seller


def _status(base: str, lid: str) -> str:
    return str(Client(base).ok("GET", f"/listings/{lid}")["status"])


def _pay(base: str, checkout: dict[str, Any]) -> None:
    Client(base).ok("POST", f"/sandbox/checkouts/{checkout['checkout_id']}/pay")


def _listing(
    base: str,
    seller: User,
    title: str,
    *,
    price: int,
    np: int,
    limit: int,
    pay: bool = True,
    closes_in: float = 3600,
) -> str:
    created = seller.ok(
        "POST",
        "/listings",
        {
            "title": title,
            "price": price,
            "expected_entrants": np,
            "ticket_limit": limit,
            "closes_at": (datetime.now(UTC) + timedelta(seconds=closes_in)).isoformat(),
        },
        expect=201,
    )
    lid = str(created["listing"]["listing_id"])
    if pay:
        _pay(base, created["deposit"]["checkout"])
        _wait(lambda: _status(base, lid) == "open", "the listing opens")
    return lid


def _buy(base: str, buyer: User, lid: str, tickets: int) -> None:
    entry = buyer.ok("POST", f"/listings/{lid}/entries", {"tickets": tickets}, expect=201)
    _pay(base, entry["checkout"])


def _candidate(buyers: list[tuple[Person, User]], lid: str) -> tuple[Person, Person]:
    """(the drawn buyer, the other) once the draw has named one."""

    def drawn() -> Person | None:
        for person, user in buyers:
            mine = [e for e in user.ok("GET", "/me/entries")["entries"] if e["listing_id"] == lid]
            if any(e["candidate"] for e in mine):
                return person
        return None

    _wait(lambda: drawn() is not None, "the draw")
    first = drawn()
    assert first is not None
    return first, next(p for p, _ in buyers if p is not first)


# digits and hyphens as a Korean keyboard's full-width mode types them
WIDE = str.maketrans("0123456789-", "".join(chr(0xFF10 + n) for n in range(10)) + "\uff0d")


def _korean(page: Page) -> None:
    page.get_by_label("Language").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def _english(page: Page) -> None:
    page.get_by_label("언어").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


# Amounts in any page: "₩10,000" or "10,000원". Each must sit in an element that does not wrap,
# and no amount may be laid out on two lines.
MONEY_WRAPS = """() => {
  const re = /(₩\\s?[\\d,]+|[\\d,]+원)/;
  const loose = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!re.test(n.textContent)) continue;
    const el = n.parentElement;
    const hidden = "svg, option, script, style, dialog:not([open]), details:not([open])";
    if (!el || el.closest(hidden)) continue;
    if (el.getClientRects().length === 0) continue;
    if (getComputedStyle(el).whiteSpace !== "nowrap") loose.push(n.textContent);
  }
  const broken = [...document.querySelectorAll(".money")]
    .filter((m) => m.getClientRects().length > 1).map((m) => m.textContent);
  return { loose, broken };
}"""


# Values that read as one (ticket counts "2 / 6", countdowns, dates, tracking numbers, pseudonyms,
# ticket ids) each on one line: one box, no taller than a line; and the header's items in at most
# two rows, none of them broken over two lines.
VALUES_HOLD = """() => {
  const sel = ".count-of, .countdown, .nowrap, .tracking, .pseudonym, .when, .ticket, time";
  const hidden = "svg, option, dialog:not([open]), details:not([open])";
  // two lines make a box at least a line and a half high (an inline box has one rect per text
  // node, so the rects are not counted)
  const oneLine = (el) => {
    const lh = parseFloat(getComputedStyle(el).lineHeight) || 24;
    return el.getBoundingClientRect().height <= lh * 1.5;
  };
  const broken = [...document.querySelectorAll(sel)]
    .filter((el) => !el.closest(hidden) && el.getClientRects().length > 0 && !oneLine(el))
    .map((el) => el.textContent);
  const items = [...document.querySelectorAll("header nav > *")].filter(
    (el) => el.getBoundingClientRect().height > 0,
  );
  const rows = [];
  for (const el of items) {
    const r = el.getBoundingClientRect();
    const mid = (r.top + r.bottom) / 2;
    if (!rows.some((row) => mid >= row.top && mid <= row.bottom)) rows.push(r);
  }
  const headerBroken = items
    .filter((el) => el.tagName !== "LABEL" && !oneLine(el))
    .map((el) => el.textContent);
  return { broken, rows: rows.length, headerBroken };
}"""


def _amounts_hold(page: Page, what: str) -> None:
    """Amounts, and the values that read as one, each on one line at 390 and 1,200 px; the
    header in at most two rows."""
    size = page.viewport_size
    for width in (390, 1200):
        page.set_viewport_size({"width": width, "height": 844})
        out = page.evaluate(MONEY_WRAPS)
        assert out == {"loose": [], "broken": []}, (what, width, out)
        values = page.evaluate(VALUES_HOLD)
        assert values["broken"] == [], (what, width, values)
        assert values["headerBroken"] == [], (what, width, values)
        assert values["rows"] <= 2, (what, width, values)
    if size is not None:
        page.set_viewport_size(size)


# ------------------------------------------------------------------ 1. errors in words


def test_refusals_are_in_words_next_to_their_field_and_forms_survive_a_language_switch(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    seller = Person.sign_in(browser, base, f"ela{run}", "seller", width=390)
    page = seller.open("/sell")
    page.get_by_label("Item").fill(f"Kettle {run}")
    preview = page.get_by_test_id("preview")
    price = page.get_by_label("Price (KRW)")
    for bad in ("-5", "0", "99999999999999999999"):
        price.fill(bad)
        # never "one ticket ₩0, deposit ₩0": the bound the server would refuse by instead
        expect(preview).not_to_contain_text("₩0")
        expect(preview).to_contain_text("₩1,000,000,000,000,000")
        field = page.locator(".field", has=price)
        expect(field.get_by_role("alert")).to_have_text(
            "Enter a whole number from ₩1 to ₩1,000,000,000,000,000."
        )
    page.get_by_label("Second payment within", exact=True).fill("0")
    deadline = page.locator(".field", has=page.get_by_label("Second payment within", exact=True))
    expect(deadline.get_by_role("alert")).to_have_text("Choose from 1 second to 7 days.")
    seller.shot(artifacts, "sell-bounds")

    # the language changes, what was typed stays, and the words follow
    _korean(page)
    expect(page.get_by_label("상품명")).to_have_value(f"Kettle {run}")
    expect(page.get_by_label("가격 (KRW)")).to_have_value("99999999999999999999")
    expect(
        page.locator(".field", has=page.get_by_label("가격 (KRW)")).get_by_role("alert")
    ).to_have_text("1원에서 1,000,000,000,000,000원 사이의 정수로 입력하세요.")
    expect(preview).to_contain_text("1,000,000,000,000,000원")
    page.get_by_label("가격 (KRW)").fill("5000")
    expect(
        page.locator(".field", has=page.get_by_label("가격 (KRW)")).get_by_role("alert")
    ).to_have_count(0)
    expect(preview).to_contain_text("응모권 1장 50원")
    expect(page.get_by_test_id("deposit-preview")).to_have_text("250원")
    _usable(page, "sell, Korean, bounds")

    # the server's refusal, by its code and type, in Korean next to its field; cleared on change
    page = seller.open("/profile")
    email = page.get_by_label("이메일")
    email.fill("ela@example")  # a browser takes it; the server wants a dot after the @
    page.get_by_role("button", name="프로필 저장").click()
    alert = page.locator(".field", has=email).get_by_role("alert")
    expect(alert).to_have_text("name@example.com 같은 이메일 주소를 입력하세요.")
    expect(page.locator("main")).not_to_contain_text("String should match")
    assert "pattern" in (alert.get_attribute("title") or "")  # the server's words, as a detail
    seller.shot(artifacts, "profile-error-ko")
    email.fill("ela@example.com")
    expect(alert).to_have_count(0)
    page.get_by_role("button", name="프로필 저장").click()
    expect(page.get_by_role("status")).to_have_text("저장되었습니다.")


def test_a_korean_seller_signs_in_by_their_name_and_gives_a_payout_account_as_typed(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    """The local sign-in takes a Korean user name; the payout account is a bank from the list, a
    number typed the Korean way (full-width digits, hyphens) and the holder's Korean name; a
    number too short is said in Korean next to its field before sending."""
    run, base = _run(), web_stack.url
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(f"{base}/#/signin")
    user = f"김민지{run}"
    page.get_by_label("사용자 이름").fill(user)
    page.get_by_label("역할").select_option("seller")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="내 프로필")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("link", name=f"{user} (판매자)")).to_be_visible()
    page.get_by_label("이름", exact=True).fill("김민지")
    page.get_by_label("이메일").fill("minji@example.com")
    page.get_by_label("전화번호").fill("010-1234-5678")
    page.get_by_label("주소", exact=True).fill("서울시 종로구 1")
    page.get_by_label("정산 은행").select_option(label="신한")
    number = page.get_by_label("정산 계좌번호")
    number.fill("110-123".translate(WIDE))  # six digits
    page.get_by_label("정산 계좌 예금주").fill("김민지")
    page.get_by_role("button", name="프로필 저장").click()
    alert = page.locator(".field", has=number).get_by_role("alert")
    expect(alert).to_have_text("계좌번호는 숫자 10~16자리입니다. 입력한 번호는 6자리입니다.")
    _usable(page, "profile, a payout account number too short")
    seller_shot = artifacts / "payout-account-ko.png"
    page.screenshot(path=str(seller_shot), full_page=True)
    number.fill("110-123-456789".translate(WIDE))
    expect(alert).to_have_count(0)
    page.get_by_role("button", name="프로필 저장").click()
    expect(page.get_by_role("status")).to_have_text("저장되었습니다.")
    kept = User(Client(base), user, ("seller",)).ok("GET", "/me/profile")["payout_account"]
    assert kept == {
        "bank": "088",
        "bank_name": "신한",
        "number": "110123456789",
        "holder_name": "김민지",
        "masked": "신한 …6789",
    }
    page.reload()
    expect(page.get_by_label("정산 계좌번호")).to_have_value("110123456789")
    context.close()


def test_signing_in_lands_on_the_roles_page_once_the_profile_is_complete(
    browser: Browser, web_stack: RunningStack
) -> None:
    run, base = _run(), web_stack.url
    buyer = User(Client(base), f"lbu{run}", ("buyer",))
    buyer.ok(
        "PUT",
        "/me/profile",
        {"name": "B", "email": "b@example.com", "phone": "010-1234-5678", "address": "Seoul"},
    )
    Person.sign_in(browser, base, buyer.user_id, "buyer", known=True)  # lands on #/entries
    # a seller's profile is complete with the payout account a listing needs
    seller = User(Client(base), f"lse{run}", ("seller",))
    seller.ok(
        "PUT",
        "/me/profile",
        {"name": "S", "email": "s@example.com", "phone": "010-1234-5678", "address": "Seoul"},
    )
    Person.sign_in(browser, base, seller.user_id, "seller")  # no payout account: the profile first
    Person.sign_in(browser, base, _seller(base, f"lsf{run}").user_id, "seller", known=True)
    # a newcomer fills the profile in first, and lands on their page the next time
    newcomer = Person.sign_in(browser, base, f"lnb{run}", "buyer")
    newcomer.page.get_by_role("button", name="Sign out").click()
    expect(newcomer.page.get_by_role("link", name="Sign in")).to_be_visible()
    newcomer.open("/signin")
    newcomer.page.get_by_label("User name").fill(newcomer.name)
    newcomer.page.get_by_label("Role").select_option("buyer")
    newcomer.page.get_by_role("button", name="Sign in").click()
    expect(newcomer.page).to_have_url(re.compile(r"#/entries$"))
    # the operator has no profile to fill in: straight to the operator's page, the first time
    Person.sign_in(browser, base, f"lop{run}", "operator")


def test_paying_with_mileage_without_a_balance_says_so(
    browser: Browser, web_stack: RunningStack
) -> None:
    run, base = _run(), web_stack.url
    seller = _seller(base, f"mse{run}")
    lid = _listing(base, seller, f"Mug {run}", price=10_000, np=10, limit=4)
    buyer = Person.sign_in(browser, base, f"mbu{run}", "buyer")
    page = buyer.open(f"/listing/{lid}")
    expect(page.get_by_test_id("mileage-balance")).to_have_text("Your mileage: ₩0")
    page.get_by_role("button", name="Pay with mileage").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Not enough mileage for these tickets. Pay by card, or choose fewer tickets."
    )
    _korean(page)  # the same refusal, now in Korean
    expect(page.get_by_role("alert")).to_have_text(
        "마일리지가 부족합니다. 카드로 결제하거나 응모권 수를 줄이세요."
    )


# ------------------------------------------------------------------ 2. before paying


def test_before_paying_the_refund_rule_and_the_whole_cost_counting_tickets_held(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    seller = _seller(base, f"wse{run}")
    title = f"Radio {run}"
    lid = _listing(base, seller, title, price=10_000, np=10, limit=4)
    buyer = Person.sign_in(browser, base, f"wbu{run}", "buyer", width=390)
    _buy(base, _api(base, buyer), lid, 2)
    _wait(lambda: Client(base).ok("GET", f"/listings/{lid}")["paid_tickets"] == 2, "2 tickets")

    page = buyer.open(f"/listing/{lid}")
    rule = page.get_by_test_id("refund-rule")
    expect(rule).to_contain_text(
        "The ticket price (P1) is not refunded, whether you are drawn or not."
    )
    expect(rule).to_contain_text("ends unsold or is cancelled")
    expect(page.get_by_test_id("tickets-held")).to_contain_text("You already hold 2 tickets")
    page.get_by_label("Tickets").fill("2")
    # P1 × (2 held + 2 now) + P2 = 4,000 + (10,000 + 500 − 1,000 × 4) = 10,500
    expect(page.get_by_test_id("worst-case")).to_have_text("₩10,500")
    expect(page.get_by_test_id("worst-case-parts")).to_contain_text("2 you hold + 2 now")
    expect(page.get_by_test_id("total-now")).to_have_text("₩2,000")
    buyer.shot(artifacts, "listing-worst-case")
    _usable(page, "listing with tickets held")
    page.get_by_label("Tickets").fill("3")  # 2 + 3 > 4
    expect(page.get_by_role("alert")).to_have_text(
        "You may hold at most 4 tickets on this listing; 2 left for you."
    )
    page.get_by_label("Tickets").fill("2")
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_role("button", name="Enter and pay").click()
    expect(page).to_have_url(re.compile(r"#/checkout/"))
    expect(page.get_by_test_id("checkout-item")).to_have_text(title)
    expect(page.get_by_test_id("checkout-what")).to_have_text("2 tickets (₩1,000 each)")
    expect(page.get_by_test_id("checkout-amount")).to_have_text("₩2,000")
    buyer.shot(artifacts, "checkout")
    _usable(page, "checkout")


# ------------------------------------------------------------------ 3. irreversible steps ask first


def _drawn_pair(
    browser: Browser, base: str, run: str, tag: str
) -> tuple[str, Person, Person, User]:
    seller = _seller(base, f"{tag}s{run}")
    lid = _listing(base, seller, f"Lamp {tag} {run}", price=2_000, np=2, limit=1)
    people = [Person.sign_in(browser, base, f"{tag}{n}{run}", "buyer") for n in ("a", "b")]
    pairs = [(p, _api(base, p)) for p in people]
    for _, user in pairs:
        _buy(base, user, lid, 1)
    first, other = _candidate(pairs, lid)
    return lid, first, other, seller


def test_giving_up_asks_first_and_cancel_does_nothing(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    lid, first, _, _ = _drawn_pair(browser, base, run, "gu")
    page = first.open("/entries")
    card = page.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("standing")).to_contain_text("Drawn!")
    _amounts_hold(page, "entries, drawn: the countdown")
    card.get_by_role("button", name="Give up").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_name("Give up this item?")
    expect(dialog).to_contain_text("You will not pay the second payment of ₩500")
    expect(dialog).to_contain_text("₩1,000 you paid for your tickets is not refunded")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    first.shot(artifacts, "give-up-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(card.get_by_role("button", name="Give up")).to_be_focused()
    card.get_by_role("button", name="Give up").click()
    page.keyboard.press("Escape")  # the same as Cancel
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.wait_for_timeout(1500)
    assert _status(base, lid) == "awaiting_second_payment"
    page.reload()
    expect(card.get_by_test_id("standing")).to_contain_text("Drawn!")
    _confirm(card, "Give up")
    page = first.open("/entries?tab=past")
    expect(page.get_by_test_id(f"entry-{lid}").get_by_test_id("standing")).to_contain_text(
        "gave up or let the deadline pass", timeout=LONG
    )


def _bought(browser: Browser, base: str, run: str, tag: str) -> tuple[str, Person, Person, User]:
    """A sale whose drawn buyer paid the rest: the final buyer, before shipping."""
    lid, winner, other, seller = _drawn_pair(browser, base, run, tag)
    due = _api(base, winner).ok("POST", f"/listings/{lid}/second-payment")
    _pay(base, due["checkout"])
    _wait(lambda: _status(base, lid) == "final_buyer", "the final buyer")
    return lid, winner, other, seller


def test_receipt_a_dispute_and_a_recorded_payout_ask_first(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    lid, winner, _, seller = _bought(browser, base, run, "rc")
    seller.ok(
        "POST",
        f"/listings/{lid}/shipment",
        {"carrier": "CJ대한통운", "tracking_number": "6001-2002-3003"},  # kept as its digits
    )
    Client(base).ok("POST", f"/sandbox/carrier/{lid}", {"event": "delivered"})
    _wait(lambda: _status(base, lid) == "delivered", "delivery")
    page = winner.open("/entries")
    card = page.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("standing")).to_have_text("Delivered: CJ대한통운 600120023003")
    _amounts_hold(page, "entries, delivered: the tracking number")
    for button, title in (("Confirm receipt", "Did you receive the item?"),):
        card.get_by_role("button", name=button).click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_have_accessible_name(title)
        expect(dialog).to_contain_text("the seller is paid the price, ₩2,000")
        expect(dialog).to_contain_text("You paid ₩1,500 in all")  # P1 1,000 + P2 500
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
    # a dispute needs a reason, said next to its field before anything is asked
    card.locator("summary", has_text="Something wrong with the item?").click()
    card.get_by_role("button", name="Open a dispute").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    reason = page.get_by_label("Reason")  # (a "has" locator is not scoped to the card)
    expect(card.locator(".field", has=reason).get_by_role("alert")).to_have_text("Required.")
    reason.fill("The box was empty")
    expect(card.locator(".field", has=reason).get_by_role("alert")).to_have_count(0)
    card.get_by_role("button", name="Open a dispute").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Open a dispute?")
    expect(dialog).to_contain_text("The money stays held")
    winner.shot(artifacts, "dispute-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(1500)
    assert _status(base, lid) == "delivered"  # Cancel did nothing
    _confirm(card, "Open a dispute", "Open the dispute")
    _wait(lambda: _status(base, lid) == "disputed", "the dispute")

    # the operator's card says what to decide: the reason, the shipment, the money
    operator = Person.sign_in(browser, base, f"rco{run}", "operator")
    page = operator.open("/operator")
    dispute = page.get_by_test_id(f"dispute-{lid}")
    reason = dispute.get_by_test_id("dispute-reason")
    expect(reason).to_have_text("The box was empty", timeout=LONG)
    expect(dispute.get_by_test_id("dispute-shipment")).to_contain_text("CJ대한통운 600120023003")
    tracking = dispute.get_by_test_id("tracking-link")
    expect(tracking).to_have_attribute("href", re.compile(r"cjlogistics\.com.*600120023003"))
    listing_link = dispute.get_by_role("link", name=f"Lamp rc {run}")
    expect(listing_link).to_have_attribute("href", f"#/listing/{lid}")
    _amounts_hold(page, "operator: a dispute to decide")
    dispute.get_by_role("button", name="Refund the buyer").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Refund the buyer?")
    expect(dialog).to_contain_text("gets the second payment of ₩500 back")
    expect(dialog).to_contain_text("₩2,000 for 2 tickets")
    dialog.get_by_role("button", name="Cancel").click()
    dispute.get_by_role("button", name="Pay the seller").click()
    expect(dialog).to_have_accessible_name("Pay the seller?")
    expect(dialog).to_contain_text("The seller is paid the price, ₩2,000")
    expect(dialog).to_contain_text("What the buyers paid (₩2,500")
    operator.shot(artifacts, "dispute-decision")
    dialog.get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(1000)
    assert _status(base, lid) == "disputed"  # Cancel did nothing
    _confirm(dispute, "Pay the seller")
    expect(dispute).to_have_count(0, timeout=LONG)
    # decided: in the history, once, with the decision and the money it moved
    decided = page.get_by_test_id("decided-disputes").get_by_role("row")
    decided = decided.filter(has_text=f"Lamp rc {run}")
    expect(decided).to_have_count(1, timeout=LONG)
    expect(decided).to_contain_text("Seller paid ₩2,000")
    expect(decided).to_contain_text("The box was empty")
    expect(decided).to_contain_text("600120023003")
    _amounts_hold(page, "operator: the decided disputes")
    _wait(lambda: _status(base, lid) == "settled", "settlement")

    # waiting: the account in full, to transfer to (the bank, the number's digits, the holder)
    digits = account_digits(f"rcs{run}")
    to = f"KB국민 {digits} (Name rcs{run})"
    payout = page.get_by_role("listitem").filter(has_text=to)
    expect(payout).to_have_count(1, timeout=LONG)
    # the item by its title, the listing's id as a small link beside it
    expect(payout.get_by_test_id("payout-item")).to_contain_text(f"Lamp rc {run}")
    payout.get_by_role("button", name="Record as paid").click()  # no reference yet: said first
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(payout.get_by_role("alert")).to_have_text("Required.")
    payout.get_by_label("Transfer reference").fill("KB-T-9")
    payout.get_by_role("button", name="Record as paid").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Record this payout as paid?")
    expect(dialog).to_contain_text(f"₩2,000 was transferred to {to} (reference KB-T-9)")
    dialog.get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(1000)
    expect(payout).to_have_count(1)
    _confirm(payout, "Record as paid")
    expect(payout).to_have_count(0, timeout=LONG)
    # and it is in the history, with its transfer's reference
    history = page.get_by_test_id("paid-payouts").get_by_role("row").filter(has_text="KB-T-9")
    # the account it went to by its last characters only, once paid
    expect(history).to_contain_text(f"KB국민 …{digits[-4:]}", timeout=LONG)
    expect(history).not_to_contain_text(digits)
    expect(history).not_to_contain_text(f"rcs{run}")  # nor the holder's name
    expect(history).to_contain_text("₩2,000")
    expect(history).to_contain_text(f"Lamp rc {run}")
    operator.shot(artifacts, "payout-history")
    _usable(page, "operator with its payout history")


# ------------------------------------------------------------------ 4. my entries


def test_my_entries_after_a_sale_and_the_sellers_words(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    lid, winner, loser, seller_api = _bought(browser, base, run, "me")
    seller = Person.sign_in(browser, base, seller_api.user_id, "seller", known=True)
    page = seller.open(f"/sell/{lid}")
    expect(page.get_by_text("Sold: awaiting shipment")).to_be_visible()
    expect(page.get_by_test_id("seller-now")).to_contain_text(
        "The buyer has paid in full. Ship the item"
    )
    expect(page.locator("main")).not_to_contain_text("Buyer confirmed")
    page.get_by_label("Carrier").fill("CJ대한통운")
    tracking = page.get_by_label("Tracking number")
    field = page.locator(".field", has=page.locator("#tracking_number"))  # in either language
    expect(field).to_contain_text("CJ대한통운: 10 or 12 digits")
    # a count of digits CJ never uses is said next to the field, before anything is sent
    tracking.fill("6001-2002")
    page.get_by_role("button", name="Enter shipment").click()
    alert = field.get_by_role("alert")
    expect(alert).to_have_text("A CJ대한통운 tracking number has 10 or 12 digits; this one has 8.")
    _korean(page)
    expect(alert).to_have_text(
        "CJ대한통운 운송장 번호는 숫자 10 또는 12자리입니다. 입력한 번호는 8자리입니다."
    )
    _english(page)
    assert _status(base, lid) == "final_buyer"
    # full-width digits and hyphens, as a Korean keyboard types them: sent as the digits
    tracking.fill("6001-2002-3099".translate(WIDE))  # one digit group mistyped
    expect(alert).to_have_count(0)
    page.get_by_role("button", name="Enter shipment").click()
    shipped = page.get_by_test_id("seller-shipment")
    expect(shipped).to_contain_text("CJ대한통운 600120023099", timeout=LONG)
    # corrected while the carrier has said nothing; the buyer is told the new number
    shipped.get_by_role("button", name="Correct the tracking number").click()
    expect(page.get_by_label("Tracking number")).to_have_value("600120023099")
    page.get_by_label("Tracking number").fill("6001-2002-3003")
    page.get_by_role("button", name="Save the correction").click()
    expect(shipped).to_contain_text("CJ대한통운 600120023003 (corrected)", timeout=LONG)
    expect(page.get_by_label("Tracking number")).to_have_count(0)
    told = winner.open("/notifications").get_by_test_id("note-ShipmentCorrected")
    expect(told).to_contain_text("corrected the tracking number", timeout=LONG)
    expect(told).to_contain_text("600120023003")
    Client(base).ok("POST", f"/sandbox/carrier/{lid}", {"event": "delivered"})
    _api(base, winner).ok("POST", f"/listings/{lid}/confirm")
    _wait(lambda: _status(base, lid) == "settled", "settlement")
    page.reload()
    expect(shipped).to_contain_text("CJ대한통운 600120023003")  # still there once the sale is over
    expect(page.get_by_test_id("seller-now")).to_contain_text("Complete")

    page = winner.open("/entries")
    expect(page.get_by_test_id(f"entry-{lid}")).to_have_count(0)  # not a current entry
    page.get_by_role("tab", name=re.compile("^Past")).click()
    card = page.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("standing")).to_have_text(
        "You bought this item. The sale is complete."
    )
    expect(card.get_by_test_id("total-paid")).to_have_text("₩1,500")  # P1 1,000 + P2 500
    link = card.get_by_test_id("shipment").get_by_role("link", name="600120023003")
    expect(link).to_have_attribute("href", re.compile(r"cjlogistics\.com/.*600120023003"))
    for stale in ("Shipped", "Time left", "Left to pay if drawn now"):
        expect(card).not_to_contain_text(stale)
    winner.shot(artifacts, "entries-past")
    _usable(page, "my entries, past")
    listing = winner.open(f"/listing/{lid}")
    expect(listing.get_by_test_id("listing-phase")).to_have_text("Sold")
    for stale in ("Time left", "Left to pay if drawn now", "0h 0m 0s"):
        expect(listing.locator("main")).not_to_contain_text(stale)

    page = loser.open("/entries?tab=past")
    expect(page.get_by_test_id(f"entry-{lid}").get_by_test_id("standing")).to_have_text(
        "Another buyer bought this item. Tickets that were not drawn are not refunded."
    )


def test_a_failed_payment_says_so_and_offers_to_try_again(
    browser: Browser, web_stack: RunningStack
) -> None:
    run, base = _run(), web_stack.url
    seller = _seller(base, f"fse{run}")
    lid = _listing(base, seller, f"Clock {run}", price=10_000, np=10, limit=4)
    buyer = Person.sign_in(browser, base, f"fbu{run}", "buyer")
    page = buyer.open(f"/listing/{lid}")
    page.get_by_label("Tickets").fill("3")
    page.get_by_role("button", name="Enter and pay").click()
    page.get_by_role("button", name="Make the payment fail").click()
    expect(page).to_have_url(re.compile(r"#/entries"), timeout=10_000)
    card = page.get_by_test_id(f"entry-{lid}")
    expect(card.get_by_test_id("standing")).to_have_text("Your payment did not go through")
    expect(card.get_by_test_id("payment-failed")).to_contain_text(
        "The payment for 3 tickets (₩3,000) did not go through"
    )
    card.get_by_role("link", name="Try again").click()
    expect(page.get_by_label("Tickets")).to_have_value("3")


def test_a_seller_opening_a_listing_that_is_not_public_reads_why(
    browser: Browser, web_stack: RunningStack
) -> None:
    run, base = _run(), web_stack.url
    seller = Person.sign_in(browser, base, f"use{run}", "seller")
    api = _api(base, seller)
    waiting = _listing(base, api, f"Desk {run}", price=10_000, np=10, limit=4, pay=False)
    gone = _listing(base, api, f"Chair {run}", price=10_000, np=10, limit=4, pay=False, closes_in=2)
    page = seller.open(f"/sell/{waiting}")
    expect(page.get_by_test_id("seller-now")).to_contain_text("Waiting for your deposit of ₩500")
    expect(page.get_by_role("button", name="Pay the deposit")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("no listing")
    _wait(
        lambda: any(
            x["listing_id"] == gone and x["status"] == "cancelled"
            for x in api.ok("GET", "/me/listings")["listings"]
        ),
        "the unpaid listing cancelled",
    )
    page = seller.open(f"/sell/{gone}")
    expect(page.get_by_test_id("seller-now")).to_have_text(
        "Cancelled: the deposit was not paid in time, so the listing never opened. "
        "Nothing was charged."
    )
    _korean(page)
    expect(page.get_by_test_id("seller-now")).to_contain_text("보증금이 기한 안에 결제되지 않아")


# ------------------------------------------------------------------ 5. the draw in words


def test_the_draw_page_says_what_each_value_proves_and_where_you_stand(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    lid, first, other, _ = _drawn_pair(browser, base, run, "dr")
    page = first.open(f"/draw/{lid}")
    expect(page.get_by_test_id("your-place")).to_contain_text(
        "You were drawn! Pay the second payment on My entries.", timeout=LONG
    )
    steps = page.get_by_test_id("draw-steps")
    expect(steps).to_contain_text("Published when the listing opened, before anyone entered.")
    expect(steps).to_contain_text("Fixed when entries closed")
    expect(steps).to_contain_text("Revealed at the draw.")
    expect(steps).to_contain_text("proves no ticket was added or removed after the close")
    ticket = page.get_by_test_id("your-tickets").locator(".ticket").first
    full = ticket.get_attribute("title") or ""
    assert re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-1", ticket.inner_text()), ticket.inner_text()
    assert full.startswith("E"), full
    assert full.endswith("-1"), full
    assert len(full) > 12, full
    page.get_by_test_id("back-to-item").click()
    expect(page).to_have_url(re.compile(f"#/listing/{lid}$"))

    page = other.open(f"/draw/{lid}")
    # the place the notice told them, before anyone verifies the whole draw
    expect(page.get_by_test_id("your-place")).to_contain_text(
        "You are 2nd in line (1 ahead of you).", timeout=LONG
    )
    # their own tickets, checked in the page without the transcript: proof, beacon, rank, place
    mine = page.get_by_test_id("mine-check")
    expect(mine).to_contain_text("is in the sealed ticket list", timeout=LONG)
    expect(mine).to_contain_text("signed by the beacon chain")
    expect(mine.locator("[data-check=bad]")).to_have_count(0)
    expect(page.get_by_test_id("mine-place")).to_contain_text("Your place in the order: 2nd")
    expect(page.get_by_test_id("mine-problems")).to_have_count(0)
    expect(page.get_by_test_id("beacon-step")).to_contain_text("this service's own test beacon")
    expect(page.get_by_test_id("beacon-used")).to_contain_text("The draw used round")
    page.get_by_role("button", name="Verify it yourself").click()
    expect(page.get_by_test_id("verdict")).to_contain_text("It matches", timeout=LONG)
    expect(page.get_by_test_id("your-place")).to_contain_text(
        "You are 2nd in line (1 ahead of you)."
    )
    expect(page.get_by_test_id("checks")).to_contain_text(
        "The revealed seed's fingerprint equals the commitment published first."
    )
    expect(page.get_by_test_id("checks")).to_contain_text(
        "The beacon round is the one fixed in advance, and its signature is the beacon chain's."
    )
    expect(page.get_by_test_id("checks")).not_to_contain_text("✗")
    other.shot(artifacts, "draw-in-words")
    _usable(page, "draw, in words")
    _korean(page)
    expect(page.get_by_test_id("your-place")).to_contain_text("추첨 순서에서 2번째입니다")


# ------------------------------------------------------------------ 6. polish


def test_amounts_never_wrap_and_read_as_their_readers_write_them(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    seller = Person.sign_in(browser, base, f"pse{run}", "seller")
    lid = _listing(base, _api(base, seller), f"Bicycle {run}", price=10_000, np=10, limit=4)
    buyer = Person.sign_in(browser, base, f"pbu{run}", "buyer", width=390)
    _buy(base, _api(base, buyer), lid, 2)
    routes = ("/", f"/listing/{lid}", "/entries", f"/draw/{lid}", "/notifications", "/profile")
    for route in (*routes, "/how"):
        page = buyer.settled(route)
        _amounts_hold(page, route)
    page = buyer.open(f"/listing/{lid}")
    expect(page.get_by_test_id("total-now")).to_have_text("₩1,000", timeout=LONG)
    _korean(page)
    expect(page.get_by_test_id("total-now")).to_have_text("1,000원")
    expect(page.locator("main")).to_contain_text("10,000원")
    expect(page.locator("main")).not_to_contain_text("₩")
    _amounts_hold(page, "listing, Korean")
    buyer.shot(artifacts, "listing-ko-phone")
    for route in (f"/sell/{lid}", "/sell"):
        page = seller.settled(route)
        _amounts_hold(page, route)
    operator = Person.sign_in(browser, base, f"pop{run}", "operator")
    page = operator.settled("/operator")
    _amounts_hold(page, "operator")


def test_how_it_works_for_a_first_visit_in_both_languages(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    base = web_stack.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    page.goto(f"{base}/#/")
    welcome = page.get_by_test_id("welcome")
    expect(welcome).to_contain_text("처음 오셨나요?")
    welcome.get_by_role("link", name="이용 방법").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("이용 방법")
    for heading in ("응모권 가격 (P1)", "당첨 후 잔금 (P2)", "추첨", "기한", "환불"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("판매가 성사되지 않은 경우")
    # a seller learns what an unsold end means for them: nothing for the item, the deposit back
    expect(page.get_by_test_id("how-seller-unsold")).to_contain_text("판매 대금을 받지 못하고")
    settled(page, "/how")
    page.screenshot(path=str(artifacts / "how-ko-phone.png"), full_page=True)
    _usable(page, "how it works, Korean")
    _amounts_hold(page, "how it works, Korean")
    page.goto(f"{base}/#/")
    expect(page.get_by_test_id("welcome")).to_have_count(0)  # seen once
    expect(page.get_by_role("banner").get_by_role("link", name="이용 방법")).to_be_visible()
    expect(page.get_by_role("contentinfo").get_by_role("link", name="이용 방법")).to_be_visible()
    _english(page)
    page.get_by_role("banner").get_by_role("link", name="How it works").click()
    for heading in (
        "The ticket price (P1)",
        "The rest, if drawn (P2)",
        "The draw",
        "Deadlines",
        "Refunds",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("The ticket price (P1) is not refunded")
    expect(page.get_by_test_id("how-seller-unsold")).to_contain_text(
        "go to the operator, not to the seller"
    )
    page.set_viewport_size({"width": 1200, "height": 900})
    _usable(page, "how it works, English, desktop")
    context.close()
