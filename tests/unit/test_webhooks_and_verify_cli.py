from __future__ import annotations

import json
from pathlib import Path

import pytest
from tombola_dev import verify as verify_cli

from tombola.domain import draw
from tombola.domain.signatures import BadSignature, sign, signing_secrets, verify_signature

SECRET = "0123456789abcdef-secret"
BODY = b'{"id":"evt_1"}'


def test_a_signature_within_tolerance_is_accepted() -> None:
    header = sign(SECRET, BODY, 1_000)
    assert verify_signature([SECRET], BODY, header, 1_300, 300) == 1_000
    assert verify_signature([SECRET], BODY, header, 700, 300) == 1_000


def test_during_a_rotation_the_current_and_the_previous_secret_verify() -> None:
    rotating = signing_secrets({"current": "new-secret-0123456789", "previous": SECRET})
    assert verify_signature(rotating, BODY, sign(SECRET, BODY, 1_000), 1_000) == 1_000
    new = sign("new-secret-0123456789", BODY, 1_000)
    assert verify_signature(rotating, BODY, new, 1_000) == 1_000
    done = signing_secrets({"current": "new-secret-0123456789", "previous": ""})
    with pytest.raises(BadSignature, match="does not match"):
        verify_signature(done, BODY, sign(SECRET, BODY, 1_000), 1_000)
    with pytest.raises(BadSignature, match="not configured"):
        verify_signature(signing_secrets({}), BODY, new, 1_000)


@pytest.mark.parametrize(
    ("body", "header", "now", "message"),
    [
        (BODY, sign(SECRET, BODY, 1_000), 1_301, "outside the tolerance"),
        (BODY, sign(SECRET, BODY, 1_000), 699, "outside the tolerance"),
        (BODY + b" ", sign(SECRET, BODY, 1_000), 1_000, "does not match"),
        (BODY, sign("another-secret-entirely", BODY, 1_000), 1_000, "does not match"),
        (BODY, "v1=abc", 1_000, "malformed"),
        (BODY, "t=abc,v1=abc", 1_000, "malformed"),
        (BODY, None, 1_000, "missing"),
        (BODY, "t=1000,v1=" + "\u00e9" * 64, 1_000, "malformed"),  # was a TypeError (500)
        (BODY, "t=\u0661\u0660\u0660\u0660,v1=abc", 1_000, "malformed"),
    ],
)
def test_bad_signatures_say_what_is_wrong(
    body: bytes, header: str | None, now: int, message: str
) -> None:
    with pytest.raises(BadSignature, match=message):
        verify_signature([SECRET], body, header, now, 300)


def saved_draw() -> dict[str, object]:
    seed = bytes(range(32))
    tickets = [draw.PublicTicket(f"E{i}-1", f"b-{i % 3}") for i in range(7)]
    return {
        "listing_id": "L1",
        "version": "draw-v1",
        "commitment": draw.commitment(seed),
        "entries_digest": draw.entries_digest(t.ticket_id for t in tickets),
        "tickets": [{"ticket_id": t.ticket_id, "buyer": t.buyer_id} for t in tickets],
        "seed": seed.hex(),
        "order": draw.candidate_order(seed, "L1", tickets)[:2],
    }


def test_verify_command_prints_ok_for_a_genuine_saved_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(saved_draw()))
    assert verify_cli.main([str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK: L1")


def test_verify_command_names_what_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = saved_draw()
    tickets = data["tickets"]
    assert isinstance(tickets, list)
    data["tickets"] = tickets[:-1]
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(data))
    assert verify_cli.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH: entries digest mismatch" in out


def test_verify_command_before_the_draw(capsys: pytest.CaptureFixture[str]) -> None:
    data = saved_draw() | {"entries_digest": None}
    ok, lines = verify_cli.check(data)
    assert not ok
    assert lines == ["the listing has not been drawn yet"]
