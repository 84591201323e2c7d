"""Who may touch the listing photos, as template.yaml grants it: the listings function writes
uploads (the presigned forms it signs) and reads them (the check), and writes photos/ (the copy of a
checked upload) and deletes there (a copy no record came to name), nothing else of S3 (it never
reads photos/, deletes uploads or lists); no other function
has any S3 right; the bucket is private, expires uploads/ after a day, and CloudFront (this stack's
distribution) reads only photos/; a browser may only POST to it (the presigned form)."""

from __future__ import annotations

import json

from tombola_dev.template import Template

from tests.support import iam_eval
from tests.support.iam_eval import Request, allowed

BUCKET = "PhotosBucket.Arn"  # how iam_eval names the bucket's ARN


def s3(action: str, resource: str) -> Request:
    return Request(f"s3:{action}", resource)


def test_the_listings_function_writes_uploads_and_copies_them_to_photos_only() -> None:
    template = Template.load()
    statements = iam_eval.function_statements(template, "ListingsFunction")
    for request in (
        s3("PutObject", f"{BUCKET}/uploads/L1/P1"),  # what a form it signs may do
        s3("GetObject", f"{BUCKET}/uploads/L1/P1"),  # HeadObject, first bytes, copy's source
        s3("PutObject", f"{BUCKET}/photos/L1/P1"),  # the copy's target
        s3("DeleteObject", f"{BUCKET}/photos/L1/P1"),  # a copy withdrawn: its record refused
    ):
        assert allowed(statements, request), request
    for request in (
        s3("GetObject", f"{BUCKET}/photos/L1/P1"),
        s3("PutObject", f"{BUCKET}/index.html"),
        s3("PutObject", f"{BUCKET}/other/L1"),
        s3("DeleteObject", f"{BUCKET}/uploads/L1/P1"),
        s3("PutObjectAcl", f"{BUCKET}/photos/L1/P1"),
        s3("PutObjectTagging", f"{BUCKET}/photos/L1/P1"),
        s3("ListBucket", BUCKET),
        s3("PutBucketPolicy", BUCKET),
        s3("PutLifecycleConfiguration", BUCKET),
        s3("PutObject", "WebBucket.Arn/index.html"),
    ):
        assert not allowed(statements, request), request
    s3_actions: set[str] = set()
    for statement in statements:
        actions = statement.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            if str(action).startswith("s3:"):
                s3_actions.add(str(action))
    assert s3_actions == {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"}


def test_no_other_function_has_any_s3_right() -> None:
    template = Template.load()
    with_s3 = {
        name
        for name in template.functions()
        if any(
            "s3:" in json.dumps(s.get("Action", ""))
            for s in iam_eval.function_statements(template, name)
        )
    }
    assert with_s3 == {"ListingsFunction"}


def test_the_bucket_is_private_and_served_by_this_stacks_distribution() -> None:
    resources = Template.load().resources
    bucket = resources["PhotosBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (rule,) = bucket["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    statements = resources["PhotosBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (reader,) = [s for s in statements if s["Effect"] == "Allow"]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert reader["Action"] == "s3:GetObject"
    assert reader["Resource"] == {"Fn::Sub": "${PhotosBucket.Arn}/photos/*"}  # never uploads/
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"], rule["Status"]) == ("uploads/", 1, "Enabled")
    assert "${WebDistribution}" in json.dumps(reader["Condition"])
    config = resources["WebDistribution"]["Properties"]["DistributionConfig"]
    (behaviour,) = config["CacheBehaviors"]
    assert behaviour["PathPattern"] == "/photos/*"
    origin = next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"])
    assert origin["DomainName"] == {"Fn::GetAtt": ["PhotosBucket", "RegionalDomainName"]}
    assert "OriginAccessControlId" in origin
