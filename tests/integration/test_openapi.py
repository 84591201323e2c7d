from __future__ import annotations

from tombola_dev import openapi
from tombola_dev.template import Template

from tests.support.app_driver import Driver


def test_the_served_document_is_generated_from_the_handlers_and_current(d: Driver) -> None:
    served = d.ok(d.stack.http("GET", "/openapi.json"))
    assert served == openapi.build(), "run `make openapi` and commit the result"
    gateway = {(r.method, r.path.replace("{id}", "{listing_id}")) for r in Template.load().routes()}
    documented = {(m.upper(), p) for p, ops in served["paths"].items() for m in ops}
    assert documented == gateway
    create = served["paths"]["/listings"]["post"]
    assert create["security"] == [{"jwt": []}]
    assert "ListingIn" in served["components"]["schemas"]
    payments = served["paths"]["/webhooks/payments"]["post"]
    assert "security" not in payments
    assert payments["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaymentEventIn"
    )
