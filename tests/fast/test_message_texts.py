"""What a notice says: one ticket is not "1 tickets", and an entrant's place in the draw order
is said only when the notice knows it (in the e-mail and the SMS alike)."""

from __future__ import annotations

from tombola.services.message_texts import render, sms_text

DUE = "2026-12-02T05:00:00+00:00"


def test_a_count_of_one_reads_in_the_singular() -> None:
    assert "closed with 1 ticket." in render("ListingClosed", "Lamp", {"paid_tickets": 1}).text
    assert "closed with 2 tickets." in render("ListingClosed", "Lamp", {"paid_tickets": 2}).text


def test_a_title_shaped_like_the_pattern_is_kept_as_typed() -> None:
    text = render("ListingClosed", "{paid_tickets|a|b}", {"paid_tickets": 1}).text
    assert "'{paid_tickets|a|b}' closed with 1 ticket." in text


def test_the_place_in_the_draw_order_is_said_when_known() -> None:
    told = render("DrawTookPlace", "Lamp", {"due_at": DUE, "place": 12}).text
    assert "You are 12th in the draw order." in told
    assert "회원님은 추첨 순서 12번째입니다." in told
    assert "You are 23rd" in render("DrawTookPlace", "L", {"due_at": DUE, "place": 23}).text
    assert "회원님은 추첨 순서 2번째" in sms_text(
        "DrawTookPlace", "Lamp", {"due_at": DUE, "place": 2}
    )
    unknown = render("DrawTookPlace", "Lamp", {"due_at": DUE}).text
    assert "draw order" not in unknown
    assert "추첨 순서" not in unknown
    assert "first for 'Lamp'. If they" in unknown  # no gap where the place would be
