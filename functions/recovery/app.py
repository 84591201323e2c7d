"""Recovery: the scheduled sweep of stopped executions, and the operator's list of listings
needing attention with a resume (the state machine's last catch is functions/attention), the
payout queue the operator confirms, the disputes to decide and decided, and the effects that
kept failing (retry or resolve)."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import (
    ComplaintAnswerIn,
    DeadEffectsResolveIn,
    PayoutConfirmIn,
    UndeliveredDismissIn,
)
from tombola.api.views import (
    AttentionList,
    DeadEffectsList,
    DeadEffectsView,
    DisputeList,
    OperatorComplaint,
    OperatorComplaintList,
    PayoutList,
    PayoutView,
    PlayOverview,
    ResumeView,
    UndeliveredList,
)
from tombola.config import NonEmpty, Settings
from tombola.services import complaints, dead_effects, disputes, inbox, payouts, play, recovery


class RecoverySettings(Settings):
    state_machine_arn: NonEmpty
    pseudonym_key_arn: NonEmpty  # a dispute's final buyer by their pseudonym, and its cursors


settings = cold_start(RecoverySettings)

app = make_resolver()


@app.get("/operator/attention", **contract.get(summary="Listings stopped with money held"))
def attention() -> AttentionList:
    return recovery.needing_attention(deps(), caller(app))


@app.post(
    "/listings/<listing_id>/resume",
    **contract.post(404, 409, summary="Resume a stopped listing at its last safe step"),
)
def resume(listing_id: str) -> ResumeView:
    return recovery.operator_resume(deps(), caller(app), listing_id)


@app.get(
    "/operator/undelivered",
    **contract.get(summary="Notes an e-mail or SMS did not deliver (newest first)"),
)
def undelivered() -> UndeliveredList:
    return inbox.undelivered(deps(), caller(app))


@app.post(
    "/operator/undelivered/dismiss",
    **contract.post(404, 409, 422, summary="Take a note that did not go out off the list"),
)
def dismiss_undelivered(body: UndeliveredDismissIn) -> UndeliveredList:
    return inbox.dismiss_undelivered(deps(), caller(app), body.user_id, body.note_id)


@app.get(
    "/operator/payouts",
    **contract.get(summary="Payouts waiting for the transfer, or (?status=paid) the paid history"),
)
def payout_queue(
    status: Annotated[Literal["issued", "paid"], Query()] = "issued",
) -> PayoutList:
    return payouts.payout_queue(deps(), caller(app), status)


@app.get(
    "/operator/disputes",
    **contract.get(
        summary="Disputes to decide (reason, shipment, money), or (?status=decided) the history"
    ),
)
def dispute_list(
    status: Annotated[Literal["open", "decided"], Query()] = "open",
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> DisputeList:
    return disputes.disputes(deps(), caller(app), status, cursor, limit)


@app.post(
    "/operator/payouts/<payout_id>/paid",
    **contract.post(404, 409, 422, summary="The operator made the transfer: the payout is paid"),
)
def payout_paid(payout_id: str, body: PayoutConfirmIn) -> PayoutView:
    return payouts.confirm_payout(deps(), caller(app), payout_id, body)


@app.get("/operator/effects", **contract.get(summary="Effects that kept failing (dead letters)"))
def effects() -> DeadEffectsList:
    resolved = app.current_event.get_query_string_value("resolved", "false") == "true"
    return dead_effects.dead_effects(deps(), caller(app), resolved=resolved)


@app.post(
    "/operator/effects/<dead_id>/retry",
    **contract.post(404, 409, summary="Run dead effects again once their cause is fixed"),
)
def retry_effects(dead_id: str) -> DeadEffectsView:
    return dead_effects.retry(deps(), caller(app), dead_id)


@app.post(
    "/operator/effects/<dead_id>/resolve",
    **contract.post(404, 409, 422, summary="Dead effects done by hand: kept, with a note"),
)
def resolve_effects(dead_id: str, body: DeadEffectsResolveIn) -> DeadEffectsView:
    return dead_effects.resolve(deps(), caller(app), dead_id, body)


@app.get(
    "/operator/play",
    **contract.get(summary="Responsible play: accounts refused as a second of one person"),
)
def play_overview() -> PlayOverview:
    return play.overview(deps(), caller(app))


@app.get(
    "/operator/complaints", **contract.get(summary="Complaints: open oldest first, or answered")
)
def complaint_queue(
    status: Annotated[Literal["open", "answered"], Query()] = "open",
) -> OperatorComplaintList:
    return complaints.queue(deps(), caller(app), status)


@app.post(
    "/operator/complaints/answer",
    **contract.post(404, 409, summary="Answer a complaint (once); the person is told"),
)
def answer_complaint(body: ComplaintAnswerIn) -> OperatorComplaint:
    return complaints.answer(deps(), caller(app), body)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """The operator's routes, and the scheduled sweep."""
    if event.get("source") == "aws.events":
        return recovery.sweep(deps(), context.get_remaining_time_in_millis)
    return app.resolve(event, context)
