"""Public names: a buyer in a listing's draw data, a seller on their listings. Keyed with a server
secret, so nobody can test whether a known user entered a draw by hashing their id; a buyer sees
their own pseudonym in their entries and can find themselves in the public draw."""

from __future__ import annotations

import hashlib
import hmac

from tombola import cursors
from tombola.errors import BadCursor


def _mac(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def buyer_pseudonym(key: str, listing_id: str, buyer_id: str) -> str:
    """Per listing: the same buyer has unrelated pseudonyms on two listings."""
    return "b-" + _mac(key, f"buyer|{listing_id}|{buyer_id}")[:16]


def seller_handle(key: str, seller_id: str) -> str:
    """One per seller, so buyers can tell a seller's listings apart from another's."""
    return "s-" + _mac(key, f"seller|{seller_id}")[:12]


def seal_entrants_cursor(key: str, listing_id: str, partition: int, buyer_id: str) -> str:
    """Where the next page of a listing's entrants starts, encrypted: the cursor names a buyer
    by their user id, which the seller reading the page must not learn."""
    return cursors.seal(key, "entrants", listing_id, f"{partition}|{buyer_id}")


def open_entrants_cursor(key: str, listing_id: str, cursor: str) -> tuple[int, str]:
    """The partition and buyer id a cursor from seal_entrants_cursor names, for this listing."""
    plain = cursors.unseal(key, "entrants", listing_id, cursor)
    try:
        partition, buyer_id = plain.split("|", 1)
        return int(partition), buyer_id
    except ValueError:
        raise BadCursor("cursor is not one this list of entrants gave", field="cursor") from None
