"""draw-v2 through the real state machine and HTTP (docs/RULES.md, "The draw"): the listing fixes
its beacon round at publish, the draw waits for it and verifies it (the local beacon, signing as
drand's quicknet does), the public transcript verifies, and each buyer, and only they, gets their
own tickets' proofs."""

from __future__ import annotations

from tombola_dev import verify
from tombola_dev.driver import Driver

from tombola.domain import beacon, draw, merkle


def test_the_draw_uses_its_beacon_round_and_each_buyer_proves_their_tickets(d: Driver) -> None:
    lid = d.awaiting_second_payment(30)
    listing = d.listing(lid)
    assert listing["draw_version"] == "draw-v2"
    chain = beacon.Chain.from_dict(listing["beacon"]["chain"])
    assert chain.name == "tombola-local"
    data = d.ok(d.stack.http("GET", f"/listings/{lid}/draw"))
    assert data["next_page"] is None
    ok, lines = verify.check(data)
    assert ok, lines
    assert data["beacon"]["used_round"] == data["beacon"]["round"]
    order = draw.verify(verify.public_draw(data)).recomputed_order
    seen = set()
    for buyer in ("ann", "bob"):
        mine = d.ok(d.as_(buyer, "GET", f"/listings/{lid}/draw/mine"))
        assert len(mine["tickets"]) == 2
        assert mine["entries_root"] == data["entries_root"]
        assert mine["place"] == order.index(mine["buyer"]) + 1
        for t in mine["tickets"]:
            proof = merkle.Proof.decode(t["index"], mine["ticket_count"], t["proof"])
            leaf = merkle.leaf(t["ticket_id"], mine["buyer"])
            assert merkle.root_from(proof, leaf).hex() == data["entries_root"]
            seen.add(t["ticket_id"])
    assert seen == {t["ticket_id"] for t in data["tickets"]}
    # nobody else gets anyone's proofs; and not without signing in
    d.user("cat", "buyer")
    refused = d.as_("cat", "GET", f"/listings/{lid}/draw/mine")
    assert refused.status == 404
    assert refused.body["error"]["code"] == "not_found"
    assert d.stack.http("GET", f"/listings/{lid}/draw/mine").status == 401
