"""Reconciliation: once a day, the day before of the provider's records (payments,
cancellations, payouts) against our books, counted and alerted when they disagree; and the
operator's view of any day, computed on demand (services/reconciliation.py)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.views import ReconciliationView
from tombola.config import PaymentSettings
from tombola.services import reconciliation


class ReconcileSettings(PaymentSettings):
    pass


settings = cold_start(ReconcileSettings)

app = make_resolver()


@app.get(
    "/operator/reconciliation",
    **contract.get(503, summary="One day of the provider's records against our books"),
)
def reconciliation_of_day(
    day: Annotated[
        str | None,
        Query(max_length=10, description="YYYY-MM-DD (UTC); yesterday by default"),
    ] = None,
) -> ReconciliationView:
    return reconciliation.operator_reconciliation(deps(), caller(app), day)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """The operator's route, and the daily run (the schedule)."""
    if event.get("source") == "aws.events":
        return reconciliation.daily(deps())
    return app.resolve(event, context)
