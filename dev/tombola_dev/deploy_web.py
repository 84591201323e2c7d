"""Publish the web client to the deployed stack: web/dist to the stack's WebBucket with the
config.json that tells the page where the API is and how to sign in (Cognito's hosted pages),
then a CloudFront invalidation of what is not content-addressed.

    python -m tombola_dev.deploy_web --stack tombola-dev     (make deploy-web STACK=...)
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from tombola_dev.template import ROOT

DIST = ROOT / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"  # assets/ names carry their hash
FRESH = "no-cache"


def web_config(outputs: dict[str, str]) -> dict[str, str]:
    return {
        "apiUrl": outputs["ApiUrl"],
        "auth": "cognito",
        "signInDomain": outputs["SignInDomain"],
        "clientId": outputs["WebUserPoolClientId"],
    }


def upload(dist: Path, bucket: str, s3: Any, config: dict[str, str]) -> list[str]:
    """Every file of ``dist`` and config.json; returns the keys written."""
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist} has no index.html: run `make web` first")
    keys = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = IMMUTABLE if key.startswith("assets/") else FRESH
        s3.put_object(
            Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=kind, CacheControl=cache
        )
        keys.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config).encode(),
        ContentType="application/json",
        CacheControl=FRESH,
    )
    return [*keys, "config.json"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--stack", required=True, help="the CloudFormation stack sam deploy created")
    args = p.parse_args(argv)
    stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    keys = upload(DIST, outputs["WebBucketName"], boto3.client("s3"), web_config(outputs))
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 2, "Items": ["/index.html", "/config.json"]},
            "CallerReference": str(time.time()),
        },
    )
    print(f"{len(keys)} files published; the web client is at {outputs['WebUrl']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
