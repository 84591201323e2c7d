"""Listing photos in a private S3 bucket: presigned POST forms whose policy fixes the key (under
uploads/, never served), the type and the size (S3 refuses anything else); HeadObject and a ranged
GetObject of the same ETag to read what was uploaded; CopyObject with that ETag as its
CopySourceIfMatch to publish the checked version under photos/ (S3 refuses the copy with 412 if
the upload was replaced meanwhile); and the URL the photos are served at (CloudFront's /photos/*
deployed; the local stack's own port locally)."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from tombola.ports.photo_storage import StoredPhoto, UploadForm

log = logging.getLogger(__name__)
# A served photo's key is written once, by the confirmation's copy of the version it checked, and
# no form can name it: what it holds never changes, so it is cached for a year.
PHOTO_CACHE = "public, max-age=31536000, immutable"
# Without s3:ListBucket (the function is not given it) S3 answers a missing key with 403 rather
# than 404: either way nothing is there for this function.
_MISSING = {"404", "NoSuchKey", "NotFound", "403", "AccessDenied", "Forbidden"}
_CHANGED = {"412", "PreconditionFailed"}  # the object is no longer the version read


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


class S3PhotoStorage:
    def __init__(
        self, bucket: str, client: Any, base_url: str, upload_url: str | None = None
    ) -> None:
        """``upload_url`` replaces S3's own endpoint in the forms (the local stack, whose S3 a
        browser cannot reach, receives them itself)."""
        self.bucket = bucket
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.upload_url = upload_url

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        form = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=expires_in,
        )
        fields = {str(k): str(v) for k, v in form["fields"].items()}
        return UploadForm(url=self.upload_url or str(form["url"]), fields=fields)

    def stored(self, key: str, start: int) -> StoredPhoto | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
            etag = str(head.get("ETag", ""))
            size = int(head.get("ContentLength", 0))
            first = b""
            if size > 0:  # (a range of an empty object is refused)
                got = self.client.get_object(
                    Bucket=self.bucket, Key=key, Range=f"bytes=0-{start - 1}", IfMatch=etag
                )
                first = got["Body"].read(start)
        except ClientError as err:
            code = _code(err)
            if code in _MISSING | _CHANGED:
                if code not in {"404", "NoSuchKey", "NotFound"}:
                    log.info("photo %s: read answered %s (taken as not uploaded)", key, code)
                return None
            raise
        return StoredPhoto(
            size=size, content_type=str(head.get("ContentType", "")), start=first, etag=etag
        )

    def publish(self, source: str, target: str, checked: StoredPhoto) -> bool:
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=target,
                CopySource={"Bucket": self.bucket, "Key": source},
                CopySourceIfMatch=checked.etag,
                # the served object's headers are the checked type and ours, not the upload's
                MetadataDirective="REPLACE",
                ContentType=checked.content_type,
                CacheControl=PHOTO_CACHE,
            )
        except ClientError as err:
            code = _code(err)
            if code in _MISSING | _CHANGED:
                log.info("photo %s: CopyObject answered %s (not published)", source, code)
                return False
            raise
        return True

    def withdraw(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{key}"
