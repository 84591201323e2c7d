"""What the product reports about itself: one structured log line per business decision, and
metrics with fixed names and dimensions (the dashboard in template.yaml reads these names).

A service attaches its decision to the Change it commits; the runner reports it once the Change
is written, so a retried or duplicate event is never counted twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Metric(StrEnum):
    TICKETS_SOLD = "TicketsSold"
    FIRST_PAYMENTS = "FirstPaymentsCollected"  # P1, in minor units
    DRAWS = "Draws"
    REDRAWS = "Redraws"
    SECOND_PAYMENT_TIMEOUTS = "SecondPaymentTimeouts"
    SETTLEMENTS = "Settlements"  # dimension Outcome: sold | unsold | cancelled
    REFUNDS = "Refunds"
    REFUNDED = "RefundedAmount"  # minor units
    NEEDING_ATTENTION = "ListingsNeedingAttention"
    STUCK_LISTINGS = "StuckListings"  # found by the recovery sweep with no running execution
    RESUMED = "ListingsResumed"
    WEBHOOK_REJECTS = "WebhookRejects"  # dimension Source: payments | delivery
    EFFECT_LAG = "EffectLagSeconds"  # age of the oldest effect the outbox sweep re-ran
    OPERATOR_ALERTS = "OperatorAlerts"
    DEAD_EFFECTS = "DeadEffects"  # effects that kept failing, moved to the operator's list
    # the provider gave a payment back without our asking (chargeback, its console)
    PROVIDER_CANCELLATIONS = "ProviderCancellations"
    # provider records and journal entries of a day that disagree (the daily reconciliation)
    RECONCILIATION_MISMATCHES = "ReconciliationMismatches"
    # listings the schedule closed more than a minute late: their execution was not waiting
    LATE_CLOSES = "LateCloses"


# Metrics whose value is an amount or a duration rather than a count.
AMOUNTS = {Metric.FIRST_PAYMENTS, Metric.REFUNDED}
SECONDS = {Metric.EFFECT_LAG}


@dataclass(frozen=True)
class Point:
    metric: Metric
    value: int = 1
    dimensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Decision:
    """``name`` says what was decided (``tickets_accepted``, ``drawn``…); ``facts`` why and
    with what (ids, amounts, reasons: never personal data)."""

    name: str
    listing_id: str
    facts: dict[str, str | int] = field(default_factory=dict)
    points: tuple[Point, ...] = ()


# ---------------------------------------------------------------------------- decisions
def tickets_accepted(
    listing_id: str, entry_id: str, tickets: int, amount: int, funding: str
) -> Decision:
    return Decision(
        "tickets_accepted",
        listing_id,
        {"entry_id": entry_id, "tickets": tickets, "amount": amount, "funding": funding},
        (Point(Metric.TICKETS_SOLD, tickets), Point(Metric.FIRST_PAYMENTS, amount)),
    )


def drawn(listing_id: str, tickets: int, buyers: int, outcome: str) -> Decision:
    return Decision(
        "drawn",
        listing_id,
        {"tickets": tickets, "buyers": buyers, "outcome": outcome},
        (Point(Metric.DRAWS),),
    )


def redrawn(listing_id: str, reason: str, drawn_count: int, outcome: str) -> Decision:
    points = [Point(Metric.REDRAWS)]
    if reason == "States.Timeout":  # the wait's own timeout, not a forfeit
        points.append(Point(Metric.SECOND_PAYMENT_TIMEOUTS))
    return Decision(
        "redrawn",
        listing_id,
        {"reason": reason, "candidates_so_far": drawn_count, "outcome": outcome},
        tuple(points),
    )


def settled(listing_id: str, outcome: str, payout: int) -> Decision:
    return Decision(
        "settled",
        listing_id,
        {"outcome": outcome, "payout": payout},
        (Point(Metric.SETTLEMENTS, 1, (("Outcome", outcome),)),),
    )


def refunds(listing_id: str, count: int, amount: int, reasons: list[str]) -> Decision:
    return Decision(
        "refunded",
        listing_id,
        {"refunds": count, "amount": amount, "reasons": "; ".join(sorted(set(reasons)))},
        (Point(Metric.REFUNDS, count), Point(Metric.REFUNDED, amount)),
    )


def closed_late(listing_id: str, late_seconds: int, execution: str) -> Decision:
    return Decision(
        "closed_late",
        listing_id,
        {"late_seconds": late_seconds, "execution": execution},
        (Point(Metric.LATE_CLOSES),),
    )


def needs_attention(listing_id: str, status: str, error: str) -> Decision:
    return Decision(
        "needs_attention",
        listing_id,
        {"status": status, "error": error},
        (Point(Metric.NEEDING_ATTENTION),),
    )


def provider_cancelled(
    listing_id: str, payment_id: str, cancellation_id: str, amount: int, held: bool
) -> Decision:
    return Decision(
        "provider_cancelled",
        listing_id,
        {
            "payment_id": payment_id,
            "cancellation_id": cancellation_id,
            "amount": amount,
            "held_in_escrow": int(held),
        },
        (Point(Metric.PROVIDER_CANCELLATIONS),),
    )


def reconciled(day: str, matched: int, mismatches: int) -> Decision:
    return Decision(
        "reconciled",
        "",
        {"day": day, "matched": matched, "mismatches": mismatches},
        (Point(Metric.RECONCILIATION_MISMATCHES, mismatches),),
    )
