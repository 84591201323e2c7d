"""A buyer applies for tickets (or a free entry, where offered); their entries and mileage."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, idempotency_key, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import EntryIn
from tombola.api.views import EntryCreated, EntryList, MileageView, TimelineView
from tombola.config import NonEmpty, PaymentSettings
from tombola.services import entries, free_entries, timeline


class EntrySettings(PaymentSettings):
    idempotency_table: NonEmpty
    pseudonym_key_arn: NonEmpty
    state_machine_arn: NonEmpty


settings = cold_start(EntrySettings)

app = make_resolver()


@app.post(
    "/listings/<listing_id>/entries",
    **contract.post(402, 404, 409, 503, ok=201, summary="A buyer applies for tickets"),
)
def create_entry(listing_id: str, body: EntryIn) -> EntryCreated:
    return entries.apply_for_tickets(deps(), caller(app), listing_id, body, idempotency_key(app))


@app.post(
    "/listings/<listing_id>/free-entry",
    **contract.post(404, 409, ok=201, summary="A free entry: one ticket, no payment (if offered)"),
)
def free_entry(listing_id: str) -> EntryCreated:
    return free_entries.enter_free(deps(), caller(app), listing_id)


@app.get(
    "/listings/<listing_id>/timeline",
    **contract.get(404, summary="The listing's order step by step, for its buyer or seller"),
)
def order_timeline(listing_id: str) -> TimelineView:
    return timeline.timeline(deps(), caller(app), listing_id)


@app.get("/me/entries", **contract.get(summary="The caller's entries"))
def my_entries(
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> EntryList:
    return entries.my_entries(deps(), caller(app), cursor, limit)


@app.get("/me/mileage", **contract.get(summary="The caller's mileage balance"))
def my_mileage() -> MileageView:
    return entries.my_mileage(deps(), caller(app))


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
