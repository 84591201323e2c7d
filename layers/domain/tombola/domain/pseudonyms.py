"""Public names: a buyer in a listing's draw data, a seller on their listings. Keyed with a server
secret, so nobody can test whether a known user entered a draw by hashing their id; a buyer sees
their own pseudonym in their entries and can find themselves in the public draw."""

from __future__ import annotations

import hmac


def _mac(key: str, message: str) -> str:
    return hmac.digest(key.encode(), message.encode(), "sha256").hex()


def buyer_pseudonym(key: str, listing_id: str, buyer_id: str) -> str:
    """Per listing: the same buyer has unrelated pseudonyms on two listings."""
    return "b-" + _mac(key, f"buyer|{listing_id}|{buyer_id}")[:16]


def seller_handle(key: str, seller_id: str) -> str:
    """One per seller, so buyers can tell a seller's listings apart from another's."""
    return "s-" + _mac(key, f"seller|{seller_id}")[:12]
