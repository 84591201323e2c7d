"""State machine tasks: settle, or refund, a listing's outcome in bounded steps (begin, one
chunk of buyers, finish)."""

from typing import Annotated, Literal

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import logger, metrics, tracer
from tombola.config import Settings
from tombola.services import settling

settings = cold_start(Settings)


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")
    listing_id: str


class Begin(Task):
    action: Literal["begin"] = "begin"
    outcome: str
    reason: str


class Chunk(Task):
    action: Literal["chunk"]
    partition: int
    after: str | None = None


class Finish(Task):
    action: Literal["finish"]


Tasks = TypeAdapter(Annotated[Begin | Chunk | Finish, Field(discriminator="action")])


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    task = Tasks.validate_python({"action": "begin", **event})
    logger.append_keys(listing_id=task.listing_id)
    match task:
        case Begin():
            metrics.add_metric(name=f"Settle_{task.outcome}", unit=MetricUnit.Count, value=1)
            return settling.begin(deps(), task.listing_id, task.outcome, task.reason)
        case Chunk():
            return settling.settle_chunk(deps(), task.listing_id, task.partition, task.after)
        case Finish():
            return settling.finish(deps(), task.listing_id)
