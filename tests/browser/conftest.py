"""The web client in the Debian `chromium` package, headless, through Playwright, against the
local stack started as `make run` starts it (with web/dist built by `make web`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright
from tombola_dev.process import RunningStack, running_stack

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-results" / "browser"
# A fee k makes P2 positive even when the tickets reach Np, so a full listing closes at once
# and its candidate still has a second payment to make.
PARAMETERS = {"FeeK": "500", "DepositRateBps": "500", "SecondPaymentSeconds": "3600"}


def chromium_path() -> str:
    found = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found:
        pytest.fail(
            "the browser tests need Chromium: `sudo apt-get install -y chromium fonts-nanum` "
            "(Debian/Ubuntu), or CHROMIUM=/path/to/chrome",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def web_stack() -> Iterator[RunningStack]:
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web client is not built: run `make web`", pytrace=False)
    with running_stack(ROOT / ".local" / "browser-stack.log", parameters=PARAMETERS) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
    yield b
    b.close()


@pytest.fixture(autouse=True)
def _pages_closed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test's people leave with it: their pages poll the shared stack while open, and a
    worker's pages of every earlier test would otherwise keep polling until the session ends."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
