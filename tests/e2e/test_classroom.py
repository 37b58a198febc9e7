"""A live class in Chromium: one teacher page and three student pages (one a phone) follow, lock, pause, a
question, answers and the reveal with its histogram, in both languages, with no console errors."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page
from tests.e2e.test_playground import DEFAULT, api_trace

DIAGRAM = "[data-testid=network-diagram]"
READY = f"{DIAGRAM}[data-ready]"
SHOTS = Path("/tmp/shots/classroom")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
HTML_NAME = "<b>Ann</b>"
WORDS = {
    "en": {"following": "Following the teacher", "locked": "pacing is locked", "paused": "Eyes on the teacher"},
    "zh-CN": {"following": "正在跟随老师", "locked": "进度已锁定", "paused": "请看老师"},
}


def timeline(page: Page) -> object:
    return page.get_by_test_id("timeline")


def join(page: Page, base: str, code: str, name: str = "") -> None:
    page.goto(f"{base}/join")
    page.get_by_test_id("join-code-input").fill(code.lower())
    if name:
        page.get_by_test_id("join-name-input").fill(name)
    page.get_by_test_id("join-submit").click()
    page.wait_for_url(f"**/?class={code}*")
    page.wait_for_selector(READY)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_teacher_and_three_students(browser, live_server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": lang}
    with (
        checked_page(browser, **desktop) as teacher,
        checked_page(browser, **desktop) as first,
        checked_page(browser, **desktop) as second,
        checked_page(browser, **PHONE, locale=lang) as phone,
    ):
        students = [first, second, phone]
        teacher.goto(f"{live_server}/")
        teacher.wait_for_selector(READY)
        teacher.get_by_test_id("classroom-start").click()
        code = teacher.get_by_test_id("classroom-code").inner_text()
        assert len(code) == 6
        qr = teacher.get_by_test_id("classroom-qr")
        expect(qr).to_be_visible()
        teacher.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())

        # the teacher's token never reaches a student's page or address
        token = teacher.evaluate("JSON.parse(sessionStorage.getItem('classroom.teacher')).token")
        for student, name in zip(students, [HTML_NAME, "", "Lee"], strict=True):
            join(student, live_server, code, name)
            assert token not in student.url and token not in student.content()
            expect(student.get_by_test_id("follow-status")).to_contain_text(words["following"])
            expect(student.get_by_test_id("classroom-start")).to_have_count(0)
        expect(teacher.get_by_test_id("classroom-count")).to_have_text("3")
        # a name is plain text on the teacher's screen, never markup
        expect(teacher.get_by_test_id("classroom-names").locator("li")).to_have_count(2)
        expect(teacher.get_by_test_id("classroom-names").locator("li").first).to_have_text(HTML_NAME)
        expect(teacher.get_by_test_id("classroom-names").locator("b")).to_have_count(0)

        # follow: the teacher steps, every student's step follows
        for _ in range(3):
            teacher.get_by_test_id("step-next").click()
        expect(timeline(teacher)).to_have_value("3")
        for student in students:
            expect(timeline(student)).to_have_value("3")

        # a student may explore while pacing is free, and comes back with one button
        first.get_by_test_id("step-next").click()
        expect(timeline(first)).to_have_value("4")
        expect(first.get_by_test_id("follow-back")).to_be_visible()
        first.get_by_test_id("follow-back").click()
        expect(timeline(first)).to_have_value("3")

        # lock: a student who moves ahead is brought back
        teacher.get_by_test_id("classroom-lock").click()
        expect(teacher.get_by_test_id("classroom-lock")).to_have_attribute("aria-pressed", "true")
        for student in students:
            expect(student.get_by_test_id("follow-status")).to_contain_text(words["locked"])
        second.get_by_test_id("step-next").click()
        expect(timeline(second)).to_have_value("3")

        # pause every screen, and resume
        teacher.get_by_test_id("classroom-pause").click()
        for student in students:
            expect(student.get_by_test_id("follow-paused")).to_be_visible()
            expect(student.get_by_test_id("follow-paused")).to_contain_text(words["paused"])
        phone.screenshot(path=str(SHOTS / f"phone-paused-{lang}.png"))
        teacher.get_by_test_id("classroom-pause").click()
        for student in students:
            expect(student.get_by_test_id("follow-paused")).to_be_hidden()

        # ask the sign of ∂L/∂w for the weight x₂ → a₁ of layer 1
        teacher.get_by_test_id("ask-kind").select_option("gradient_sign")
        teacher.get_by_test_id("ask-layer").fill("1")
        teacher.get_by_test_id("ask-neuron").fill("1")  # from 1, as the diagram labels a₁ and x₂
        teacher.get_by_test_id("ask-source").fill("2")
        teacher.get_by_test_id("ask-open").click()
        expect(teacher.get_by_test_id("ask-count")).to_contain_text("0")
        answers = ["+", "+", "-"]
        for student, answer in zip(students, answers, strict=True):
            expect(student.get_by_test_id("answer-panel")).to_be_visible()
            student.get_by_test_id("answer-input").select_option(answer)
            student.get_by_test_id("answer-submit").click()
            expect(student.get_by_test_id("answer-sent")).not_to_be_empty()
        expect(teacher.get_by_test_id("ask-count")).to_have_text(re.compile(r"(^|\D)3( of |/)3"))
        bars = teacher.get_by_test_id("ask-histogram").locator("[data-testid=histogram-bar] .bar-count")
        expect(bars).to_have_text(["2", "1", "0"])
        phone.screenshot(path=str(SHOTS / f"phone-question-{lang}.png"))

        teacher.get_by_test_id("ask-reveal").click()
        expect(teacher.get_by_test_id("ask-answer")).to_be_visible()
        for student in students:
            expect(student.get_by_test_id("answer-histogram")).to_be_visible()
            expect(student.get_by_test_id("answer-histogram").locator(".bar-count")).to_have_text(["2", "1", "0"])
            expect(student.get_by_test_id("answer-histogram").locator(".bar.right")).to_have_count(1)
        # the right answer is the sign of the gradient the trace API computes for the same network
        gradient = api_trace(live_server, DEFAULT)["params"][0]["grad_weight"][0][1]
        right = 0 if gradient > 0 else 1 if gradient < 0 else 2
        for student in students:
            expect(student.get_by_test_id("answer-histogram").locator(".bar").nth(right)).to_have_class(
                re.compile("right")
            )

        teacher.get_by_test_id("presenter-toggle").click()
        teacher.screenshot(path=str(SHOTS / f"projector-{lang}.png"))
        phone.screenshot(path=str(SHOTS / f"phone-revealed-{lang}.png"))
        teacher.get_by_test_id("presenter-toggle").click()

        teacher.get_by_test_id("classroom-end").click()
        for student in students:
            expect(student.get_by_test_id("follow-status")).to_contain_text(
                "The class has ended" if lang == "en" else "课堂已结束"
            )


def test_students_follow_the_teacher_from_lesson_to_lesson(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
    with checked_page(browser, **desktop) as teacher, checked_page(browser, **PHONE, locale="en-US") as student:
        teacher.goto(f"{live_server}/train")
        expect(teacher.get_by_test_id("classroom-start")).to_be_visible()
        teacher.goto(f"{live_server}/lessons/chain-rule")
        teacher.get_by_test_id("classroom-start").click()
        code = teacher.get_by_test_id("classroom-code").inner_text()
        student.goto(f"{live_server}/join?code={code}")  # as the QR code's link opens it
        expect(student.get_by_test_id("join-code-input")).to_have_value(code)
        student.get_by_test_id("join-submit").click()
        student.wait_for_url(f"**/lessons/chain-rule?class={code}*")
        expect(student.get_by_test_id("follow-status")).to_contain_text("Following the teacher")
        # the teacher moves on; the class stays with them on the next page
        teacher.goto(f"{live_server}/lessons/gradient")
        expect(teacher.get_by_test_id("classroom-code")).to_have_text(code)
        student.wait_for_url(f"**/lessons/gradient?class={code}*")
        expect(student.get_by_test_id("lesson-title")).to_contain_text("gradient")
        # a lesson question, asked from the lesson's own list
        teacher.get_by_test_id("ask-kind").select_option("choice")
        teacher.get_by_test_id("ask-open").click()
        expect(student.get_by_test_id("answer-prompt")).to_contain_text("gradient")
        student.get_by_test_id("answer-input").select_option("2")
        student.get_by_test_id("answer-submit").click()
        expect(teacher.get_by_test_id("ask-count")).to_contain_text("1 of 1")
        teacher.get_by_test_id("ask-reveal").click()
        expect(student.get_by_test_id("answer-histogram").locator(".bar.right")).to_contain_text("steepest")
        student.screenshot(path=str(SHOTS / "phone-lesson-question-en.png"))


def test_a_page_without_a_network_asks_its_lessons_question(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """A lesson without the step player cannot be asked about a neuron: its panel opens on the lesson's
    own question, says where the network questions are, and can ask at once (it used to open on "Predict a
    value" with Ask greyed out and no word why). With the player on the page, the network questions return."""
    with checked_page(browser, viewport={"width": 1366, "height": 768}, locale="zh-CN") as teacher:
        teacher.goto(f"{live_server}/lessons/gradient?present=1")
        teacher.wait_for_selector("[data-lesson][data-ready=true]")
        start_class(teacher)
        kind = teacher.get_by_test_id("ask-kind")
        expect(kind).to_have_value("choice")
        expect(kind.locator("option:disabled")).to_have_count(3)
        expect(teacher.get_by_test_id("ask-needs-player")).to_contain_text("第 6 课")
        expect(teacher.get_by_test_id("ask-choice")).to_have_value("gradient-direction")
        expect(teacher.get_by_test_id("ask-open")).to_be_enabled()
        choice = teacher.get_by_test_id("ask-choice").bounding_box()
        assert choice["width"] >= 200, choice  # a question's words, not a sliver of them
        teacher.get_by_test_id("ask-open").click()
        expect(teacher.get_by_test_id("ask-prompt")).to_contain_text("∇f")
        # the panel scrolls on 768 lines: what was just asked, and then the answer, come into its view
        expect(teacher.get_by_test_id("ask-count")).to_be_in_viewport()
        teacher.get_by_test_id("ask-reveal").click()
        expect(teacher.get_by_test_id("ask-answer")).to_be_visible()
        expect(teacher.get_by_test_id("ask-answer")).to_be_in_viewport()
        assert teacher.evaluate("scrollY") == 0  # the panel scrolled, not the lesson under it
        expect(teacher.get_by_test_id("classroom-code")).to_be_in_viewport(ratio=0.99)  # there for latecomers
        # lesson 7 has no question of its own: nothing to ask, and the select says so
        teacher.goto(f"{live_server}/lessons/beyond-backprop?present=1")
        expect(teacher.get_by_test_id("ask-choice")).to_contain_text("本页没有课程选择题")
        expect(teacher.get_by_test_id("ask-open")).to_be_disabled()
        # the playground's player: the network questions, the first of them chosen
        teacher.goto(f"{live_server}/?present=1")
        teacher.wait_for_selector("[data-testid=network-diagram][data-ready]")
        expect(kind).to_have_value("value")
        expect(kind.locator("option:disabled")).to_have_count(0)
        expect(teacher.get_by_test_id("ask-needs-player")).to_be_hidden()
        expect(teacher.get_by_test_id("ask-open")).to_be_enabled()


MARKER = "window.__stillThisDocument"


def start_class(teacher: Page) -> str:
    teacher.get_by_test_id("classroom-start").click()
    code = teacher.get_by_test_id("classroom-code").inner_text()
    assert len(code) == 6
    return code


def join_at(student: Page, base: str, code: str, path: str) -> None:
    """Join as a student and land on the teacher's page; mark the document, so a reload would show."""
    student.goto(f"{base}/join?code={code}")
    student.get_by_test_id("join-submit").click()
    student.wait_for_url(f"**{path}?class={code}*")
    expect(student.get_by_test_id("follow-status")).to_be_visible()
    student.evaluate(f"{MARKER} = true")


def same_document(student: Page) -> bool:
    return student.evaluate(f"{MARKER} === true")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_lesson_figure_follows_in_place(browser, live_server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    words = WORDS[lang]
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": lang}
    with checked_page(browser, **desktop) as teacher, checked_page(browser, **PHONE, locale=lang) as student:
        teacher.goto(f"{live_server}/lessons/derivative")
        expect(teacher.locator("[data-lesson][data-ready]")).to_have_count(1)
        code = start_class(teacher)
        join_at(student, live_server, code, "/lessons/derivative")
        expect(student.locator("[data-lesson][data-ready]")).to_have_count(1)
        teacher_slider = teacher.get_by_test_id("delta-slider")
        student_slider = student.get_by_test_id("delta-slider")
        narration = "[data-testid=narration]"

        # the slider (Δx shown), then a new function and point: the student's figure follows, same document
        teacher_slider.fill("4")
        expect(student_slider).to_have_value("4")
        expect(student.locator(narration)).to_have_text(teacher.locator(narration).inner_text())
        teacher.get_by_test_id("expression-input").fill("x^3")
        teacher.get_by_test_id("x0-input").fill("2")
        teacher.get_by_test_id("expression-apply").click()
        expect(teacher.get_by_test_id("exact-derivative")).to_have_attribute("data-value", "12")
        expect(student.get_by_test_id("expression-input")).to_have_value("x^3")
        expect(student.get_by_test_id("exact-derivative")).to_have_attribute("data-value", "12")
        expect(student_slider).to_have_value("0")
        teacher_slider.fill("6")
        expect(student_slider).to_have_value("6")
        expect(student.locator(narration)).to_have_text(teacher.locator(narration).inner_text())
        # predict-then-reveal, switched on and off by the teacher, on every student's figure too
        teacher.get_by_test_id("predict-toggle").check()
        expect(student.get_by_test_id("predict-toggle")).to_be_checked()
        teacher.get_by_test_id("predict-toggle").uncheck()
        expect(student.get_by_test_id("predict-toggle")).not_to_be_checked()
        student.get_by_test_id("derivative-plot").scroll_into_view_if_needed()
        student.screenshot(path=str(SHOTS / f"phone-lesson-{lang}.png"))

        # explore, then back to the teacher
        student_slider.fill("2")
        expect(student.get_by_test_id("follow-back")).to_be_visible()
        student.get_by_test_id("follow-back").click()
        expect(student_slider).to_have_value("6")

        # locked: a student who moves is brought back
        teacher.get_by_test_id("classroom-lock").click()
        expect(student.get_by_test_id("follow-status")).to_contain_text(words["locked"])
        student_slider.fill("1")
        expect(student_slider).to_have_value("6")
        assert same_document(student)

        # another lesson: the student's page navigates, with the teacher's figure state in its address
        teacher.goto(f"{live_server}/lessons/chain-rule#f=x*y&v=%7B%22x%22%3A2%2C%22y%22%3A3%7D")
        expect(teacher.locator("[data-lesson][data-ready]")).to_have_count(1)
        teacher.locator("[data-step=next]").click()
        teacher.locator("[data-step=next]").click()
        student.wait_for_url(f"**/lessons/chain-rule?class={code}*")
        expect(student.get_by_test_id("expression-input")).to_have_value("x*y")
        counter = "[data-step-counter]"
        expect(student.locator(counter)).to_have_text(teacher.locator(counter).inner_text())
        student.evaluate(f"{MARKER} = true")
        teacher.locator("[data-step=next]").click()
        expect(student.locator(counter)).to_have_text(teacher.locator(counter).inner_text())
        assert same_document(student)


def test_the_training_view_follows_in_place(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
    with checked_page(browser, **desktop) as teacher, checked_page(browser, **desktop) as student:
        teacher.goto(f"{live_server}/train")
        ready = "[data-testid=train][data-state=ready]"
        teacher.wait_for_selector(ready)
        code = start_class(teacher)
        join_at(student, live_server, code, "/train")
        student.wait_for_selector(ready)
        step = teacher.get_by_test_id("step-counter")

        # the teacher trains step by step: the student's copy has the same weights (same loss), in place
        for n in (1, 2):
            teacher.get_by_test_id("step").click()
            expect(step).to_have_attribute("data-step", str(n))
        expect(student.get_by_test_id("step-counter")).to_have_attribute("data-step", "2")
        loss = teacher.get_by_test_id("train-loss").get_attribute("data-value")
        expect(student.get_by_test_id("train-loss")).to_have_attribute("data-value", loss or "")

        # an optimizer setting, then the network's shape (which starts the run over)
        teacher.get_by_test_id("learning-rate").select_option("0.3")
        expect(student.get_by_test_id("learning-rate")).to_have_value("0.3")
        teacher.get_by_test_id("layers-plus").click()
        expect(student.get_by_test_id("layer-count")).to_have_text(teacher.get_by_test_id("layer-count").inner_text())
        expect(student.get_by_test_id("step-counter")).to_have_attribute("data-step", "0")
        teacher.get_by_test_id("step").click()
        expect(step).to_have_attribute("data-step", "1")
        expect(student.get_by_test_id("step-counter")).to_have_attribute("data-step", "1")
        loss = teacher.get_by_test_id("train-loss").get_attribute("data-value")
        expect(student.get_by_test_id("train-loss")).to_have_attribute("data-value", loss or "")

        # locked: a student who trains ahead is brought back to the teacher's run
        teacher.get_by_test_id("classroom-lock").click()
        expect(student.get_by_test_id("follow-status")).to_contain_text(WORDS["en"]["locked"])
        student.evaluate(WATCH_STEPS)
        student.get_by_test_id("step").click()
        # the page's policy allows no script built from a string (wait_for_function): poll what it recorded
        wait_until(student, "window.__steps.includes('2')")
        expect(student.get_by_test_id("step-counter")).to_have_attribute("data-step", "1")
        expect(student.get_by_test_id("train-loss")).to_have_attribute("data-value", loss or "")
        assert same_document(student)


# Every step a page's counter shows, in order (a short-lived one too, which a locator could miss).
WATCH_STEPS = """() => {
  window.__steps = [];
  const counter = document.querySelector("[data-testid=step-counter]");
  new MutationObserver(() => window.__steps.push(counter.dataset.step)).observe(counter, { attributes: true });
}"""


def wait_until(page: Page, condition: str, timeout: float = 10.0) -> None:
    """Poll `condition` (an expression) with evaluate: wait_for_function is refused by the page's policy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({condition})"):
        assert time.monotonic() < deadline, f"still not true after {timeout} s: {condition}"
        time.sleep(0.05)


def steps_of(page: Page) -> int:
    return int(page.get_by_test_id("step-counter").get_attribute("data-step") or "0")


# At the normal pace (400 steps a second) a segment is 2,000 steps: a student who caught up only when one
# ends would read 0 for the first five seconds. Playing along, a student stays within this many steps.
ALONG = 120


def test_students_play_along_while_the_teacher_trains(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
    with (
        checked_page(browser, **desktop) as teacher,
        checked_page(browser, **desktop) as first,
        checked_page(browser, **desktop) as second,
    ):
        students = [first, second]
        teacher.goto(f"{live_server}/train")
        ready = "[data-testid=train][data-state=ready]"
        teacher.wait_for_selector(ready)
        code = start_class(teacher)
        for student in students:
            join_at(student, live_server, code, "/train")
            student.wait_for_selector(ready)

        teacher.get_by_test_id("play").click()
        # the students start their streams when they hear Play, then catch up: sample once that is done
        wait_until(teacher, "Number(document.querySelector('[data-testid=step-counter]').dataset.step) >= 600")
        samples = []
        for _ in range(5):
            time.sleep(0.25)
            before = steps_of(teacher)
            seen = [steps_of(student) for student in students]
            after = steps_of(teacher)
            samples.append((before, seen, after))
            assert after < 2000, "the teacher's first segment ended: sample sooner"
        for before, seen, after in samples:
            for step in seen:
                assert before - ALONG <= step <= after + ALONG, samples
        for student in students:
            expect(student.get_by_test_id("follow-status")).to_contain_text(WORDS["en"]["following"])

        # the teacher pauses: every student settles on exactly the teacher's step and weights
        teacher.get_by_test_id("play").click()
        teacher.wait_for_selector(ready)
        step = teacher.get_by_test_id("step-counter").get_attribute("data-step") or ""
        loss = teacher.get_by_test_id("train-loss").get_attribute("data-value") or ""
        assert int(step) > 0
        for student in students:
            # a student who had run into the teacher's next segment trains the run again: allow it the time
            expect(student.get_by_test_id("step-counter")).to_have_attribute("data-step", step, timeout=15000)
            expect(student.get_by_test_id("train-loss")).to_have_attribute("data-value", loss)
            expect(student.get_by_test_id("train-loss")).to_have_text(teacher.get_by_test_id("train-loss").inner_text())
            expect(student.locator(ready)).to_have_count(1)
            expect(student.get_by_test_id("follow-status")).to_contain_text(WORDS["en"]["following"])
            assert same_document(student)

        # a student who pauses while the teacher plays explores; back to the teacher, it plays along again
        teacher.get_by_test_id("play").click()
        expect(first.locator("[data-testid=train][data-playing=on]")).to_have_count(1)
        first.get_by_test_id("play").click()
        expect(first.locator(".follow-bar[data-state=exploring]")).to_have_count(1)
        first.get_by_test_id("follow-back").click()
        expect(first.locator(".follow-bar[data-state=following]")).to_have_count(1)
        expect(first.locator("[data-testid=train][data-playing=on]")).to_have_count(1)
        # past the end of the teacher's segment (2,000 steps from where it paused), then pause there
        start = int(step)
        wait_until(
            teacher,
            f"Number(document.querySelector('[data-testid=step-counter]').dataset.step) >= {start + 2100}",
            timeout=30,
        )
        teacher.get_by_test_id("play").click()
        teacher.wait_for_selector(ready)
        step = teacher.get_by_test_id("step-counter").get_attribute("data-step") or ""
        loss = teacher.get_by_test_id("train-loss").get_attribute("data-value") or ""
        for student in students:
            expect(student.get_by_test_id("step-counter")).to_have_attribute("data-step", step, timeout=15000)
            expect(student.get_by_test_id("train-loss")).to_have_attribute("data-value", loss)
            expect(student.locator(ready)).to_have_count(1)
            assert same_document(student)


PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
ASK_TEXT = [
    "ask-kind",
    "ask-quantity",
    "ask-layer",
    "ask-neuron",
    "ask-open",
    "ask-reveal",
    "ask-prompt",
    "ask-count",
    "classroom-count",
    "classroom-connected",
]


def font_px(page: Page, selector: str) -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_presenting_the_teacher_asks_and_sees_who_is_connected(browser, live_server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with checked_page(browser, **PROJECTOR, locale=lang) as teacher:
        teacher.goto(f"{live_server}/")
        teacher.wait_for_selector(READY)
        code = start_class(teacher)
        connected = teacher.get_by_test_id("classroom-connected")
        expect(connected).to_have_text("0")
        with checked_page(browser, **PHONE, locale=lang) as student:
            join(student, live_server, code)
            expect(teacher.get_by_test_id("classroom-count")).to_have_text("1")
            expect(connected).to_have_text("1", timeout=8000)
            with checked_page(browser, **PHONE, locale=lang) as second:
                join(second, live_server, code)
                expect(teacher.get_by_test_id("classroom-count")).to_have_text("2")
                expect(connected).to_have_text("2", timeout=8000)
            # the second student closed the tab: still joined, no longer connected
            expect(connected).to_have_text("1", timeout=8000)
            expect(teacher.get_by_test_id("classroom-count")).to_have_text("2")

            teacher.get_by_test_id("presenter-toggle").click()
            expect(teacher.locator(":root[data-presenter=on]")).to_have_count(1)
            # every field of a network question, in presenter mode, at projector size
            teacher.get_by_test_id("ask-kind").select_option("value")
            teacher.get_by_test_id("ask-quantity").select_option("a")
            teacher.get_by_test_id("ask-layer").fill("1")
            teacher.get_by_test_id("ask-neuron").fill("2")
            for testid in ["ask-kind", "ask-quantity", "ask-layer", "ask-neuron", "ask-open"]:
                expect(teacher.get_by_test_id(testid)).to_be_visible()
                expect(teacher.get_by_test_id(testid)).to_be_in_viewport()
            teacher.get_by_test_id("ask-open").click()
            expect(student.get_by_test_id("answer-panel")).to_be_visible()
            a_neuron = "a" if lang == "en" else "激活"
            expect(teacher.get_by_test_id("ask-prompt")).to_contain_text(a_neuron)
            student.get_by_test_id("answer-input").fill("0.5")
            student.get_by_test_id("answer-submit").click()
            expect(student.get_by_test_id("answer-sent")).not_to_be_empty()
            expect(teacher.get_by_test_id("ask-count")).to_have_text(re.compile(r"(^|\D)1( of |/)"))
            for testid in ASK_TEXT:
                size = font_px(teacher, f"[data-testid={testid}]")
                assert size >= 20, f"{testid} is {size}px on the projector"
            for label in teacher.locator(".classroom-ask .classroom-field:not([hidden]) > span").all():
                assert float(label.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")) >= 20
            teacher.screenshot(path=str(SHOTS / f"projector-ask-{lang}.png"))
            teacher.get_by_test_id("ask-reveal").click()
            # the right value reads as the diagram writes it: four significant digits, not a float's seventeen
            right = re.compile(r"(Right answer|正确答案)[:：] ?−?0\.\d{1,4}(\D|$)")
            expect(teacher.get_by_test_id("ask-answer")).to_have_text(right)
            expect(student.get_by_test_id("answer-sent")).to_have_text(right)

            # the sign of a gradient and a weight's direction, asked the same way; then a lesson's question
            teacher.get_by_test_id("ask-kind").select_option("weight_direction")
            expect(teacher.get_by_test_id("ask-source")).to_be_visible()
            teacher.get_by_test_id("ask-source").fill("1")
            teacher.get_by_test_id("ask-open").click()
            expect(student.get_by_test_id("answer-input")).to_have_js_property("tagName", "SELECT")
            teacher.get_by_test_id("ask-reveal").click()
            expect(teacher.get_by_test_id("ask-answer")).to_be_visible()
            expect(teacher.get_by_test_id("ask-histogram")).to_be_visible()
            teacher.screenshot(path=str(SHOTS / f"projector-revealed-{lang}.png"))
        expect(connected).to_have_text("0", timeout=8000)


def test_every_lesson_figure_follows_in_place(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """Lesson by lesson: the student's page goes where the teacher goes, then follows each step in place."""
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
    with checked_page(browser, **desktop) as teacher, checked_page(browser, **desktop) as student:
        teacher.goto(f"{live_server}/lessons/feed-forward")
        code = start_class(teacher)
        join_at(student, live_server, code, "/lessons/feed-forward")
        counter = "[data-testid=step-counter]"
        for slug in ["feed-forward", "partial-derivatives", "gradient", "backpropagation"]:
            if slug != "feed-forward":
                teacher.goto(f"{live_server}/lessons/{slug}")
                student.wait_for_url(f"**/lessons/{slug}?class={code}*")
            expect(teacher.locator("[data-lesson][data-ready]")).to_have_count(1)
            expect(student.locator("[data-lesson][data-ready]")).to_have_count(1)
            student.evaluate(f"{MARKER} = true")
            for _ in range(2):
                teacher.get_by_test_id("step-next").first.click()
            if slug == "backpropagation":  # the lesson's step player, led as on the playground
                expect(timeline(teacher)).to_have_value("2")
                expect(timeline(student)).to_have_value("2")
            else:
                # the teacher's figure asks the server for the step's numbers too: read it once they are in
                expect(teacher.locator("[data-figure][aria-busy]")).to_have_count(0)
                expect(teacher.locator(counter)).to_have_text(re.compile(r"\b3\b"))
                expect(student.locator(counter)).to_have_text(teacher.locator(counter).inner_text())
                expect(student.get_by_test_id("narration")).to_have_text(
                    teacher.get_by_test_id("narration").inner_text()
                )
            assert same_document(student), f"{slug}: the student's page reloaded"
        # a point clicked off the lesson's tour is followed too (lesson 3's map)
        teacher.goto(f"{live_server}/lessons/partial-derivatives")
        student.wait_for_url(f"**/lessons/partial-derivatives?class={code}*")
        expect(student.locator("[data-lesson][data-ready]")).to_have_count(1)
        student.evaluate(f"{MARKER} = true")
        teacher.get_by_test_id("px-input").fill("-2")
        teacher.get_by_test_id("px-input").dispatch_event("change")
        expect(student.get_by_test_id("narration")).to_have_attribute("data-x", "-2")
        teacher.get_by_test_id("predict-toggle").check()
        expect(student.get_by_test_id("predict-toggle")).to_be_checked()
        assert same_document(student)


def test_a_student_whose_figure_is_still_loading_lands_on_the_teachers_step(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """The teacher steps on while the student's lesson waits for its first numbers (a slow network): once
    they arrive, the student's figure shows the teacher's step, not the one it opened at."""
    desktop = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
    with checked_page(browser, **desktop) as teacher, checked_page(browser, **desktop) as student:
        teacher.goto(f"{live_server}/lessons/feed-forward")
        code = start_class(teacher)
        join_at(student, live_server, code, "/lessons/feed-forward")

        held = []  # the student's first request for the lesson's map, answered once the teacher has moved on

        def hold(route) -> None:  # type: ignore[no-untyped-def]
            held.append(route)

        student.route("**/expression/descent", hold)
        teacher.goto(f"{live_server}/lessons/partial-derivatives")
        student.wait_for_url(f"**/lessons/partial-derivatives?class={code}*")
        expect(teacher.locator("[data-lesson][data-ready]")).to_have_count(1)
        for _ in range(2):
            teacher.get_by_test_id("step-next").first.click()
        expect(teacher.locator("[data-figure][aria-busy]")).to_have_count(0)
        expect(teacher.get_by_test_id("narration")).to_have_attribute("data-x", "-1.5")
        for _ in range(100):
            if held:
                break
            student.wait_for_timeout(50)
        assert held, "the student's lesson never asked for its map"
        student.wait_for_timeout(300)  # the teacher's step reaches the student while its map is on its way
        for route in held:
            route.continue_()
        student.unroute("**/expression/descent", hold)
        expect(student.locator("[data-lesson][data-ready]")).to_have_count(1, timeout=10_000)
        expect(student.locator("[data-step-counter]")).to_have_text(teacher.locator("[data-step-counter]").inner_text())
        expect(student.get_by_test_id("narration")).to_have_text(teacher.get_by_test_id("narration").inner_text())
        expect(student.get_by_test_id("narration")).to_have_attribute("data-x", "-1.5")


def test_the_neuron_a_teacher_selects_becomes_the_question_target(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}) as teacher:
        teacher.goto(f"{live_server}/")
        teacher.wait_for_selector(READY)
        teacher.get_by_test_id("classroom-start").click()
        expect(teacher.get_by_test_id("classroom-code")).not_to_be_empty()
        teacher.get_by_test_id("ask-kind").select_option("gradient_sign")
        teacher.locator(f'{DIAGRAM} [data-node="1-2"]').click()  # a₃ of layer 1: neurons count from 1
        expect(teacher.get_by_test_id("ask-layer")).to_have_value("1")
        expect(teacher.get_by_test_id("ask-neuron")).to_have_value("3")
        teacher.locator(f'{DIAGRAM} [data-node="2-0"]').click()  # the output neuron
        expect(teacher.get_by_test_id("ask-layer")).to_have_value("2")
        expect(teacher.get_by_test_id("ask-neuron")).to_have_value("1")
        teacher.locator(f'{DIAGRAM} [data-node="0-1"]').click()  # an input is no question's target
        expect(teacher.get_by_test_id("ask-layer")).to_have_value("2")
