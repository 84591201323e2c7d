"""PUT/GET /me/profile, /me/notifications and the caller's responsible play (verification,
limits, breaks, self-exclusion): any signed-in user."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, idempotency_key, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import (
    BreakIn,
    ComplaintIn,
    ExclusionIn,
    NotesReadIn,
    ProfileIn,
    SpendLimitsIn,
    VerificationIn,
)
from tombola.api.views import (
    ComplaintList,
    ComplaintView,
    NoteList,
    ProfileView,
    StandingView,
    VerificationStartView,
)
from tombola.config import Settings
from tombola.services import complaints, inbox, play, profiles

settings = cold_start(Settings)

app = make_resolver(phone_region=settings.play_policy.phone_region)


@app.put("/me/profile", **contract.put(summary="Set the caller's profile"))
def put_profile(body: ProfileIn) -> ProfileView:
    return profiles.put_profile(deps(), caller(app), body)


@app.get("/me/profile", **contract.get(404, summary="The caller's profile"))
def get_profile() -> ProfileView:
    return profiles.get_profile(deps(), caller(app))


@app.get("/me/notifications", **contract.get(summary="What the product told the caller"))
def notifications(
    before: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> NoteList:
    return inbox.my_notes(deps(), caller(app), before, limit)


@app.post(
    "/me/notifications/read",
    **contract.post(404, 422, summary="The caller read their notes up to the one named"),
)
def read_notifications(body: NotesReadIn) -> NoteList:
    return inbox.read_notes(deps(), caller(app), body)


@app.get("/me/standing", **contract.get(summary="What the caller may play now, and why not"))
def standing() -> StandingView:
    return play.my_standing(deps(), caller(app))


@app.post(
    "/me/verification/start",
    **contract.post(503, summary="Start identity verification: what the provider's window needs"),
)
def start_verification() -> VerificationStartView:
    return play.start_verification(deps(), caller(app))


@app.post(
    "/me/verification",
    **contract.post(409, 503, summary="Finish identity verification (one person, one account)"),
)
def finish_verification(body: VerificationIn) -> StandingView:
    return play.finish_verification(deps(), caller(app), body)


@app.put(
    "/me/limits",
    **contract.put(409, summary="Spend limits: lower at once, higher after 24 hours"),
)
def set_limits(body: SpendLimitsIn) -> StandingView:
    return play.set_limits(deps(), caller(app), body)


@app.post("/me/break", **contract.post(409, summary="Take a break from play (cannot be undone)"))
def take_break(body: BreakIn) -> StandingView:
    return play.take_break(deps(), caller(app), body)


@app.post(
    "/me/exclusion",
    **contract.post(409, summary="Exclude yourself from play: 6 months or more, never early"),
)
def exclude(body: ExclusionIn) -> StandingView:
    return play.exclude(deps(), caller(app), body)


@app.post(
    "/me/complaints",
    **contract.post(
        409, ok=201, summary="A complaint to the operator (a goods problem: a dispute)"
    ),
)
def raise_complaint(body: ComplaintIn) -> ComplaintView:
    return complaints.raise_complaint(deps(), caller(app), body, idempotency_key(app))


@app.get("/me/complaints", **contract.get(summary="The caller's complaints and their answers"))
def my_complaints() -> ComplaintList:
    return complaints.my_complaints(deps(), caller(app))


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
