"""Listings: a seller creates one; anyone reads them and their draw; seller/operator statement."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, idempotency_key, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api.models import ListingIn, PhotoUploadIn
from tombola.api.views import (
    DepositView,
    DisputeCase,
    DrawTranscript,
    EntrantPage,
    ListingCreated,
    ListingPage,
    ListingView,
    MyDraw,
    PhotoUploadView,
    PolicyView,
    StatementView,
)
from tombola.config import NonEmpty, PaymentSettings
from tombola.services import draw_proofs, entrants, listing_photos, listings, policy


class ListingsSettings(PaymentSettings):
    idempotency_table: NonEmpty
    pseudonym_key_arn: NonEmpty
    state_machine_arn: NonEmpty  # a listing published at once (no deposit) starts its execution
    photo_bucket: NonEmpty  # the listings' photos: upload forms, checked on confirmation
    photo_base_url: NonEmpty  # where they are served (the web distribution's /photos/*)


settings = cold_start(ListingsSettings)

app = make_resolver()


@app.post("/listings", **contract.post(409, 503, ok=201, summary="A seller lists an item"))
def create_listing(body: ListingIn) -> ListingCreated:
    return listings.create_listing(deps(), caller(app), body, idempotency_key(app))


@app.get("/listings", **contract.get(400, public=True, summary="Published listings"))
def list_listings(
    status: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ListingPage:
    return listings.list_public(deps(), status, cursor, limit)


@app.post(
    "/listings/<listing_id>/deposit",
    **contract.post(404, 409, 503, summary="The deposit's checkout again, while it is unpaid"),
)
def deposit(listing_id: str) -> DepositView:
    return listings.deposit_checkout(deps(), caller(app), listing_id)


@app.get("/me/listings", **contract.get(summary="The seller's own listings, in any status"))
def my_listings(
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> ListingPage:
    return listings.mine(deps(), caller(app), cursor, limit)


@app.get("/listings/<listing_id>", **contract.get(404, public=True, summary="One listing"))
def get_listing(listing_id: str) -> ListingView:
    return listings.get_public(deps(), listing_id)


@app.get(
    "/listings/<listing_id>/draw",
    **contract.get(400, 404, public=True, summary="The draw's public transcript"),
)
def get_draw(listing_id: str, page: Annotated[int, Query(ge=0, le=10**6)] = 0) -> DrawTranscript:
    return listings.draw_view(deps(), listing_id, page)


@app.get(
    "/listings/<listing_id>/draw/mine",
    **contract.get(404, 409, summary="My tickets in the draw, each with its Merkle proof and rank"),
)
def get_my_draw(listing_id: str) -> MyDraw:
    return draw_proofs.my_draw(deps(), caller(app), listing_id)


@app.get("/listings/<listing_id>/statement", **contract.get(404, summary="The money statement"))
def get_statement(listing_id: str) -> StatementView:
    return listings.statement_view(deps(), caller(app), listing_id)


@app.get(
    "/listings/<listing_id>/entrants",
    **contract.get(400, 404, summary="Who has entered, for the seller and operators"),
)
def get_entrants(
    listing_id: str,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> EntrantPage:
    return entrants.entrants(deps(), caller(app), listing_id, cursor, limit)


@app.post(
    "/listings/<listing_id>/photos",
    **contract.post(404, 409, summary="A signed form to upload one photo of the listing"),
)
def photo_upload(listing_id: str, body: PhotoUploadIn) -> PhotoUploadView:
    return listing_photos.request_upload(deps(), caller(app), listing_id, body)


@app.post(
    "/listings/<listing_id>/photos/<photo_id>",
    **contract.post(404, 409, summary="Attach an uploaded photo, checked as stored"),
)
def photo_attach(listing_id: str, photo_id: str) -> ListingView:
    return listing_photos.attach(deps(), caller(app), listing_id, photo_id)


@app.post(
    "/listings/<listing_id>/dispute/photos",
    **contract.post(404, 409, summary="A signed form to upload one photo of the buyer's dispute"),
)
def evidence_upload(listing_id: str, body: PhotoUploadIn) -> PhotoUploadView:
    return listing_photos.request_evidence_upload(deps(), caller(app), listing_id, body)


@app.post(
    "/listings/<listing_id>/dispute/photos/<photo_id>",
    **contract.post(404, 409, summary="Attach an uploaded photo to the dispute, checked as stored"),
)
def evidence_attach(listing_id: str, photo_id: str) -> DisputeCase:
    return listing_photos.attach_evidence(deps(), caller(app), listing_id, photo_id)


@app.get("/policy", **contract.get(public=True, summary="The operator's policy in force"))
def get_policy() -> PolicyView:
    return policy.in_force(deps().settings)


@api_handler
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
