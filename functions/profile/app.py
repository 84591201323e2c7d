"""PUT/GET /me/profile: any signed-in user."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api_models import ProfileIn
from tombola.config import Settings
from tombola.services import profiles

settings = cold_start(Settings)

app = make_resolver()


@app.put("/me/profile")
def put_profile(body: ProfileIn) -> dict[str, object]:
    return profiles.put_profile(deps(), caller(app), body)


@app.get("/me/profile")
def get_profile() -> dict[str, object]:
    return profiles.get_profile(deps(), caller(app))


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
