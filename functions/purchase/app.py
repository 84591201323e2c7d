"""The sale after the draw: second payment, forfeit, shipment, confirmation, dispute."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api_models import DisputeIn, ResolutionIn, ShipmentIn
from tombola.config import Settings
from tombola.services import purchase

settings = cold_start(Settings)

app = make_resolver()


@app.post("/listings/<listing_id>/second-payment")
def second_payment(listing_id: str) -> dict[str, object]:
    return purchase.second_payment_checkout(deps(), caller(app), listing_id)


@app.post("/listings/<listing_id>/forfeit")
def forfeit(listing_id: str) -> dict[str, object]:
    return purchase.forfeit(deps(), caller(app), listing_id)


@app.get("/listings/<listing_id>/final-buyer")
def final_buyer(listing_id: str) -> dict[str, object]:
    return purchase.final_buyer_details(deps(), caller(app), listing_id)


@app.post("/listings/<listing_id>/shipment")
def shipment(listing_id: str, body: ShipmentIn) -> dict[str, object]:
    return purchase.ship(deps(), caller(app), listing_id, body)


@app.post("/listings/<listing_id>/confirm")
def confirm(listing_id: str) -> dict[str, object]:
    return purchase.confirm(deps(), caller(app), listing_id)


@app.post("/listings/<listing_id>/dispute")
def dispute(listing_id: str, body: DisputeIn) -> dict[str, object]:
    return purchase.dispute(deps(), caller(app), listing_id, body)


@app.post("/listings/<listing_id>/dispute/resolution")
def resolution(listing_id: str, body: ResolutionIn) -> dict[str, object]:
    return purchase.resolve(deps(), caller(app), listing_id, body)


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
