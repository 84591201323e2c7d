"""Draw transcripts for the web client's verifier tests, with the order the server's own code
(tombola.draw) computes: ``python -m tombola_dev.draw_fixture`` rewrites them; a unit test checks
they are current, and the web tests check the browser recomputes the same order."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from tombola import draw
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


def render(name: str) -> str:
    buyers, each, tamper = CASES[name]
    return json.dumps(transcript(name, buyers, each, tamper), separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    stale = []
    for name in CASES:
        path: Path = FIXTURES / f"draw-{name}.json"
        current = render(name)
        if check:
            if not path.exists() or path.read_text() != current:
                stale.append(path.name)
        else:
            path.write_text(current)
    if stale:
        print(
            f"stale draw fixtures {stale}: run python -m tombola_dev.draw_fixture", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
