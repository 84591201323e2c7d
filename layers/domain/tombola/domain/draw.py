"""The verifiable draw (docs/RULES.md, "The draw"): one home for both versions.

draw-v1 (listings published before draw-v2):
- At publish: a secret 32-byte seed S; its commitment SHA-256(S) is published.
- At close: paid ticket ids, sorted and joined by "\\n", hash to the entries digest E.
- K = HMAC-SHA256(S, "draw-v1|" + listing id + "|" + E); a ticket's rank is HMAC-SHA256(K, id).
- Buyers are ordered by their lowest-ranked ticket (byte order). No modulo, so no bias.

draw-v2 adds what nobody can know before close, the operator included:
- At publish the listing also fixes a beacon round R (the first at or after the close plus a
  margin) of a named chain; at close E and the entries' Merkle root M (domain/merkle.py) are
  published; the draw waits for R and verifies its BLS signature (domain/beacon.py).
- K = HMAC-SHA256(S, "draw-v2|" + listing id + "|" + E + "|" + M + "|" + chain hash + "|" + round
  + "|" + randomness); ranks and order as in v1.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from tombola.domain import beacon as beacons
from tombola.domain import merkle
from tombola.domain.errors import DrawError
from tombola.domain.macs import hmac_pads

DRAW_V1 = "draw-v1"
DRAW_V2 = "draw-v2"
DRAW_VERSION = DRAW_V2  # what new listings are drawn with
VERSIONS = (DRAW_V1, DRAW_V2)
SEED_BYTES = 32
ORDER_CHUNK = 1000  # buyers per stored chunk of the order


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
    buyer_id: str  # in public, the buyer's pseudonym


def new_seed(entropy: _Entropy) -> bytes:
    seed = entropy.token_bytes(SEED_BYTES)
    if len(seed) != SEED_BYTES:
        raise DrawError(f"a draw seed is {SEED_BYTES} bytes, got {len(seed)}")
    return seed


def commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def _checked_ids(ids: Sequence[str]) -> str:
    """``ids`` sorted: unique and without newlines (the digest joins them by newline); joined."""
    if len(set(ids)) != len(ids):
        raise DrawError("ticket ids must be unique")
    joined = "\n".join(ids)
    if joined.count("\n") != max(len(ids) - 1, 0):
        raise DrawError("a ticket id may not contain a newline")
    return joined


def entries_digest(ticket_ids: Iterable[str]) -> str:
    return hashlib.sha256(_checked_ids(sorted(ticket_ids)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class BeaconValue:
    """The verified round a draw-v2 order key mixes in."""

    chain: beacons.Chain
    round: int
    randomness: str  # hex


def order_key(
    seed: bytes,
    listing_id: str,
    digest: str,
    version: str = DRAW_V1,
    root: str | None = None,
    beacon: BeaconValue | None = None,
) -> bytes:
    if version == DRAW_V1:
        message = f"{DRAW_V1}|{listing_id}|{digest}"
    elif version == DRAW_V2:
        if root is None or beacon is None:
            raise DrawError("a draw-v2 order key needs the entries root and the beacon round")
        message = (
            f"{DRAW_V2}|{listing_id}|{digest}|{root}|{beacon.chain.hash}|{beacon.round}|"
            f"{beacon.randomness}"
        )
    else:
        raise DrawError(f"unknown draw version {version!r}")
    return hmac.new(seed, message.encode(), hashlib.sha256).digest()


def ticket_rank(key: bytes, ticket_id: str) -> bytes:
    return hmac.new(key, ticket_id.encode(), hashlib.sha256).digest()


def rank_buyers(key: bytes, tickets: Iterable[tuple[str, str]]) -> list[str]:
    return ranked(key, tickets)[0]


def ranked(key: bytes, tickets: Iterable[tuple[str, str]]) -> tuple[list[str], dict[str, bytes]]:
    """One pass over (ticket id, buyer): each buyer at their lowest rank, then sorted; and each
    buyer's best rank. Ranks are ``ticket_rank``'s, computed from the key's pads (``hmac_pads``),
    and each buyer's best is kept in a list by the buyer's number: the draw's hot loop."""
    inner, outer = hmac_pads(key)
    number: dict[str, int] = {}
    best: list[bytes] = []
    worst = b"\xff" * 33  # above every rank
    for ticket_id, buyer in tickets:
        n = number.get(buyer)
        if n is None:
            n = number[buyer] = len(best)
            best.append(worst)
        i = inner()
        i.update(ticket_id.encode())
        o = outer()
        o.update(i.digest())
        rank = o.digest()
        if rank < best[n]:  # noqa: PLR1730 (a call to min costs more in this loop)
            best[n] = rank
    by_buyer = {buyer: best[n] for buyer, n in number.items()}
    return sorted(by_buyer, key=lambda buyer: (by_buyer[buyer], buyer)), by_buyer


@dataclass(frozen=True, slots=True)
class Entries:
    """The tickets in the draw, frozen at close: what is published before the beacon round."""

    tickets: list[tuple[str, str]]  # (ticket id, buyer id) in ticket-id order: the transcript
    digest: str  # E
    root: str | None  # M (draw-v2)
    chunk_paths: list[list[bytes]]  # per chunk of merkle.CHUNK tickets: its path to M
    # for the ranking's one pass: each ticket id's bytes and its buyer's number in ``buyers``
    encoded: list[bytes] = field(default_factory=list, repr=False)
    buyer_of: list[int] = field(default_factory=list, repr=False)
    buyers: list[str] = field(default_factory=list, repr=False)


def seal(tickets: list[tuple[str, str]], pseudonym: Callable[[str], str] | None = None) -> Entries:
    """Sort once, digest once; with ``pseudonym`` (draw-v2) also the Merkle tree of
    (ticket id, the buyer's pseudonym)."""
    tickets.sort()
    digest = hashlib.sha256(_checked_ids([t for t, _ in tickets]).encode()).hexdigest()
    if pseudonym is None or not tickets:
        return Entries(tickets, digest, None, [])
    buyers = list({b: None for _, b in tickets})
    number = {b: n for n, b in enumerate(buyers)}
    buyer_of = [number[b] for _, b in tickets]
    encoded = [t.encode() for t, _ in tickets]
    tails = [b"\n" + pseudonym(b).encode() for b in buyers]
    root, paths = merkle.sealed_tree(encoded, tails, buyer_of)
    return Entries(tickets, digest, root.hex(), paths, encoded, buyer_of, buyers)


@dataclass(frozen=True, slots=True)
class DrawRun:
    entries_digest: str
    order: list[str]  # buyer ids
    tickets: list[tuple[str, str]]  # (ticket id, buyer id) in ticket-id order: the transcript


def run(seed: bytes, listing_id: str, tickets: list[tuple[str, str]]) -> DrawRun:
    """A draw-v1 over a listing's paid tickets: sorted once, digested once, ranked in one pass."""
    entries = seal(tickets)
    order = rank_buyers(order_key(seed, listing_id, entries.digest), entries.tickets)
    return DrawRun(entries.digest, order, entries.tickets)


def order_v2(
    seed: bytes, listing_id: str, entries: Entries, beacon: BeaconValue
) -> tuple[list[str], dict[str, bytes]]:
    """The order and each buyer's best rank: ``ranked`` over the sealed entries' encoded ids and
    buyer numbers (the same ranks, without a lookup per ticket)."""
    key = order_key(seed, listing_id, entries.digest, DRAW_V2, entries.root, beacon)
    inner, outer = hmac_pads(key)
    best = [b"\xff" * 33] * len(entries.buyers)  # above every rank
    for ticket_id, n in zip(entries.encoded, entries.buyer_of, strict=True):
        i = inner()
        i.update(ticket_id)
        o = outer()
        o.update(i.digest())
        rank = o.digest()
        if rank < best[n]:  # noqa: PLR1730 (a call to min costs more in this loop)
            best[n] = rank
    by_buyer = dict(zip(entries.buyers, best, strict=True))
    return sorted(by_buyer, key=lambda buyer: (by_buyer[buyer], buyer)), by_buyer


def candidate_order(
    seed: bytes,
    listing_id: str,
    tickets: Sequence[DrawTicket],
    version: str = DRAW_V1,
    beacon: BeaconValue | None = None,
) -> list[str]:
    """Every buyer once, at their best (lowest-ranked) ticket; the full order at once. In
    public, ``buyer_id`` is the pseudonym, which is also what the Merkle leaves name."""
    pairs = [(t.ticket_id, t.buyer_id) for t in tickets]
    root = entries_root(pairs) if version == DRAW_V2 else None
    key = order_key(seed, listing_id, entries_digest(p[0] for p in pairs), version, root, beacon)
    return rank_buyers(key, pairs)


def entries_root(pairs: Sequence[tuple[str, str]]) -> str:
    """M over (ticket id, pseudonym) pairs, in ticket-id order."""
    ordered = sorted(pairs)
    return merkle.root([merkle.leaf(t, name) for t, name in ordered]).hex()


@dataclass(frozen=True, slots=True)
class PublicBeacon:
    """The round a draw-v2 listing fixed at publish, and the one it used."""

    chain: beacons.Chain
    planned_round: int
    round: int | None = None  # the round used, once drawn
    signature: str | None = None
    randomness: str | None = None
    note: str | None = None  # why another round than the planned one was used
    due_round: int | None = None  # the round waited for (fixed at close; None: the planned)
    margin: int = 0


@dataclass(frozen=True, slots=True)
class PublicDraw:
    """What the API publishes; enough for anyone to check the draw."""

    listing_id: str
    commitment: str
    entries_digest: str
    tickets: tuple[PublicTicket, ...]
    seed: str | None  # hex, once revealed
    order: tuple[str, ...]  # candidate order published so far (a prefix of the full order)
    version: str = DRAW_V1
    entries_root: str | None = None
    beacon: PublicBeacon | None = None
    closes_at: datetime | None = None  # scheduled
    closed_at: datetime | None = None  # when the entries were frozen
    sealed_at: datetime | None = None  # when E and M were published


@dataclass(frozen=True, slots=True)
class Verification:
    problems: tuple[str, ...] = field(default_factory=tuple)
    recomputed_order: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def _round_problems(public: PublicDraw, b: PublicBeacon) -> list[str]:
    """The rounds in the transcript against the rules: the chain is what it says, the margin
    the rules' (quicknet's is fixed), the planned round follows the scheduled close, the round
    waited for follows the seal, and the round used is that one or its one fallback."""
    problems: list[str] = []
    chain_wrong = beacons.chain_problem(b.chain)
    if chain_wrong:
        problems.append(chain_wrong)
    if b.margin != beacons.margin_for(b.chain, b.margin):
        problems.append(f"quicknet's margin is {beacons.QUICKNET_MARGIN} s, not {b.margin} s")
    if public.closes_at is None or public.closed_at is None or public.sealed_at is None:
        return [*problems, "a draw-v2 transcript must give closes_at, closed_at and sealed_at"]
    planned = beacons.planned_round(b.chain, public.closes_at, b.margin)
    if b.planned_round != planned:
        problems.append(f"the planned round is {planned} for this close, not {b.planned_round}")
    due, _ = beacons.draw_round(
        b.chain, planned, public.closes_at, public.closed_at, public.sealed_at, b.margin
    )
    if (b.due_round or b.planned_round) != due:
        problems.append(f"the round to wait for is {due}, not {b.due_round or b.planned_round}")
    fallback = beacons.fallback_round(b.chain, due)
    if b.round not in {due, fallback}:
        problems.append(
            f"the draw used round {b.round}: only {due} or its fallback {fallback} may be"
        )
    elif b.round == fallback and not b.note:
        problems.append(f"the draw used the fallback round {b.round} and says not why")
    return problems


def _verified_beacon(public: PublicDraw, problems: list[str]) -> BeaconValue | None:
    b = public.beacon
    if b is None or b.round is None or b.signature is None:
        problems.append("a draw-v2 transcript must name the beacon round it used")
        return None
    problems += _round_problems(public, b)
    try:
        verified = beacons.verify(b.chain, b.round, b.signature)
    except DrawError as exc:
        problems.append(f"beacon: {exc.message}")
        return None
    if b.randomness is not None and b.randomness != verified.randomness:
        problems.append(
            f"beacon randomness mismatch: the signature gives {verified.randomness}, "
            f"published {b.randomness}"
        )
    return BeaconValue(b.chain, verified.round, verified.randomness)


def verify(public: PublicDraw) -> Verification:
    """Recompute commitment, entries digest, Merkle root, beacon and order from public data;
    list every difference."""
    problems: list[str] = []
    if public.version not in VERSIONS:
        return Verification((f"unknown draw version {public.version!r}",))
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
    beacon: BeaconValue | None = None
    if public.version == DRAW_V2:
        root = entries_root([(t.ticket_id, t.buyer_id) for t in public.tickets])
        if root != public.entries_root:
            problems.append(
                f"entries root mismatch: the ticket list's Merkle root is {root}, "
                f"published {public.entries_root}"
            )
        beacon = _verified_beacon(public, problems)
        if beacon is None:
            return Verification(tuple(problems))
    # The order is recomputed from the published ticket list, as the server did.
    recomputed = tuple(
        candidate_order(seed, public.listing_id, public.tickets, public.version, beacon)
    )
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
