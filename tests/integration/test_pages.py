"""Lists come a bounded page at a time with an opaque cursor: public listings (a page reads at
most SHARD_READS_PER_PAGE quota shards for its live counts), a seller's own listings and a
buyer's own entries. A cursor is sealed and bound to its list: forged, edited, old-style (a raw
table key) or another list's, it is refused with 422 naming ``cursor``, and nothing is read."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from tombola_dev.driver import Driver

from tombola.adapters.dynamo import DynamoStore
from tombola.services import listings


def _pages(d: Driver, path: str, who: str | None = None, **query: str) -> Iterator[Any]:
    cursor = None
    while True:
        q = query | ({"cursor": cursor} if cursor else {})
        r = d.as_(who, "GET", path, query=q) if who else d.stack.http("GET", path, query=q)
        page = d.ok(r)
        yield page
        cursor = page["next_cursor"]
        if cursor is None:
            return


def _refused(d: Driver, path: str, cursor: str, who: str | None = None, **query: str) -> None:
    q = query | {"cursor": cursor}
    r = d.as_(who, "GET", path, query=q) if who else d.stack.http("GET", path, query=q)
    assert r.status == 422, (cursor, r.body)
    assert r.body["error"]["field"] == "cursor"


def _forged(cursor: str) -> str:
    return cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")


def _raw_key(key: dict[str, str]) -> str:
    """A cursor as this API used to give them: a table key, base64-encoded, unsigned."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def test_a_public_page_reads_a_bounded_number_of_quota_shards(
    d: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of these listings has 20 quota shards; a budget of 45 shard reads a page lets two
    through, the cursor going on with the third."""
    monkeypatch.setattr(listings, "SHARD_READS_PER_PAGE", 45)
    reads: list[int] = []
    quota = DynamoStore.quota

    def counted(store: DynamoStore, listing_id: str, shards: Any) -> Any:
        wanted = list(shards)
        reads.append(len(wanted))
        return quota(store, listing_id, wanted)

    d.user("seller", "seller", payout=True)
    ids = [d.open_listing("seller", title=f"item {i}") for i in range(5)]
    assert {d.record(i).quota_shards for i in ids} == {20}
    monkeypatch.setattr(DynamoStore, "quota", counted)
    seen: list[str] = []
    sizes: list[int] = []
    for page in _pages(d, "/listings", limit="50"):
        sizes.append(len(page["listings"]))
        seen.extend(x["listing_id"] for x in page["listings"])
        assert sum(reads) <= 45
        reads.clear()
    assert sizes == [2, 2, 1]
    assert sorted(seen) == sorted(ids)
    # even a single listing over the budget is shown, alone on its page
    monkeypatch.setattr(listings, "SHARD_READS_PER_PAGE", 5)
    assert [len(p["listings"]) for p in _pages(d, "/listings", limit="2")] == [1] * 5


def test_a_public_cursor_is_sealed_and_bound_to_its_status(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    for i in range(3):
        d.open_listing("seller", title=f"item {i}")
    first = d.ok(d.stack.http("GET", "/listings", query={"limit": "1"}))
    cursor = first["next_cursor"]
    assert cursor
    assert "LISTING" not in base64.urlsafe_b64decode(cursor + "===").decode("latin-1")
    _refused(d, "/listings", _forged(cursor), limit="1")
    _refused(d, "/listings", cursor, status="settled")  # another status's list
    # crafted table keys, as the old cursors were: never sent to DynamoDB (where a key of
    # another partition, or without the table's key, is a ValidationException: a 500)
    for key in (
        {"gsi1pk": "STATUS#closed", "gsi1sk": "x", "pk": "LISTING#L0", "sk": "META"},
        {"pk": "LISTING#L0", "sk": "META"},
        {"gsi1pk": "STATUS#open", "gsi1sk": "x"},
    ):
        _refused(d, "/listings", _raw_key(key))
    rest = [p["listings"] for p in _pages(d, "/listings", limit="1", cursor=cursor)]
    assert len(rest) >= 2


def test_a_sellers_own_listings_come_newest_first_page_by_page(d: Driver) -> None:
    d.user("sam", "seller", payout=True)
    d.user("kim", "seller", payout=True)
    made = []
    for i in range(5):
        made.append(d.create_listing("sam", title=f"item {i}")["listing"]["listing_id"])
        d.clock.advance(timedelta(seconds=1))
    seen: list[str] = []
    sizes: list[int] = []
    cursors: list[str | None] = []
    for page in _pages(d, "/me/listings", "sam", limit="2"):
        sizes.append(len(page["listings"]))
        seen.extend(x["listing_id"] for x in page["listings"])
        cursors.append(page["next_cursor"])
    assert sizes == [2, 2, 1]
    assert seen == made[::-1]  # newest first, each once
    cursor = cursors[0]
    assert cursor is not None
    _refused(d, "/me/listings", cursor, "kim")  # another seller's list
    _refused(d, "/me/listings", _forged(cursor), "sam")
    _refused(d, "/me/listings", _raw_key({"gsi2pk": "SELLER#kim", "gsi2sk": "x"}), "sam")
    refused = d.as_("sam", "GET", "/me/listings", query={"limit": "101"})
    assert refused.status == 422
    assert refused.body["error"]["field"].endswith("limit")


def test_a_buyers_entries_come_page_by_page_every_entry_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lids = [d.open_listing("seller", title=f"item {i}", ticket_limit=4) for i in range(3)]
    for who in ("ann", "bob"):
        d.user(who, "buyer")
    for lid in lids:
        d.buy("ann", lid)
        d.buy("ann", lid, tickets=2)
    d.buy("bob", lids[0])
    everything = d.ok(d.as_("ann", "GET", "/me/entries"))
    assert everything["next_cursor"] is None
    assert len(everything["entries"]) == 6
    pages = list(_pages(d, "/me/entries", "ann", limit="1"))
    assert [len(p["entries"]) for p in pages] == [2, 2, 2]  # one listing's entries a page
    assert [{e["listing_id"] for e in p["entries"]} for p in pages] == [{x} for x in sorted(lids)]
    paged = sorted(e["entry_id"] for p in pages for e in p["entries"])
    assert paged == sorted(e["entry_id"] for e in everything["entries"])
    cursor = pages[0]["next_cursor"]
    assert "ann" not in base64.urlsafe_b64decode(cursor + "===").decode("latin-1")
    _refused(d, "/me/entries", cursor, "bob")  # another buyer's list
    _refused(d, "/me/entries", _forged(cursor), "ann")
    _refused(d, "/me/entries", _raw_key({"gsi2pk": "BUYER#bob", "gsi2sk": lids[0]}), "ann")
