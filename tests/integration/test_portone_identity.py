"""PortOne V2's identity verification behind the identity port, against its recorded exchange
(tests/fixtures/portone/verified_identity_verification.json): the person and birth date come
from PortOne's record; unfinished or unknown is "not verified"; PortOne erring is a retryable
refusal, never a verification."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.portone_fake import recorded
from tombola.adapters.portone import PortOneCredentials
from tombola.adapters.portone_identity import PortOneIdentityVerifier
from tombola.domain.errors import ProviderUnavailable

VID = "idv-5f2a9c1e07b3d468-0c1d2e3f4a5b6c7d8e9f"
URL = f"https://api.portone.io/identity-verifications/{VID}?storeId=store-1"


def verifier() -> PortOneIdentityVerifier:
    return PortOneIdentityVerifier(PortOneCredentials("secret-1", "whsec", "store-1"), "ch-key")


def test_a_verified_person_is_read_back_from_portone(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=recorded("verified_identity_verification"))
    person = verifier().verified(VID)
    assert person is not None
    assert person.birth_date == date(1990, 5, 17)
    assert person.person_id == recorded("verified_identity_verification")["verifiedCustomer"]["ci"]
    [request] = httpx_mock.get_requests()
    assert request.headers["authorization"] == "PortOne secret-1"


def test_the_window_names_the_store_and_the_identity_channel() -> None:
    window = verifier().window(VID)
    assert (window.provider, window.store_id, window.channel_key) == (
        "portone",
        "store-1",
        "ch-key",
    )


def _ready() -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(recorded("verified_identity_verification"))
    for key in ("verifiedCustomer", "verifiedAt", "pgTxId", "pgRawResponse"):
        found.pop(key)
    found["status"] = "READY"
    found["requestedCustomer"] = {}
    return found


@pytest.mark.parametrize("answer", ["ready", "not_found"])
def test_unfinished_or_unknown_is_not_verified(httpx_mock: HTTPXMock, answer: str) -> None:
    if answer == "ready":
        httpx_mock.add_response(url=URL, json=_ready())
    else:
        body = {"type": "IDENTITY_VERIFICATION_NOT_FOUND", "message": "본인인증 건이 없습니다."}
        httpx_mock.add_response(url=URL, status_code=404, json=body)
    assert verifier().verified(VID) is None


@pytest.mark.parametrize("failure", ["timeout", "500", "no ci"])
def test_portone_erring_is_a_retryable_refusal(httpx_mock: HTTPXMock, failure: str) -> None:
    if failure == "timeout":
        httpx_mock.add_exception(httpx.ReadTimeout("PortOne took too long"), url=URL)
    elif failure == "500":
        httpx_mock.add_response(
            url=URL, status_code=500, content=json.dumps({"type": "X"}).encode()
        )
    else:
        found = copy.deepcopy(recorded("verified_identity_verification"))
        del found["verifiedCustomer"]["ci"], found["verifiedCustomer"]["di"]
        httpx_mock.add_response(url=URL, json=found)
    with pytest.raises(ProviderUnavailable):
        verifier().verified(VID)
