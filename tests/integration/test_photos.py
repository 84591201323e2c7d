"""A listing's photos under moto: the seller gets a presigned POST whose policy fixes the key (under
uploads/, never served), the type and the exact size, at most 24 forms per listing; the upload
goes through the local stack's S3 stand-in, which checks the form as S3 does (moto's S3 accepts
any form, so the stand-in is what refuses here); the confirmation attaches the photo only once
HeadObject shows an accepted type and size and its first bytes an image of that type, and then
copies that very version (CopySourceIfMatch its ETag) to photos/, the only prefix served, which no
form can name: posting the form again afterwards, or between the check and the copy, changes
nothing buyers see. At most 8 per listing, once however often it is sent, and only by the seller
while the listing awaits its deposit or is open. The bucket expires uploads after a day. The
public view shows the photos and the seller's completed sales, counted once per sold listing
however often its settlement runs."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.photo_uploads import PhotoRoutes

from tests.fast.conftest import w  # noqa: F401  (the services on the in-memory store)
from tests.support.fast_platform import FastWorld
from tests.support.images import png
from tests.support.interleavings import caller
from tests.support.photo_bucket import Bucket
from tombola.adapters import container
from tombola.api.models import PhotoUploadIn
from tombola.domain.auth import Role
from tombola.domain.errors import DomainError, NotFound
from tombola.domain.photos import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_UPLOAD_FORMS,
    photo_key,
    upload_key,
)
from tombola.services import listing_photos, settling
from tombola.services.runner import run_effect
from tombola.state.changes import CountSale

BASE = "http://127.0.0.1:3999"  # where the local stack would serve photos and take uploads
ROOT = Path(__file__).resolve().parents[2]
# Served to anyone who can load an image from our domain, if it were ever published.
PAGE = b"<html><script>alert(document.domain)</script>"


def multipart(
    fields: dict[str, str], file: bytes, filename: str = "photo.png"
) -> tuple[str, bytes]:
    """(content type, body) of the form a browser posts: the fields, then the file, last."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + file
        + b"\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode()


@pytest.fixture
def s3(d: Driver) -> PhotoRoutes:
    """The local stack's S3 side, with the listings function's forms pointed at it (as `make
    run` does)."""
    bucket = d.stack.refs["PhotosBucket"]
    container.override(photo_base_url=BASE, photo_upload_url=f"{BASE}/sandbox/s3/{bucket}")
    return PhotoRoutes(bucket)


def form(d: Driver, seller: str, lid: str, size: int, content_type: str = "image/png") -> Any:
    body = {"content_type": content_type, "size": size}
    return d.ok(d.as_(seller, "POST", f"/listings/{lid}/photos", body))


def upload(s3: PhotoRoutes, given: Any, data: bytes, **changed: str) -> tuple[int, bytes]:
    """Post ``data`` with the form ``given`` (fields ``changed`` as a tampering browser would)."""
    bucket = given["upload"]["url"].rsplit("/", 1)[-1]
    content_type, body = multipart(given["upload"]["fields"] | changed, data)
    return s3.upload(bucket, {"content-type": content_type}, body)


def attach(d: Driver, seller: str, lid: str, photo_id: str) -> Any:
    return d.as_(seller, "POST", f"/listings/{lid}/photos/{photo_id}")


def policy_of(given: Any) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(given["upload"]["fields"]["policy"]))
    return decoded


def seller_with_listing(d: Driver, seller: str = "sam") -> str:
    d.user(seller, "seller", payout=True)
    lid = d.open_listing(seller)
    d.waiting_for_close(lid)  # the execution's own write to the head is done
    return lid


def served(d: Driver, key: str) -> bytes | None:
    """The object under ``key`` in moto's PhotosBucket (None: there is none)."""
    try:
        got = boto3.client("s3").get_object(Bucket=d.stack.refs["PhotosBucket"], Key=key)
    except ClientError:
        return None
    body: bytes = got["Body"].read()
    return body


def test_the_form_fixes_the_key_the_type_and_the_size(d: Driver, s3: PhotoRoutes) -> None:
    lid = seller_with_listing(d)
    given = form(d, "sam", lid, 1234, "image/webp")
    key = f"uploads/{lid}/{given['photo_id']}"  # never served; the confirmation copies it
    fields = given["upload"]["fields"]
    assert given["upload"]["url"].startswith(f"{BASE}/sandbox/s3/")
    assert fields["key"] == key
    assert fields["Content-Type"] == "image/webp"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4: every region takes it
    policy = policy_of(given)
    conditions = policy["conditions"]
    assert {"key": key} in conditions
    assert {"Content-Type": "image/webp"} in conditions
    assert ["content-length-range", 1234, 1234] in conditions
    assert {"bucket": d.stack.refs["PhotosBucket"]} in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)
    assert given["max_bytes"] == MAX_PHOTO_BYTES
    # a form is not a photo: nothing is attached until confirmed
    assert d.listing(lid)["photos"] == []
    assert d.record(lid).photos == []
    assert d.record(lid).photo_forms == 1  # but it is counted (at most MAX_UPLOAD_FORMS)


def test_an_uploaded_photo_is_attached_once_and_shown(d: Driver, s3: PhotoRoutes) -> None:
    lid = seller_with_listing(d)
    image = png()
    given = form(d, "sam", lid, len(image))
    assert upload(s3, given, image) == (204, b"")
    key = f"photos/{lid}/{given['photo_id']}"
    # uploaded, not confirmed: nothing is served (the upload is not under photos/)
    assert s3.photo(key.removeprefix("photos/"))[0] == 404
    assert s3.photo(f"../uploads/{lid}/{given['photo_id']}")[0] == 404
    assert served(d, key) is None
    before = d.record(lid).version
    shown = d.ok(attach(d, "sam", lid, given["photo_id"]))
    assert shown["photos"] == [f"{BASE}/{key}"]
    assert d.record(lid).photos == [key]
    assert d.record(lid).version == before + 1  # the head, written under its version
    # confirming again (a lost answer, a double click) adds nothing and writes nothing
    again = d.ok(attach(d, "sam", lid, given["photo_id"]))
    assert again["photos"] == shown["photos"]
    assert d.record(lid).version == before + 1
    # anyone sees it, served as CloudFront serves it deployed
    assert d.listing(lid)["photos"] == [f"{BASE}/{key}"]
    listed = d.ok(d.stack.http("GET", "/listings"))["listings"]
    assert [x["photos"] for x in listed if x["listing_id"] == lid] == [[f"{BASE}/{key}"]]
    assert s3.photo(key.removeprefix("photos/")) == (200, image, "image/png")
    assert s3.photo(f"{lid}/Pnothing")[0] == 404
    # the copy is stored with the checked type and the served cache header (the form set none)
    stored = boto3.client("s3").head_object(Bucket=d.stack.refs["PhotosBucket"], Key=key)
    assert stored["ContentType"] == "image/png"
    assert "immutable" in stored["CacheControl"]
    assert served(d, key) == image


def test_a_confirmed_photo_is_not_replaced_by_posting_its_form_again(
    d: Driver, s3: PhotoRoutes
) -> None:
    """(review 19) A presigned POST is good for any number of posts until it expires, and S3
    replaces its key each time: the form names only the upload, so what was checked and copied
    to photos/ (cached for a year) stays what buyers see, and confirming again copies nothing."""
    lid = seller_with_listing(d)
    image = png()
    given = form(d, "sam", lid, len(image))
    assert upload(s3, given, image)[0] == 204
    d.ok(attach(d, "sam", lid, given["photo_id"]))
    swapped = PAGE.ljust(len(image), b" ")
    assert upload(s3, given, swapped)[0] == 204  # S3 takes it: under uploads/, nothing served
    assert served(d, f"uploads/{lid}/{given['photo_id']}") == swapped
    key = f"photos/{lid}/{given['photo_id']}"
    assert served(d, key) == image
    assert s3.photo(key.removeprefix("photos/")) == (200, image, "image/png")
    d.ok(attach(d, "sam", lid, given["photo_id"]))  # confirmed again: nothing is read or copied
    assert served(d, key) == image
    # nor can the form be pointed at the served key (its policy fixes the key)
    status, body = upload(s3, given, swapped, key=key)
    assert (status, body.split(b"<Code>")[1].split(b"<")[0]) == (403, b"AccessDenied")
    assert served(d, key) == image


def test_an_upload_replaced_between_its_check_and_its_copy_is_not_published(
    d: Driver, s3: PhotoRoutes
) -> None:
    """The copy is conditional on the ETag that was checked (CopySourceIfMatch): another post
    of the form after HeadObject and the first bytes were read, before CopyObject, makes S3 refuse
    the copy (the stand-in honours the condition as S3 does) and nothing is attached."""
    lid = seller_with_listing(d)
    image = png()
    given = form(d, "sam", lid, len(image))
    assert upload(s3, given, image)[0] == 204
    swapped = PAGE.ljust(len(image), b" ")
    swaps: list[int] = []

    def swap_before_the_copy(send: Any, request: Any) -> Any:
        if request.method == "PUT" and "x-amz-copy-source" in request.headers and not swaps:
            swaps.append(upload(s3, given, swapped)[0])
        return send()

    d.stack.on_call = swap_before_the_copy
    try:
        r = attach(d, "sam", lid, given["photo_id"])
    finally:
        d.stack.on_call = None
    assert swaps == [204]
    assert (r.status, r.body["error"]["code"]) == (409, "photo_not_uploaded")
    key = f"photos/{lid}/{given['photo_id']}"
    assert served(d, key) is None
    assert s3.photo(key.removeprefix("photos/"))[0] == 404
    assert d.record(lid).photos == []
    # confirmed again, the replacement is what is checked: refused
    r = attach(d, "sam", lid, given["photo_id"])
    assert (r.status, r.body["error"]["code"]) == (422, "photo_refused")
    assert served(d, key) is None


def test_a_listing_is_issued_at_most_24_upload_forms(d: Driver, s3: PhotoRoutes) -> None:
    """(review 19) Each form is counted on the listing head (under its version, as every head
    write): a listing cannot be given any number of 5 MB forms, used or not."""
    lid = seller_with_listing(d)
    image = png()
    forms = [form(d, "sam", lid, len(image)) for _ in range(MAX_UPLOAD_FORMS)]
    assert len({f["photo_id"] for f in forms}) == MAX_UPLOAD_FORMS == 24
    assert d.record(lid).photo_forms == MAX_UPLOAD_FORMS
    before = d.record(lid).version
    more = d.as_("sam", "POST", f"/listings/{lid}/photos", {"content_type": "image/png", "size": 9})
    assert more.status == 409
    assert more.body["error"]["code"] == "too_many_uploads"
    assert more.body["error"]["limits"] == {"max": MAX_UPLOAD_FORMS}
    assert d.record(lid).version == before  # a refusal writes nothing
    assert d.record(lid).photo_forms == MAX_UPLOAD_FORMS
    # the forms issued still work
    assert upload(s3, forms[-1], image)[0] == 204
    shown = d.ok(attach(d, "sam", lid, forms[-1]["photo_id"]))
    assert shown["photos"] == [f"{BASE}/photos/{lid}/{forms[-1]['photo_id']}"]


def test_the_bucket_expires_uploads_and_serves_only_photos(d: Driver) -> None:
    """(review 19) Uploads never confirmed do not stay for ever: the bucket's lifecycle rule
    expires uploads/ after a day (as the template declares it, and as created on moto); only
    photos/ is read by CloudFront."""
    template = (ROOT / "template.yaml").read_text()
    start = template.index("  PhotosBucket:\n")
    end = template.index("\n  PhotosBucketPolicy:")
    assert "LifecycleConfiguration" in template[start:end]
    rules = boto3.client("s3").get_bucket_lifecycle_configuration(
        Bucket=d.stack.refs["PhotosBucket"]
    )["Rules"]
    assert [(r["Filter"]["Prefix"], r["Expiration"]["Days"], r["Status"]) for r in rules] == [
        ("uploads/", 1, "Enabled")
    ]


def test_a_photo_id_is_matched_whole() -> None:
    """(review 19) ``$`` matches before a final newline: ``P1\\n`` must not pass for an id."""
    assert photo_key("L1", "P1") == "photos/L1/P1"
    assert upload_key("L1", "P1") == "uploads/L1/P1"
    for bad in ("P1\n", "P1\r\n", "\nP1", "P1 "):
        for key in (photo_key, upload_key):
            with pytest.raises(NotFound):
                key("L1", bad)


def with_bucket(w: FastWorld) -> Bucket:  # noqa: F811
    bucket = Bucket()
    w.deps = dataclasses.replace(w.deps, photos=bucket)
    return bucket


def test_concurrent_confirmations_never_exceed_eight(w: FastWorld) -> None:  # noqa: F811
    """(review 19) Fourteen photos uploaded, all confirmed at once: eight are attached, each
    once; the other six are refused."""
    bucket = with_bucket(w)
    w.open()
    image = png()
    ids = []
    for _ in range(MAX_PHOTOS + 6):
        given = listing_photos.request_upload(
            w.deps,
            caller("seller", Role.SELLER),
            w.listing_id,
            PhotoUploadIn(content_type="image/png", size=len(image)),
        )
        bucket.objects[f"uploads/{w.listing_id}/{given.photo_id}"] = ("image/png", image)
        ids.append(given.photo_id)
    assert w.record().photo_forms == MAX_PHOTOS + 6
    refused: list[str] = []

    def confirm(photo_id: str) -> None:
        try:
            listing_photos.attach(w.deps, caller("seller", Role.SELLER), w.listing_id, photo_id)
        except DomainError as e:
            refused.append(e.code)

    threads = [threading.Thread(target=confirm, args=(p,)) for p in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    photos = w.record().photos
    assert len(photos) == len(set(photos)) == MAX_PHOTOS
    assert refused == ["too_many_photos"] * 6, refused
    # every attached key holds the upload that was checked
    assert all(bucket.objects[key] == ("image/png", image) for key in photos)


def test_forms_are_bounded_however_many_are_asked_for(w: FastWorld) -> None:  # noqa: F811
    """(review 19) Fifty forms asked for one listing: MAX_UPLOAD_FORMS are issued (and
    counted on its head), the rest refused with the bound."""
    bucket = with_bucket(w)
    w.open()
    refused: list[DomainError] = []
    for _ in range(50):
        try:
            listing_photos.request_upload(
                w.deps,
                caller("seller", Role.SELLER),
                w.listing_id,
                PhotoUploadIn(content_type="image/png", size=MAX_PHOTO_BYTES),
            )
        except DomainError as e:
            refused.append(e)
    assert len(bucket.forms) == MAX_UPLOAD_FORMS
    assert all(key.startswith(f"uploads/{w.listing_id}/P") for key in bucket.forms)
    assert w.record().photo_forms == MAX_UPLOAD_FORMS
    assert {(e.code, str(e.limits)) for e in refused} == {
        ("too_many_uploads", str({"max": MAX_UPLOAD_FORMS}))
    }
    assert len(refused) == 50 - MAX_UPLOAD_FORMS


def test_the_stand_in_refuses_a_form_as_s3_would(d: Driver, s3: PhotoRoutes) -> None:
    lid = seller_with_listing(d)
    image = png()
    given = form(d, "sam", lid, len(image))
    refused = {
        "another type": upload(s3, given, image, **{"Content-Type": "image/svg+xml"}),
        "larger": upload(s3, given, image + b"\0"),
        "smaller": upload(s3, given, image[:-1]),
        "another key": upload(s3, given, image, key=f"uploads/{lid}/Pother"),
        "the served key": upload(s3, given, image, key=f"photos/{lid}/{given['photo_id']}"),
        "a field the policy does not name": upload(s3, given, image, acl="public-read"),
        "a policy of its own": upload(
            s3,
            given,
            image,
            policy=base64.b64encode(
                json.dumps(policy_of(given) | {"conditions": []}).encode()
            ).decode(),
        ),
    }
    codes = {
        what: (status, body.split(b"<Code>")[1].split(b"<")[0])
        for what, (status, body) in refused.items()
    }
    assert codes == {
        "another type": (403, b"AccessDenied"),
        "larger": (400, b"EntityTooLarge"),
        "smaller": (400, b"EntityTooSmall"),
        "another key": (403, b"AccessDenied"),
        "the served key": (403, b"AccessDenied"),
        "a field the policy does not name": (403, b"AccessDenied"),
        "a policy of its own": (403, b"SignatureDoesNotMatch"),
    }
    later = datetime.now(UTC) + timedelta(minutes=11)
    content_type, body = multipart(given["upload"]["fields"], image)
    bucket = d.stack.refs["PhotosBucket"]
    assert s3.upload(bucket, {"content-type": content_type}, body, now=later)[0] == 403
    # nothing was stored, so nothing can be attached
    r = attach(d, "sam", lid, given["photo_id"])
    assert (r.status, r.body["error"]["code"]) == (409, "photo_not_uploaded")


def test_the_confirmation_checks_what_was_stored(d: Driver, s3: PhotoRoutes) -> None:
    """An upload that did not come through the form (S3 would have refused it; moto does not)
    is checked again with HeadObject before it is copied and joins the listing."""
    lid = seller_with_listing(d)
    bucket = d.stack.refs["PhotosBucket"]
    raw = boto3.client("s3")
    odd = form(d, "sam", lid, 10)
    raw.put_object(
        Bucket=bucket,
        Key=f"uploads/{lid}/{odd['photo_id']}",
        Body=b"GIF89a....",
        ContentType="image/gif",
    )
    r = attach(d, "sam", lid, odd["photo_id"])
    assert (r.status, r.body["error"]["code"], r.body["error"]["field"]) == (
        422,
        "photo_refused",
        "content_type",
    )
    big = form(d, "sam", lid, MAX_PHOTO_BYTES)
    raw.put_object(
        Bucket=bucket,
        Key=f"uploads/{lid}/{big['photo_id']}",
        Body=b"\0" * (MAX_PHOTO_BYTES + 1),
        ContentType="image/jpeg",
    )
    r = attach(d, "sam", lid, big["photo_id"])
    assert (r.status, r.body["error"]["code"], r.body["error"]["field"]) == (
        422,
        "photo_refused",
        "size",
    )
    # a file that came through its form but is no image of the type it was labelled (S3 cannot
    # tell from a form): its first bytes give it away
    page = b"<html><script>alert(1)</script></html>"
    fake = form(d, "sam", lid, len(page))
    assert upload(s3, fake, page)[0] == 204
    r = attach(d, "sam", lid, fake["photo_id"])
    assert (r.status, r.body["error"]["code"], r.body["error"]["field"]) == (
        422,
        "photo_refused",
        "content_type",
    )
    # a photo of another listing is not this listing's, whatever its id
    other = d.open_listing("sam")
    theirs = form(d, "sam", other, len(png()))
    assert upload(s3, theirs, png())[0] == 204
    r = attach(d, "sam", lid, theirs["photo_id"])
    assert (r.status, r.body["error"]["code"]) == (409, "photo_not_uploaded")
    r = attach(d, "sam", lid, "not-an-id!")
    assert (r.status, r.body["error"]["code"]) == (404, "not_found")
    assert d.record(lid).photos == []
    # nothing refused was published
    for refused in (odd, big, fake):
        assert served(d, f"photos/{lid}/{refused['photo_id']}") is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "image/gif", "size": 10}, "body.content_type"),
        ({"content_type": "image/svg+xml", "size": 10}, "body.content_type"),
        ({"content_type": "image/png", "size": 0}, "body.size"),
        ({"content_type": "image/png", "size": MAX_PHOTO_BYTES + 1}, "body.size"),
        ({"content_type": "image/png", "size": "10"}, "body.size"),
        ({"content_type": "image/png"}, "body.size"),
        ({"content_type": "image/png", "size": 10, "key": "photos/x"}, "body.key"),
    ],
)
def test_a_bad_request_is_a_4xx_naming_the_field(
    d: Driver, s3: PhotoRoutes, body: dict[str, Any], field: str
) -> None:
    lid = seller_with_listing(d)
    r = d.as_("sam", "POST", f"/listings/{lid}/photos", body)
    assert r.status == 422, r
    assert r.body["error"]["field"] == field


def test_only_the_seller_adds_photos_while_awaiting_the_deposit_or_open(
    d: Driver, s3: PhotoRoutes
) -> None:
    d.user("sam", "seller", payout=True)
    d.user("sue", "seller", payout=True)
    d.user("ann", "buyer")
    unpaid = d.create_listing("sam")["listing"]["listing_id"]
    image = png()
    given = form(d, "sam", unpaid, len(image))  # awaiting its deposit: the seller may
    assert upload(s3, given, image)[0] == 204
    for who in ("sue", "ann"):
        asked = d.as_(
            who, "POST", f"/listings/{unpaid}/photos", {"content_type": "image/png", "size": 9}
        )
        confirmed = attach(d, who, unpaid, given["photo_id"])
        assert (asked.status, confirmed.status) == (403, 403), who
    missing = d.as_(
        "sam", "POST", "/listings/Lnone/photos", {"content_type": "image/png", "size": 9}
    )
    assert missing.status == 404
    assert d.record(unpaid).photos == []
    d.ok(attach(d, "sam", unpaid, given["photo_id"]))

    lid = d.open_listing("sam")
    late = form(d, "sam", lid, len(image))
    assert upload(s3, late, image)[0] == 204
    d.close_window(lid)
    d.wait_status(lid, "closed", "drawing", "unsold")
    asked = d.as_(
        "sam", "POST", f"/listings/{lid}/photos", {"content_type": "image/png", "size": 9}
    )
    confirmed = attach(d, "sam", lid, late["photo_id"])
    for r in (asked, confirmed):
        assert (r.status, r.body["error"]["code"]) == (409, "not_allowed_now"), r
    assert d.record(lid).photos == []


def test_a_ninth_photo_is_refused(d: Driver, s3: PhotoRoutes) -> None:
    lid = seller_with_listing(d)
    image = png()
    forms = [form(d, "sam", lid, len(image)) for _ in range(MAX_PHOTOS + 1)]  # all asked early
    for given in forms:
        assert upload(s3, given, image)[0] == 204
    for given in forms[:MAX_PHOTOS]:
        d.ok(attach(d, "sam", lid, given["photo_id"]))
    ninth = attach(d, "sam", lid, forms[-1]["photo_id"])
    assert ninth.status == 409
    assert ninth.body["error"]["code"] == "too_many_photos"
    assert ninth.body["error"]["limits"] == {"max": MAX_PHOTOS}
    asked = d.as_(
        "sam", "POST", f"/listings/{lid}/photos", {"content_type": "image/png", "size": 9}
    )
    assert (asked.status, asked.body["error"]["code"]) == (409, "too_many_photos")
    # a photo attached already is confirmed again without a complaint, and adds nothing
    d.ok(attach(d, "sam", lid, forms[0]["photo_id"]))
    photos = d.listing(lid)["photos"]
    assert len(photos) == MAX_PHOTOS
    assert photos == [f"{BASE}/photos/{lid}/{f['photo_id']}" for f in forms[:MAX_PHOTOS]]


def test_the_sellers_completed_sales_count_once_however_often_settlement_runs(
    d: Driver,
) -> None:
    lid = d.sold_out()
    seller = d.record(lid).seller_id
    assert d.listing(lid)["seller_completed_sales"] == 0
    complete_sale(d, lid)
    d.stack.wait_for(lambda: d.listing(lid)["seller_completed_sales"] == 1, 10, "the count")
    # the finish task again, as the state machine's retry would send it: nothing is written
    again = d.stack.invoke("SettleFunction", {"listing_id": lid, "action": "finish"})
    assert again["status"] == "settled"
    assert settling.finish(container.deps(), lid)["status"] == "settled"
    # and its effect run again, as the outbox sweep does after a crash before completion
    run_effect(container.deps(), CountSale(seller_id=seller, listing_id=lid))
    assert not d.store.count_sale(seller, lid)
    assert d.listing(lid)["seller_completed_sales"] == 1
    # every listing of the seller shows it; a second sale makes two
    other = d.sold_out(buyers=("cat", "dan"))
    assert d.listing(other)["seller_completed_sales"] == 1
    complete_sale(d, other)
    d.stack.wait_for(lambda: d.listing(lid)["seller_completed_sales"] == 2, 10, "two sales")
    mine = d.ok(d.as_("seller", "GET", "/me/listings"))["listings"]
    assert {x["seller_completed_sales"] for x in mine} == {2}
    assert {x["seller"] for x in mine} == {d.listing(lid)["seller"]}  # one public handle


def test_an_unsold_listing_is_no_completed_sale(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller")
    d.close_window(lid)
    d.wait_status(lid, "unsold")
    assert d.listing(lid)["seller_completed_sales"] == 0
    assert d.store.completed_sales(["seller"]) == {"seller": 0}
