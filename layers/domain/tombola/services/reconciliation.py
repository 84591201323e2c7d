"""One day of the provider's records against our books (tombola/reconciliation.py says what is
matched with what): the daily job (functions/reconcile, the day before) and the operator's
``GET /operator/reconciliation?day=`` run the same comparison.

Bounded by the day, never by the whole journal: the provider's records are read a page at a
time, each page's keys looked up at once (BatchGetItem on the journal's keys); our side is the
day's reconciliation index (journal entries and refund receipts that name a provider's record),
and only what the provider's day did not show is looked up at the provider by its id. What is
kept in memory is the set of the day's provider ids and the lines to report."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta

from tombola import telemetry
from tombola.api.views import ReconciliationLine, ReconciliationTotals, ReconciliationView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import OutOfRange, ProviderUnavailable
from tombola.domain.ledger import JournalEntry
from tombola.domain.provider_match import (
    STATUSES,
    Kind,
    Line,
    RefundReceipt,
    Totals,
    compare,
    journal_keys_for_cancellation,
    journal_keys_for_payment,
)
from tombola.domain.references import parse_provider_ref, payout_ref, refund_id_for
from tombola.ports.payment_provider import ProviderRecord, RecordKind
from tombola.services.deps import Deps
from tombola.services.notices import alert_operator
from tombola.services.runner import apply
from tombola.state.changes import Change

log = logging.getLogger(__name__)

MAX_MISMATCHES = 1000
MAX_MATCHED = 200
_RECORD_KINDS: dict[str, RecordKind] = {
    "payment": "payment",
    "cancellation": "cancellation",
    "payout": "payout",
}


class _Run:
    def __init__(self, deps: Deps, day: date) -> None:
        self.deps = deps
        self.day = day
        self.seen: set[str] = set()  # the day's provider records, as ``<kind>:<id>``
        self.counts = dict.fromkeys(STATUSES, 0)
        self.mismatches: list[Line] = []
        self.matched: list[Line] = []
        self.totals: dict[str, Totals] = {}

    # ------------------------------------------------------------------ bookkeeping
    def add(self, line: Line) -> None:
        self.counts[line.status] += 1
        if line.status == "matched":
            if len(self.matched) < MAX_MATCHED:
                self.matched.append(line)
        elif len(self.mismatches) <= MAX_MISMATCHES:
            self.mismatches.append(line)

    def total(self, currency: str) -> Totals:
        return self.totals.setdefault(currency, Totals(currency))

    # ------------------------------------------------------------------ the provider's side
    def provider_page(self, records: Sequence[ProviderRecord]) -> None:
        payments = [r for r in records if r.kind == "payment"]
        refunds = [r for r in records if r.kind == "cancellation" and _ours(r)]
        cancellations = [r for r in records if r.kind == "cancellation" and not _ours(r)]
        payouts = [r for r in records if r.kind == "payout"]
        for r in records:
            t = self.total(r.currency)
            if r.kind == "payment":
                t.provider_in += r.amount
            else:
                t.provider_out += r.amount
        self._booked(
            "payment",
            payments,
            {r.record_id: journal_keys_for_payment(r.record_id, r.reference) for r in payments},
        )
        self._booked(
            "cancellation",
            cancellations,
            {
                r.record_id: journal_keys_for_cancellation(r.record_id, r.reference)
                for r in cancellations
            },
        )
        receipts = self.deps.store.refund_receipts([r.refund_id or "" for r in refunds])
        for r in refunds:
            refund_id = r.refund_id or ""
            self.seen.add(f"refund:{refund_id}")
            receipt = receipts.get(refund_id)
            self.add(
                compare(
                    "refund",
                    refund_id,
                    (r.amount, r.currency),
                    (receipt.refunded, receipt.currency) if receipt else None,
                    payment_id=r.payment_id,
                    listing_id=receipt.listing_id if receipt else None,
                    our_key=f"REFUND#{refund_id}" if receipt else None,
                    note=""
                    if receipt
                    else "the provider cancelled under our refund id; "
                    "we kept no receipt of that refund",
                )
            )
        for r in payouts:
            self.seen.add(payout_ref(r.record_id))
            payout = self.deps.store.get_payout(r.record_id)
            self.add(
                compare(
                    "payout",
                    r.record_id,
                    (r.amount, r.currency),
                    (payout.amount, payout.currency) if payout else None,
                    listing_id=payout.listing_id if payout else None,
                    our_key=f"PAYOUT#{r.record_id}" if payout else None,
                    note=f"issued, {payout.status}" if payout else "no payout of ours",
                )
            )

    def _booked(
        self,
        kind: Kind,
        records: Sequence[ProviderRecord],
        candidates: dict[str, list[tuple[str | None, str]]],
    ) -> None:
        found = self.deps.store.journal_entries([k for ks in candidates.values() for k in ks])
        for r in records:
            self.seen.add(f"{kind}:{r.record_id}")
            entry = next((found[k] for _, k in candidates[r.record_id] if k in found), None)
            listing_id = next((lid for lid, _ in candidates[r.record_id] if lid), None)
            self.add(
                compare(
                    kind,
                    r.record_id,
                    (r.amount, r.currency),
                    (entry.external_amount, entry.currency) if entry else None,
                    payment_id=r.payment_id,
                    listing_id=entry.listing_id if entry else listing_id,
                    our_key=entry.key if entry else None,
                    note="" if entry else f"not on our books (reference {r.reference or '-'})",
                )
            )

    # ------------------------------------------------------------------ our side
    def ours(self, item: JournalEntry | RefundReceipt) -> None:
        if isinstance(item, RefundReceipt):
            self.total(item.currency).ours_out += item.refunded
            if item.ref in self.seen:
                return
            found = self.deps.payments.find_record(
                "cancellation", "", payment_id=item.payment_id, refund_id=item.refund_id
            )
            self._elsewhere(
                "refund",
                item.refund_id,
                found,
                (item.refunded, item.currency),
                payment_id=item.payment_id,
                listing_id=item.listing_id,
                our_key=f"REFUND#{item.refund_id}",
            )
            return
        if item.provider_ref is None:
            return
        kind, record_id, payment_id = parse_provider_ref(item.provider_ref)
        if kind == "payout" and not self.deps.payments.pays_out:
            return  # transferred by the operator: no provider record to compare with
        t = self.total(item.currency)
        if kind == "payment":
            t.ours_in += item.external_amount
        else:
            t.ours_out += item.external_amount
        record_kind = _RECORD_KINDS.get(kind)
        if record_kind is None or f"{kind}:{record_id}" in self.seen:
            return
        found = self.deps.payments.find_record(record_kind, record_id, payment_id=payment_id)
        self._elsewhere(
            record_kind,
            record_id,
            found,
            (item.external_amount, item.currency),
            payment_id=payment_id if kind != "payment" else record_id,
            listing_id=item.listing_id,
            our_key=item.key,
        )

    def _elsewhere(
        self,
        kind: Kind,
        record_id: str,
        found: ProviderRecord | None,
        ours: tuple[int, str],
        **about: str | None,
    ) -> None:
        """Booked on our side this day, not in the provider's day: on another day, or nowhere."""
        if found is None:
            note = "the provider has no such record"
        elif found.at.date() != self.day:
            note = f"the provider's record is of {found.at.date().isoformat()}"
        else:
            note = "found at the provider by its id"
        self.add(
            compare(
                kind,
                record_id,
                (found.amount, found.currency) if found else None,
                ours,
                note=note,
                **about,
            )
        )

    def view(self) -> ReconciliationView:
        return ReconciliationView(
            day=self.day.isoformat(),
            provider=self.deps.settings.payment_provider,
            counts={str(k): v for k, v in self.counts.items()},
            totals=[
                ReconciliationTotals(
                    currency=t.currency,
                    provider_in=t.provider_in,
                    provider_out=t.provider_out,
                    ours_in=t.ours_in,
                    ours_out=t.ours_out,
                )
                for _, t in sorted(self.totals.items())
            ],
            mismatches=[_line(x) for x in self.mismatches[:MAX_MISMATCHES]],
            matched=[_line(x) for x in self.matched],
            truncated=len(self.mismatches) > MAX_MISMATCHES,
        )


def _ours(record: ProviderRecord) -> bool:
    """A cancellation we asked for: it carries the refund id of its payment."""
    return record.refund_id is not None and record.refund_id == refund_id_for(
        record.payment_id or ""
    )


def _line(line: Line) -> ReconciliationLine:
    return ReconciliationLine(
        status=line.status,
        kind=line.kind,
        provider_id=line.provider_id,
        currency=line.currency,
        provider_amount=line.provider_amount,
        our_amount=line.our_amount,
        payment_id=line.payment_id,
        listing_id=line.listing_id,
        our_key=line.our_key,
        note=line.note,
    )


def reconcile(deps: Deps, day: date) -> ReconciliationView:
    """The provider's day, page by page, then what our books name of it that day."""
    run = _Run(deps, day)
    cursor: str | None = None
    while True:
        records, cursor = deps.payments.records_of_day(day, cursor)
        run.provider_page(records)
        if cursor is None:
            break
    for item in deps.store.recorded_on(day.isoformat()):
        run.ours(item)
    return run.view()


def mismatches(view: ReconciliationView) -> int:
    return sum(n for status, n in view.counts.items() if status != "matched")


def operator_reconciliation(deps: Deps, caller: Caller, day: str | None) -> ReconciliationView:
    """Computed on demand (the daily job alerts; an operator looking needs no alert)."""
    caller.require(Role.OPERATOR)
    return reconcile(deps, _day(deps, day))


def _day(deps: Deps, value: str | None) -> date:
    today = deps.clock.now().date()
    if not value:
        return today - timedelta(days=1)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise OutOfRange("day is a date: YYYY-MM-DD", field="day") from None
    if len(value) != 10 or day > today:
        raise OutOfRange("day is a date (YYYY-MM-DD), today at the latest", field="day")
    return day


def daily(deps: Deps) -> dict[str, object]:
    """The scheduled run: yesterday (UTC), counted (``ReconciliationMismatches``) and, when
    anything disagrees, the operator alerted once for the day."""
    day = deps.clock.now().date() - timedelta(days=1)
    try:
        view = reconcile(deps, day)
    except ProviderUnavailable as err:  # retried by the schedule's own retries; told once
        alert = alert_operator(
            "ReconciliationFailed",
            f"{day}: the provider's records could not be read ({err}); "
            f"GET /operator/reconciliation?day={day} once it answers",
            day=day.isoformat(),
        )
        apply(deps, Change(dedupe=[f"reconciliation-failed:{day}"], effects=[alert]))
        raise
    wrong = mismatches(view)
    change = Change(decisions=[telemetry.reconciled(view.day, view.counts["matched"], wrong)])
    if wrong:
        change.dedupe.append(f"reconciliation:{view.day}")
        by_status = ", ".join(f"{n} {s}" for s, n in view.counts.items() if n and s != "matched")
        change.effects.append(
            alert_operator(
                "ReconciliationMismatch",
                f"{view.day}: {wrong} record(s) of the provider and our books disagree "
                f"({by_status}); GET /operator/reconciliation?day={view.day}",
                day=view.day,
                mismatches=wrong,
            )
        )
        log.warning("reconciliation of %s: %d mismatches (%s)", view.day, wrong, by_status)
    apply(deps, change)
    return {"day": view.day, "counts": view.counts}
