"""A seller's photos of their listing, and a final buyer's photos of their dispute: a signed
upload form first (counted on the listing head), then the confirmation that checks the uploaded
object, copies that very version to the photo's served key and attaches it (docs/DATA_MODEL.md:
the listing head keeps at most MAX_PHOTOS keys and the count of forms issued, at most
MAX_UPLOAD_FORMS, and for a dispute at most MAX_DISPUTE_PHOTOS and MAX_DISPUTE_UPLOAD_FORMS, all
written under its version like every change). Both go through the same form and the same check."""

from __future__ import annotations

from datetime import timedelta

from tombola.api.models import PhotoUploadIn
from tombola.api.views import DisputeCase, ListingView, PhotoUploadView, UploadFormView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Forbidden
from tombola.domain.photos import (
    MAX_PHOTO_BYTES,
    SNIFF_BYTES,
    UPLOAD_SECONDS,
    PhotoNotUploaded,
    check_can_add,
    check_can_add_evidence,
    check_can_request,
    check_stored,
    photo_key,
    upload_key,
)
from tombola.ports.photo_storage import PhotoStorage
from tombola.services.deps import Deps
from tombola.services.disputes import dispute_case
from tombola.services.listing_access import load_listing, next_version
from tombola.services.listings import public_view
from tombola.services.purchase import as_final_buyer, require_dispute_open
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change
from tombola.state.records import ListingRecord


def _storage(deps: Deps) -> PhotoStorage:
    if deps.photos is None:  # a wiring error (template.yaml gives the listings function it)
        raise RuntimeError("this function has no photo storage (PHOTO_BUCKET)")
    return deps.photos


def _sellers_listing(deps: Deps, caller: Caller, listing_id: str) -> ListingRecord:
    caller.require(Role.SELLER)
    listing = load_listing(deps, listing_id)
    if listing.seller_id != caller.user_id:
        raise Forbidden("only the listing's seller adds its photos")
    return listing


def request_upload(
    deps: Deps, caller: Caller, listing_id: str, body: PhotoUploadIn
) -> PhotoUploadView:
    """A form for one photo of this type and exact size, good for UPLOAD_SECONDS, storing it
    under its upload key. The form is counted on the listing head (at most MAX_UPLOAD_FORMS,
    used or not); the photo counts only once confirmed (``attach``)."""
    storage = _storage(deps)
    photo_id = deps.ids.new("P")

    def decide() -> tuple[Change, None]:
        listing = _sellers_listing(deps, caller, listing_id)
        check_can_request(listing.status, listing.photos, listing.photo_forms)
        changed = next_version(listing)
        changed.photo_forms += 1
        return Change(listing=changed), None

    decide_and_apply(deps, decide)
    return _signed_form(deps, storage, listing_id, photo_id, body)


def _signed_form(
    deps: Deps, storage: PhotoStorage, listing_id: str, photo_id: str, body: PhotoUploadIn
) -> PhotoUploadView:
    # signed in the function (no storage call): only once the form is counted
    form = storage.upload_form(
        upload_key(listing_id, photo_id), body.content_type, body.size, UPLOAD_SECONDS
    )
    expires = deps.clock.now() + timedelta(seconds=UPLOAD_SECONDS)
    return PhotoUploadView(
        photo_id=photo_id,
        upload=UploadFormView(url=form.url, fields=form.fields),
        expires_at=expires.isoformat(),
        max_bytes=MAX_PHOTO_BYTES,
    )


def _checked_copy(storage: PhotoStorage, listing_id: str, photo_id: str, route: str) -> str:
    """The upload checked (there, an accepted type and size, really an image of that type) and
    that very version (by its ETag) copied to the photo's served key, which it returns; refused
    if the upload was replaced since it was read. ``route`` is where its form comes from."""
    source, key = upload_key(listing_id, photo_id), photo_key(listing_id, photo_id)
    not_uploaded = (
        f"photo {photo_id} has not been uploaded (or its upload expired, or was replaced while "
        f"it was checked): upload it with a form POST {route} gives, then confirm"
    )
    stored = storage.stored(source, SNIFF_BYTES)
    if stored is None:
        raise PhotoNotUploaded(not_uploaded, field="photo_id")
    check_stored(stored.content_type, stored.size, stored.start)
    # Only the version checked is served; a copy again (a retry after a conflicting write)
    # is of a version checked again.
    if not storage.publish(source, key, stored):
        raise PhotoNotUploaded(not_uploaded, field="photo_id")
    return key


def attach(deps: Deps, caller: Caller, listing_id: str, photo_id: str) -> ListingView:
    """The uploaded photo joins the listing's gallery: the upload must be there, of an accepted
    type and size, and really an image of that type; that version (by its ETag) is copied to the
    photo's served key, and the copy is refused if the upload was replaced since it was read.
    Confirming it again changes nothing (and reads nothing)."""
    storage = _storage(deps)
    key = photo_key(listing_id, photo_id)

    def decide() -> tuple[Change, ListingRecord]:
        listing = _sellers_listing(deps, caller, listing_id)
        if key in listing.photos:
            return Change(), listing
        check_can_add(listing.status, listing.photos)
        _checked_copy(storage, listing_id, photo_id, "/listings/{listing_id}/photos")
        changed = next_version(listing)
        changed.photos.append(key)
        return Change(listing=changed), changed

    return public_view(deps, decide_and_apply(deps, decide))


def _final_buyers_dispute(deps: Deps, caller: Caller, listing_id: str) -> ListingRecord:
    caller.require(Role.BUYER)
    listing = load_listing(deps, listing_id)
    as_final_buyer(listing, caller)
    return listing


def request_evidence_upload(
    deps: Deps, caller: Caller, listing_id: str, body: PhotoUploadIn
) -> PhotoUploadView:
    """A form for one photo of the final buyer's open dispute, as a listing photo's (the same
    types, size and expiry), counted on the listing head (at most MAX_DISPUTE_UPLOAD_FORMS)."""
    storage = _storage(deps)
    photo_id = deps.ids.new("P")

    def decide() -> tuple[Change, None]:
        listing = _final_buyers_dispute(deps, caller, listing_id)
        require_dispute_open(listing, "photos")
        check_can_add_evidence(listing.dispute_photos, listing.dispute_photo_forms)
        changed = next_version(listing)
        changed.dispute_photo_forms += 1
        return Change(listing=changed), None

    decide_and_apply(deps, decide)
    return _signed_form(deps, storage, listing_id, photo_id, body)


def attach_evidence(deps: Deps, caller: Caller, listing_id: str, photo_id: str) -> DisputeCase:
    """The uploaded photo joins the dispute (checked and copied as a listing photo is), while
    the operator has not decided it, up to MAX_DISPUTE_PHOTOS; again, it changes nothing."""
    storage = _storage(deps)
    key = photo_key(listing_id, photo_id)

    def decide() -> tuple[Change, ListingRecord]:
        listing = _final_buyers_dispute(deps, caller, listing_id)
        if key in listing.dispute_photos:
            return Change(), listing
        require_dispute_open(listing, "photos")
        check_can_add_evidence(listing.dispute_photos)
        _checked_copy(storage, listing_id, photo_id, "/listings/{listing_id}/dispute/photos")
        copied.append(key)
        changed = next_version(listing)
        changed.dispute_photos.append(key)
        return Change(listing=changed), changed

    copied: list[str] = []
    try:
        decided = decide_and_apply(deps, decide)
    except Exception:
        # refused after the copy (the operator decided meanwhile, the limit was reached): the
        # served copy is withdrawn unless another request committed the same photo
        now = deps.store.get_listing(listing_id)
        if copied and (now is None or key not in now.dispute_photos):
            storage.withdraw(key)
        raise
    case = dispute_case(deps, decided)
    assert case is not None  # it takes photos only once disputed
    return case
