"""Check a listing's draw from its public data alone: recompute the commitment, the entries digest
and the candidate order, and print OK or exactly what differs.

    python -m tombola_dev.verify --url http://127.0.0.1:3000 --listing L123
    python -m tombola_dev.verify saved-draw.json
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from tombola.domain import beacon, draw
from tombola_dev.client import Client, default_url


def public_beacon(data: dict[str, Any] | None) -> draw.PublicBeacon | None:
    if not data:
        return None
    return draw.PublicBeacon(
        chain=beacon.Chain.from_dict(data["chain"]),
        planned_round=int(data["planned_round"]),
        round=data.get("used_round"),
        signature=data.get("signature"),
        note=data.get("note"),
        due_round=data.get("round"),
        margin=int(data.get("margin_seconds", 0)),
    )


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def public_draw(data: dict[str, Any]) -> draw.PublicDraw:
    version = data.get("version", draw.DRAW_V1)
    if version not in draw.VERSIONS:
        raise ValueError(f"unknown draw version {version!r}")
    return draw.PublicDraw(
        listing_id=data["listing_id"],
        commitment=data["commitment"],
        entries_digest=data["entries_digest"],
        tickets=tuple(draw.PublicTicket(t["ticket_id"], t["buyer"]) for t in data["tickets"]),
        seed=data.get("seed"),
        order=tuple(data.get("order", [])),
        version=version,
        entries_root=data.get("entries_root"),
        beacon=public_beacon(data.get("beacon")),
        closes_at=_time(data.get("closes_at")),
        closed_at=_time(data.get("closed_at")),
        sealed_at=_time(data.get("sealed_at")),
    )


def fetch(client: Client, listing_id: str) -> dict[str, Any]:
    """The whole public transcript: every page of tickets joined."""
    data = client.ok("GET", f"/listings/{listing_id}/draw")
    tickets = list(data["tickets"])
    while data.get("next_page") is not None:
        data = client.ok("GET", f"/listings/{listing_id}/draw?page={data['next_page']}")
        tickets.extend(data["tickets"])
    return {**data, "tickets": tickets}


def check(data: dict[str, Any]) -> tuple[bool, list[str]]:
    """(ok, lines to print)."""
    if data.get("entries_digest") is None:
        return False, ["the listing has not been drawn yet"]
    result = draw.verify(public_draw(data))
    if result.ok:
        shown = ", ".join(result.recomputed_order[: len(data.get("order", []))])
        lines = [
            f"OK: {data['listing_id']}: SHA-256(seed) matches the commitment, "
            f"{len(data['tickets'])} tickets hash to the entries digest, "
            f"and the order recomputes ({shown})"
        ]
        b = data.get("beacon")
        if data.get("version") == draw.DRAW_V2 and b:
            own = (
                ""
                if b["chain"]["hash"] == beacon.QUICKNET.hash
                else (" (not drand: a beacon of the operator's own, which protects nothing)")
            )
            lines.append(
                f"OK: the tickets' Merkle root is {data['entries_root']}; beacon round "
                f"{b['used_round']} of chain {b['chain']['name']} ({b['chain']['hash'][:16]}…) "
                f"is the one the rules fix and is signed by the chain's key{own}"
                + (
                    f" (planned at publish: {b['planned_round']}; {b['note']})"
                    if b.get("note")
                    else ""
                )
            )
        return True, lines
    return False, [f"MISMATCH: {p}" for p in result.problems]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("file", nargs="?", help="a saved GET /listings/{id}/draw response")
    p.add_argument("--url", default=default_url())
    p.add_argument("--listing", help="fetch the draw data of this listing from --url")
    args = p.parse_args(argv)
    if args.file:
        data = json.loads(Path(args.file).read_text())
    elif args.listing:
        data = fetch(Client(args.url), args.listing)
    else:
        p.error("give a saved draw file or --listing")
    ok, lines = check(data)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
