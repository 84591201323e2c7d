"""The verifiable draw (docs/RULES.md, "The draw").

- At publish: a secret 32-byte seed S; its commitment SHA-256(S) is published.
- At close: paid ticket ids, sorted and joined by "\\n", hash to the entries digest E.
- K = HMAC-SHA256(S, "draw-v1|" + listing id + "|" + E); a ticket's rank is HMAC-SHA256(K, id).
- Buyers are ordered by their lowest-ranked ticket (byte order). No modulo, so no bias.
- S is revealed with the first candidate; ``verify`` recomputes everything from public data.

The seam for a public randomness beacon: ``beacon`` (e.g. a drand round's randomness fixed at
publish) is appended to the key message when given, so E cannot be steered by whoever knows S.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tombola.domain.errors import DrawError

DRAW_VERSION = "draw-v1"
SEED_BYTES = 32


class _Entropy(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


class DrawTicket(Protocol):
    @property
    def ticket_id(self) -> str: ...

    @property
    def buyer_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PublicTicket:
    ticket_id: str
    buyer_id: str


def new_seed(entropy: _Entropy) -> bytes:
    seed = entropy.token_bytes(SEED_BYTES)
    if len(seed) != SEED_BYTES:
        raise DrawError(f"a draw seed is {SEED_BYTES} bytes, got {len(seed)}")
    return seed


def commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def entries_digest(ticket_ids: Iterable[str]) -> str:
    ids = sorted(ticket_ids)
    if len(set(ids)) != len(ids):
        raise DrawError("ticket ids must be unique")
    if any("\n" in t for t in ids):
        raise DrawError("a ticket id may not contain a newline")
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def order_key(seed: bytes, listing_id: str, digest: str, beacon: str | None = None) -> bytes:
    message = f"{DRAW_VERSION}|{listing_id}|{digest}"
    if beacon is not None:
        message += f"|{beacon}"
    return hmac.new(seed, message.encode(), hashlib.sha256).digest()


def candidate_order(
    seed: bytes,
    listing_id: str,
    tickets: Sequence[DrawTicket],
    beacon: str | None = None,
) -> list[str]:
    """Every buyer once, at their best (lowest-ranked) ticket; the full order at once."""
    pairs = [(t.ticket_id, t.buyer_id) for t in tickets]
    return rank_buyers(
        order_key(seed, listing_id, entries_digest(p[0] for p in pairs), beacon), pairs
    )


def rank_buyers(key: bytes, tickets: Iterable[tuple[str, str]]) -> list[str]:
    """One pass over (ticket id, buyer): each buyer at their lowest rank, then sorted. The HMAC
    key schedule is computed once and copied per ticket (same digest as ``ticket_rank``)."""
    base = hmac.new(key, digestmod=hashlib.sha256)
    best: dict[str, bytes] = {}
    for ticket_id, buyer in tickets:
        h = base.copy()
        h.update(ticket_id.encode())
        rank = h.digest()
        known = best.get(buyer)
        if known is None or rank < known:
            best[buyer] = rank
    return sorted(best, key=lambda buyer: (best[buyer], buyer))


@dataclass(frozen=True, slots=True)
class DrawRun:
    entries_digest: str
    order: list[str]  # buyer ids
    tickets: list[tuple[str, str]]  # (ticket id, buyer id) in ticket-id order: the transcript


def run(
    seed: bytes, listing_id: str, tickets: list[tuple[str, str]], beacon: str | None = None
) -> DrawRun:
    """The draw over a listing's paid tickets: sorted once, digested once, ranked in one pass."""
    tickets.sort()
    ids = [t for t, _ in tickets]
    for previous, current in itertools.pairwise(ids):
        if previous == current:
            raise DrawError("ticket ids must be unique")
    if any("\n" in t for t in ids):
        raise DrawError("a ticket id may not contain a newline")
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()
    order = rank_buyers(order_key(seed, listing_id, digest, beacon), tickets)
    return DrawRun(digest, order, tickets)


@dataclass(frozen=True, slots=True)
class PublicDraw:
    """What the API publishes; enough for anyone to check the draw."""

    listing_id: str
    commitment: str
    entries_digest: str
    tickets: tuple[PublicTicket, ...]
    seed: str | None  # hex, once revealed
    order: tuple[str, ...]  # candidate order published so far (a prefix of the full order)
    beacon: str | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    problems: tuple[str, ...] = field(default_factory=tuple)
    recomputed_order: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(public: PublicDraw) -> Verification:
    """Recompute commitment, entries digest and order from public data; list every difference."""
    problems: list[str] = []
    if public.seed is None:
        return Verification(("the seed has not been revealed yet",))
    try:
        seed = bytes.fromhex(public.seed)
    except ValueError:
        return Verification(("the revealed seed is not hex",))
    if commitment(seed) != public.commitment:
        problems.append(
            f"commitment mismatch: SHA-256(seed) is {commitment(seed)}, "
            f"published {public.commitment}"
        )
    try:
        digest = entries_digest(t.ticket_id for t in public.tickets)
    except DrawError as exc:
        return Verification((*problems, f"ticket list invalid: {exc.message}"))
    if digest != public.entries_digest:
        problems.append(
            f"entries digest mismatch: the ticket list hashes to {digest}, "
            f"published {public.entries_digest}"
        )
    # The order is recomputed from the published digest's ticket list, as the server did.
    recomputed = tuple(candidate_order(seed, public.listing_id, public.tickets, public.beacon))
    if len(public.order) > len(recomputed):
        problems.append(
            f"the published order has {len(public.order)} buyers, the tickets only "
            f"{len(recomputed)}"
        )
    for position, (published, expected) in enumerate(zip(public.order, recomputed, strict=False)):
        if published != expected:
            problems.append(
                f"order differs at position {position + 1}: published {published!r}, "
                f"recomputed {expected!r}"
            )
            break
    return Verification(tuple(problems), recomputed)
