"""Predict, then reveal, in a real browser: the learner types the next step's number (or picks a gradient's
sign, or the way a weight moves) and the player checks it against the number in the trace the page received,
shows the formula with both numbers, climbs a hint ladder and keeps a score; keyboard only, kept in the URL,
in both languages, on the playground and in lesson 6."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page, screenshot
from tests.e2e.test_playground import READY, step_index

SHOTS = Path("/tmp/shots/predict")
CJK = re.compile(r"[\u4e00-\u9fff]")
TRACE = "**/api/v2/network/trace"


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, f"predict-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def _open(page: Page, url: str, ready: str = READY) -> dict:
    """Open `url` as a new page and return the numbers of the trace answer it received."""
    page.goto("about:blank")  # a link differing only after its # would be followed in place, not opened anew
    with page.expect_response(lambda r: r.url.endswith("/api/v2/network/trace") and r.ok) as answer:
        page.goto(url)
    page.wait_for_selector(ready)
    return answer.value.json()["numbers"]


def _activation(numbers: dict, layer: int, neuron: int) -> float:
    return numbers["a"][layer][numbers["sample"]][neuron]


def _score(page: Page) -> tuple[int, int]:
    score = page.get_by_test_id("predict-score")
    return int(score.get_attribute("data-correct")), int(score.get_attribute("data-answered"))


def _answer(page: Page, value: object) -> None:
    page.get_by_test_id("predict-input").fill(repr(value))
    page.get_by_test_id("predict-submit").click()


def test_predict_checks_answers_against_the_trace_in_both_languages(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1500, "height": 1000}, locale=locale) as page:
            numbers = _open(page, f"{live_server}/")
            toggle = page.get_by_test_id("predict-toggle")
            expect(page.get_by_test_id("predict-input")).to_have_count(0)
            toggle.check()
            question = page.get_by_test_id("predict-question")
            expect(question).to_contain_text("a₁⁽¹⁾")  # step 1 (a₁⁽¹⁾ = tanh(z₁⁽¹⁾)) is asked at step 0
            assert bool(CJK.search(question.inner_text())) is (tag == "zh-CN")
            assert step_index(page) == 0

            # the hint ladder: the formula, then with its numbers
            hints = page.get_by_test_id("predict-hints").locator("li")
            page.get_by_test_id("predict-hint").click()
            expect(hints).to_have_count(1)
            expect(hints.nth(0)).to_contain_text("tanh(z₁⁽¹⁾)")
            page.get_by_test_id("predict-hint").click()
            expect(hints).to_have_count(2)
            expect(hints.nth(1)).to_contain_text("tanh(0.")

            # a wrong answer: its verdict, the formula with the learner's and the true number
            truth = _activation(numbers, 1, 0)
            _answer(page, round(-truth - 1, 3))
            feedback = page.get_by_test_id("predict-feedback")
            expect(feedback).to_have_attribute("data-verdict", "wrong")
            expect(feedback.get_by_test_id("predict-formula")).to_contain_text("tanh(z₁⁽¹⁾) = tanh(")
            expect(feedback.get_by_test_id("predict-given")).to_contain_text(f"{-truth - 1:.3f}".replace("-", "−"))
            expect(feedback.get_by_test_id("predict-truth")).to_contain_text(f"{truth:.4g}")
            expect(page.get_by_test_id("predict-input")).to_be_disabled()  # answered once
            assert _score(page) == (0, 1)
            _shot(page, f"wrong-{tag}")

            # reveal: the player shows step 1, and asks step 2; a right answer, read from the trace received
            page.get_by_test_id("predict-reveal").click()
            expect(page.get_by_test_id("timeline")).to_have_value("1")
            expect(question).to_contain_text("a₂⁽¹⁾")
            expect(feedback).to_be_hidden()
            _answer(page, _activation(numbers, 1, 1))
            expect(feedback).to_have_attribute("data-verdict", "correct")
            assert _score(page) == (1, 2)

            # close: 3 % off; then the whole ladder gives a question up, unscored
            page.get_by_test_id("predict-reveal").click()
            _answer(page, round(_activation(numbers, 1, 2) * 1.03, 6))
            expect(feedback).to_have_attribute("data-verdict", "close")
            assert _score(page) == (1, 3)
            page.get_by_test_id("predict-reveal").click()
            for _ in range(3):
                page.get_by_test_id("predict-hint").click()
            expect(hints.nth(2)).to_contain_text(f"{_activation(numbers, 2, 0):.4g}")
            expect(page.get_by_test_id("predict-submit")).to_be_disabled()
            assert _score(page) == (1, 3)
            _shot(page, f"ladder-{tag}")

            # kept in the URL: a reload comes back predicting
            page.wait_for_function("() => location.hash.includes('pr=1')")
            page.reload()
            page.wait_for_selector(READY)
            expect(page.get_by_test_id("predict-toggle")).to_be_checked()
            expect(page.get_by_test_id("predict-input")).to_be_visible()


def test_predict_by_keyboard_alone(page: Page, live_server: str) -> None:
    numbers = _open(page, f"{live_server}/")
    for _ in range(120):  # Tab through the page to the switch
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.dataset.testid") == "predict-toggle":
            break
    else:
        raise AssertionError("Tab never reached the predict switch")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("predict-toggle")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("predict-input")).to_be_focused()
    page.keyboard.type(repr(_activation(numbers, 1, 0)))
    page.keyboard.press("ArrowLeft")  # moves the caret, not the player
    assert step_index(page) == 0
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "correct")
    expect(page.get_by_test_id("predict-reveal")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("timeline")).to_have_value("1")
    expect(page.get_by_test_id("predict-input")).to_be_focused()  # the next question takes the focus
    page.keyboard.type("nonsense")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("predict-message")).not_to_be_empty()  # says what to type
    assert _score(page) == (1, 1)


def test_predict_a_gradients_sign_and_a_weights_move(page: Page, live_server: str) -> None:
    numbers = _open(page, f"{live_server}/")
    steps = page.evaluate("() => document.querySelector('[data-testid=timeline]').max")
    # the default network [2, 3, 1]: 4 forward steps after the input, the loss, then δ and ∂L/∂w of the output
    grads_at, update_at = 7, int(steps) - 3  # ∂L/∂w₁₁⁽²⁾; the first update is of layer 1's first neuron
    _open(page, f"{live_server}/#step={grads_at - 1}&pr=1")
    expect(page.get_by_test_id("predict-question")).to_contain_text("∂L/∂w₁₁⁽²⁾")
    grad = numbers["grad_W"][2][0][0]
    sign = "positive" if grad > 0 else "negative" if grad < 0 else "zero"
    wrong = "zero" if sign != "zero" else "positive"
    page.get_by_test_id("predict-input").select_option(wrong)
    page.get_by_test_id("predict-submit").click()
    expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "wrong")
    expect(page.get_by_test_id("predict-formula")).to_contain_text("δ₁⁽²⁾·a₁⁽¹⁾")

    _open(page, f"{live_server}/#step={update_at - 1}&pr=1")
    question = page.get_by_test_id("predict-question")
    expect(question).to_contain_text("w₁₁⁽¹⁾")
    before, after = numbers["W"][1][0][0], numbers["updated_W"][1][0][0]
    page.get_by_test_id("predict-input").select_option("up" if after > before else "down")
    page.get_by_test_id("predict-submit").click()
    expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "correct")


def test_lesson_six_predicts_with_the_player(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1400, "height": 1000}, locale=locale) as page:
            numbers = _open(page, f"{live_server}/lessons/backpropagation", "[data-lesson][data-ready=true]")
            page.get_by_test_id("predict-toggle").check()
            _answer(page, _activation(numbers, 1, 0))
            expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "correct")
            assert _score(page) == (1, 1)
            page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
            _shot(page, f"lesson6-{tag}")
            page.wait_for_function("() => location.hash.includes('pr=1')")
            page.reload()
            page.wait_for_selector("[data-lesson][data-ready=true]")
            expect(page.get_by_test_id("predict-toggle")).to_be_checked()


def test_lesson_five_predicts_the_chain_rule_steps(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1400, "height": 1000}, locale=locale) as page:
            with page.expect_response(lambda r: r.url.endswith("/api/v1/expression") and r.ok) as answer:
                page.goto(f"{live_server}/lessons/chain-rule")
            page.wait_for_selector("[data-lesson][data-ready=true]")
            steps = answer.value.json()["steps"]
            page.get_by_test_id("predict-toggle").check()
            question = page.get_by_test_id("predict-question")
            first = steps[1]["formula"][-1]  # u₁ = x^2, asked before step 2 of the figure shows it
            expect(question).to_contain_text(first["lhs"])
            assert bool(CJK.search(question.inner_text())) is (tag == "zh-CN")
            _answer(page, first["value"])
            feedback = page.get_by_test_id("predict-feedback")
            expect(feedback).to_have_attribute("data-verdict", "correct")
            page.get_by_test_id("predict-reveal").click()
            expect(page.get_by_test_id("step-counter")).to_contain_text("2")
            backward = next(s for s in steps if s["kind"] == "edge_backward")
            page.wait_for_function("() => location.hash.includes('pr=1')")
            page.reload()
            page.wait_for_selector("[data-lesson][data-ready=true]")
            expect(page.get_by_test_id("predict-toggle")).to_be_checked()  # kept in the link
            for _ in range(backward["index"] - 1):
                page.get_by_test_id("predict-reveal").click()
            product = backward["formula"][-1]  # df/du = df/dv · ∂v/∂u: the chain-rule product
            expect(question).to_contain_text(product["lhs"])
            _answer(page, round(product["value"] + 1, 4))
            expect(feedback).to_have_attribute("data-verdict", "wrong")
            expect(feedback.get_by_test_id("predict-formula")).to_contain_text(product["symbolic"])
            expect(feedback.get_by_test_id("predict-truth")).to_contain_text(product["result"])
            page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
            _shot(page, f"lesson5-{tag}")


def test_lesson_four_predicts_each_descent_step(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1400, "height": 1000}, locale=locale) as page:
            with page.expect_response(lambda r: r.url.endswith("/api/v1/expression/descent") and r.ok) as answer:
                page.goto(f"{live_server}/lessons/gradient#pr=1")
            page.wait_for_selector("[data-lesson][data-ready=true]")
            path = answer.value.json()["path"]
            expect(page.get_by_test_id("predict-toggle")).to_be_checked()  # from the link
            expect(page.get_by_test_id("predict-question")).to_contain_text("x₁")
            _answer(page, path[1]["point"]["x"])
            feedback = page.get_by_test_id("predict-feedback")
            expect(feedback).to_have_attribute("data-verdict", "correct")
            expect(feedback.get_by_test_id("predict-formula")).to_contain_text("x₀ − η·∂z/∂x")
            page.get_by_test_id("predict-reveal").click()
            expect(page.get_by_test_id("predict-question")).to_contain_text("x₂")
            _answer(page, path[1]["point"]["x"])  # the old x again: the step moved it
            expect(feedback).to_have_attribute("data-verdict", "wrong")
            expect(page.get_by_test_id("predict-input")).to_have_value(repr(path[1]["point"]["x"]))  # kept, disabled
            assert _score(page) == (1, 2)
            page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
            _shot(page, f"lesson4-{tag}")
