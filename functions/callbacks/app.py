"""State machine task (waitForTaskToken): store the token of a wait so the step can resume it."""

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import for_listing, logger, task_handler
from tombola.config import Settings
from tombola.services import waits

settings = cold_start(Settings)


class WaitTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: str
    listing_id: str
    token: str
    candidate: str | None = None


@task_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    task = WaitTask.model_validate(event)
    for_listing(task.listing_id)
    logger.append_keys(stage=task.stage)
    return waits.store_token(deps(), task.listing_id, task.stage, task.token, task.candidate)
