"""Listing photos in a real browser: the seller adds two small PNGs on their listing's page (the
browser posts each straight to the signed upload form, here the local stack's S3 stand-in), a
file of another type or too large is refused in the page before anything is sent; a buyer sees
the photos in the listing's gallery (named by the title and place, keyboard to move, the images
really loaded), with the seller's public handle and completed sales, in English and Korean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, expect
from tombola_dev.process import RunningStack

from tests.browser.people import Person
from tests.browser.test_web import LONG, _create_listing, _run, _usable
from tests.support.images import png

pytestmark = pytest.mark.browser


def _file(name: str, mime: str, data: bytes) -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_a_seller_adds_photos_and_a_buyer_sees_them(
    browser: Browser, web_stack: RunningStack, artifacts: Path
) -> None:
    run, base = _run(), web_stack.url
    seller = Person.sign_in(browser, base, f"pia{run}", "seller")
    title = f"Lens {run}"
    lid = _create_listing(seller, title, price=10_000, np=10, limit=2)

    page = seller.open(f"/sell/{lid}")
    add = page.get_by_label("Add photos")
    expect(add).to_be_visible(timeout=LONG)
    # refused in the page, before anything is sent
    add.set_input_files([_file("anim.gif", "image/gif", b"GIF89a")])
    expect(page.get_by_test_id("photo-refused")).to_have_text(
        "anim.gif: only JPEG, PNG or WebP images can be added."
    )
    add.set_input_files([_file("huge.png", "image/png", b"\0" * (5 * 1024 * 1024 + 1))])
    expect(page.get_by_test_id("photo-refused")).to_contain_text("at most 5 MB")
    # two photos: each signed, posted to storage, confirmed
    add.set_input_files(
        [_file("front.png", "image/png", png(8, 6)), _file("back.png", "image/png", png(6, 8))]
    )
    expect(page.get_by_role("status")).to_have_text("2 photos added.", timeout=LONG)
    expect(page.get_by_test_id("photo-refused")).to_have_count(0)
    gallery = page.get_by_test_id("gallery")
    expect(gallery.get_by_role("img", name=f"{title}, photo 1 of 2")).to_be_visible(timeout=LONG)
    seller.shot(artifacts, "photos-seller")

    buyer = Person.sign_in(browser, base, f"bo{run}", "buyer")
    # the open draws show each listing's first photo on its card
    page = buyer.open("/")
    cover = page.get_by_role("listitem").filter(has_text=title).get_by_test_id("card-photo")
    expect(cover).to_have_attribute("src", re.compile(r"/photos/"), timeout=LONG)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=cover.element_handle()
    )
    assert cover.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [8, 6]  # front.png
    page = buyer.open(f"/listing/{lid}")
    gallery = page.get_by_test_id("gallery")
    main = gallery.get_by_role("img", name=f"{title}, photo 1 of 2")
    expect(main).to_be_visible(timeout=LONG)
    main.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=main.element_handle(), timeout=LONG
    )
    assert main.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [8, 6]
    assert main.get_attribute("loading") == "lazy"
    box = main.bounding_box()
    assert box is not None
    assert abs(box["width"] / box["height"] - 4 / 3) < 0.02  # a fixed box, whatever the image
    seller_line = page.get_by_test_id("seller")
    expect(seller_line).to_have_text(
        re.compile(r"^Seller s-[0-9a-f]{12} · new seller, no completed sales yet$")
    )

    # the keyboard moves along the thumbnails; only the chosen one is a tab stop
    first = gallery.get_by_role("button", name=f"{title}, photo 1 of 2")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(gallery.get_by_role("img", name=f"{title}, photo 2 of 2")).to_be_visible()
    second = gallery.get_by_role("button", name=f"{title}, photo 2 of 2")
    expect(second).to_be_focused()
    expect(second).to_have_attribute("aria-pressed", "true")
    expect(first).to_have_attribute("tabindex", "-1")
    page.keyboard.press("End")
    page.keyboard.press("Home")
    expect(gallery.get_by_role("img", name=f"{title}, photo 1 of 2")).to_be_visible()
    buyer.shot(artifacts, "photos-gallery")
    _usable(page, "listing with photos")

    page.evaluate("localStorage.setItem('tombola.lang', 'ko')")
    page.reload()
    expect(page.get_by_test_id("seller")).to_contain_text("새 판매자", timeout=LONG)
    expect(page.get_by_role("img", name=f"{title} 사진 1/2")).to_be_visible()
