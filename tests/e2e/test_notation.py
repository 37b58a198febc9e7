"""The notation key: reachable by keyboard from every step of the player and from the lessons, in both
languages; it names every symbol and the index convention; Esc closes it and focus goes back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot

DIAGRAM = "[data-testid=network-diagram]"
TITLES = {"en": "Notation", "zh-CN": "符号说明"}
# What the key must state, in either language: every symbol, the torch layout and the course's Wᵢⱼ.
SYMBOLS = ["wⱼₖ⁽ˡ⁾", "aⱼ⁽ˡ⁾", "zⱼ⁽ˡ⁾", "δⱼ⁽ˡ⁾", "L", "η", "ŷ", "N", "δ[n], a[n]", "torch.nn.Linear", "[out, in]", "Wᵢⱼ"]
CONVENTION = {
    "en": ["first index j is the target neuron", "second index k the source"],
    "zh-CN": ["第一个下标 j 是目标神经元", "第二个下标 k 是源神经元"],
}


def step_index(page: Page) -> int:
    return int(page.get_by_test_id("timeline").first.input_value())


def tab_to(page: Page, test_id: str, limit: int = 80) -> None:
    """Press Tab until the element with `test_id` has focus: it is reachable by keyboard alone."""
    for _ in range(limit):
        if page.evaluate("(id) => document.activeElement?.dataset?.testid === id", test_id):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{test_id} not reached with Tab")


def open_close_and_check(page: Page, lang: str, shot: str) -> None:
    panel = page.get_by_test_id("notation-panel")
    expect(panel).to_be_hidden()
    step_before = step_index(page) if page.get_by_test_id("timeline").count() else None
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    text = panel.inner_text()
    assert text.startswith(TITLES[lang])
    for needle in SYMBOLS + CONVENTION[lang]:
        assert needle in text, needle
    # reading the key does not step the figure behind it
    page.keyboard.press("ArrowRight")
    if step_before is not None:
        assert step_index(page) == step_before
    screenshot(page, shot)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("document.activeElement?.dataset?.testid") == "notation-open"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_notation_key_opens_from_step_zero_and_a_backward_step(page: Page, live_server: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page.goto(f"{live_server}/")
    page.wait_for_selector(f"{DIAGRAM}[data-ready]")
    assert step_index(page) == 0
    page.get_by_test_id("step-player").focus()
    tab_to(page, "notation-open")
    assert page.get_by_test_id("notation-open").inner_text() == TITLES[lang]
    open_close_and_check(page, lang, f"notation-step0-{lang}")

    # The button keeps focus after Esc, and the stepping keys still step from it: walk to the backward pass.
    phase = page.get_by_test_id("phase")
    for _ in range(40):
        if phase.get_attribute("data-phase") == "backward":
            break
        page.keyboard.press("PageDown")
    assert phase.get_attribute("data-phase") == "backward"
    assert page.evaluate("document.activeElement?.dataset?.testid") == "notation-open"
    open_close_and_check(page, lang, f"notation-backward-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_notation_key_is_linked_from_a_lesson(page: Page, live_server: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page.goto(f"{live_server}/lessons/chain-rule")
    page.wait_for_selector("[data-lesson][data-ready]")
    page.locator("body").focus()
    tab_to(page, "notation-open")
    assert page.get_by_test_id("notation-open").inner_text() == TITLES[lang]
    open_close_and_check(page, lang, f"notation-lesson-{lang}")
