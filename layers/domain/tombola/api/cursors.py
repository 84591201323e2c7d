"""Page cursors: where the next page of a list starts, sealed (AES-GCM under a key derived from
the server's pseudonym key) and bound to the list it came from (a listing's entrants, one status
of public listings, one caller's own listings or entries). A cursor reveals nothing (not a user
id, not a table key), cannot be forged or edited, and is refused on another list: 422 naming
``cursor``, before anything is read with it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tombola.domain.errors import BadCursor

NONCE_BYTES = 12


def _cipher(key: str, purpose: str) -> AESGCM:
    return AESGCM(hashlib.sha256(f"{purpose}-cursor|{key}".encode()).digest())


def seal(key: str, purpose: str, bound_to: str, position: str) -> str:
    """``position`` (what the store needs to continue), readable only by ``unseal`` with the
    same purpose and binding."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(key, purpose).encrypt(nonce, position.encode(), bound_to.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(key: str, purpose: str, bound_to: str, cursor: str) -> str:
    """The position a cursor from ``seal`` holds; BadCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return _cipher(key, purpose).decrypt(nonce, sealed, bound_to.encode()).decode()
    except (InvalidTag, ValueError, binascii.Error):
        raise BadCursor(f"cursor is not one this list of {purpose} gave", field="cursor") from None


def seal_entrants_cursor(key: str, listing_id: str, partition: int, buyer_id: str) -> str:
    """Where the next page of a listing's entrants starts, encrypted: the cursor names a buyer
    by their user id, which the seller reading the page must not learn."""
    return seal(key, "entrants", listing_id, f"{partition}|{buyer_id}")


def open_entrants_cursor(key: str, listing_id: str, cursor: str) -> tuple[int, str]:
    """The partition and buyer id a cursor from seal_entrants_cursor names, for this listing."""
    plain = unseal(key, "entrants", listing_id, cursor)
    try:
        partition, buyer_id = plain.split("|", 1)
        return int(partition), buyer_id
    except ValueError:
        raise BadCursor("cursor is not one this list of entrants gave", field="cursor") from None
