"""The deployed sign-in, as the page runs it against Cognito's hosted UI: authorization code with
PKCE. The page is given a Cognito config.json; Cognito's authorize, token and logout endpoints are
played by the browser's request routing (there is no Cognito here), and the id token they hand
out is one the local stack's authorizer accepts, so the API calls that follow are real."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from playwright.sync_api import Browser, Route, expect
from tombola_dev import auth
from tombola_dev.process import RunningStack

pytestmark = pytest.mark.browser
DOMAIN = "https://auth.tombola.test"
CLIENT = "web-client-1"


def _id_token(user: str, email: str, groups: list[str]) -> str:
    now = int(time.time())
    claims = {
        "sub": user,
        "email": email,
        "cognito:groups": groups,
        "iss": auth.ISSUER,
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, auth.secret(), algorithm="HS256")


def _form(route: Route) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}


def test_the_hosted_sign_in_trades_a_code_with_pkce_and_the_api_takes_its_token(
    browser: Browser, web_stack: RunningStack
) -> None:
    base = web_stack.url
    token = _id_token("u-mina", "mina@example.com", ["seller"])
    seen: dict[str, dict[str, str]] = {}
    page = browser.new_context(locale="en-US").new_page()
    page.route(
        f"{base}/config.json",
        lambda r: r.fulfill(json={"auth": "cognito", "signInDomain": DOMAIN, "clientId": CLIENT}),
    )

    def authorize(route: Route) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        seen["authorize"] = query
        back = f"{query['redirect_uri']}?code=CODE-1&state={query['state']}"
        route.fulfill(status=302, headers={"Location": back})

    def exchange(route: Route) -> None:
        seen["token"] = _form(route)
        body: dict[str, Any] = {"id_token": token, "token_type": "Bearer", "expires_in": 3600}
        route.fulfill(json=body, headers={"Access-Control-Allow-Origin": "*"})

    def logout(route: Route) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        seen["logout"] = query
        route.fulfill(status=302, headers={"Location": query["logout_uri"]})

    page.route(f"{DOMAIN}/oauth2/authorize*", authorize)
    page.route(f"{DOMAIN}/oauth2/token", exchange)
    page.route(f"{DOMAIN}/logout*", logout)

    page.goto(f"{base}/#/signin")
    page.evaluate("localStorage.setItem('tombola.lang', 'en')")
    page.reload()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="mina@example.com (Seller)")).to_be_visible()

    asked, traded = seen["authorize"], seen["token"]
    assert asked["response_type"] == "code"
    assert asked["client_id"] == traded["client_id"] == CLIENT
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == traded["redirect_uri"] == f"{base}/"
    verifier = traded["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).decode().rstrip("=") == asked["code_challenge"]
    assert (traded["grant_type"], traded["code"]) == ("authorization_code", "CODE-1")
    assert "code=" not in page.url  # the one-time code does not stay in the address bar

    # The API takes the token: the seller's own listings load under it.
    with page.expect_response(lambda r: r.url.endswith("/me/listings")) as answered:
        page.goto(f"{base}/#/sell")
    assert answered.value.status == 200
    assert answered.value.request.headers["authorization"] == f"Bearer {token}"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert seen["logout"] == {"client_id": CLIENT, "logout_uri": f"{base}/"}
