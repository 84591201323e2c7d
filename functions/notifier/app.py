"""EventBridge rule target: domain events become e-mail (SES) and SMS (SNS)."""

from datetime import datetime

import boto3
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from tombola.adapters.container import cold_start, deps
from tombola.adapters.messaging import SesSnsNotifier
from tombola.adapters.observability import logger, task_handler
from tombola.config import NonEmpty, Settings
from tombola.services.entrant_notices import fan_out
from tombola.services.notices import TELL_ENTRANTS
from tombola.services.notifications import notify_event
from tombola.telemetry import Metric, Point


class NotifierSettings(Settings):
    sender_email: NonEmpty


settings = cold_start(NotifierSettings)

_notifier: SesSnsNotifier | None = None


def notifier() -> SesSnsNotifier:
    global _notifier  # noqa: PLW0603
    if _notifier is None:
        # short waits: a send cut off by the function's own timeout would stay "sending"; one
        # attempt: a send the provider took but answered late must not go out again (a throttle
        # or a connection never made comes back as TryLater, and the event is tried again)
        quick = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 1})
        _notifier = SesSnsNotifier(
            settings.sender_email,
            boto3.client("ses", config=quick),
            boto3.client("sns", config=quick),
        )
    return _notifier


@task_handler
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, object]:
    if event.detail_type == "OperatorAlert":  # the OperatorAlertsAlarm counts these
        logger.warning("operator alert", extra={"alert": event.detail})
        deps().telemetry.count(Point(Metric.OPERATOR_ALERTS))
    if event.detail_type == TELL_ENTRANTS:  # a range of the draw order: more events, no message
        return {"published": fan_out(deps().store, deps().events, event.detail)}
    sent = notify_event(
        deps().store,
        notifier(),
        event.detail_type,
        event.detail,
        event.get_id,
        datetime.fromisoformat(event.time.replace("Z", "+00:00")),
        deps().clock.now(),
    )
    return {"sent": sent}
