"""Drives listings through the local stack over HTTP only, as its users would.

    python -m tombola_dev.demo [--url http://127.0.0.1:3000] [--buyers 300]

Without a running stack at --url it starts its own. A warm-up listing (mileage policy) sells
first so that its losers hold mileage; then the main listing: a seller lists and pays the
deposit, buyers take 1-4 tickets (the warm-up losers pay with mileage), the window closes, the
draw runs, the first candidate lets the deadline pass, the next pays P2, the seller ships, the
carrier delivers, the buyer confirms, settlement runs. It ends with the draw verified from the
public data and the listing's money statement.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tombola_dev import verify
from tombola_dev.accounts import payout_account
from tombola_dev.client import ApiError, Client, User, default_url
from tombola_dev.process import healthy, running_stack
from tombola_dev.template import ROOT

LOG = ROOT / ".local" / "demo-stack.log"


def say(message: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} {message}", flush=True)


@contextlib.contextmanager
def stack_at(url: str | None) -> Iterator[str]:
    """The stack at ``url`` if one answers there, else one started for the demo."""
    if url and healthy(url):
        yield url
        return
    say(f"no stack at {url}; starting one (its log: {LOG})")
    with running_stack(LOG) as own:
        yield own.url


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise TimeoutError(f"timed out waiting for {what}")


def complete_sale(
    client: Client,
    seller: User,
    buyer: User,
    lid: str,
    *,
    say: Callable[[str], None] = lambda _: None,
    timeout: float = 120,
) -> None:
    """Seller ships, the sandbox carrier delivers, the final buyer confirms, the sale settles:
    ``tombola_dev.driver.complete_sale`` over HTTP, for a stack running elsewhere."""

    def reached(status: str) -> None:
        wait_until(
            lambda: client.ok("GET", f"/listings/{lid}")["status"] == status,
            timeout,
            f"{lid} {status}",
        )

    _retry(
        lambda: seller.ok(
            "POST",
            f"/listings/{lid}/shipment",
            # CJ's numbers are 10 or 12 digits (tombola.domain.tracking): one made of the listing's
            {"carrier": "CJ Logistics", "tracking_number": f"{zlib.crc32(lid.encode()):010d}"},
        )
    )
    say("  shipped; the carrier reports delivery")
    reached("shipped")
    client.ok("POST", f"/sandbox/carrier/{lid}", {"event": "delivered"})
    reached("delivered")
    _retry(lambda: buyer.ok("POST", f"/listings/{lid}/confirm"))
    say("  the final buyer confirmed receipt")
    reached("settled")


def _retry(action: Callable[[], Any]) -> Any:
    """A step the state machine has not reached yet answers 409; try again shortly."""
    for _ in range(40):
        try:
            return action()
        except ApiError as err:
            if err.status != 409:
                raise
            time.sleep(0.25)
    return action()


class Demo:
    def __init__(self, url: str, buyers: int, seed: int) -> None:
        self.client = Client(url)
        self.rng = random.Random(seed)
        self.run = datetime.now(UTC).strftime("%H%M%S")
        self.seller = self.person("seller", "seller", payout=True)
        self.operator = self.person("operator", "operator")
        self.buyers = [self.person(f"buyer{i:03d}", "buyer") for i in range(buyers)]

    def person(self, name: str, group: str, *, payout: bool = False) -> User:
        user = User(self.client, f"{name}-{self.run}", (group,))
        profile: dict[str, Any] = {
            "name": name.title(),
            "email": f"{name}@example.com",
            "phone": "+82 10 0000 0000",
            "address": f"{name} street 1, Seoul",
        }
        if payout:
            profile["payout_account"] = payout_account(user.user_id)
        user.ok("PUT", "/me/profile", profile)
        return user

    def pay(self, checkout: dict[str, Any]) -> Any:
        return self.client.ok("POST", f"/sandbox/checkouts/{checkout['checkout_id']}/pay")

    def listing(self, lid: str) -> dict[str, Any]:
        out: dict[str, Any] = self.client.ok("GET", f"/listings/{lid}")
        return out

    def wait_status(self, lid: str, *statuses: str, timeout: float = 120) -> None:
        wait_until(lambda: self.listing(lid)["status"] in statuses, timeout, f"{lid} {statuses}")

    def create(self, title: str, seconds_open: float, **fields: Any) -> str:
        closes = datetime.now(UTC) + timedelta(seconds=seconds_open)
        body = {"title": title, "closes_at": closes.isoformat(), "close_when_full": False} | fields
        created = self.seller.ok("POST", "/listings", body, expect=201)
        lid: str = created["listing"]["listing_id"]
        self.pay(created["deposit"]["checkout"])
        self.wait_status(lid, "open")
        return lid

    def buy(self, buyer: User, lid: str, tickets: int, method: str = "card") -> str:
        """What became of the entry: "tickets_issued", or "refunded" when paid after close."""
        entry = buyer.ok(
            "POST",
            f"/listings/{lid}/entries",
            {"tickets": tickets, "payment_method": method},
            expect=201,
        )
        if method == "card":
            return str(self.pay(entry["checkout"])["result"])
        return "tickets_issued"

    def by_pseudonym(self, lid: str) -> dict[str, User]:
        """Each buyer finds their own pseudonym in their entries."""
        return {
            e["pseudonym"]: u
            for u in self.buyers
            for e in u.ok("GET", "/me/entries")["entries"]
            if e["listing_id"] == lid
        }

    def deliver_and_confirm(self, lid: str) -> User:
        """Seller ships, carrier delivers, final buyer confirms; returns the final buyer."""
        names = self.by_pseudonym(lid)
        wait_until(lambda: self.listing(lid)["status"] == "final_buyer", 120, "a final buyer")
        order = self.client.ok("GET", f"/listings/{lid}/draw")["order"]
        winner = names[order[-1]]
        seen = self.seller.ok("GET", f"/listings/{lid}/final-buyer")
        say(f"  seller sees the final buyer: {seen['name']}, {seen['address']}")
        complete_sale(self.client, self.seller, winner, lid, say=say)
        return winner

    def warm_up(self) -> list[User]:
        """A small mileage-policy listing sells first; its losers hold mileage afterwards."""
        players = self.buyers[:20]
        say(
            f"warm-up: 'Coffee grinder', price 100,000, P1 10,000, {len(players)} buyers, "
            "surplus as mileage"
        )
        lid = self.create(
            "Coffee grinder",
            10 + 0.6 * len(players),  # a slow machine buys ~0.7 s a ticket
            price=100_000,
            expected_entrants=10,
            surplus_policy="mileage",
            ticket_limit=1,
            deadlines={"confirm": 3},
        )
        entered: list[User] = []
        for b in players:
            try:
                if self.buy(b, lid, 1) == "tickets_issued":
                    entered.append(b)
            except ApiError as err:
                # a slow machine: the window closed first; a surplus needs Np + 1 tickets
                if err.status != 409 or len(entered) <= 10:
                    raise
                say(f"  the window closed after {len(entered)} buyers (this machine is slow)")
                break
        say("  tickets sold; waiting for the window to close")
        winner = self.deliver_and_confirm(lid)
        losers = [b for b in entered if b is not winner]
        mileage = losers[0].ok("GET", "/me/mileage")["balance"]
        say(f"  settled: {len(losers)} losers hold {mileage} mileage each")
        return losers

    def main_listing(self, mileage_payers: list[User]) -> str:
        n = len(self.buyers)
        say(f"main: 'Camera', price 1,000,000, Np 1,000 (P1 1,000), {n} buyers")
        lid = self.create(
            "Camera",
            20 + 0.6 * n,
            price=1_000_000,
            expected_entrants=1_000,
            ticket_limit=4,
            deadlines={"second_payment": 10, "confirm": 10},
        )
        payers = {u.user_id for u in mileage_payers}
        tickets = 0
        for i, buyer in enumerate(self.buyers, start=1):
            count = self.rng.choice([1, 1, 2, 3, 4])
            try:
                self.buy(buyer, lid, count, "mileage" if buyer.user_id in payers else "card")
            except ApiError as err:
                if err.status != 409:
                    raise
                say(f"  the window closed after {i - 1} buyers (this machine is slow); carrying on")
                break
            tickets += count
            if i % 25 == 0 or i == n:
                public = self.listing(lid)
                say(
                    f"  [{i}/{n}] {public['paid_tickets']} tickets; "
                    f"P2 if drawn now {public['second_payment_if_drawn_now']:,}"
                )
        names = self.by_pseudonym(lid)  # before the draw: the P2 deadline is short
        left = self.listing(lid)["seconds_left"]
        say(f"  waiting {left}s for the window to close, then the draw")
        self.wait_status(lid, "awaiting_second_payment", timeout=left + 90)
        first = names[self.client.ok("GET", f"/listings/{lid}/draw")["order"][0]]
        try:
            due = first.ok("POST", f"/listings/{lid}/second-payment")
            say(f"  drawn: {first.user_id} owes {due['amount']:,} by {due['due_at']}; lets it pass")
        except ApiError as err:  # a slow machine: the short deadline already passed
            if err.status != 404:
                raise
            say(f"  drawn: {first.user_id}, whose deadline passed before they looked")
        self.next_in_line_pays(lid, names)
        self.deliver_and_confirm(lid)
        say("  settled")
        return lid

    def next_in_line_pays(self, lid: str, names: dict[str, User]) -> None:
        """The re-drawn buyer pays at once; on a machine so slow that their deadline passed
        too before they looked, the draw goes on and the next one pays."""
        for place in range(1, len(names)):
            wait_until(
                lambda place=place: (
                    len(self.order(lid)) > place  # type: ignore[misc]
                    or self.listing(lid)["status"] != "awaiting_second_payment"
                ),
                60,
                "the re-draw",
            )
            order = self.order(lid)
            if len(order) <= place:
                break  # the draw ran out of candidates
            drawn = names[order[place]]
            try:
                due = drawn.ok("POST", f"/listings/{lid}/second-payment")
            except ApiError as err:
                if err.status != 404:
                    raise
                say(f"  re-drawn: {drawn.user_id}, whose deadline passed before they looked")
                continue
            result = self.pay(due["checkout"])["result"]
            if result == "final_buyer":
                say(f"  re-drawn: {drawn.user_id} pays {due['amount']:,}")
                return
            say(f"  re-drawn: {drawn.user_id} paid too late ({result}); the draw goes on")
        raise RuntimeError(f"nobody in the draw of {lid} could pay in time")

    def order(self, lid: str) -> list[str]:
        return list(self.client.ok("GET", f"/listings/{lid}/draw")["order"])

    def report(self, lid: str) -> bool:
        data = self.client.ok("GET", f"/listings/{lid}/draw")
        ok, lines = verify.check(data)
        say("draw verification (recomputed from the public draw data):")
        for line in lines:
            print(f"  {line}")
        st = self.seller.ok("GET", f"/listings/{lid}/statement")
        say(f"money statement of {lid} ({st['currency']}):")
        for side in ("paid_in", "paid_out"):
            for k, v in st[side].items():
                print(f"  {side.replace('_', ' '):9} {k:28} {v:>12,}")
        print(f"  {'total in':38} {st['total_in']:>12,}")
        print(f"  {'total out':38} {st['total_out']:>12,}")
        print(f"  {'held in escrow':38} {st['held_in_escrow']:>12,}")
        print(f"  balanced: {st['balanced']}")
        return ok and bool(st["balanced"]) and st["held_in_escrow"] == 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--url", default=default_url())
    p.add_argument("--buyers", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if args.buyers < 21:
        p.error("--buyers must be at least 21 (20 play the warm-up)")
    started = time.monotonic()
    with stack_at(args.url) as url:
        say(f"demo against {url}: {args.buyers} buyers")
        demo = Demo(url, args.buyers, args.seed)
        losers = demo.warm_up()
        lid = demo.main_listing(losers)
        ok = demo.report(lid)
    say(f"done in {time.monotonic() - started:.0f}s: {'OK' if ok else 'PROBLEMS FOUND'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
