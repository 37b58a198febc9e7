"""Lesson figures that write the calculus out: lesson 3's partial derivative as a formula with the point's
numbers (∂z/∂x = 2x = 2·1 = 2) for x² + y² and the course's z = 3x + 2y, in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import checked_page, screenshot

SHOTS = Path("/tmp/shots/teach")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _open(page, base: str, slug: str, fragment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/lessons/{slug}{fragment}")
    page.wait_for_selector("[data-lesson][data-ready=true]")


def _symbolic(page) -> str:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid=symbolic-partial]:not([hidden])")
    return page.locator("[data-testid=symbolic-partial]").inner_text()


@pytest.mark.parametrize(("locale", "tag", "words"), [("en-US", "en", "As a formula"), ("zh-CN", "zh", "写成公式")])
def test_partial_is_written_symbolically_and_with_numbers(browser, live_server, locale, tag, words) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 900}, locale=locale) as page:
        _open(page, live_server, "partial-derivatives")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=symbolic-partial]')?.textContent.includes('2·1')"
        )
        assert _symbolic(page) == f"{words}{': ' if tag == 'en' else '：'}∂z/∂x = 2x = 2·1 = 2"
        page.locator("button[data-expression='3x + 2y']").click()
        page.wait_for_function("() => location.hash.includes('f=')")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=symbolic-partial]').textContent.endsWith('∂z/∂x = 3')"
        )
        assert page.locator("button[data-expression='3x + 2y']").get_attribute("aria-pressed") == "true"
        page.locator("[data-testid=vary-y]").check()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=symbolic-partial]').textContent.endsWith('∂z/∂y = 2')"
        )
        assert page.locator("[data-testid=narration]").get_attribute("data-value") == "2"
        page.locator(".lesson-figure").scroll_into_view_if_needed()
        _shot(page, f"lesson3-partial-3x2y-{tag}")


def test_a_typed_function_is_differentiated_and_kept_in_the_link(page, live_server) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, "partial-derivatives", "#f=x*y")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=symbolic-partial]')?.textContent.includes('∂z/∂x = y')"
    )
    assert "0.5" in _symbolic(page)  # y = 0.5 at the first point of the tour
