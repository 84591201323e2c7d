"""Recovery: the state machine's last catch, the scheduled sweep of stopped executions, and the
operator's list of listings needing attention with a resume."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tombola.adapters.container import deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import logger, metrics, tracer
from tombola.services import recovery

app = make_resolver()


class AttentionTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    listing_id: str
    execution: str
    error: str
    cause: str = ""


@app.get("/operator/attention")
def attention() -> dict[str, object]:
    return recovery.needing_attention(deps(), caller(app))


@app.post("/listings/<listing_id>/resume")
def resume(listing_id: str) -> dict[str, object]:
    return recovery.operator_resume(deps(), caller(app), listing_id)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def attention_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """State machine task: the last catch of every step."""
    task = AttentionTask.model_validate(event)
    logger.append_keys(listing_id=task.listing_id)
    metrics.add_metric(name="ListingsNeedingAttention", unit=MetricUnit.Count, value=1)
    return recovery.record_attention(
        deps(), task.listing_id, task.execution, task.error, task.cause
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """The operator's routes, and the scheduled sweep."""
    if event.get("source") == "aws.events":
        result = recovery.sweep(deps())
        resumed = result["resumed"]
        assert isinstance(resumed, list)
        metrics.add_metric(name="ListingsResumed", unit=MetricUnit.Count, value=len(resumed))
        return result
    return app.resolve(event, context)
