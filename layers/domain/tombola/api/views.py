"""Response bodies of the HTTP API: what each route answers, and the one error body every refusal
uses. Amounts are whole minor units; times are ISO 8601 with a zone."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tombola.domain.lifecycle import ListingStatus, Phase
from tombola.domain.pricing import SurplusPolicy


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------- errors


class ErrorDetail(View):
    code: str = Field(examples=["ticket_limit_exceeded"])
    message: str = Field(examples=["a buyer may hold at most 4 tickets on this listing"])
    field: str | None = Field(default=None, examples=["tickets"])
    limits: dict[str, int] | None = Field(
        default=None,
        description="the bounds the value broke (min, max, limit, held …), for a client's words",
        examples=[{"min": 1, "max": 604800}],
    )
    window: str | None = Field(
        default=None, description="spend_limit_reached: the window (day, week, month) it passes"
    )
    resets_at: str | None = Field(default=None, description="when that window starts again")
    until: str | None = Field(
        default=None, description="on_break, self_excluded: when the break or exclusion ends"
    )


class Problem(View):
    """One of the problems a refused request body had (422)."""

    field: str = Field(examples=["body.price"])
    type: str = Field(examples=["greater_than"])
    message: str = Field(examples=["Input should be greater than 0"])
    limits: dict[str, int | float | str] | None = Field(
        default=None, description="the rule's bounds (ge, le, max_length, pattern …)"
    )


class ErrorBody(View):
    """Every 4xx answer: what went wrong in words, and the field it concerns where there is one."""

    error: ErrorDetail
    problems: list[Problem] | None = None


# ------------------------------------------------------------------------------------ listings


class CheckoutView(View):
    """Where the payer pays: the provider's checkout for this amount, until it expires."""

    checkout_id: str
    amount: int
    currency: str
    url: str
    expires_at: str


class DeadlinesView(View):
    """Seconds each step may take."""

    second_payment: int
    ship: int
    delivery: int
    confirm: int
    resolution: int


class ChancesView(View):
    """The chance of being drawn first, as tickets over tickets (rule 21)."""

    mine: int = Field(description="the buyer's tickets, those being bought included")
    now: int = Field(description="the tickets in the draw now, those being bought included")
    if_full: int = Field(description="the tickets in the draw once the paid ones reach Np")


class BeaconChainView(View):
    name: str = Field(examples=["quicknet"])
    hash: str = Field(description="the chain's id (drand's chain hash)")
    public_key: str = Field(description="hex, a compressed BLS12-381 G2 point")
    genesis_time: int = Field(description="unix seconds of round 1")
    period: int = Field(description="seconds between rounds")
    scheme: str = Field(examples=["bls-unchained-g1-rfc9380"])


class BeaconView(View):
    chain: BeaconChainView
    margin_seconds: int = Field(description="the round is the first at or after close + margin")
    planned_round: int = Field(description="fixed at publish for the scheduled close")
    planned_at: str = Field(description="when the planned round is emitted")
    round: int | None = Field(
        default=None, description="the round the draw waits for, fixed when the entries are"
    )
    note: str | None = Field(default=None, description="why it is not the planned round")
    reasons: list[Literal["closed_early", "sealed_late", "fallback"]] = Field(
        default_factory=list, description="the note's reasons, as codes (a client words them)"
    )
    used_round: int | None = Field(default=None, description="the round the draw used")
    signature: str | None = Field(default=None, description="its BLS signature, hex")


class ListingView(View):
    listing_id: str = Field(examples=["L-8f2c1e"])
    title: str
    description: str
    seller: str = Field(
        description="the seller's public handle: a pseudonym, the same on all their listings"
    )
    status: ListingStatus
    phase: Phase = Field(description="the statuses a client treats alike")
    currency: str = Field(examples=["KRW"])
    currency_minor_units: int = Field(description="digits after the decimal point (KRW: 0)")
    price: int = Field(description="Pp", examples=[100_000])
    expected_entrants: int = Field(description="Np", examples=[100])
    first_payment: int = Field(description="P1 per ticket", examples=[1_000])
    fee: int
    deposit: int
    ticket_limit: int
    close_when_full: bool
    surplus_policy: SurplusPolicy
    closes_at: str
    deposit_due_at: str | None = Field(
        default=None, description="while the deposit is unpaid: paid by then, or cancelled"
    )
    seconds_left: int
    paid_tickets: int
    free_tickets: int = Field(
        default=0,
        description="tickets of the free entry route: in the draw with the paid (the chance of "
        "one ticket is 1 / (paid + free)), never in P1 × Nr",
    )
    second_payment_if_drawn_now: int = Field(description="P2 if the draw happened now")
    one_ticket_chances: ChancesView = Field(
        description="one more ticket's chance of being drawn first: mine over now, and over if_full"
    )
    worst_case_one_ticket: int = Field(description="P1 + P2 if drawn now, for one ticket")
    draw_commitment: str
    draw_version: str = Field(default="draw-v1", examples=["draw-v2"])
    beacon: BeaconView | None = Field(
        default=None, description="draw-v2: the public beacon round fixed at publish"
    )
    deadlines: DeadlinesView
    photos: list[str] = Field(
        description="the photos' URLs, in the order the seller added them (at most 8)"
    )
    seller_completed_sales: int = Field(
        description="how many of this seller's listings have sold and settled"
    )


class DepositView(View):
    amount: int
    currency: str
    checkout: CheckoutView | None = Field(description="null when no deposit is due")


class ListingCreated(View):
    listing: ListingView
    deposit: DepositView


class ListingPage(View):
    listings: list[ListingView]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null: last")


class DrawTicket(View):
    ticket_id: str
    buyer: str = Field(description="the buyer's pseudonym on this listing")


class DrawTranscript(View):
    """Everything needed to recompute the draw: see docs/RULES.md, "Verifying a draw"."""

    listing_id: str
    version: str = Field(examples=["draw-v1"])
    commitment: str
    entries_digest: str | None
    ticket_count: int
    tickets: list[DrawTicket]
    page: int
    next_page: int | None
    seed: str | None = Field(description="revealed once the draw is done")
    order: list[str] = Field(description="pseudonyms in the order drawn so far")
    entries_root: str | None = Field(
        default=None, description="draw-v2: the Merkle root of (ticket id, pseudonym), at close"
    )
    closes_at: str | None = Field(default=None, description="the scheduled close")
    closed_at: str | None = Field(default=None, description="when the entries were frozen")
    sealed_at: str | None = Field(
        default=None, description="draw-v2: when the entries digest and root were published"
    )
    beacon: BeaconView | None = None


class TicketProof(View):
    ticket_id: str
    index: int = Field(description="the ticket's place in ticket-id order, from 0")
    proof: str = Field(description="the sibling hashes from the leaf up, 32 bytes each, base64")
    rank: str | None = Field(default=None, description="HMAC-SHA256(K, ticket id), hex; once drawn")


class MyDraw(View):
    """One buyer's tickets in a draw-v2 draw, each with what lets them check it alone."""

    listing_id: str
    version: str
    buyer: str = Field(description="my pseudonym on this listing")
    closes_at: str
    closed_at: str | None
    sealed_at: str | None
    commitment: str
    entries_digest: str | None
    entries_root: str | None
    ticket_count: int = Field(description="tickets in the draw (leaves of the tree)")
    beacon: BeaconView | None
    seed: str | None = Field(description="revealed once the draw is done")
    tickets: list[TicketProof]
    place: int | None = Field(default=None, description="my place in the order, from 1")
    buyers: int = Field(description="buyers in the order")
    order: list[str] = Field(description="pseudonyms in the order drawn so far")


class StatementFigures(View):
    listing_id: str
    currency: str
    paid_in: dict[str, int]
    paid_out: dict[str, int]
    total_in: int
    total_out: int
    held_in_escrow: int
    balanced: bool


class PayoutStatus(View):
    amount: int
    currency: str
    status: Literal["issued", "paid"]
    issued_at: str = Field(description="when settlement issued it")
    paid_at: str | None
    reference: str | None = Field(
        default=None, description="how the transfer is known: the bank's or provider's reference"
    )
    account_ending: str | None = Field(
        default=None, description="the last 4 digits of the account it goes to"
    )
    account: str | None = Field(
        default=None,
        description='the account it goes to, by its bank and last 4 digits ("신한 …5678")',
    )


OutcomeReason = Literal[
    "confirmed",
    "auto_confirmed",
    "no_entries",
    "order_exhausted",
    "not_shipped",
    "dispute_refunded",
    "deposit_not_paid",
]


class StatementView(StatementFigures):
    status: ListingStatus
    outcome_reason: OutcomeReason | None = Field(
        default=None,
        description="once the listing ended, why: sold (confirmed, auto_confirmed), unsold "
        "(no_entries: nobody entered; order_exhausted: every drawn buyer passed) or cancelled "
        "(not_shipped, dispute_refunded, deposit_not_paid); null until then",
    )
    payout: PayoutStatus | None = Field(
        description="the seller's payout: issued at settlement, paid once the transfer is made"
    )
    other_currencies: dict[str, StatementFigures] = Field(
        description="money that arrived in another currency (refunded as it came)"
    )


class EntrantView(View):
    buyer: str = Field(description="the buyer's pseudonym on this listing, as in its draw")
    paid_tickets: int
    held_tickets: int = Field(description="tickets held while their payment is pending")
    entered_at: str = Field(description="when the buyer first entered")


class EntrantPage(View):
    entrants: list[EntrantView]
    next_cursor: str | None = Field(
        description="pass as ?cursor= for more (a page may be short, even empty); null: the end"
    )


# ------------------------------------------------------------------------------------- buyers


class SecondPaymentDue(View):
    amount: int = Field(description="P2")
    due_at: str


class ShipmentInfo(View):
    carrier: str
    tracking_number: str
    corrected_at: str | None = None  # the seller corrected the number they first typed
    correctable: bool = False  # in transit and the carrier said nothing yet: it may be corrected


class EntryView(View):
    """One entry, with where its listing stands for this buyer."""

    entry_id: str
    listing_id: str
    listing_title: str
    listing_status: ListingStatus
    listing_phase: Phase = Field(description="the listing's status as a client groups it")
    candidate: bool = Field(description="you are the drawn candidate who must pay P2 now")
    second_payment: SecondPaymentDue | None = Field(description="while you are the candidate")
    final_buyer: bool = Field(description="you bought the item")
    passed: bool = Field(
        default=False, description="you were drawn and gave up or let the deadline pass"
    )
    shipment: ShipmentInfo | None = Field(description="once shipped, to the final buyer only")
    tickets: int
    amount: int
    currency: str
    payment_method: Literal["card", "mileage", "free"] = Field(
        description="free: the free entry route (no payment, one ticket in the draw)"
    )
    status: str = Field(examples=["pending", "paid", "expired"])
    ticket_ids: list[str]
    created_at: str
    hold_expires_at: str
    pseudonym: str | None = Field(description="how the public draw data names you on the listing")
    mileage_earned: int | None = Field(
        default=None, description="credited for this entry at settlement; null until settled"
    )


class EntryCreated(View):
    entry: EntryView
    checkout: CheckoutView | None = Field(default=None, description="absent when paid with mileage")


class EntryList(View):
    entries: list[EntryView] = Field(
        description="every entry on the page's listings (up to ?limit= listings), oldest first"
    )
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next listings' entries; null: last"
    )


class MileageView(View):
    currency: str
    balance: int


class RefundAccountView(View):
    bank: str
    number: str
    holder_name: str


class PayoutAccountView(View):
    """A seller's payout account in full: to its owner, and to the operator transferring to it."""

    bank: str | None = Field(
        description="the bank's three-digit code; null for an account kept as free text before "
        "banks were chosen from a list (the seller is asked to enter it again)"
    )
    bank_name: str | None = Field(description="the bank as its customers say it: 신한, KB국민")
    number: str = Field(description="the account number's digits (an old account: its text)")
    holder_name: str | None
    masked: str = Field(
        description="as shown anywhere else: the bank and the number's last 4 digits "
        '("신한 …5678"); an old free-text account by its last 4 digits only'
    )


class ProfileView(View):
    user_id: str
    name: str
    email: str
    phone: str = Field(description="E.164, as kept")
    texts_reach_phone: bool = Field(description="an SMS can reach it (a mobile number)")
    address: str
    payout_account: PayoutAccountView | None
    refund_account: RefundAccountView | None = Field(
        default=None, description="where refunds of virtual-account payments go"
    )


# --------------------------------------------------------------------------- after the draw


class SecondPaymentView(View):
    amount: int = Field(description="P2")
    currency: str
    due_at: str
    checkout: CheckoutView


class ListingStep(View):
    """The listing after a buyer's or seller's step."""

    listing_id: str
    status: str = Field(examples=["forfeited", "confirmed", "disputed"])


class FinalBuyerView(View):
    """Shipping details of the final buyer, shown only to the listing's seller."""

    listing_id: str
    name: str
    phone: str
    address: str


class ShipmentView(FinalBuyerView):
    status: ListingStatus


class ResolutionView(View):
    listing_id: str
    resolution: Literal["release", "refund"]


# ----------------------------------------------------------------------------------- operator


class AttentionItem(View):
    listing_id: str
    title: str
    status: ListingStatus
    error: str
    cause: str
    execution: str
    since: str
    resumes_at: str | None = Field(description="the step a resume would start from")


class AttentionList(View):
    listings: list[AttentionItem]


class ResumeView(View):
    listing_id: str
    status: ListingStatus
    execution: str
    execution_status: str | None
    resumed: bool
    start_at: str | None


class PayoutView(View):
    """A payout to a seller: issued at settlement, paid once the operator confirms the transfer
    (the journal records it then)."""

    payout_id: str
    listing_id: str
    listing_title: str | None = Field(
        default=None,
        description="the item's title as listed (null for payouts issued before it was kept)",
    )
    seller_id: str
    transfer_reference: str | None = Field(
        default=None, description="once paid: the transfer's reference (bank or provider)"
    )
    payout_account: PayoutAccountView | None = Field(
        description="while it waits, where to transfer: the seller's payout account when the "
        "payout was issued (null once paid: see payout_account_masked)"
    )
    payout_account_masked: str | None = Field(
        default=None,
        description="the account it was issued to as the paid history shows it: its bank and "
        'last 4 digits ("신한 …5678")',
    )
    profile_payout_account: PayoutAccountView | None = Field(
        default=None, description="while it waits: the seller's payout account in their profile now"
    )
    warning: str | None = Field(
        default=None,
        description="set while the payout waits and the two accounts differ: check with the "
        "seller before transferring",
    )
    amount: int
    currency: str
    status: Literal["issued", "paid"]
    issued_at: str
    paid_at: str | None


class PayoutList(View):
    payouts: list[PayoutView]


class DisputeMoves(View):
    """What one decision moves, in whole minor units of the listing's currency (as its
    settlement will post it)."""

    seller_paid: int = Field(description="to the seller: the price (release), else 0")
    deposit_returned: int = Field(description="the seller's deposit back to them (release)")
    deposit_forfeited: int = Field(description="the seller's deposit to the operator (refund)")
    second_payment_refunded: int = Field(description="the final buyer's P2 back (refund)")
    tickets_refunded: int = Field(
        description="every paid ticket's P1 back to its buyer, card or mileage (refund)"
    )


class DisputeView(View):
    """A dispute for the operator to decide, or decided: what the buyer said, the shipment,
    the money, and the buyer by the pseudonym the public draw uses (never their name or
    contact)."""

    listing_id: str
    title: str
    status: ListingStatus
    reason: str = Field(description="the final buyer's reason, as they wrote it (several lines)")
    photos: list[str] = Field(description="the final buyer's photos' URLs, in the order added")
    answer: str | None = Field(description="the seller's answer, as they wrote it (null: none)")
    answered_at: str | None = Field(description="when the seller answered")
    carrier: str | None
    tracking_number: str | None
    shipped_at: str | None
    delivered_at: str | None = Field(description="when the carrier reported it delivered")
    final_buyer: str = Field(description="the final buyer's pseudonym on this listing")
    currency: str
    price: int = Field(description="Pp")
    first_payment: int = Field(description="P1, a ticket")
    paid_tickets: int
    tickets_paid: int = Field(description="P1 of every paid ticket, all buyers together")
    second_payment_paid: int = Field(description="P2 the final buyer paid (0: none was due)")
    deposit: int
    opened_at: str | None = Field(description="when the buyer opened the dispute")
    resolution_due_at: str | None = Field(
        description="the operator's deadline to decide (while it is open); past it the wait "
        "starts again"
    )
    if_released: DisputeMoves = Field(description="what releasing to the seller moves")
    if_refunded: DisputeMoves = Field(description="what refunding the buyer moves")
    decision: Literal["release", "refund"] | None = Field(description="null while open")
    decided_at: str | None
    decided_by: str | None = Field(description="the operator who decided")


class DisputeCase(View):
    """A dispute as its final buyer and its seller read it: the buyer's reason and photos, the
    seller's answer, by when the operator decides, and the decision once taken."""

    reason: str = Field(description="the final buyer's reason, as they wrote it (several lines)")
    photos: list[str] = Field(description="the final buyer's photos' URLs, in the order added")
    max_photos: int = Field(description="how many photos a dispute may have")
    opened_at: str | None = Field(description="when the buyer opened the dispute")
    answer: str | None = Field(description="the seller's answer (null: none yet)")
    answered_at: str | None
    resolution_due_at: str | None = Field(
        description="while undecided: by when the operator decides (null: not set yet)"
    )
    decision: Literal["release", "refund"] | None = Field(
        description="null while open; release: the seller is paid; refund: the buyer refunded"
    )
    decided_at: str | None


class DisputeList(View):
    disputes: list[DisputeView] = Field(
        description="open: oldest dispute first within a page; decided: newest decision first"
    )
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null: last")


class DeadEffectsView(View):
    """Effects that kept failing after their retries (a refund the provider refuses, a bus that
    is down): nothing of them happened; the operator retries them once the cause is fixed, or
    resolves them by hand with a note."""

    dead_id: str
    listing_id: str | None
    effects: list[dict[str, object]] = Field(description="what was to happen, as committed")
    attempts: int
    last_error: str
    created_at: str
    failed_at: str
    resolved_at: str | None
    resolved_by: str | None
    resolution_note: str | None


class DeadEffectsList(View):
    effects: list[DeadEffectsView]


# ------------------------------------------------------------------------------------- policy


class DeadlineBounds(View):
    default: int = Field(description="seconds, when the seller does not choose")
    min: int
    max: int


class DeadlinePolicy(View):
    second_payment: DeadlineBounds
    ship: DeadlineBounds
    delivery: DeadlineBounds
    confirm: DeadlineBounds
    resolution: DeadlineBounds


class DepositRule(View):
    """Exactly one of the two is set."""

    fixed: int | None = Field(description="the same deposit for every listing, minor units")
    rate_bps: int | None = Field(description="or this share of Pp (basis points), rounded up")


class CurrencyTerms(View):
    """The fee and deposit rule of listings priced in one currency, in its own minor units."""

    minor_units: int = Field(description="digits after the point (KRW: 0, USD: 2)")
    fee: int = Field(description="k, in this currency's minor units")
    deposit: DepositRule


class PlayPolicyView(View):
    """What the operator's market asks before anyone pays for a chance."""

    market: str = Field(description="KR, UK, US or none")
    minimum_age: int
    identity_required: bool = Field(
        description="a buyer is verified before their first paid entry, a seller before their "
        "first listing"
    )
    free_entry_cap: int = Field(description="free entries per person per listing (0: none)")
    limit_prompt: bool = Field(description="a spend limit (or none) is chosen before buying")
    time_zone: str = Field(description="where spending days, weeks and months start")
    phone_region: str = Field(
        description="how a phone typed without a country code is read (ISO 3166: KR, GB, US)"
    )
    break_days: list[int]
    exclusion_months: list[int]


class PolicyView(View):
    """The operator's rules every new listing is made under."""

    fee: int = Field(
        description="k: the operator's fee per listing, taken from the pool, in KRW "
        "(by_currency has every currency's)"
    )
    deposit: DepositRule = Field(description="the deposit rule in KRW (by_currency: each one's)")
    by_currency: dict[str, CurrencyTerms] = Field(
        description="the currencies a listing may be priced in now, each with its fee and "
        "deposit rule in its own minor units"
    )
    surplus_policy_default: SurplusPolicy
    mileage_bps: int = Field(description="mileage a non-winning ticket earns, as a share of P1")
    ticket_limit_default: int
    ticket_limit_max: int
    expected_entrants_max: int
    max_open_days: int = Field(description="how far ahead a listing may close")
    payment_hold_seconds: int = Field(description="how long a ticket is held awaiting payment")
    deposit_expiry_seconds: int = Field(
        description="how long a new listing waits for its deposit before it is cancelled"
    )
    currencies: dict[str, int] = Field(description="currency code: digits after the point")
    deadlines: DeadlinePolicy
    play: PlayPolicyView = Field(description="responsible play: the market and what it asks")


# ----------------------------------------------------------------------------------- webhooks


class WebhookAck(View):
    """The event was taken; ``result`` says what it did (``duplicate``: applied before)."""

    event_id: str
    result: str = Field(examples=["tickets_issued", "duplicate", "refunded", "ignored"])


# ------------------------------------------------------------------------------ reconciliation


class ReconciliationLine(View):
    """One record compared: the provider's and ours."""

    status: Literal["matched", "missing_here", "missing_there", "amount_differs"] = Field(
        description="missing_here: the provider has it and our books do not; missing_there: "
        "our books have it and the provider does not"
    )
    kind: Literal["payment", "cancellation", "refund", "payout"] = Field(
        description="refund: a cancellation we asked for; cancellation: one the provider made "
        "on its own (chargeback, its console)"
    )
    provider_id: str = Field(description="the payment, cancellation, refund or payout id")
    currency: str
    provider_amount: int | None
    our_amount: int | None
    payment_id: str | None
    listing_id: str | None
    our_key: str | None = Field(description="the journal key or record it was booked under")
    note: str


class ReconciliationTotals(View):
    """Per currency, as each side recorded the day: money in (payments) and out (cancellations,
    refunds, payouts)."""

    currency: str
    provider_in: int
    provider_out: int
    ours_in: int
    ours_out: int


class ReconciliationView(View):
    """One day (UTC) of the provider's records against our books."""

    day: str = Field(examples=["2026-11-29"])
    provider: str = Field(examples=["sandbox", "portone"])
    counts: dict[str, int] = Field(description="records by status")
    totals: list[ReconciliationTotals]
    mismatches: list[ReconciliationLine] = Field(description="every record not matched")
    matched: list[ReconciliationLine] = Field(description="matched records (at most 200)")
    truncated: bool = Field(description="more mismatches than listed (the first 1,000 are)")


# ---------------------------------------------------------------------------------- notes


class NoteView(View):
    """One thing the product told you; the client words it from ``kind`` and ``facts``."""

    note_id: str
    kind: str = Field(examples=["SecondPaymentDue", "Shipped"])
    listing_id: str | None
    title: str = Field(description="the listing's title")
    facts: dict[str, str | int] = Field(
        description="amount, currency, due_at, seconds, carrier, tracking_number, reason …",
        examples=[{"amount": 60000, "currency": "KRW", "due_at": "2026-12-01T12:00:00+00:00"}],
    )
    at: str
    read: bool
    channels: dict[str, str] = Field(
        description="email / sms: sent, failed, sending, pending or none (no address)"
    )


class NoteList(View):
    notes: list[NoteView] = Field(description="newest first")
    unread: int = Field(description="unread notes, counted up to 100 (a client shows 99+)")
    next_before: str | None = Field(description="pass as ?before= for older notes; null: none")


class UndeliveredView(View):
    """A note a channel failed for: who, what, and the provider's answer (no addresses)."""

    user_id: str
    note_id: str
    kind: str
    listing_id: str | None
    at: str
    failures: dict[str, str] = Field(
        description="channel → the provider's error, or that its send was never confirmed"
    )


class UndeliveredList(View):
    notes: list[UndeliveredView] = Field(description="newest first, at most 100")


# ------------------------------------------------------------------------------------ photos


class UploadFormView(View):
    """A signed upload: POST ``fields`` and then the file (as the form field ``file``, last) as
    multipart/form-data to ``url``. The storage refuses another type or size itself."""

    url: str
    fields: dict[str, str]


class PhotoUploadView(View):
    """Where to upload a photo; once uploaded, confirm it with
    POST /listings/{listing_id}/photos/{photo_id}."""

    photo_id: str = Field(examples=["P3f1a9c"])
    upload: UploadFormView
    expires_at: str = Field(description="the form is refused after this time")
    max_bytes: int


# ---------------------------------------------------------------------------- timeline

StepName = Literal[
    "published",
    "entered",
    "closed",
    "drawn",
    "other_drawn",
    "passed",
    "paid",
    "shipped",
    "delivered",
    "confirmed",
    "disputed",
    "decision",
    "released",
    "refunded",
    "settled",
    "unsold",
    "cancelled",
]


class StepView(View):
    step: StepName
    state: Literal["done", "now", "next"] = Field(
        description="done (at), now (waiting on it, due by due_at) or still ahead"
    )
    at: str | None = Field(description="when it happened")
    due_at: str | None = Field(description="the deadline of a step under way")


class TimelineView(View):
    """One listing's order, step by step, as the caller (its buyer or its seller) lives it."""

    listing_id: str
    title: str
    role: Literal["buyer", "seller"]
    status: ListingStatus
    phase: Phase
    currency: str
    paid_so_far: int = Field(
        description="a buyer's P1s and P2 paid on it; a seller's deposit (0 when none)"
    )
    second_payment_due: int | None = Field(description="P2 while you are the drawn candidate")
    shipment: ShipmentInfo | None = Field(description="to the seller and the final buyer")
    dispute: DisputeCase | None = Field(
        description="to the seller and the final buyer, once it was disputed"
    )
    steps: list[StepView]


# ------------------------------------------------------------------------ responsible play
class VerificationStartView(View):
    verification_id: str
    provider: str = Field(description="sandbox or portone")
    store_id: str | None = None
    channel_key: str | None = None
    url: str | None = Field(default=None, description="the sandbox's verification page")


class SpendLimitsView(View):
    day: int | None
    week: int | None
    month: int | None


class WindowSpend(View):
    window: str = Field(description="day, week or month")
    spent: int
    limit: int | None
    resets_at: str


class CurrencyLimitsView(View):
    currency: str
    limits: SpendLimitsView
    raise_waiting: SpendLimitsView | None = Field(
        default=None, description="a higher limit asked for, in force from raise_effective_at"
    )
    raise_effective_at: str | None = None
    spent: list[WindowSpend]


class StandingView(View):
    """The caller's own standing: what they may do now and why not."""

    verified: bool
    verified_at: str | None = None
    age: int | None = Field(default=None, description="from the verified birth date")
    of_age: bool | None = None
    may_buy: bool
    refusal: str | None = Field(default=None, description="the code a purchase gets now")
    limits_chosen: list[str] = Field(
        description="the currencies the person chose limits in (no limit is a choice too); "
        "where the market asks (policy.limit_prompt) a purchase in another is refused "
        "with limit_needed"
    )
    break_until: str | None = None
    excluded_until: str | None = None
    limits: list[CurrencyLimitsView]
    policy: PlayPolicyView


class ComplaintView(View):
    complaint_id: str
    topic: str
    text: str
    listing_id: str | None = None
    opened_at: str
    status: Literal["open", "answered"]
    answer: str | None = None
    answered_at: str | None = None


class ComplaintList(View):
    complaints: list[ComplaintView]


class OperatorComplaint(ComplaintView):
    user_id: str = Field(description="who complained (the operator answers them by name)")
    age_seconds: int = Field(description="how long it has waited (open) or waited (answered)")


class OperatorComplaintList(View):
    complaints: list[OperatorComplaint]


class RefusedAccountView(View):
    user_id: str = Field(description="the account refused")
    holder_id: str = Field(description="the account the person verified first")
    at: str


class HarmSignalView(View):
    """A person whose spending rose sharply: a week reached 3× the week before (and a floor)."""

    user_id: str
    currency: str
    week: str = Field(examples=["W2026-W49"])
    spent: int = Field(description="that week, so far when raised")
    previous: int = Field(description="the week before")
    at: str


class PlayOverview(View):
    """The operator's counts (never more of a person than needed), people whose spending rose
    sharply, and the refused accounts."""

    verified: int = Field(description="people verified")
    with_limits: int = Field(description="people who chose spend limits (none is a choice too)")
    on_break: int = Field(description="breaks in force (ending today or later)")
    excluded: int = Field(description="self-exclusions in force (ending today or later)")
    harm_signals: list[HarmSignalView]
    refused_accounts: list[RefusedAccountView]
