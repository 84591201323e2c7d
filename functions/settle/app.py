"""State machine tasks: settle, or refund, a listing's outcome in bounded steps (begin, one
chunk of buyers, finish)."""

from typing import Annotated, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import for_listing, task_handler
from tombola.config import PaymentSettings
from tombola.services import settling

settings = cold_start(PaymentSettings)


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


@task_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    task = Tasks.validate_python({"action": "begin", **event})
    for_listing(task.listing_id)
    match task:
        case Begin():
            return settling.begin(deps(), task.listing_id, task.outcome, task.reason)
        case Chunk():
            return settling.settle_chunk(deps(), task.listing_id, task.partition, task.after)
        case Finish():
            return settling.finish(deps(), task.listing_id)
