"""State machine task: the close when its time comes, the draw, and the re-draw after a
candidate passes."""

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import for_listing, task_handler
from tombola.config import Settings
from tombola.services import closing, drawing

settings = cold_start(Settings)


class DrawTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    listing_id: str
    passed_candidate: str | None = None
    reason: str | None = None


@task_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    task = DrawTask.model_validate(event)
    for_listing(task.listing_id)
    if task.action == "close":
        return closing.close_on_time(deps(), task.listing_id)
    if task.action == "redraw" and task.passed_candidate:
        result = drawing.run_redraw(
            deps(), task.listing_id, task.passed_candidate, task.reason or ""
        )
    else:
        result = drawing.run_draw(deps(), task.listing_id)
    return result.as_dict()
