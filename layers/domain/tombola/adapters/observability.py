"""The one Logger, Tracer and Metrics every function imports, and the telemetry port on them.

Services log through the standard library under ``tombola.*``; those records reach the
Powertools logger (named after the service, ``tombola``) and carry its keys: the correlation id
(the API request id, or the listing id in state machine tasks) and the listing id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from tombola.telemetry import AMOUNTS, SECONDS, Decision, Point

Handler = TypeVar("Handler", bound=Callable[..., Any])

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def _unit(point: Point) -> MetricUnit:
    if point.metric in SECONDS:
        return MetricUnit.Seconds
    if point.metric in AMOUNTS:
        return MetricUnit.NoUnit
    return MetricUnit.Count


class PowertoolsTelemetry:
    """Decisions as one structured log line each; metrics in CloudWatch's embedded format.

    ``emit_metrics=False`` where every function shares one process (the local stack): Powertools
    keeps one metric set per process, and one function's flush would take another's."""

    def __init__(self, emit_metrics: bool = True) -> None:
        self.emit_metrics = emit_metrics

    def decided(self, decision: Decision) -> None:
        logger.info(
            decision.name,
            extra={"decision": decision.name, "listing_id": decision.listing_id, **decision.facts},
        )
        for point in decision.points:
            self.count(point)

    def count(self, point: Point) -> None:
        if not self.emit_metrics:
            return
        if not point.dimensions:
            metrics.add_metric(name=point.metric.value, unit=_unit(point), value=point.value)
            return
        with single_metric(
            name=point.metric.value,
            unit=_unit(point),
            value=point.value,
            namespace=metrics.namespace,
            default_dimensions=metrics.default_dimensions,
        ) as metric:
            for name, value in point.dimensions:
                metric.add_dimension(name=name, value=value)


def api_handler(handler: Handler) -> Handler:
    """An API function's entry point: the API request id is the correlation id of every line it
    logs; its metrics are flushed when it returns."""
    traced = tracer.capture_lambda_handler(metrics.log_metrics(handler))
    return cast(
        Handler,
        logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
        )(traced),
    )


def task_handler(handler: Handler) -> Handler:
    """A state machine task's, a schedule's or an event target's entry point (the task names
    its listing with ``for_listing``)."""
    traced = tracer.capture_lambda_handler(metrics.log_metrics(handler))
    return cast(Handler, logger.inject_lambda_context(clear_state=True)(traced))


def for_listing(listing_id: str) -> None:
    """A task about one listing: the listing id is its correlation id."""
    logger.set_correlation_id(listing_id)
    logger.append_keys(listing_id=listing_id)
