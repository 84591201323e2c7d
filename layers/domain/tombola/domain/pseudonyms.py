"""Public names: a buyer in a listing's draw data, a seller on their listings. Keyed with a server
secret, so nobody can test whether a known user entered a draw by hashing their id; a buyer sees
their own pseudonym in their entries and can find themselves in the public draw."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from tombola.domain.macs import hmac_pads


def _mac(key: str, message: str) -> str:
    return hmac.digest(key.encode(), message.encode(), "sha256").hex()


def buyer_pseudonym(key: str, listing_id: str, buyer_id: str) -> str:
    """Per listing: the same buyer has unrelated pseudonyms on two listings."""
    return "b-" + _mac(key, f"buyer|{listing_id}|{buyer_id}")[:16]


def buyer_pseudonyms(key: str, listing_id: str) -> Callable[[str], str]:
    """``buyer_pseudonym`` for many buyers of one listing (the draw names every buyer): the key's
    pads and the message's prefix hashed once."""
    inner, outer = hmac_pads(key.encode())
    prefix = inner()
    prefix.update(f"buyer|{listing_id}|".encode())

    def name(buyer_id: str) -> str:
        i = prefix.copy()
        i.update(buyer_id.encode())
        o = outer()
        o.update(i.digest())
        digest: str = o.hexdigest()
        return "b-" + digest[:16]

    return name


def seller_handle(key: str, seller_id: str) -> str:
    """One per seller, so buyers can tell a seller's listings apart from another's."""
    return "s-" + _mac(key, f"seller|{seller_id}")[:12]
