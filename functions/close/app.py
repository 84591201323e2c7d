"""Scheduled every minute: close listings whose window ended; recover stuck effects."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import task_handler
from tombola.config import NonEmpty, PaymentSettings
from tombola.services import closing


class CloseSettings(PaymentSettings):
    state_machine_arn: NonEmpty


settings = cold_start(CloseSettings)


@task_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return closing.close_due(deps())
