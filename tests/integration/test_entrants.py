"""A seller watches who enters: each buyer by their public pseudonym with their tickets, paged
across the listing's entry partitions by a cursor that gives away no user id."""

from __future__ import annotations

from typing import Any

from tombola_dev.driver import Driver


def _all_pages(d: Driver, user: str, lid: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    seen: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        query = {"limit": str(limit)} | ({"cursor": cursor} if cursor else {})
        page = d.ok(d.as_(user, "GET", f"/listings/{lid}/entrants", query=query))
        seen.extend(page["entrants"])
        pages += 1
        assert len(page["entrants"]) <= limit
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        for name in ("ann", "bob", "cat", "dan", "eve"):
            assert name not in cursor


def test_the_seller_sees_every_entrant_once_by_pseudonym_page_by_page(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", ticket_limit=4)  # 1,000 expected: 40 entry partitions
    tickets = {"ann": 1, "bob": 2, "cat": 3, "dan": 4}
    for buyer, n in tickets.items():
        d.user(buyer, "buyer")
        d.buy(buyer, lid, tickets=n)
    d.user("eve", "buyer")
    held = d.as_("eve", "POST", f"/listings/{lid}/entries", {"tickets": 2})  # not paid yet
    assert held.status == 201, held.body
    tickets["eve"] = 0

    own = {}
    for buyer in tickets:
        entries = d.ok(d.as_(buyer, "GET", "/me/entries"))["entries"]
        own[entries[0]["pseudonym"]] = buyer
    whole, _ = _all_pages(d, "seller", lid, 100)
    paged, pages = _all_pages(d, "seller", lid, 2)
    assert pages > 2
    assert sorted(e["buyer"] for e in paged) == sorted(e["buyer"] for e in whole)
    assert {own[e["buyer"]]: (e["paid_tickets"], e["held_tickets"]) for e in whole} == {
        "ann": (1, 0),
        "bob": (2, 0),
        "cat": (3, 0),
        "dan": (4, 0),
        "eve": (0, 2),
    }
    d.user("op", "operator")
    assert len(_all_pages(d, "op", lid, 100)[0]) == 5
    d.conserved(lid)


def test_entrants_are_the_sellers_and_a_cursor_only_works_where_it_came_from(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    d.user("other", "seller", payout=True)
    lid = d.open_listing("seller")
    second = d.open_listing("seller")
    for buyer in ("ann", "bob", "cat"):
        d.user(buyer, "buyer")
        d.buy(buyer, lid)
    for who in ("other", "ann"):
        refused = d.as_(who, "GET", f"/listings/{lid}/entrants")
        assert refused.status == 403, refused.body
    first = d.as_("seller", "GET", f"/listings/{lid}/entrants", query={"limit": "1"})
    cursor = d.ok(first)["next_cursor"]
    assert cursor
    forged = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad, where in ((forged, lid), (cursor, second), ("not-a-cursor", lid)):
        r = d.as_("seller", "GET", f"/listings/{where}/entrants", query={"cursor": bad})
        assert r.status == 422, r.body
        assert r.body["error"]["field"] == "cursor"
    assert d.as_("seller", "GET", "/listings/L-nope/entrants").status == 404
