"""The served OpenAPI document: generated from the handlers, current, complete (every route, its
status codes, its security, typed bodies), and what the suites receive conforms to it."""

from __future__ import annotations

from typing import Any

import pytest
from tombola_dev import openapi
from tombola_dev.conformance import Conformance, ContractViolation
from tombola_dev.driver import Driver
from tombola_dev.template import Template

UNDOCUMENTED = {("GET", "/docs")}  # the page showing the document


def _served(d: Driver) -> dict[str, Any]:
    served: dict[str, Any] = d.ok(d.stack.http("GET", "/openapi.json"))
    return served


def test_the_served_document_is_generated_from_the_handlers_and_current(d: Driver) -> None:
    served = _served(d)
    assert served == openapi.build(), "run `make openapi` and commit the result"
    routes = Template.load().routes()
    gateway = {(r.method, r.path.replace("{id}", "{listing_id}")) for r in routes}
    documented = {(m.upper(), p) for p, ops in served["paths"].items() for m in ops}
    assert documented == gateway - UNDOCUMENTED


def test_every_route_declares_its_security_codes_and_typed_bodies(d: Driver) -> None:
    served = _served(d)
    public = {
        (r.method, r.path.replace("{id}", "{listing_id}"))
        for r in Template.load().routes()
        if r.public
    }
    schemas = served["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # our one error body replaces Powertools' own
    for path, ops in served["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            codes = set(op["responses"])
            ok = {c for c in codes if c.startswith("2")}
            assert len(ok) == 1, where
            assert op["summary"], where
            success = op["responses"][ok.pop()]["content"]["application/json"]["schema"]
            assert success.get("$ref") or success.get("type") == "object", where
            assert "422" in codes, where
            if (method.upper(), path) in public:
                assert "security" not in op, where
            else:
                assert op["security"] == [{"jwt": []}], where
                assert {"401", "403"} <= codes, where
            if method in {"post", "put"}:
                assert {"400", "413", "415"} <= codes, where
            for code in codes - {"200", "201"}:
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Unauthorized" if code == "401" else "/ErrorBody"), where
    create = served["paths"]["/listings"]["post"]
    assert "201" in create["responses"]
    entry = served["paths"]["/listings/{listing_id}/entries"]["post"]["responses"]
    assert {"201", "402", "404", "409"} <= set(entry)
    payments = served["paths"]["/webhooks/payments"]["post"]
    assert payments["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaymentEvent"
    )
    listing = schemas["ListingView"]
    assert listing["properties"]["price"]["examples"] == [100_000]


def test_swagger_ui_shows_the_document_without_a_cdn(d: Driver) -> None:
    page = d.stack.http("GET", "/docs")
    assert page.status == 200
    assert "text/html" in page.headers.get("Content-Type", page.headers.get("content-type", ""))
    assert "SwaggerUIBundle" in page.body
    assert '"Tombola API"' in page.body
    assert "https://" not in page.body.split("<script>", 1)[0]  # nothing fetched from elsewhere


def test_a_response_off_the_document_is_caught(d: Driver) -> None:
    checker = Conformance.load()
    checker.check("GET", "/listings/L1", 404, {"error": {"code": "not_found", "message": "x"}})
    with pytest.raises(ContractViolation, match="does not declare"):
        checker.check("GET", "/listings/L1", 409, {"error": {"code": "x", "message": "y"}})
    with pytest.raises(ContractViolation, match="off its schema"):
        checker.check("GET", "/listings/L1", 404, {"detail": "not found"})
    with pytest.raises(ContractViolation, match="listings/0"):
        checker.check("GET", "/listings", 200, {"listings": [{"price": "10"}], "next_cursor": None})
    checker.check("GET", "/me/entries", 401, {"message": "Unauthorized"})  # the gateway's own
    checker.check("GET", "/no/such/route", 404, {"message": "Not Found"})  # not ours to check


def test_the_suites_responses_are_checked(d: Driver) -> None:
    assert d.stack.conformance is not None
    before = d.stack.conformance.checked
    d.user("sam", "seller", payout=True)
    d.create_listing("sam")
    assert d.stack.conformance.checked >= before + 2
