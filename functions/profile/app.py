"""PUT/GET /me/profile and /me/notifications: any signed-in user."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import NotesReadIn, ProfileIn
from tombola.api.views import NoteList, ProfileView
from tombola.config import Settings
from tombola.services import inbox, profiles

settings = cold_start(Settings)

app = make_resolver()


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


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
