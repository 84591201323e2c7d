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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tombola.adapters.local_beacon import LocalBeacon
from tombola.domain import beacon, draw, merkle
from tombola.domain.money import Money
from tombola.domain.odds import chances
from tombola.domain.pricing import DepositPolicy, PriceTerms
from tombola_dev import verify as verify_cli
from tombola_dev.doubles import ManualClock
from tombola_dev.template import ROOT

FIXTURES = ROOT / "web" / "tests" / "fixtures"


def _drawn(
    name: str, buyers: int, tickets_each: int, prefix: str, width: int
) -> tuple[bytes, str, list[tuple[str, str]]]:
    """A fixture listing's seed, id and (ticket id, buyer) pairs, the same for every run."""
    seed = hashlib.sha256(f"fixture-seed|{name}".encode()).digest()
    tickets = [
        (f"T{b:05d}-{k}", f"{prefix}{hashlib.sha256(str(b).encode()).hexdigest()[:width]}")
        for b in range(buyers)
        for k in range(tickets_each)
    ]
    return seed, f"L-{name}", tickets


def transcript(
    name: str, buyers: int, tickets_each: int, tamper: str | None = None
) -> dict[str, Any]:
    seed, listing_id, tickets = _drawn(name, buyers, tickets_each, "buyer-", 8)
    run = draw.run(seed, listing_id, tickets)
    out: dict[str, Any] = {
        "listing_id": listing_id,
        "version": draw.DRAW_V1,
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


QUICKNET_ROUNDS = ROOT / "tests" / "fixtures" / "quicknet_rounds.json"


def _v2(name: str, buyers: int, tickets_each: int) -> tuple[dict[str, Any], draw.Entries, bytes]:
    """A draw-v2 transcript drawn with a real quicknet round (tests/fixtures), as the server
    publishes it, and what the server's verifier says of it."""
    real = json.loads(QUICKNET_ROUNDS.read_text())["rounds"][0]
    chain = beacon.QUICKNET
    seed, listing_id, tickets = _drawn(name, buyers, tickets_each, "b-", 16)
    entries = draw.seal(tickets, lambda b: b)  # in public the buyer is their pseudonym
    value = draw.BeaconValue(chain, real["round"], real["randomness"])
    order, _ = draw.order_v2(seed, listing_id, entries, value)
    # closed on time, sealed a second later: the round is the one planned at publish
    closes_at = beacon.round_time(chain, real["round"]) - timedelta(seconds=beacon.QUICKNET_MARGIN)
    sealed_at = closes_at + timedelta(seconds=1)
    b = {
        "chain": chain.as_dict(),
        "margin_seconds": beacon.QUICKNET_MARGIN,
        "planned_round": real["round"],
        "planned_at": beacon.round_time(chain, real["round"]).isoformat(),
        "round": real["round"],
        "note": None,
        "used_round": real["round"],
        "signature": real["signature"],
    }
    out: dict[str, Any] = {
        "listing_id": listing_id,
        "version": draw.DRAW_V2,
        "commitment": draw.commitment(seed),
        "entries_digest": entries.digest,
        "entries_root": entries.root,
        "closes_at": closes_at.isoformat(),
        "closed_at": closes_at.isoformat(),
        "sealed_at": sealed_at.isoformat(),
        "seed": seed.hex(),
        "tickets": [{"ticket_id": t, "buyer": b} for t, b in entries.tickets],
        "order": order[: min(5, len(order))],
        "beacon": b,
    }
    return out, entries, seed


def transcript_v2(name: str, buyers: int, tickets_each: int) -> dict[str, Any]:
    out, _, _ = _v2(name, buyers, tickets_each)
    ok, _ = verify_cli.check(out)
    out["expected"] = {
        "ok": ok,
        "order": list(draw.verify(verify_cli.public_draw(out)).recomputed_order),
    }
    return out


def mine_v2() -> dict[str, Any]:
    """One buyer's tickets of the draw-v2 fixture as GET /listings/{id}/draw/mine gives them."""
    out, entries, seed = _v2("v2", 40, 3)
    tree = merkle.levels([merkle.leaf(t, b) for t, b in entries.tickets])
    b = out["beacon"]
    value = draw.BeaconValue(
        beacon.QUICKNET,
        b["used_round"],
        json.loads(QUICKNET_ROUNDS.read_text())["rounds"][0]["randomness"],
    )
    key = draw.order_key(seed, out["listing_id"], entries.digest, draw.DRAW_V2, entries.root, value)
    order, _ = draw.ranked(key, entries.tickets)
    me = order[7]
    mine = [(i, t) for i, (t, buyer) in enumerate(entries.tickets) if buyer == me]
    return {
        "listing_id": out["listing_id"],
        "version": draw.DRAW_V2,
        "buyer": me,
        "closes_at": out["closes_at"],
        "closed_at": out["closed_at"],
        "sealed_at": out["sealed_at"],
        "commitment": out["commitment"],
        "entries_digest": entries.digest,
        "entries_root": entries.root,
        "ticket_count": len(entries.tickets),
        "beacon": b,
        "seed": out["seed"],
        "tickets": [
            {
                "ticket_id": t,
                "index": i,
                "proof": merkle.Proof(i, len(tree[0]), tuple(merkle.path(tree, i))).encoded(),
                "rank": draw.ticket_rank(key, t).hex(),
            }
            for i, t in mine
        ],
        "place": 8,
        "buyers": len(order),
        "order": order[:3],
    }


def proof_at_a_million() -> dict[str, Any]:
    """A ticket's proof in a draw of 1,000,000 tickets (the browser's benchmark)."""
    n = 1_000_000
    leaves = [merkle.leaf(f"T{i:07d}", f"b-{i % 250_000:06d}") for i in range(n)]
    tree = merkle.levels(leaves)
    i = 765_432
    proof = merkle.Proof(i, n, tuple(merkle.path(tree, i)))
    return {
        "ticket_id": f"T{i:07d}",
        "buyer": f"b-{i % 250_000:06d}",
        "index": i,
        "count": n,
        "proof": proof.encoded(),
        "root": tree[-1][0].hex(),
    }


def local_round() -> dict[str, Any]:
    """A round the local beacon signed: the browser verifies it as it does quicknet's."""
    local = LocalBeacon(b"web fixture", ManualClock(datetime(2026, 12, 1, tzinfo=UTC)))
    number = beacon.round_at_or_after(local.chain(), datetime(2026, 12, 1, tzinfo=UTC))
    got = local.fetch(number)
    assert got is not None
    return {
        "chain": local.chain().as_dict(),
        "round": got.round,
        "signature": got.signature,
        "randomness": got.randomness,
    }


def render(name: str) -> str:
    if name == "quicknet":
        return json.dumps(json.loads(QUICKNET_ROUNDS.read_text()), indent=1) + "\n"
    if name == "local-round":
        return json.dumps(local_round(), indent=1) + "\n"
    if name == "draw-v2":
        return json.dumps(transcript_v2("v2", 40, 3), separators=(",", ":")) + "\n"
    if name == "mine-v2":
        return json.dumps(mine_v2(), indent=1) + "\n"
    if name == "proof-1m":
        return json.dumps(proof_at_a_million(), indent=1) + "\n"
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
        "quicknet.json": "quicknet",
        "local-round.json": "local-round",
        "draw-v2.json": "draw-v2",
        "mine-v2.json": "mine-v2",
        "proof-1m.json": "proof-1m",
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
