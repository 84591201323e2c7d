"""The state machine's last catch of every step: the listing goes on the operator's list and the
operator is alerted; the execution then fails (an alarm)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import for_listing, task_handler
from tombola.config import Settings
from tombola.services import recovery

settings = cold_start(Settings)


class AttentionTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    listing_id: str
    execution: str
    error: str
    cause: str = ""


@task_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    task = AttentionTask.model_validate(event)
    for_listing(task.listing_id)
    return recovery.record_attention(
        deps(), task.listing_id, task.execution, task.error, task.cause
    )
