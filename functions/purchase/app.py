"""The sale after the draw: second payment, forfeit, shipment, confirmation, dispute (the
buyer's, the seller's answer, the operator's decision)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import DisputeAnswerIn, DisputeIn, ResolutionIn, ShipmentIn
from tombola.api.views import (
    DisputeCase,
    FinalBuyerView,
    ListingStep,
    ResolutionView,
    SecondPaymentView,
    ShipmentView,
)
from tombola.config import PaymentSettings
from tombola.services import purchase

settings = cold_start(PaymentSettings)

app = make_resolver()


@app.post(
    "/listings/<listing_id>/second-payment",
    **contract.post(404, 409, 503, summary="The drawn candidate's checkout for P2"),
)
def second_payment(listing_id: str) -> SecondPaymentView:
    return purchase.second_payment_checkout(deps(), caller(app), listing_id)


@app.post(
    "/listings/<listing_id>/forfeit",
    **contract.post(404, 409, summary="The candidate gives up; the next is drawn"),
)
def forfeit(listing_id: str) -> ListingStep:
    return purchase.forfeit(deps(), caller(app), listing_id)


@app.get(
    "/listings/<listing_id>/final-buyer",
    **contract.get(404, 409, summary="Where to ship (the seller only)"),
)
def final_buyer(listing_id: str) -> FinalBuyerView:
    return purchase.final_buyer_details(deps(), caller(app), listing_id)


@app.post(
    "/listings/<listing_id>/shipment", **contract.post(404, 409, summary="The seller shipped")
)
def shipment(listing_id: str, body: ShipmentIn) -> ShipmentView:
    return purchase.ship(deps(), caller(app), listing_id, body)


@app.post(
    "/listings/<listing_id>/confirm",
    **contract.post(404, 409, summary="The final buyer confirms receipt"),
)
def confirm(listing_id: str) -> ListingStep:
    return purchase.confirm(deps(), caller(app), listing_id)


@app.post(
    "/listings/<listing_id>/dispute",
    **contract.post(404, 409, summary="The final buyer opens a dispute"),
)
def dispute(listing_id: str, body: DisputeIn) -> ListingStep:
    return purchase.dispute(deps(), caller(app), listing_id, body)


@app.post(
    "/listings/<listing_id>/dispute/answer",
    **contract.post(404, 409, summary="The seller answers the buyer's dispute, once"),
)
def dispute_answer(listing_id: str, body: DisputeAnswerIn) -> DisputeCase:
    return purchase.answer_dispute(deps(), caller(app), listing_id, body)


@app.post(
    "/listings/<listing_id>/dispute/resolution",
    **contract.post(404, 409, summary="The operator resolves a dispute"),
)
def resolution(listing_id: str, body: ResolutionIn) -> ResolutionView:
    return purchase.resolve(deps(), caller(app), listing_id, body)


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
