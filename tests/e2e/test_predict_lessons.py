"""Predict, then reveal, in lessons 2 and 3, in a real browser and both languages: the value asked (the next
difference quotient, then f′(x₀); the partial derivative at the point) is hidden until the learner answers
or reveals it, is judged against the number the page received from the server, and the feedback writes the
formula with both numbers. Also: lesson 2's Play waits at each question, typed input survives a language
switch, and the panel reads in presenter mode (1920×1080) and on a phone (390×844)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page, screenshot

SHOTS = Path("/tmp/shots/predict")
CJK = re.compile(r"[\u4e00-\u9fff]")
READY = "[data-lesson][data-ready=true]"
LIMIT = "/api/v1/expression/limit"
PARTIAL = "/api/v1/expression/partial"


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, f"predict-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def _open(page: Page, url: str, endpoint: str) -> dict:
    """Open `url` and return the JSON the page received from `endpoint`."""
    with page.expect_response(lambda r: r.url.endswith(endpoint) and r.ok) as answer:
        page.goto(url)
    page.wait_for_selector(READY)
    return answer.value.json()


def _answer(page: Page, value: object) -> None:
    page.get_by_test_id("predict-input").fill(repr(value))
    page.get_by_test_id("predict-submit").click()


def _score(page: Page) -> tuple[int, int]:
    score = page.get_by_test_id("predict-score")
    return int(score.get_attribute("data-correct")), int(score.get_attribute("data-answered"))


def _quotients(page: Page) -> list[str]:
    return page.locator("[data-testid=limit-table] tbody td.quotient").all_inner_texts()


def test_lesson_two_hides_each_quotient_and_the_limit_until_answered(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1400, "height": 1000}, locale=locale) as page:
            data = _open(page, f"{live_server}/lessons/derivative#f=2x%5E2&x0=1&pr=1", LIMIT)
            rows = data["rows"]
            expect(page.get_by_test_id("predict-toggle")).to_be_checked()  # from the link
            shown = _quotients(page)
            assert shown[0] != "?" and all(text == "?" for text in shown[1:]), shown
            gaps = page.locator("[data-testid=limit-table] tbody td:nth-child(4)").all_inner_texts()
            assert set(gaps) == {"?"}, "the distance to f′(x₀) would give the limit away"
            expect(page.get_by_test_id("exact-derivative")).to_contain_text("?")
            expect(page.get_by_test_id("symbolic-derivative")).to_be_hidden()
            expect(page.locator(".derivative-plot .tangent-line, .derivative-plot .tangent-note")).to_have_count(0)

            question = page.get_by_test_id("predict-question")
            expect(question).to_contain_text("Δy/Δx (Δx = 0.5)")
            assert bool(CJK.search(question.inner_text())) is (tag == "zh-CN")
            _answer(page, rows[1]["quotient"])
            feedback = page.get_by_test_id("predict-feedback")
            expect(feedback).to_have_attribute("data-verdict", "correct")
            expect(feedback.get_by_test_id("predict-formula")).to_contain_text("[f(x₀ + Δx) − f(x₀)] / Δx")
            expect(feedback.get_by_test_id("predict-formula")).to_contain_text("[4.5 − 2] / 0.5")
            assert _quotients(page)[1] != "?"  # answered: the table shows it

            # the table's digits count: at Δx = 0.001 the quotient is 4.002, so "4" is only close
            for _ in range(3):
                page.get_by_test_id("predict-reveal").click()
            expect(question).to_contain_text("Δx = 0.001")
            _answer(page, 4)
            expect(feedback).to_have_attribute("data-verdict", "close")
            expect(feedback.get_by_test_id("predict-given")).to_contain_text("4")
            expect(feedback.get_by_test_id("predict-truth")).to_contain_text("4.002")
            assert _score(page) == (1, 2)

            # the last row asks the limit itself, with the server's formula as the hint
            for _ in range(len(rows) - 2 - 3):  # from row 3 to the one before the last
                page.get_by_test_id("step-next").click()
            expect(question).to_contain_text("f′(1)")
            page.get_by_test_id("predict-hint").click()
            page.get_by_test_id("predict-hint").click()
            expect(page.get_by_test_id("predict-hints")).to_contain_text("4·1")
            _answer(page, data["derivative"])
            expect(feedback).to_have_attribute("data-verdict", "correct")
            expect(page.get_by_test_id("exact-derivative")).to_have_attribute("data-value", "4")
            expect(page.get_by_test_id("symbolic-derivative")).to_be_visible()
            expect(page.locator(".derivative-plot .tangent-line")).to_have_count(1)
            assert _score(page) == (2, 3)
            page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
            _shot(page, f"lesson2-{tag}")

            # off: every value shows again
            page.get_by_test_id("predict-toggle").uncheck()
            assert "?" not in _quotients(page)
            page.wait_for_function("() => !location.hash.includes('pr=1')")


def test_lesson_two_play_waits_at_each_question_and_keeps_typed_input(page: Page, live_server: str) -> None:
    data = _open(page, f"{live_server}/lessons/derivative#f=2x%5E2&x0=1&pr=1", LIMIT)
    counter = page.get_by_test_id("step-counter")
    page.get_by_test_id("step-play").click()
    page.wait_for_timeout(3000)  # Play steps every 1.3 s, but row 2 is asked
    expect(counter).to_contain_text("1")
    expect(page.get_by_test_id("step-play")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("predict-waiting")).to_be_visible()
    page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
    _shot(page, "lesson2-play-waits-en")

    # typed, not checked, and the language changes: the panel is drawn again with the number kept
    page.get_by_test_id("predict-input").fill("5.01")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("predict-question")).to_contain_text("会是多少")
    expect(page.get_by_test_id("predict-input")).to_have_value("5.01")
    assert _quotients(page)[1] == "?"  # redrawn in Chinese, still hidden

    page.get_by_test_id("predict-input").fill(repr(data["rows"][1]["quotient"]))
    page.get_by_test_id("predict-submit").click()
    expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "correct")
    expect(counter).to_contain_text("2", timeout=6000)  # answered: Play goes on …
    page.wait_for_timeout(2500)
    expect(counter).to_contain_text("2")  # … and waits at the next question
    page.get_by_test_id("predict-reveal").click()  # Reveal while waiting: shows it and plays on
    expect(counter).to_contain_text("3")
    expect(page.get_by_test_id("step-play")).to_have_attribute("aria-pressed", "true")


def test_lesson_three_hides_the_partial_at_each_point_until_answered(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1400, "height": 1000}, locale=locale) as page:
            first = _open(page, f"{live_server}/lessons/partial-derivatives#pr=1", PARTIAL)
            narration = page.get_by_test_id("narration")
            expect(narration).to_contain_text("?")
            assert narration.get_attribute("data-value") is None
            expect(page.get_by_test_id("symbolic-partial")).to_be_hidden()
            expect(page.locator(".slice-plot .tangent-line")).to_have_count(0)
            question = page.get_by_test_id("predict-question")
            expect(question).to_contain_text("∂z/∂x (x = 1, y = 0.5)")
            assert bool(CJK.search(question.inner_text())) is (tag == "zh-CN")

            _answer(page, first["partial"] + 0.5)
            feedback = page.get_by_test_id("predict-feedback")
            expect(feedback).to_have_attribute("data-verdict", "wrong")
            expect(feedback.get_by_test_id("predict-formula")).to_contain_text("∂z/∂x (x = 1, y = 0.5) = 2x = 2·1 = 2")
            expect(feedback.get_by_test_id("predict-given")).to_contain_text("2.5")
            expect(narration).to_have_attribute("data-value", str(first["partial"]).removesuffix(".0"))
            expect(page.locator(".slice-plot .tangent-line")).to_have_count(1)
            page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
            _shot(page, f"lesson3-{tag}")

            # Reveal goes on to the tour's next point, whose partial is asked anew
            with page.expect_response(lambda r: r.url.endswith(PARTIAL) and r.ok) as answer:
                page.get_by_test_id("predict-reveal").click()
            second = answer.value.json()
            expect(question).to_contain_text("∂z/∂y")
            expect(narration).to_contain_text("?")
            _answer(page, second["partial"])
            expect(feedback).to_have_attribute("data-verdict", "correct")
            assert _score(page) == (1, 2)

            # Reveal without answering: the value shows, unscored, and the next Reveal moves on
            with page.expect_response(lambda r: r.url.endswith(PARTIAL) and r.ok):
                page.get_by_test_id("predict-reveal").click()
            expect(narration).to_contain_text("?")
            page.get_by_test_id("predict-reveal").click()
            expect(narration).not_to_contain_text("?")
            expect(page.get_by_test_id("predict-question")).not_to_contain_text("∂z")
            assert _score(page) == (1, 2)
            page.wait_for_function("() => location.hash.includes('pr=1')")
            page.reload()
            page.wait_for_selector(READY)
            expect(page.get_by_test_id("predict-toggle")).to_be_checked()


def test_predict_panels_in_presenter_mode_and_on_a_phone(browser, live_server: str) -> None:
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh-CN")):
        with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale=locale) as page:
            data = _open(page, f"{live_server}/lessons/derivative#f=2x%5E2&x0=3&pr=1", LIMIT)
            page.get_by_test_id("presenter-toggle").click()
            expect(page.locator("html")).to_have_attribute("data-presenter", "on")
            _answer(page, round(data["rows"][1]["quotient"] + 0.3, 3))
            panel = page.get_by_test_id("predict-panel")
            panel.scroll_into_view_if_needed()
            box = panel.bounding_box()
            assert box and box["width"] >= 360, box
            size = page.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector('[data-testid=predict-question]')).fontSize)"
            )
            assert size >= 20, f"the question reads from the back row: {size}px"
            _shot(page, f"presenter-lesson2-{tag}")
            with page.expect_response(lambda r: r.url.endswith("/api/v2/network/trace") and r.ok):
                page.goto(f"{live_server}/#pr=1")
            page.wait_for_selector("[data-testid=network-diagram][data-ready]")
            if page.locator("html").get_attribute("data-presenter") != "on":  # it may stay on across pages
                page.keyboard.press("p")
            expect(page.locator("html")).to_have_attribute("data-presenter", "on")
            page.get_by_test_id("predict-input").fill("0.5")
            page.get_by_test_id("predict-submit").click()
            _shot(page, f"presenter-player-{tag}")

        with checked_page(browser, viewport={"width": 390, "height": 844}, locale=locale, is_mobile=True) as page:
            _open(page, f"{live_server}/lessons/partial-derivatives#pr=1", PARTIAL)
            panel = page.get_by_test_id("predict-panel")
            panel.scroll_into_view_if_needed()
            box = panel.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
            _answer(page, 1)
            _shot(page, f"phone-lesson3-{tag}")
            _open(page, f"{live_server}/lessons/derivative#pr=1", LIMIT)
            page.get_by_test_id("predict-panel").scroll_into_view_if_needed()
            _shot(page, f"phone-lesson2-{tag}")


def test_lessons_four_and_five_play_waits_at_their_questions(page: Page, live_server: str) -> None:
    for slug, endpoint in (("gradient", "/api/v1/expression/descent"), ("chain-rule", "/api/v1/expression")):
        _open(page, f"{live_server}/lessons/{slug}#pr=1", endpoint)
        page.get_by_test_id("step-play").click()
        page.wait_for_timeout(3500)  # Play steps every 0.7 s (lesson 4) or 1.4 s (lesson 5)
        expect(page.get_by_test_id("step-counter")).to_contain_text(re.compile(r"^Step 1 of"))
        expect(page.get_by_test_id("predict-waiting")).to_be_visible()
        page.get_by_test_id("predict-reveal").click()  # skip it: the step shows and Play goes on
        expect(page.get_by_test_id("step-counter")).to_contain_text(re.compile(r"^Step 2 of"))
        expect(page.get_by_test_id("step-play")).to_have_attribute("aria-pressed", "true")
