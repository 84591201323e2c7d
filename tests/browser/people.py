"""People using the web client, each in their own browser context (their own session)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from tombola_dev.accounts import payout_account

EN = {"buyer": "Buyer", "seller": "Seller", "operator": "Operator"}
# Where signing in lands someone whose profile is complete.
HOME = {"buyer": "/entries", "seller": "/sell", "operator": "/operator"}


def settled(page: Page, route: str, timeout: int = 60_000) -> None:
    """Wait until the page at ``route`` has the first answer of everything it loads (``main`` is
    aria-busy until then). Not "network idle": pages poll, so the network never rests."""
    main = page.locator(f'main[data-route="{route}"]')
    expect(main).to_have_attribute("aria-busy", "false", timeout=timeout)


@dataclass
class Person:
    page: Page
    name: str
    group: str
    base: str

    @classmethod
    def sign_in(
        cls,
        browser: Browser,
        base: str,
        name: str,
        group: str,
        *,
        width: int = 1200,
        known: bool = False,
    ) -> Person:
        """Signs in through the page. A newcomer lands on their profile and fills it in; someone
        ``known`` (their profile complete already, e.g. made through the API) lands on their
        role's page; the operator always lands on the operator's page."""
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        page = context.new_page()
        page.goto(f"{base}/#/signin")
        page.evaluate("localStorage.setItem('tombola.lang', 'en')")
        page.reload()
        page.get_by_label("User name").fill(name)
        page.get_by_label("Role").select_option(group)
        page.get_by_role("button", name="Sign in").click()
        if known or group == "operator":  # the operator has nothing to fill in first
            expect(page).to_have_url(re.compile(f"#{re.escape(HOME[group])}$"), timeout=20_000)
            return cls(page, name, group, base)
        expect(page.get_by_role("heading", name="Your profile")).to_be_visible(timeout=20_000)
        page.get_by_label("Name", exact=True).fill(f"{name.title()} Kim")
        page.get_by_label("E-mail").fill(f"{name}@example.com")
        page.get_by_label("Phone").fill("+82 10 1234 5678")
        page.get_by_label("Address").fill(f"{name} street 1, Seoul")
        if group == "seller":  # KB국민, the number as people type it, the holder
            account = payout_account(name)
            page.get_by_label("Payout bank").select_option(account["bank"])
            page.get_by_label("Payout account number").fill(account["number"])
            page.get_by_label("Payout account holder").fill(f"{name.title()} Kim")
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_role("status")).to_have_text("Saved.", timeout=20_000)
        return cls(page, name, group, base)

    def open(self, route: str) -> Page:
        self.page.goto(f"{self.base}/#{route}")
        return self.page

    def settled(self, route: str) -> Page:
        """Open ``route`` and wait for what it loads."""
        settled(self.open(route), route)
        return self.page

    def shot(self, artifacts: Path, name: str) -> None:
        self.page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)

    def pay_checkout(self) -> None:
        """On the sandbox checkout page the listing or entry led to."""
        expect(self.page).to_have_url(re.compile(r"#/checkout/"))
        self.page.get_by_role("button", name="Pay", exact=True).click()
        # "Paid.", then back to where the payment was for
        expect(self.page).not_to_have_url(re.compile(r"#/checkout/"), timeout=10_000)
