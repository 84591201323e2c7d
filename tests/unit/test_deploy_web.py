"""Publishing the web client: every built file with the right type and caching, and the
config.json that points the page at the deployed API and Cognito's hosted sign-in."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from moto import mock_aws
from tombola_dev.deploy_web import upload, web_config
from tombola_dev.template import Template

OUTPUTS = {
    "ApiUrl": "https://abc.execute-api.ap-northeast-2.amazonaws.com/dev",
    "SignInDomain": "https://tombola-dev-1.auth.ap-northeast-2.amazoncognito.com",
    "WebUserPoolClientId": "client123",
}


def test_the_config_names_the_api_and_the_hosted_sign_in() -> None:
    assert web_config(OUTPUTS) == {
        "apiUrl": OUTPUTS["ApiUrl"],
        "auth": "cognito",
        "signInDomain": OUTPUTS["SignInDomain"],
        "clientId": "client123",
    }
    outputs = Template.load().doc["Outputs"]
    assert {"ApiUrl", "SignInDomain", "WebUserPoolClientId", "WebBucketName"} <= set(outputs)
    assert {"WebDistributionId", "WebUrl"} <= set(outputs)


def test_every_file_is_published_with_its_type_and_caching(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=app></div>")
    (tmp_path / "assets" / "index-abc.js").write_text("export {}")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="web")
        keys = upload(tmp_path, "web", s3, web_config(OUTPUTS))
        assert keys == ["assets/index-abc.js", "index.html", "config.json"]
        page = s3.get_object(Bucket="web", Key="index.html")
        assert page["ContentType"] == "text/html"
        assert page["CacheControl"] == "no-cache"
        script = s3.get_object(Bucket="web", Key="assets/index-abc.js")
        assert "immutable" in script["CacheControl"]
        config = json.loads(s3.get_object(Bucket="web", Key="config.json")["Body"].read())
        assert config["clientId"] == "client123"


def test_the_hosted_sign_in_comes_back_to_the_web_client() -> None:
    resources = Template.load().resources
    client = resources["WebUserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["GenerateSecret"] is False  # a public client: PKCE, no secret in the page
    api_auth = resources["HttpApi"]["Properties"]["Auth"]["Authorizers"]["CognitoJwt"]
    audience = api_auth["JwtConfiguration"]["audience"]
    assert {"Ref": "WebUserPoolClient"} in audience
    bucket = resources["WebBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(bucket.values())  # private: only CloudFront reads it
