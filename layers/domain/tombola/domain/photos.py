"""A listing's photos: which images a seller may attach, how large, how many, and when. The bytes
go straight from the browser to object storage through a signed upload form that carries the same
bounds (so the storage itself refuses another type or size), under an upload key that is never
served and expires; a photo counts once the seller confirms it: the uploaded object is checked
against these rules and that very version copied to the photo's own key, the only one served,
which no form can name (so what buyers see is what was checked, and never changes)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tombola.domain.errors import NotAllowedNow, NotFound, OutOfRange
from tombola.domain.lifecycle import ListingStatus

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 8  # per listing: the head item stays small and constant (docs/DATA_MODEL.md)
MAX_UPLOAD_FORMS = 3 * MAX_PHOTOS  # forms a listing may be issued in all (a counter on its head)
UPLOAD_SECONDS = 600  # how long a signed upload form is good for
# Where a form stores the upload: never served, expired by the bucket's lifecycle rule (a day).
UPLOADS_PREFIX = "uploads/"
# Where a confirmed photo is copied once checked: the only prefix served (/photos/*), written by
# the confirmation alone (no form names it), so a photo's key never changes what it holds.
PHOTOS_PREFIX = "photos/"
# While a seller may still change what buyers see before they pay: not once the draw is closed.
PHOTO_STATUSES = frozenset({ListingStatus.AWAITING_DEPOSIT, ListingStatus.OPEN})
_PHOTO_ID = re.compile(r"P[0-9A-Za-z]{1,40}")  # matched whole (fullmatch: no trailing newline)
# A dispute's evidence: the final buyer's photos, uploaded and checked the same way, kept on the
# listing head too (a few served keys and a count of the forms issued, both bounded).
MAX_DISPUTE_PHOTOS = 4
MAX_DISPUTE_UPLOAD_FORMS = 3 * MAX_DISPUTE_PHOTOS


class TooManyPhotos(NotAllowedNow):
    code = "too_many_photos"


class TooManyUploads(NotAllowedNow):
    """The listing was issued all the upload forms it may have (used or not)."""

    code = "too_many_uploads"


class PhotoNotUploaded(NotAllowedNow):
    """Confirmed before its upload reached the storage (the upload form expired unused, the
    upload expired unconfirmed, or it was replaced while it was being checked)."""

    code = "photo_not_uploaded"


class TooManyDisputePhotos(TooManyPhotos):
    code = "too_many_dispute_photos"


class TooManyDisputeUploads(TooManyUploads):
    """The dispute was issued all the photo upload forms it may have (used or not)."""

    code = "too_many_dispute_uploads"


class PhotoRefused(OutOfRange):
    """What was stored is not an image this API accepts, or is larger than allowed."""

    code = "photo_refused"


def _checked_id(photo_id: str) -> str:
    if not _PHOTO_ID.fullmatch(photo_id):
        raise NotFound(f"no photo {photo_id!r}", field="photo_id")
    return photo_id


def upload_key(listing_id: str, photo_id: str) -> str:
    """Where a photo's upload form stores the file (the form's key): under the listing, so a
    form or a confirmation for one listing can never name another listing's object."""
    return f"{UPLOADS_PREFIX}{listing_id}/{_checked_id(photo_id)}"


def photo_key(listing_id: str, photo_id: str) -> str:
    """The served object key of a listing's confirmed photo (what the listing head keeps)."""
    return f"{PHOTOS_PREFIX}{listing_id}/{_checked_id(photo_id)}"


def check_can_request(status: ListingStatus, photos: Sequence[str], forms_issued: int) -> None:
    """Another upload form may be issued while a photo may be added, and while the listing has
    had fewer than MAX_UPLOAD_FORMS (so what a listing can leave in storage is bounded too)."""
    check_can_add(status, photos)
    if forms_issued >= MAX_UPLOAD_FORMS:
        raise TooManyUploads(
            f"a listing may be issued at most {MAX_UPLOAD_FORMS} photo upload forms",
            field="photos",
            limits={"max": MAX_UPLOAD_FORMS},
        )


def check_can_add(status: ListingStatus, photos: Sequence[str]) -> None:
    """A photo may be added while the listing awaits its deposit or is open, up to MAX_PHOTOS."""
    if status not in PHOTO_STATUSES:
        raise NotAllowedNow(
            f"photos can be added only while the listing awaits its deposit or is open; "
            f"it is {status.value}",
            field="id",
        )
    if len(photos) >= MAX_PHOTOS:
        raise TooManyPhotos(
            f"a listing has at most {MAX_PHOTOS} photos", field="photos", limits={"max": MAX_PHOTOS}
        )


def check_can_add_evidence(photos: Sequence[str], forms_issued: int | None = None) -> None:
    """Another photo of a dispute, up to MAX_DISPUTE_PHOTOS; another upload form (given how many
    were issued) while fewer than MAX_DISPUTE_UPLOAD_FORMS were. When a dispute may take them
    (open, undecided) is the sale's rule (services/purchase.py)."""
    if len(photos) >= MAX_DISPUTE_PHOTOS:
        raise TooManyDisputePhotos(
            f"a dispute has at most {MAX_DISPUTE_PHOTOS} photos",
            field="photos",
            limits={"max": MAX_DISPUTE_PHOTOS},
        )
    if forms_issued is not None and forms_issued >= MAX_DISPUTE_UPLOAD_FORMS:
        raise TooManyDisputeUploads(
            f"a dispute may be issued at most {MAX_DISPUTE_UPLOAD_FORMS} photo upload forms",
            field="photos",
            limits={"max": MAX_DISPUTE_UPLOAD_FORMS},
        )


SNIFF_BYTES = 12  # enough of a file's start to tell the three types apart


def sniffed_type(start: bytes) -> str | None:
    """The image type a file's first bytes announce (its magic number), if one of PHOTO_TYPES."""
    if start.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if start.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if start[:4] == b"RIFF" and start[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_stored(content_type: str, size: int, start: bytes | None = None) -> None:
    """The object as stored: one of PHOTO_TYPES, 1 byte to MAX_PHOTO_BYTES, and (given its first
    bytes) really an image of the type it was stored as, not another file under that label."""
    if content_type not in PHOTO_TYPES:
        raise PhotoRefused(
            f"a photo must be one of {', '.join(PHOTO_TYPES)}; this one is {content_type!r}",
            field="content_type",
        )
    if not 0 < size <= MAX_PHOTO_BYTES:
        raise PhotoRefused(
            f"a photo may be at most {MAX_PHOTO_BYTES} bytes; this one is {size}",
            field="size",
            limits={"max": MAX_PHOTO_BYTES},
        )
    if start is not None and sniffed_type(start) != content_type:
        raise PhotoRefused(f"the file stored is not a {content_type} image", field="content_type")
