"""A buyer applies for tickets; their entries and mileage."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, idempotency_key, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api_models import EntryIn
from tombola.config import NonEmpty, Settings
from tombola.services import entries


class EntrySettings(Settings):
    idempotency_table: NonEmpty
    pseudonym_key_arn: NonEmpty
    state_machine_arn: NonEmpty


settings = cold_start(EntrySettings)

app = make_resolver()


@app.post("/listings/<listing_id>/entries")
def create_entry(listing_id: str, body: EntryIn) -> tuple[dict[str, object], int]:
    result = entries.apply_for_tickets(deps(), caller(app), listing_id, body, idempotency_key(app))
    return result, 201


@app.get("/me/entries")
def my_entries() -> dict[str, object]:
    return entries.my_entries(deps(), caller(app))


@app.get("/me/mileage")
def my_mileage() -> dict[str, object]:
    return entries.my_mileage(deps(), caller(app))


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
