"""What lets anyone check a draw-v2 draw piece by piece (docs/RULES.md, "The draw"): the beacon
as published, and for a buyer their own tickets' Merkle proofs, ranks and place, so that a phone
checks them without the whole transcript."""

from __future__ import annotations

from typing import Literal

from tombola.api.views import BeaconChainView, BeaconView, MyDraw, TicketProof
from tombola.domain import beacon as beacons
from tombola.domain import draw, merkle
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import DrawError, NotAllowedNow, NotFound
from tombola.domain.pseudonyms import buyer_pseudonym
from tombola.services.buyers import partition_of
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, pseudonym_key
from tombola.state.records import ListingRecord

MAX_PROOFS = 200  # tickets proven per answer (the ticket limit per person is far below)


def beacon_view(listing: ListingRecord) -> BeaconView | None:
    if listing.beacon_chain is None or listing.beacon_planned is None:
        return None
    chain = beacons.Chain.from_dict(listing.beacon_chain)
    return BeaconView(
        chain=BeaconChainView(**chain.as_dict()),  # type: ignore[arg-type]
        margin_seconds=listing.beacon_margin,
        planned_round=listing.beacon_planned,
        planned_at=beacons.round_time(chain, listing.beacon_planned).isoformat(),
        round=listing.beacon_round,
        note=listing.beacon_note,
        reasons=_reasons(listing.beacon_note),
        used_round=listing.beacon_used,
        signature=listing.beacon_signature,
    )


_REASONS: tuple[tuple[str, Literal["closed_early", "sealed_late", "fallback"]], ...] = (
    ("closed early", "closed_early"),
    ("sealed after", "sealed_late"),
    ("could not be fetched", "fallback"),
)


def _reasons(note: str | None) -> list[Literal["closed_early", "sealed_late", "fallback"]]:
    return [code for words, code in _REASONS if note and words in note]


def _order_key(listing: ListingRecord) -> bytes | None:
    if (
        listing.seed is None
        or listing.beacon_used is None
        or listing.beacon_signature is None
        or listing.entries_digest is None
    ):
        return None
    chain = beacons.Chain.from_dict(listing.beacon_chain or {})
    used = beacons.verify(chain, listing.beacon_used, listing.beacon_signature)
    value = draw.BeaconValue(chain, used.round, used.randomness)
    return draw.order_key(
        bytes.fromhex(listing.seed),
        listing.listing_id,
        listing.entries_digest,
        draw.DRAW_V2,
        listing.entries_root,
        value,
    )


def my_draw(deps: Deps, caller: Caller, listing_id: str) -> MyDraw:
    caller.require(Role.BUYER)
    listing = load_listing(deps, listing_id)
    buyer = deps.store.get_buyer(listing_id, partition_of(listing, caller.user_id), caller.user_id)
    ticket_ids = sorted(t for e in (buyer.paid() if buyer else []) for t in e.ticket_ids)
    if not ticket_ids:
        raise NotFound(f"you hold no ticket in listing {listing_id!r}")
    if listing.draw_version != draw.DRAW_V2:
        raise NotAllowedNow(
            f"listing {listing_id} is drawn with {listing.draw_version}, which has no per-ticket "
            "proofs: verify its whole transcript"
        )
    if listing.entries_root is None:
        raise NotAllowedNow("the proofs exist once the listing closes and its entries are sealed")
    key = pseudonym_key(deps)
    me = buyer_pseudonym(key, listing_id, caller.user_id)
    order_key = _order_key(listing)
    proofs: list[TicketProof] = []
    chunks: dict[int, tuple[list[tuple[str, str]], list[bytes], list[bytes]]] = {}
    count = listing.entries_count
    best: bytes | None = None
    loaded: dict[str, int] = {}  # ticket id → chunk, for the chunks read (each read once)
    for ticket_id in ticket_ids[:MAX_PROOFS]:
        if ticket_id in loaded:
            n = loaded[ticket_id]
            tickets, above, _ = chunks[n]
        else:
            found = deps.store.ticket_chunk(listing_id, ticket_id)
            if found is None:
                raise NotAllowedNow("the ticket list is being written; ask again in a moment")
            n, tickets, above = found
            loaded.update((t, n) for t, _ in tickets)
        if n not in chunks:
            names: dict[str, str] = {}
            leaves = [
                merkle.leaf(t, names.setdefault(b, buyer_pseudonym(key, listing_id, b)))
                for t, b in tickets
            ]
            chunks[n] = (tickets, above, leaves)
        tickets, above, leaves = chunks[n]
        offset = next(i for i, (t, _) in enumerate(tickets) if t == ticket_id)
        proof = merkle.proof_in_chunk(leaves, n, count, above, offset)
        if merkle.root_from(proof, leaves[offset]).hex() != listing.entries_root:
            raise DrawError(f"ticket {ticket_id}'s proof does not lead to the entries root")
        rank = draw.ticket_rank(order_key, ticket_id) if order_key is not None else None
        if rank is not None and (best is None or rank < best):
            best = rank
        proofs.append(
            TicketProof(
                ticket_id=ticket_id,
                index=proof.index,
                proof=proof.encoded(),
                rank=rank.hex() if rank is not None else None,
            )
        )
    return MyDraw(
        listing_id=listing_id,
        version=listing.draw_version,
        buyer=me,
        closes_at=listing.closes_at.isoformat(),
        closed_at=listing.closed_at.isoformat() if listing.closed_at else None,
        sealed_at=listing.sealed_at.isoformat() if listing.sealed_at else None,
        commitment=listing.commitment,
        entries_digest=listing.entries_digest,
        entries_root=listing.entries_root,
        ticket_count=count,
        beacon=beacon_view(listing),
        seed=listing.seed,
        tickets=proofs,
        place=_place(deps, listing, caller.user_id, best),
        buyers=listing.buyers,
        order=[
            buyer_pseudonym(key, listing_id, b)
            for b in deps.store.draw_order(listing_id, 0, listing.drawn_count)
        ],
    )


def _place(deps: Deps, listing: ListingRecord, buyer_id: str, best: bytes | None) -> int | None:
    if best is None:
        return None
    found = deps.store.order_chunk_at(listing.listing_id, best)
    if found is None or buyer_id not in found[1]:
        return None
    n, buyers = found
    return n * draw.ORDER_CHUNK + buyers.index(buyer_id) + 1
