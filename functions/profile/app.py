"""PUT/GET /me/profile: any signed-in user."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import ProfileIn
from tombola.api.views import ProfileView
from tombola.config import Settings
from tombola.services import profiles

settings = cold_start(Settings)

app = make_resolver()


@app.put("/me/profile", **contract.put(summary="Set the caller's profile"))
def put_profile(body: ProfileIn) -> ProfileView:
    return profiles.put_profile(deps(), caller(app), body)


@app.get("/me/profile", **contract.get(404, summary="The caller's profile"))
def get_profile() -> ProfileView:
    return profiles.get_profile(deps(), caller(app))


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
