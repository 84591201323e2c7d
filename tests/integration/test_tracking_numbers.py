"""Tracking numbers as sellers type them, over HTTP: a known carrier's kept as its digits (spaces,
hyphens and full-width digits as people type them), a count of digits that carrier never uses
refused with a 4xx naming the field and nothing written, another carrier's kept as typed, and
the carrier's own report matched whichever way it writes the number."""

from __future__ import annotations

from typing import Any

from tombola_dev.driver import Driver
from tombola_dev.sandbox import carrier_webhook

# digits as a Korean keyboard's full-width mode types them (U+FF10 to U+FF19)
WIDE = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))


def _ship(d: Driver, lid: str, carrier: str, tracking: str) -> tuple[int, Any]:
    body = {"carrier": carrier, "tracking_number": tracking}
    r = d.as_("seller", "POST", f"/listings/{lid}/shipment", body)
    return r.status, r.body


def test_a_known_carriers_number_is_kept_as_its_digits_and_its_report_matches(d: Driver) -> None:
    lid = d.sold_out()
    status, body = _ship(d, lid, "CJ대한통운", "1234-5678-9012")
    assert status == 200, body
    assert d.record(lid).shipment.tracking_number == "123456789012"
    # the carrier writes it its own way: the same number
    now = int(d.clock.now().timestamp())
    raw, headers = carrier_webhook(
        d.carrier_secret, listing_id=lid, tracking_number="1234 5678 9012", now_epoch=now
    )
    r = d.stack.http("POST", "/webhooks/delivery", raw=raw, headers=headers)
    assert r.status == 200, r
    d.wait_status(lid, "delivered")


def test_full_width_digits_are_kept_as_ascii(d: Driver) -> None:
    lid = d.sold_out()
    status, body = _ship(d, lid, "우체국택배", "12345 67890 123".translate(WIDE))
    assert status == 200, body
    assert d.record(lid).shipment.tracking_number == "1234567890123"


def test_a_number_that_does_not_fit_its_carrier_is_refused_naming_the_field(d: Driver) -> None:
    lid = d.sold_out()
    for typed, digits in (("12345", 5), ("CJ-1234-5678", -1)):
        status, body = _ship(d, lid, "CJ대한통운", typed)
        assert status == 422, body
        assert body["error"]["code"] == "invalid_input"
        assert body["error"]["field"].endswith("tracking_number"), body
        [problem] = body["problems"]
        assert problem["type"] == "tracking_number_invalid"
        assert problem["limits"] == {"carrier": "CJ대한통운", "lengths": "10,12", "digits": digits}
    record = d.record(lid)
    assert (record.status.value, record.shipment) == ("final_buyer", None)  # nothing written


def test_another_carriers_number_is_free_text(d: Driver) -> None:
    lid = d.sold_out()
    status, body = _ship(d, lid, "Bicycle courier", "  BC-77 ")
    assert status == 200, body
    assert d.record(lid).shipment.tracking_number == "BC-77"


def test_another_carriers_number_with_a_control_character_is_refused_naming_the_field(
    d: Driver,
) -> None:
    lid = d.sold_out()
    for typed in ("BC\u000777", "BC\u200b77", "BC<77>"):
        status, body = _ship(d, lid, "Bicycle courier", typed)
        assert status == 422, body
        assert body["error"]["field"].endswith("tracking_number"), body
        [problem] = body["problems"]
        assert problem["type"] == "tracking_number_invalid"
        assert problem["limits"] == {"allowed": "letters, digits, hyphens and spaces"}
    assert d.record(lid).shipment is None  # nothing written
