"""Browser tests: a real uvicorn on 127.0.0.1 (``live_server``, in tests/conftest.py) and Debian's Chromium
driven by Playwright.

The fixtures fail (not skip) when Chromium is missing: a silently skipped browser suite hides breakage.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BACKPROP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@contextmanager
def checked_page(browser, **context_options: object) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page in a new browser context (``context_options`` as for ``browser.new_context``) that fails the
    test on any console error or uncaught page error once the block ends. A test that expects the browser
    to log an error (a refused request it provoked) clears ``page.console_errors`` after it."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"console errors: {errors}"


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh page (1280×800, English) that fails the test on any console error or page error."""
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        yield page


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot under artifacts/screenshots/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def hold_back(page, pattern: str) -> list:  # type: ignore[no-untyped-def]
    """Leave every request for ``pattern`` unanswered; their routes collect in the list returned, for the
    test to ``continue_()``: a module held back catches the page while it is still loading."""
    held: list = []
    page.route(pattern, lambda route: held.append(route))  # a handler Playwright can tag (no bound builtin)
    return held


def wait_until_asked(page, held: list, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait (up to 2 s) until a request held by ``hold_back`` has come."""
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"the page never asked for {what}")
