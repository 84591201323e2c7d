"""What the web client's unit tests compare it with, computed by the server's own code: draw
transcripts with the order tombola.draw computes (the browser's verifier must agree), and prices
with the P1 and deposit tombola.pricing computes (the seller's preview must agree).
``python -m tombola_dev.web_fixtures`` rewrites them; ``--check`` (make web-check) says when they
are stale."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tombola.domain import draw
from tombola.domain.money import Money
from tombola.domain.odds import chances
from tombola.domain.pricing import DepositPolicy, PriceTerms
from tombola_dev.template import ROOT

FIXTURES = ROOT / "web" / "tests" / "fixtures"


def transcript(
    name: str, buyers: int, tickets_each: int, tamper: str | None = None
) -> dict[str, Any]:
    seed = hashlib.sha256(f"fixture-seed|{name}".encode()).digest()
    listing_id = f"L-{name}"
    tickets = [
        (f"T{b:05d}-{k}", f"buyer-{hashlib.sha256(str(b).encode()).hexdigest()[:8]}")
        for b in range(buyers)
        for k in range(tickets_each)
    ]
    run = draw.run(seed, listing_id, tickets)
    out: dict[str, Any] = {
        "listing_id": listing_id,
        "version": draw.DRAW_VERSION,
        "commitment": draw.commitment(seed),
        "entries_digest": run.entries_digest,
        "seed": seed.hex(),
        "tickets": [{"ticket_id": t, "buyer": b} for t, b in run.tickets],
        "order": run.order[: min(5, len(run.order))],
    }
    if tamper == "order" and len(out["order"]) > 1:
        out["order"][0], out["order"][1] = out["order"][1], out["order"][0]
    if tamper == "ticket":
        out["tickets"] = out["tickets"][:-1]
    verdict = draw.verify(
        draw.PublicDraw(
            listing_id=listing_id,
            commitment=out["commitment"],
            entries_digest=out["entries_digest"],
            tickets=tuple(draw.PublicTicket(t["ticket_id"], t["buyer"]) for t in out["tickets"]),
            seed=out["seed"],
            order=tuple(out["order"]),
        )
    )
    # What the server's verifier says about this transcript: the browser must agree.
    out["expected"] = {"ok": verdict.ok, "order": list(verdict.recomputed_order)}
    return out


# name: (buyers, tickets each, tampered with)
CASES: dict[str, tuple[int, int, str | None]] = {
    "small": (7, 3, None),
    "tampered-order": (7, 3, "order"),
    "missing-ticket": (7, 3, "ticket"),
    "large": (1_000, 3, None),
}


# (price, Np, fixed deposit or None, deposit rate in bps): odd amounts, and ones past 2^53.
PRICES = [
    (100_000, 100, None, 500),
    (99_999, 7, None, 250),
    (1_000_001, 3, 30_000, 0),
    (10**15, 9_999_991, None, 333),
    (9_007_199_254_740_993, 2, None, 1),
]


def pricing() -> list[dict[str, Any]]:
    out = []
    for price, np, fixed, rate in PRICES:
        terms = PriceTerms.from_expected_entrants(Money(price, "KRW"), np)
        policy = (
            DepositPolicy(fixed=Money(fixed, "KRW"))
            if fixed is not None
            else DepositPolicy(rate_bps=rate)
        )
        rule = {"fixed": fixed, "rate_bps": None if fixed is not None else rate}
        out.append(
            {
                "price": str(price),  # JSON numbers past 2^53 would not survive the trip
                "expected_entrants": np,
                "deposit_rule": rule,
                "first_payment": str(terms.first_payment.amount),
                "deposit": str(policy.deposit_for(terms.price).amount),
            }
        )
    return out


# (mine, adding, paid, free, Np): a buyer's chance before buying, as the listing and checkout say
ODDS = [
    (0, 1, 0, 0, 100),
    (0, 1, 37, 2, 100),
    (2, 2, 37, 0, 100),
    (0, 4, 98, 1, 100),
    (3, 1, 150, 5, 100),  # past Np: no close when full
    (0, 1, 999_999, 0, 1_000_000),
]


def odds() -> list[dict[str, Any]]:
    return [
        {"mine": m, "adding": a, "paid": p, "free": f, "expected": n}
        | asdict(chances(mine=m, adding=a, paid=p, free=f, expected=n))
        for m, a, p, f, n in ODDS
    ]


def render(name: str) -> str:
    if name == "pricing":
        return json.dumps(pricing(), indent=1) + "\n"
    if name == "odds":
        return json.dumps(odds(), indent=1) + "\n"
    buyers, each, tamper = CASES[name]
    return json.dumps(transcript(name, buyers, each, tamper), separators=(",", ":")) + "\n"


def fixture_names() -> dict[str, str]:
    return {f"draw-{name}.json": name for name in CASES} | {
        "pricing.json": "pricing",
        "odds.json": "odds",
    }


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    stale = []
    for file, name in fixture_names().items():
        path: Path = FIXTURES / file
        current = render(name)
        if check:
            if not path.exists() or path.read_text() != current:
                stale.append(path.name)
        else:
            path.write_text(current)
    if stale:
        print(
            f"stale web fixtures {stale}: run python -m tombola_dev.web_fixtures", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
