"""Listings: a seller creates one; anyone reads them and their draw; seller/operator statement."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, idempotency_key, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api_models import ListingIn
from tombola.config import NonEmpty, Settings
from tombola.services import listings


class ListingsSettings(Settings):
    idempotency_table: NonEmpty
    pseudonym_key_arn: NonEmpty


settings = cold_start(ListingsSettings)

app = make_resolver()


@app.post("/listings")
def create_listing(body: ListingIn) -> tuple[dict[str, object], int]:
    return listings.create_listing(deps(), caller(app), body, idempotency_key(app)), 201


@app.get("/listings")
def list_listings(
    status: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, object]:
    return listings.list_public(deps(), status, cursor, limit)


@app.get("/listings/<listing_id>")
def get_listing(listing_id: str) -> dict[str, object]:
    return listings.get_public(deps(), listing_id)


@app.get("/listings/<listing_id>/draw")
def get_draw(listing_id: str, page: Annotated[int, Query(ge=0, le=10**6)] = 0) -> dict[str, object]:
    return listings.draw_view(deps(), listing_id, page)


@app.get("/listings/<listing_id>/statement")
def get_statement(listing_id: str) -> dict[str, object]:
    return listings.statement_view(deps(), caller(app), listing_id)


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
