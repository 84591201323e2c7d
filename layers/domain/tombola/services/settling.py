"""Settlement of a listing's outcome in bounded steps (DOMAIN rules 8, 11, 12):

1. ``begin`` fixes the outcome on the listing (one outcome per listing) and names the entry
   partitions to settle;
2. ``settle_chunk``, per partition and page of at most CHUNK_BUYERS buyers (the state machine's
   Map runs them in parallel): one journal entry for those buyers' refunds or mileage, keyed by
   the chunk so that a retry writes nothing new, with its refunds and credits in the outbox;
3. ``finish`` posts the head entry (seller, deposit, fee, remainder) with the final status and
   the payout.
Together the entries post exactly what the one-entry ``settlement_plan`` would.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from tombola import telemetry
from tombola.domain.errors import InvalidInput, NotAllowedNow
from tombola.domain.ledger import EXTERNAL, Category, JournalEntry, mileage_holder, seller_payable
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.references import payment_of, payout_id_for
from tombola.domain.settlement import ChunkRules, Outcome, chunk_entry, chunk_rules, head_entry
from tombola.services.buyers import find_buyer
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version
from tombola.services.notices import notify, notify_many
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change, CountSale, CreditMileage, Effect, Payout, Refund
from tombola.state.records import BuyerRecord, EntryRecord, ListingRecord, PayoutRecord

S = ListingStatus
TERMINAL_OUTCOME = {S.SETTLED: "sold", S.UNSOLD: "unsold", S.CANCELLED: "seller_fault"}
CHUNK_BUYERS = 1_000
# and at most about this many payments (a buyer brings at most MAX_ENTRIES_PER_BUYER): each
# refund posting names its payment (~90 bytes), and the chunk's journal item must stay well
# under DynamoDB's 400 KB
CHUNK_PAYMENTS = 2_000


def _outcome(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        raise InvalidInput(f"unknown outcome {value!r}", field="outcome") from None


def _final_status(listing: ListingRecord, wanted: Outcome, at: datetime) -> None:
    if wanted is Outcome.SOLD:
        if listing.status is not S.CONFIRMED:
            move(listing, S.CONFIRMED, at)
        move(listing, S.SETTLED, at)
    elif wanted is Outcome.UNSOLD:
        move(listing, S.UNSOLD, at)
    else:
        move(listing, S.CANCELLED, at)


# The statuses each settlement may begin from (rule 16): the outcome its step implies, and
# nothing else. A user action that committed first (a dispute as the confirm window lapses, a
# shipment as the ship deadline passes) diverts the execution back to the wait it belongs to.
BEGINS_FROM: dict[str, frozenset[ListingStatus]] = {
    "confirmed": frozenset({S.CONFIRMED, S.DISPUTED}),  # disputed: released by the operator
    "auto_confirmed": frozenset({S.SHIPPED, S.DELIVERED, S.CONFIRMED}),
    "not_shipped": frozenset({S.FINAL_BUYER}),
    "dispute_refunded": frozenset({S.DISPUTED}),
    "order_exhausted": frozenset({S.CLOSED, S.DRAWING}),
}
DIVERTED_BY: dict[str, dict[ListingStatus, str]] = {
    "auto_confirmed": {S.DISPUTED: "disputed"},
    # shipped, and maybe delivered, confirmed or disputed already: the delivery wait resumes
    # at once with whatever the buyer did
    "not_shipped": {
        S.SHIPPED: "shipped",
        S.DELIVERED: "shipped",
        S.CONFIRMED: "shipped",
        S.DISPUTED: "shipped",
    },
}
RESOLUTION_FOR = {"confirmed": "release", "dispute_refunded": "refund"}


def _refuse_unless_implied(listing: ListingRecord, reason: str) -> None:
    sources = BEGINS_FROM.get(reason)
    if sources is None:
        raise InvalidInput(f"unknown settlement reason {reason!r}", field="reason")
    if listing.status not in sources:
        raise NotAllowedNow(
            f"a settlement for {reason} cannot begin while the listing is {listing.status.value}"
        )
    if listing.status is S.DISPUTED and listing.resolution != RESOLUTION_FOR.get(reason):
        raise NotAllowedNow(
            f"a settlement for {reason} needs the dispute resolved as "
            f"{RESOLUTION_FOR.get(reason)}, not {listing.resolution}"
        )


def begin(deps: Deps, listing_id: str, outcome: str, reason: str) -> dict[str, object]:
    """Fix the outcome (once per listing), from the status the step that asks implies; from
    then on every action on the listing is refused (services/outcome.py)."""
    wanted = _outcome(outcome)

    def decide() -> tuple[Change, dict[str, object]]:
        listing = next_version(load_listing(deps, listing_id))
        partitions = list(range(listing.entry_partitions))
        result: dict[str, object] = {"listing_id": listing_id, "diverted": "none"}
        if listing.status in TERMINAL_OUTCOME:
            return Change(), result | {"partitions": []}
        if listing.settling is not None:
            if listing.settling != wanted.value:
                raise NotAllowedNow(f"the listing is being settled as {listing.settling}")
            return Change(), result | {"partitions": partitions}
        diverted = DIVERTED_BY.get(reason, {}).get(listing.status)
        if diverted is not None:  # the user's step committed first: back to its wait
            return Change(), result | {"partitions": [], "diverted": diverted}
        _refuse_unless_implied(listing, reason)
        at = deps.clock.now()
        _final_status(listing.model_copy(deep=True), wanted, at)  # refuses what status forbids
        listing.settling, listing.settling_reason = wanted.value, reason
        return Change(listing=listing), result | {"partitions": partitions}

    return decide_and_apply(deps, decide)


def mileage_per_ticket(deps: Deps, listing: ListingRecord) -> int | None:
    """What each ticket of a buyer other than the final buyer earned as mileage: None until the
    listing's outcome is settled, 0 unless it sold."""
    if listing.status not in TERMINAL_OUTCOME:
        return None
    if listing.status is not S.SETTLED:
        return 0
    rules = _rules(deps, listing, Outcome.SOLD)
    return rules.mileage_per_ticket + rules.bonus_per_ticket


def _rules(deps: Deps, listing: ListingRecord, wanted: Outcome) -> ChunkRules:
    final_tickets = 0
    if listing.final_buyer is not None:
        final = find_buyer(deps, listing, listing.final_buyer)
        final_tickets = final.bought_tickets() if final else 0
    return chunk_rules(
        listing.listing_id,
        listing.terms,
        wanted,
        listing.surplus_policy,
        listing.mileage_bps,
        listing.paid_tickets,
        listing.final_buyer if wanted is not Outcome.UNSOLD else None,
        final_tickets if wanted is not Outcome.UNSOLD else 0,
    )


def _page(
    deps: Deps, listing_id: str, partition: int, after: str | None
) -> tuple[list[BuyerRecord], str | None]:
    """At most CHUNK_BUYERS buyers, cut after CHUNK_PAYMENTS payments; the same every time for
    the same start (after the close nobody's paid entries change)."""
    buyers, nxt = deps.store.buyers_in_partition(listing_id, partition, after, CHUNK_BUYERS)
    count = 0
    for i, buyer in enumerate(buyers):
        count += len(buyer.paid())
        if count > CHUNK_PAYMENTS and i > 0:
            return buyers[:i], buyers[i - 1].buyer_id
    return buyers, nxt


def settle_chunk(
    deps: Deps, listing_id: str, partition: int, after: str | None
) -> dict[str, object]:
    """One page of one entry partition; returns where the next page starts (None: done)."""
    listing = load_listing(deps, listing_id)
    if listing.settling is None:
        if listing.status in TERMINAL_OUTCOME:
            return {"listing_id": listing_id, "partition": partition, "after": None}
        raise NotAllowedNow("the listing's settlement has not begun")
    wanted = Outcome(listing.settling)
    rules = _rules(deps, listing, wanted)
    buyers, nxt = _page(deps, listing_id, partition, after)
    paid = [e for b in buyers for e in b.bought()]  # the free route's moved no money
    forfeited = frozenset(b.buyer_id for b in buyers if b.forfeited)
    chunk = f"{partition}:{after or ''}"
    entry = chunk_entry(rules, chunk, tuple(e.payment() for e in paid), forfeited)
    change = Change(dedupe=[f"settlement-chunk:{listing_id}:{chunk}"])
    if entry is not None:
        change.journal.append(entry)
        change.effects.extend(paid_out_by(entry, listing, wanted))
    entrants = {b.buyer_id for b in buyers if b.paid()}  # free entrants are told too
    others = sorted(entrants - {listing.final_buyer or ""})
    if wanted is not Outcome.SOLD and others:
        change.effects.extend(_tell_chunk(listing, wanted, others, paid, change.effects))
    decide_and_apply(deps, lambda: (change, None))
    return {"listing_id": listing_id, "partition": partition, "after": nxt}


def _tell_chunk(
    listing: ListingRecord,
    outcome: Outcome,
    buyers: list[str],
    paid: list[EntryRecord],
    effects: list[Effect],
) -> list[Effect]:
    """The chunk's buyers are told the outcome with what comes back to each (card refunds and
    mileage credited, as this chunk's entry pays them): people with the same amount share
    events, so a chunk still publishes about one event per 25 buyers."""
    back = _back(paid, effects)
    by_amount: dict[int, list[str]] = {}
    for buyer in buyers:
        by_amount.setdefault(back[buyer], []).append(buyer)
    kind = "Unsold" if outcome is Outcome.UNSOLD else "Cancelled"
    told: list[Effect] = []
    for amount, people in sorted(by_amount.items()):
        told += notify_many(
            f"{kind}Refunded" if amount else f"{kind}NothingBack",
            listing,
            people,
            reason=listing.settling_reason or "",
            **({"amount": amount, "currency": listing.currency} if amount else {}),
        )
    return told


def _back(paid: list[EntryRecord], effects: list[Effect]) -> Counter[str]:
    """What these effects give back to each buyer of these entries: card refunds and mileage."""
    payer = {e.payment().payment_id: e.buyer_id for e in paid}
    back: Counter[str] = Counter()
    for effect in effects:
        if isinstance(effect, Refund) and effect.payment_id in payer:
            back[payer[effect.payment_id]] += effect.amount
        elif isinstance(effect, CreditMileage):
            back[effect.buyer_id] += effect.amount
    return back


def _back_to_final_buyer(
    deps: Deps, listing: ListingRecord, wanted: Outcome, rules: ChunkRules, head: list[Effect]
) -> int:
    """A sale that failed after its final buyer paid: their second payment comes back with the
    head entry and their tickets with their chunk; read both from the rules' own entries (the
    chunk's worked out for the final buyer's payments alone), never recomputed here."""
    final = find_buyer(deps, listing, listing.final_buyer or "")
    paid = final.bought() if final else []
    forfeited = frozenset({final.buyer_id} if final and final.forfeited else ())
    entry = chunk_entry(rules, "final-buyer", tuple(e.payment() for e in paid), forfeited)
    tickets = _back(paid, paid_out_by(entry, listing, wanted)) if entry else Counter[str]()
    p2 = listing.second_payment_id
    second = sum(e.amount for e in head if isinstance(e, Refund) and p2 and e.payment_id == p2)
    return tickets[listing.final_buyer or ""] + second


def finish(deps: Deps, listing_id: str) -> dict[str, object]:
    def decide() -> tuple[Change, dict[str, object]]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status in TERMINAL_OUTCOME:
            return Change(), {"listing_id": listing_id, "status": listing.status.value}
        if listing.settling is None:
            raise NotAllowedNow("the listing's settlement has not begun")
        wanted = Outcome(listing.settling)
        reason = listing.settling_reason or ""
        change = Change(listing=listing)
        rules = _rules(deps, listing, wanted)
        _final_status(listing, wanted, deps.clock.now())
        listing.outcome, listing.outcome_reason = wanted.value, reason
        deposit = listing.money(listing.deposit if listing.deposit_payment_id else 0)
        second = listing.money(listing.second_payment_paid) if listing.second_payment_paid else None
        entry = head_entry(
            rules,
            listing.seller_id,
            listing.terms,
            deposit,
            second,
            deposit_payment_id=listing.deposit_payment_id,
            second_payment_id=listing.second_payment_id,
        )
        if entry is not None:
            change.journal.append(entry)
            change.effects.extend(paid_out_by(entry, listing, wanted))
            change.payouts.extend(
                PayoutRecord(
                    payout_id=e.payout_id,
                    listing_id=listing_id,
                    listing_title=listing.title,
                    seller_id=e.seller_id,
                    amount=e.amount,
                    currency=e.currency,
                    issued_at=deps.clock.now(),
                )
                for e in change.effects
                if isinstance(e, Payout)
            )
        change.effects.append(_announce(listing, wanted, reason))
        if wanted is not Outcome.SOLD and listing.final_buyer is not None:
            back = _back_to_final_buyer(deps, listing, wanted, rules, change.effects)
            final = [listing.final_buyer]
            change.effects.append(
                notify(
                    "CancelledRefunded",
                    listing,
                    final,
                    reason=reason,
                    amount=back,
                    currency=listing.currency,
                )
                if back
                else notify("CancelledNothingBack", listing, final, reason=reason)
            )
        if wanted is Outcome.SOLD:  # on the seller's public record, once per listing
            change.effects.append(CountSale(seller_id=listing.seller_id, listing_id=listing_id))
        payout = sum(e.amount for e in change.effects if isinstance(e, Payout))
        change.decisions.append(telemetry.settled(listing_id, wanted.value, payout))
        return change, {"listing_id": listing_id, "status": listing.status.value}

    return decide_and_apply(deps, decide)


REFUND_REASON = {
    (Outcome.SOLD, Category.DEPOSIT_REFUND): "deposit refunded at settlement",
    (Outcome.UNSOLD, Category.DEPOSIT_REFUND): "listing unsold: deposit refunded",
    (Outcome.UNSOLD, Category.REFUNDS): "listing unsold: tickets refunded",
    (Outcome.SELLER_FAULT, Category.REFUNDS): "sale cancelled: refunded",
}


def paid_out_by(entry: JournalEntry, listing: ListingRecord, outcome: Outcome) -> list[Effect]:
    """What a settlement entry pays out, read from its postings (the amounts are computed once,
    by the rule that posts them): a refund for each posting to the world (it names the payment
    it returns), a mileage credit for each buyer's mileage, the payout of what the seller is
    owed."""
    effects: list[Effect] = []
    cur = listing.currency
    credits: Counter[str] = Counter()  # one credit per buyer and entry (its key), all of it
    for p in entry.postings:
        if p.amount <= 0:
            continue
        buyer = mileage_holder(p.account)
        if buyer is not None:
            credits[buyer] += p.amount
        elif p.account == EXTERNAL:
            payment_id = payment_of(p.ref)
            if payment_id is None:
                raise ValueError(f"{entry.key} pays {p.amount} out without naming a payment")
            reason = REFUND_REASON.get((outcome, p.category), "refunded at settlement")
            effects.append(Refund.of_payment(payment_id, p.amount, cur, reason))
        elif p.account == seller_payable(listing.seller_id):
            effects.append(
                Payout(
                    payout_id=payout_id_for(listing.listing_id),
                    seller_id=listing.seller_id,
                    amount=p.amount,
                    currency=cur,
                )
            )
    effects.extend(
        CreditMileage(key=f"{entry.key}:{buyer}", buyer_id=buyer, amount=amount, currency=cur)
        for buyer, amount in credits.items()
    )
    return effects


def _announce(listing: ListingRecord, outcome: Outcome, reason: str) -> Effect:
    """The seller (and the final buyer of a sale); the other buyers are told by their chunk, a
    failed sale's final buyer with what comes back to them."""
    if outcome is Outcome.SOLD:
        return notify(
            "Settled", listing, [listing.seller_id, listing.final_buyer or ""], reason=reason
        )
    kind = "Unsold" if outcome is Outcome.UNSOLD else "Cancelled"
    return notify(kind, listing, [listing.seller_id], reason=reason)  # the final buyer: finish
