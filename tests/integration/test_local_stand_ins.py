"""The local stack's own parts (dev/tombola_dev): its sign-in, which stands in for Cognito and takes
a user name as people type it, Korean names too; and `serve --param`, which takes only the
parameters template.yaml has."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from tombola_dev import auth, serve
from tombola_dev.driver import Driver
from tombola_dev.serve import LocalApi
from tombola_dev.template import Template


def _sign_in(api: LocalApi, user: object, group: str = "seller") -> tuple[int, Any]:
    body = json.dumps({"user": user, "groups": [group]}).encode()
    return api.handle("POST", "/sandbox/tokens", {}, body)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("김민지", "김민지"),
        (" 김민지 ", "김민지"),
        ("\u1100\u1175\u11b7\u1106\u1175\u11ab\u110c\u1175", "김민지"),  # decomposed jamo (NFD)
        ("\uff4d\uff49\uff4e\uff4a\uff49_01", "minji_01"),  # full-width
        ("Zoë.O-Brien", "Zoë.O-Brien"),
        ("山田太郎", "山田太郎"),
        ("प्रिया", "प्रिया"),  # a script with combining vowel signs
        ("a" * 64, "a" * 64),
    ],
)
def test_a_user_name_in_any_script_is_kept_normalised(typed: str, kept: str) -> None:
    assert auth.user_name(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        *("", "   ", "a" * 65),
        *("김\x00민지", "김\u200b민지", "김\u202e민지", "김\n민지"),  # control, format characters
        *("김 민지", "kim#1", "kim/1"),  # a space, separators
    ],
)
def test_a_user_name_with_a_control_character_or_a_separator_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="user name"):
        auth.user_name(typed)


def test_a_korean_user_signs_in_locally_and_uses_the_api(d: Driver) -> None:
    api = LocalApi(d.stack, "http://127.0.0.1:0")
    status, body = _sign_in(api, "\u1100\u1175\u11b7\u1106\u1175\u11ab\u110c\u1175")  # as NFD
    assert status == 200, body
    assert body["user"] == "김민지"
    claims = jwt.decode(body["token"], auth.secret(), algorithms=["HS256"], issuer=auth.ISSUER)
    assert claims["sub"] == "김민지"
    bearer = {"authorization": f"Bearer {body['token']}"}
    profile = {"name": "김민지", "email": "minji@example.com", "phone": "010-1234-5678"}
    raw = json.dumps(profile | {"address": "서울"}).encode()
    status, kept = api.handle("PUT", "/me/profile", bearer, raw)
    assert status == 200, kept
    status, mine = api.handle("GET", "/me/profile", bearer, b"")
    assert (status, mine["user_id"]) == (200, "김민지")


@pytest.mark.parametrize("typed", ["김\u0000민지", "a" * 65, "", None, 7])
def test_a_wrong_user_name_is_refused_naming_the_field(d: Driver, typed: object) -> None:
    api = LocalApi(d.stack, "http://127.0.0.1:0")
    status, body = _sign_in(api, typed)
    assert status == 400, body
    assert (body["error"]["code"], body["error"]["field"]) == ("invalid_input", "user")


def test_serve_takes_the_template_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    args = serve.parse(["--param", "SecondPaymentSeconds=30", "--param", "DepositRateBps=700"])
    assert args.parameters["SecondPaymentSeconds"] == "30"
    assert args.parameters["DepositRateBps"] == "700"
    assert args.parameters["ShipSecondsMin"] == "1"  # the local default stays
    assert serve.parse([]).parameters == serve.LOCAL_PARAMETERS


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--param", "Foo=1"], "--param Foo: template.yaml has no such parameter"),
        (["--param", "secondpaymentseconds=1"], "no such parameter"),  # names are exact
        (["--param", "SecondPaymentSeconds"], "write it as NAME=VALUE"),
        (["--param", "=1"], "write it as NAME=VALUE"),
    ],
)
def test_serve_refuses_a_parameter_the_template_does_not_have(
    capsys: pytest.CaptureFixture[str], given: list[str], said: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        serve.main(given)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert said in err
    if "no such parameter" in said:  # and the ones it has
        assert all(name in err for name in Template.load().parameters)
