"""S3's side of the listing photos, for the local stack: a browser cannot reach moto's S3 (it runs
in-process), so the stack receives the presigned POST forms itself and serves the photos, as S3
and CloudFront do deployed.

- ``POST /sandbox/s3/<bucket>``: a multipart/form-data upload as S3 takes it. The form is checked
  the way S3 checks a POST policy: the SigV4 signature over the policy (with the credentials the
  stack runs under), the expiration, every condition (exact matches, ``starts-with``,
  ``content-length-range``; the key, ``uploads/<lid>/<photo id>``, is one) and no field the
  policy does not name. What passes is stored in moto's S3 with its Content-Type; the answer is
  S3's (204, or XML errors). Posting a form again replaces its upload, as in S3.
- ``GET /photos/<key>``: the object under ``photos/<key>`` of the photos bucket, with its type, as
  CloudFront's /photos/* behaviour serves it; nothing else of the bucket (no upload) is served.
- ``honour_copy_conditions``: moto's CopyObject ignores ``x-amz-copy-source-if-match``; S3
  refuses the copy (412 PreconditionFailed) when the source's ETag is another, which is what
  keeps a confirmation from publishing an upload replaced after its check. Installed on moto when
  the stack's buckets are created (moto_resources).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import boto3
from botocore.exceptions import ClientError
from moto.s3.exceptions import PreconditionFailed
from moto.s3.responses import S3Response

# Form fields S3 does not require a policy condition for.
EXEMPT = {"policy", "x-amz-signature", "file"}


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Upload:
    fields: dict[str, str]  # by lower-cased name, as S3 matches them
    file: bytes
    filename: str | None


def s3_error(status: int, code: str, message: str) -> tuple[int, bytes]:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    )
    return status, body.encode()


def parse_form(content_type: str, body: bytes) -> Upload:
    """The form's fields up to ``file`` (S3 ignores what follows it) and the file's bytes."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise Refused(412, "PreconditionFailed", "send multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise Refused(400, "MalformedPOSTRequest", "the body is not multipart/form-data")
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name.lower() == "file":
            filename = part.get_param("filename", header="content-disposition")
            return Upload(fields, data, filename if isinstance(filename, str) else None)
        fields[name.lower()] = data.decode("utf-8")
    raise Refused(400, "InvalidArgument", "POST requires exactly one file upload per request")


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def check_signature(fields: dict[str, str], access_key: str, secret: str) -> dict[str, Any]:
    """The policy, once its SigV4 signature checks out with the stack's credentials."""
    for name in ("policy", "x-amz-signature", "x-amz-credential", "x-amz-algorithm"):
        if name not in fields:
            raise Refused(403, "AccessDenied", f"the form has no {name}")
    if fields["x-amz-algorithm"] != "AWS4-HMAC-SHA256":
        raise Refused(400, "InvalidArgument", "only AWS4-HMAC-SHA256 is supported")
    credential = fields["x-amz-credential"].split("/")
    if len(credential) != 5 or credential[0] != access_key:
        raise Refused(403, "InvalidAccessKeyId", "the form was not signed with our credentials")
    _, day, region, service, _ = credential
    expected = hmac.new(
        _signing_key(secret, day, region, service), fields["policy"].encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, fields["x-amz-signature"]):
        raise Refused(403, "SignatureDoesNotMatch", "the policy's signature does not match")
    try:
        policy: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    except ValueError:
        raise Refused(400, "InvalidPolicyDocument", "the policy is not base64 JSON") from None
    return policy


def check_policy(
    policy: dict[str, Any], bucket: str, upload: Upload, now: datetime
) -> dict[str, str]:
    """Every condition holds and every field is one a condition names; returns the fields with
    the bucket (what the object is stored with)."""
    expiration = datetime.fromisoformat(str(policy.get("expiration", "")).replace("Z", "+00:00"))
    if now >= expiration:
        raise Refused(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = dict(upload.fields, bucket=bucket)
    if "key" in values and "${filename}" in values["key"]:
        values["key"] = values["key"].replace("${filename}", upload.filename or "")
    named: set[str] = set()
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            for field, wanted in condition.items():
                _match(values, field.lower(), "eq", str(wanted), condition)
                named.add(field.lower())
        elif isinstance(condition, list) and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if len(upload.file) < low:
                raise Refused(400, "EntityTooSmall", "Your proposed upload is smaller than allowed")
            if len(upload.file) > high:
                raise Refused(400, "EntityTooLarge", "Your proposed upload exceeds the maximum")
        elif isinstance(condition, list) and len(condition) == 3:
            op, field, wanted = condition
            name = str(field).lstrip("$").lower()
            _match(values, name, str(op), str(wanted), condition)
            named.add(name)
        else:
            raise Refused(400, "InvalidPolicyDocument", f"unknown condition {condition!r}")
    extra = {f for f in upload.fields if f not in named | EXEMPT and not f.startswith("x-ignore-")}
    if extra:
        raise Refused(
            403,
            "AccessDenied",
            f"Invalid according to Policy: Extra input fields: {', '.join(sorted(extra))}",
        )
    return values


def _match(values: dict[str, str], field: str, op: str, wanted: str, condition: object) -> None:
    got = values.get(field)
    ok = got is not None and (got == wanted if op == "eq" else got.startswith(wanted))
    if op not in {"eq", "starts-with"} or not ok:
        raise Refused(
            403,
            "AccessDenied",
            f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}",
        )


class PhotoRoutes:
    """The two routes; ``photos_bucket`` is the template's PhotosBucket as created on moto."""

    def __init__(self, photos_bucket: str) -> None:
        self.photos_bucket = photos_bucket

    def upload(
        self, bucket: str, headers: dict[str, str], body: bytes, now: datetime | None = None
    ) -> tuple[int, bytes]:
        try:
            upload = parse_form(headers.get("content-type", ""), body)
            policy = check_signature(
                upload.fields,
                os.environ.get("AWS_ACCESS_KEY_ID", ""),
                os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            )
            values = check_policy(policy, bucket, upload, now or datetime.now(UTC))
        except Refused as refused:
            return s3_error(refused.status, refused.code, refused.message)
        extra: dict[str, str] = {}
        if "content-type" in values:
            extra["ContentType"] = values["content-type"]
        if "cache-control" in values:  # (the photo forms set none: the copy sets the served one)
            extra["CacheControl"] = values["cache-control"]
        try:
            boto3.client("s3").put_object(
                Bucket=bucket, Key=values["key"], Body=upload.file, **extra
            )
        except ClientError as err:
            return s3_error(404, "NoSuchBucket", str(err))
        return 204, b""

    def photo(self, key: str) -> tuple[int, bytes, str]:
        """(status, body, content type) of ``photos/<key>``: CloudFront's origin path is the
        request's, so a key is only ever read under photos/ (a ``..`` in it names no other
        object: S3 keys are plain strings), and only GetObject."""
        try:
            got = boto3.client("s3").get_object(Bucket=self.photos_bucket, Key=f"photos/{key}")
        except ClientError:
            status, body = s3_error(404, "NoSuchKey", "The specified key does not exist.")
            return status, body, "application/xml"
        return 200, got["Body"].read(), str(got.get("ContentType") or "application/octet-stream")


_COPY_IF_MATCH = "x-amz-copy-source-if-match"


def honour_copy_conditions() -> None:
    """Make moto's CopyObject refuse, as S3 does, a copy whose ``CopySourceIfMatch`` is not the
    source's current ETag (412 PreconditionFailed). Once per process; moto's calls are serialized
    in the stack (lambda_runtime), so the check and the copy are one step, as in S3."""
    original = S3Response.copy_object
    if getattr(original, "honours_if_match", False):
        return

    def copy_object(self: Any) -> Any:
        wanted = self.headers.get(_COPY_IF_MATCH)
        if wanted is not None:
            source = self.headers.get("x-amz-copy-source")
            if isinstance(source, bytes):
                source = source.decode("utf-8")
            parsed = urlparse(str(source))
            bucket, key = unquote(parsed.path).lstrip("/").split("/", 1)
            version = parse_qs(parsed.query).get("versionId", [None])[0]
            current = self.backend.get_object(bucket, key, version_id=version)
            if current is not None and str(wanted).strip('"') != current.etag.strip('"'):
                raise PreconditionFailed(failed_condition="x-amz-copy-source-If-Match")
        return original(self)

    copy_object.honours_if_match = True  # type: ignore[attr-defined]
    S3Response.copy_object = copy_object  # type: ignore[method-assign]
