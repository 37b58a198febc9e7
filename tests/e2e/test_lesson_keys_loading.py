"""A stepping key pressed while a lesson's figure is still loading belongs to the figure: the page neither
scrolls through its sections nor leaves for the next lesson (the step player draws its diagram before
its panels arrive, so a presenter's clicker can be pressed in between)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import checked_page, hold_back, wait_until_asked

LESSON = "/lessons/backpropagation"


def test_keys_pressed_before_the_figure_is_mounted_stay_on_the_lesson(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 900}) as page:
        held = hold_back(page, "**/js/player/narration.js")  # so the player's panels are still loading
        page.goto(f"{live_server}{LESSON}")
        page.wait_for_selector("[data-testid=network-diagram][data-ready]")
        wait_until_asked(page, held, "its panels")
        for _ in range(12):  # more presses than the lesson has sections, then its last one
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        assert page.url.endswith(LESSON)
        assert page.evaluate("() => window.scrollY") == 0
        for route in held:
            route.continue_()
        page.wait_for_selector("[data-lesson][data-ready]")
        timeline = page.get_by_test_id("timeline")
        before = int(timeline.input_value())
        page.keyboard.press("ArrowRight")
        expect(timeline).to_have_value(str(before + 1))
        assert page.url.endswith(LESSON)
