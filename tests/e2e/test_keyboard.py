"""A presenter's clicker (PageDown/PageUp) and the arrow keys step the player or the lesson whatever has
focus, except a text or number field being edited; the control that has focus keeps its value. Clicking
empty space draws no focus ring around the page."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

DIAGRAM = "[data-testid=network-diagram]"
STEP_KEYS = ["PageDown", "PageDown", "PageDown", "PageDown", "ArrowRight"]

# The control each case focuses, and how to read its value.
CONTROLS = {
    "select": ("[data-testid=speed]", "e => e.value"),
    "checkbox": ("[data-testid=numbers-toggle]", "e => e.checked"),
    "range": ("[data-testid=lr-slider]", "e => e.value"),
    "button": ("[data-testid=step-prev]", "e => e.disabled"),
}

# Every element with a ring a reader can see: focused, :focus-visible, and an outline drawn.
RINGED = """() => [...document.querySelectorAll('*')]
  .filter((e) => e.matches(':focus-visible') && getComputedStyle(e).outlineStyle !== 'none'
                 && parseFloat(getComputedStyle(e).outlineWidth) > 0)
  .map((e) => e.tagName + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))"""


def increasing(values: list[int]) -> bool:
    return all(b > a for a, b in itertools.pairwise(values))


def step_index(page: Page) -> int:
    return int(page.get_by_test_id("timeline").first.input_value())


def open_player(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    page.wait_for_selector(f"{DIAGRAM}[data-ready]")


def press_and_watch(page: Page, read_step, keys: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    seen = [read_step()]
    for key in keys:
        page.keyboard.press(key)
        seen.append(read_step())
    return seen


@pytest.mark.parametrize("kind", ["select", "checkbox", "button"])
def test_clicker_steps_the_playground_whatever_has_focus(page: Page, live_server: str, kind: str) -> None:
    open_player(page, live_server)
    selector, read = CONTROLS[kind]
    if kind == "button":  # step once, so that "previous" is enabled and can take focus
        page.get_by_test_id("step-next").click()
    control = page.locator(selector).first
    control.focus()
    value = control.evaluate(read)
    seen = press_and_watch(page, lambda: step_index(page), STEP_KEYS)
    assert increasing(seen), f"steps seen: {seen}"
    assert control.evaluate(read) == value, f"the focused {kind} changed"
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowLeft")
    assert step_index(page) < seen[-1]
    assert control.evaluate(read) == value


def test_clicker_steps_the_playground_after_choosing_a_speed(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    speed = page.get_by_test_id("speed")
    speed.focus()  # as after picking a speed with the mouse: the select keeps focus
    speed.select_option("2")
    seen = press_and_watch(page, lambda: step_index(page), ["PageDown"] * 4)
    assert seen == sorted(set(seen)) and len(seen) == 5, f"steps seen: {seen}"
    assert speed.input_value() == "2"


def test_timeline_slider_is_stepped_by_the_clicker(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.get_by_test_id("timeline").focus()
    seen = press_and_watch(page, lambda: step_index(page), STEP_KEYS)
    assert increasing(seen), f"steps seen: {seen}"


@pytest.mark.parametrize("field", ["train-count", "bias-input"])
def test_keys_edit_a_number_field_instead_of_stepping(page: Page, live_server: str, field: str) -> None:
    open_player(page, live_server)
    if field == "bias-input":
        page.locator(f"{DIAGRAM} [data-node='1-0']").click()
    box = page.get_by_test_id(field)
    box.click()
    page.keyboard.press("End")
    before = step_index(page)
    for key in [*STEP_KEYS, "ArrowLeft", "PageUp"]:
        page.keyboard.press(key)
    assert step_index(page) == before
    expect(box).to_be_focused()


def lesson_counter(page: Page) -> str:
    return page.get_by_test_id("step-counter").inner_text()


def test_clicker_steps_the_descent_lesson_and_leaves_eta_alone(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/lessons/gradient")
    page.wait_for_selector("[data-lesson][data-ready=true]")
    page.wait_for_selector("[data-testid=gradient-map] path, [data-testid=gradient-map] circle")
    expect(page.get_by_test_id("step-counter")).not_to_have_text("")
    slider = page.get_by_test_id("lr-slider")
    slider.focus()
    eta = slider.input_value()
    seen = press_and_watch(page, lambda: lesson_counter(page), STEP_KEYS)
    assert len(set(seen)) == len(seen), f"counters seen: {seen}"
    assert slider.input_value() == eta
    steps = page.get_by_test_id("steps-input")
    steps.click()
    before = lesson_counter(page)
    page.keyboard.press("PageDown")
    page.keyboard.press("ArrowRight")
    assert lesson_counter(page) == before


def test_clicker_steps_the_backprop_lesson_from_its_speed_select(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/lessons/backpropagation")
    page.wait_for_selector("[data-lesson][data-ready=true]")
    speed = page.locator("[data-testid=lesson-player] [data-testid=speed]")
    speed.focus()
    speed.select_option("0.5")
    seen = press_and_watch(page, lambda: step_index(page), STEP_KEYS)
    assert increasing(seen), f"steps seen: {seen}"
    assert speed.input_value() == "0.5"


@pytest.mark.parametrize("path", ["/", "/lessons/gradient", "/lessons/backpropagation", "/train"])
def test_clicking_empty_space_draws_no_ring_around_the_page(page: Page, live_server: str, path: str) -> None:
    page.goto(f"{live_server}{path}")
    page.wait_for_load_state("networkidle")
    width = page.viewport_size["width"]
    page.mouse.click(width - 4, 790)  # the page's margin, below and beside every control
    page.keyboard.press("PageDown")
    page.mouse.click(width - 4, 790)
    assert page.evaluate(RINGED) == []
