"""The photo rules (domain/photos.py): which types, how large, how many, when; and the request
model says the same."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from tests.support.images import png
from tombola.api.models import PhotoType, PhotoUploadIn
from tombola.domain.errors import NotAllowedNow, NotFound
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.photos import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_UPLOAD_FORMS,
    PHOTO_STATUSES,
    PHOTO_TYPES,
    PhotoRefused,
    TooManyPhotos,
    TooManyUploads,
    check_can_add,
    check_can_request,
    check_stored,
    photo_key,
    sniffed_type,
    upload_key,
)


def test_the_request_model_accepts_what_the_rules_accept() -> None:
    assert set(get_args(PhotoType)) == set(PHOTO_TYPES)
    assert PhotoUploadIn(content_type="image/jpeg", size=MAX_PHOTO_BYTES).size == MAX_PHOTO_BYTES
    for bad in ({"content_type": "image/gif", "size": 1}, {"content_type": "image/png", "size": 0}):
        with pytest.raises(ValidationError):
            PhotoUploadIn.model_validate(bad)
    with pytest.raises(ValidationError):
        PhotoUploadIn(content_type="image/png", size=MAX_PHOTO_BYTES + 1)


def test_a_photo_is_added_while_awaiting_the_deposit_or_open_up_to_the_bound() -> None:
    for status in ListingStatus:
        if status in PHOTO_STATUSES:
            check_can_add(status, ["k"] * (MAX_PHOTOS - 1))
        else:
            with pytest.raises(NotAllowedNow):
                check_can_add(status, [])
    with pytest.raises(TooManyPhotos) as refused:
        check_can_add(ListingStatus.OPEN, ["k"] * MAX_PHOTOS)
    assert refused.value.as_dict()["limits"] == {"max": MAX_PHOTOS}


def test_what_was_stored_is_checked() -> None:
    check_stored("image/webp", 1)
    check_stored("image/png", MAX_PHOTO_BYTES)
    for content_type, size in (("image/gif", 10), ("text/html", 10), ("image/png", 0)):
        with pytest.raises(PhotoRefused):
            check_stored(content_type, size)
    with pytest.raises(PhotoRefused) as refused:
        check_stored("image/jpeg", MAX_PHOTO_BYTES + 1)
    assert refused.value.field == "size"


def test_a_photo_key_stays_under_its_listing() -> None:
    assert photo_key("L1", "P0a9") == "photos/L1/P0a9"
    assert upload_key("L1", "P0a9") == "uploads/L1/P0a9"  # the form's; never served
    for bad in ("../L2/P1", "P1/x", "", "p1", "P" + "1" * 41, "P1\n"):
        for key in (photo_key, upload_key):
            with pytest.raises(NotFound):
                key("L1", bad)


def test_upload_forms_are_bounded_per_listing() -> None:
    assert MAX_UPLOAD_FORMS == 3 * MAX_PHOTOS
    check_can_request(ListingStatus.OPEN, [], MAX_UPLOAD_FORMS - 1)
    with pytest.raises(TooManyUploads) as refused:
        check_can_request(ListingStatus.OPEN, [], MAX_UPLOAD_FORMS)
    assert refused.value.as_dict()["limits"] == {"max": MAX_UPLOAD_FORMS}
    assert refused.value.code == "too_many_uploads"
    # a full gallery or a closed listing says so first
    with pytest.raises(TooManyPhotos):
        check_can_request(ListingStatus.OPEN, ["k"] * MAX_PHOTOS, MAX_UPLOAD_FORMS)
    with pytest.raises(NotAllowedNow):
        check_can_request(ListingStatus.CLOSED, [], 0)


def test_a_photo_is_what_its_first_bytes_say() -> None:
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 "
    assert sniffed_type(png()[:12]) == "image/png"
    assert sniffed_type(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01") == "image/jpeg"
    assert sniffed_type(webp) == "image/webp"
    assert sniffed_type(b"GIF89a\x01\x00\x01\x00\x00\x00") is None
    check_stored("image/png", 100, png()[:12])
    for label, start in (("image/png", b"<html><script"), ("image/jpeg", png()[:12])):
        with pytest.raises(PhotoRefused) as refused:
            check_stored(label, 100, start)
        assert refused.value.field == "content_type"
