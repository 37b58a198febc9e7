"""A weight clicked while the step player's panels are still arriving is not lost: the diagram is drawn
before the weight editor's module is in, and the editor opens on that weight once it is."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import checked_page, hold_back, wait_until_asked

EDGE = "[data-testid=network-diagram] [data-hit='0-0>1-0']"


def test_a_weight_clicked_before_the_editor_arrives_opens_it(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1920, "height": 1080}) as page:
        held = hold_back(page, "**/js/player/weight-editor.js")  # so the click comes before it
        page.goto(f"{live_server}/#step=1")
        page.wait_for_selector("[data-testid=network-diagram][data-ready]")
        wait_until_asked(page, held, "the weight editor")
        page.locator(EDGE).click()
        editor = page.get_by_test_id("weight-editor")
        assert editor.count() == 0 or not editor.is_visible()
        for route in held:
            route.continue_()
        expect(editor).to_be_visible()
        page.get_by_test_id("weight-input").fill("2")
        page.get_by_test_id("weight-input").press("Enter")
        expect(page.get_by_test_id("narration")).to_contain_text("2 × 1")
