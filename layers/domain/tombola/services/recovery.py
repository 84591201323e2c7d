"""No listing is left with money held by a stopped execution.

- The state machine's last catch records what failed on the listing (``record_attention``), puts
  it on the operator's list and alerts the operator; the execution then fails (an alarm).
- ``sweep`` (scheduled) finds listings whose status needs a running execution and whose execution
  is not running, and resumes them from their last safe step, a few times per step; past that it
  leaves them on the operator's list. Each run looks at a bounded page of listings and the next
  run goes on from where it stopped.
- ``resume`` is the operator's route / CLI command: the same, by hand, whenever they choose.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from tombola import telemetry
from tombola.api.views import AttentionItem, AttentionList, ResumeView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import NotAllowedNow
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, next_version
from tombola.services.notices import alert_operator
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change, StartExecution
from tombola.state.records import Attention, ListingRecord
from tombola.state.resume_points import IN_FLIGHT, resume_point
from tombola.telemetry import Metric, Point

log = logging.getLogger(__name__)

# Automatic resumes allowed while the listing makes no progress (stays in one status).
MAX_AUTO_RESUMES = 3
RUNNING = "RUNNING"
# One sweep run looks at this many in-flight listings at most (each costs a GetItem and a
# DescribeExecution, a resume a transaction), and starts none with less than this left of
# its invocation; the next run (five minutes later) goes on from where it stopped.
SWEEP_PAGE = 100
SWEEP_RESERVE_MS = 10_000
SWEEP_CURSOR = "recovery"


def record_attention(
    deps: Deps, listing_id: str, execution: str, error: str, cause: str
) -> dict[str, object]:
    def decide() -> tuple[Change, dict[str, object]]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.execution != execution:  # an older execution; a newer one has the listing
            return Change(), {"listing_id": listing_id, "recorded": False}
        attention = Attention(
            error=error[:200], cause=cause[:2000], execution=execution, at=deps.clock.now()
        )
        listing.attention = attention
        change = Change(listing=listing, attention={listing_id: attention})
        change.decisions.append(
            telemetry.needs_attention(listing_id, listing.status.value, attention.error)
        )
        change.effects.append(
            alert_operator(
                "ListingNeedsAttention",
                f"listing {listing_id} stopped while {listing.status.value}: {error}",
                listing_id=listing_id,
                status=listing.status.value,
                error=attention.error,
                execution=execution,
            )
        )
        return change, {"listing_id": listing_id, "recorded": True}

    result = decide_and_apply(deps, decide)
    log.warning("listing %s needs attention: %s", listing_id, error)
    return result


def resume(deps: Deps, listing_id: str, *, automatic: bool = False) -> ResumeView:
    """Start a new execution at the listing's last safe step, unless one is running."""

    def decide() -> tuple[Change, ResumeView]:
        listing = next_version(load_listing(deps, listing_id))
        point = resume_point(listing)
        if point is None:
            raise NotAllowedNow(
                f"the listing is {listing.status.value}: no step is left to run", field="id"
            )
        state = deps.workflow.status(listing.execution)
        if state == RUNNING:
            return Change(), _view(listing, state, resumed=False)
        if state is not None:  # names are unique: the next execution gets its own
            listing.resumes += 1
            listing.execution_name = f"{listing_id}--r{listing.resumes}"
        if automatic:
            same_step = listing.auto_resume_status == listing.status.value
            listing.auto_resumes = listing.auto_resumes + 1 if same_step else 1
            listing.auto_resume_status = listing.status.value
        else:
            listing.auto_resumes = 0
        listing.attention = None
        change = Change(listing=listing, attention={listing_id: None})
        change.effects.append(
            StartExecution(
                listing_id=listing_id,
                execution_name=listing.execution,
                input=point.execution_input(listing, deps.clock.now()),
            )
        )
        return change, _view(listing, RUNNING, resumed=True, start_at=point.start_at)

    result = decide_and_apply(deps, decide)
    log.warning("listing %s resumed: %s", listing_id, result)
    return result


def operator_resume(deps: Deps, caller: Caller, listing_id: str) -> ResumeView:
    caller.require(Role.OPERATOR)
    return resume(deps, listing_id)


def _view(
    listing: ListingRecord, state: str | None, *, resumed: bool, start_at: str | None = None
) -> ResumeView:
    return ResumeView(
        listing_id=listing.listing_id,
        status=listing.status,
        execution=listing.execution,
        execution_status=state,
        resumed=resumed,
        start_at=start_at,
    )


def sweep(
    deps: Deps, time_left_ms: Callable[[], int] | None = None, page: int | None = None
) -> dict[str, object]:
    """Resume in-flight listings whose execution is not running, a bounded part of them per
    run: at most ``page`` listings (SWEEP_PAGE), and none once less than SWEEP_RESERVE_MS of
    the invocation is left (``time_left_ms``, the Lambda context's). The next run goes on from
    where this one stopped (a cursor kept in the table) and, past the last in-flight status,
    starts again from the first."""
    limit = page or SWEEP_PAGE
    resumed: list[str] = []
    left: list[str] = []
    statuses = sorted(s.value for s in IN_FLIGHT)
    at, after = _sweep_start(deps.store.sweep_cursor(SWEEP_CURSOR), statuses)
    looked = 0
    out_of_time = False
    while at < len(statuses) and looked < limit and not out_of_time:
        rows, nxt = deps.store.list_listings(statuses[at], limit - looked, after)
        for position, row in rows:
            if looked and time_left_ms is not None and time_left_ms() < SWEEP_RESERVE_MS:
                out_of_time = True  # the rest is for the next run
                break
            looked += 1
            after = position
            _sweep_one(deps, row.listing_id, resumed, left)
        else:
            at, after = (at + 1, None) if nxt is None else (at, nxt)
    finished = at >= len(statuses)
    deps.store.save_sweep_cursor(
        SWEEP_CURSOR, None if finished else json.dumps({"status": statuses[at], "after": after})
    )
    deps.telemetry.count(Point(Metric.STUCK_LISTINGS, len(resumed) + len(left)))
    deps.telemetry.count(Point(Metric.RESUMED, len(resumed)))
    if resumed or left:
        log.warning("sweep: resumed %s, left for the operator %s", resumed, left)
    log.info(
        "sweep: looked at %d listings; %s",
        looked,
        "went round all of them" if finished else f"goes on at {statuses[at]} next time",
    )
    return {"resumed": resumed, "left_for_operator": left}


def _sweep_start(cursor: str | None, statuses: list[str]) -> tuple[int, str | None]:
    """The status and position the last run stopped at; the start when there is none (or the
    statuses in flight changed since)."""
    if cursor is None:
        return 0, None
    try:
        saved = json.loads(cursor)
        return statuses.index(saved["status"]), saved["after"]
    except (ValueError, KeyError, TypeError):
        return 0, None


def _sweep_one(deps: Deps, listing_id: str, resumed: list[str], left: list[str]) -> None:
    listing = deps.store.get_listing(listing_id)
    if listing is None or resume_point(listing) is None:
        return
    state = deps.workflow.status(listing.execution)
    if state == RUNNING:
        return
    stuck = (
        listing.auto_resume_status == listing.status.value
        and listing.auto_resumes >= MAX_AUTO_RESUMES
    )
    if stuck:
        if listing.attention is None:
            record_attention(
                deps,
                listing_id,
                listing.execution,
                "ExecutionStopped",
                f"execution {listing.execution} is {state or 'missing'}; "
                f"{listing.auto_resumes} automatic resumes did not move it on",
            )
        left.append(listing_id)
        return
    try:
        if resume(deps, listing_id, automatic=True).resumed:
            resumed.append(listing_id)
    except Exception:  # one listing must not stop the sweep of the others
        log.exception("could not resume listing %s", listing_id)
        left.append(listing_id)


def needing_attention(deps: Deps, caller: Caller) -> AttentionList:
    caller.require(Role.OPERATOR)
    out = []
    for listing_id, attention in deps.store.needing_attention():
        listing = deps.store.get_listing(listing_id)
        if listing is None:
            continue
        point = resume_point(listing)
        out.append(
            AttentionItem(
                listing_id=listing_id,
                title=listing.title,
                status=listing.status,
                error=attention.error,
                cause=attention.cause,
                execution=attention.execution,
                since=attention.at.isoformat(),
                resumes_at=point.start_at if point else None,
            )
        )
    return AttentionList(listings=out)
