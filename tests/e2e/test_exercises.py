"""Exercises under lessons 2–6 in a real browser, in both languages: the seed in the URL picks the
exercise, a wrong number is marked wrong, the engine's numbers (rounded to three decimals) solve it, and
the worked solution appears; a new exercise changes the URL."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.tracing.exercises import generate
from tests.e2e.conftest import checked_page, screenshot

LESSON_KINDS = {
    "derivative": "limit",
    "partial-derivatives": "partial",
    "gradient": "descent",
    "chain-rule": "chain",
    "backpropagation": "network",
}
CJK = re.compile(r"[\u4e00-\u9fff]")
SHOTS = Path("/tmp/shots/teach")
SEED = 2024


def _open(page, base: str, slug: str, seed: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/lessons/{slug}?exercise={seed}")
    page.wait_for_selector("[data-lesson][data-ready=true]")
    page.wait_for_selector("[data-testid=exercise-input]")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("[data-testid=exercises]").scroll_into_view_if_needed()
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


@pytest.mark.parametrize("slug", list(LESSON_KINDS))
@pytest.mark.parametrize(("locale", "tag"), [("en-US", "en"), ("zh-CN", "zh")])
def test_solve_one_exercise_of_each_kind(browser, live_server, slug: str, locale: str, tag: str) -> None:  # type: ignore[no-untyped-def]
    task = generate(LESSON_KINDS[slug], SEED)  # type: ignore[arg-type]
    with checked_page(browser, viewport={"width": 1280, "height": 900}, locale=locale) as page:
        _open(page, live_server, slug, SEED)
        question = page.locator("[data-testid=exercise-question]").inner_text()
        assert bool(CJK.search(question)) is (tag == "zh"), question
        assert page.locator("[data-testid=exercise-given] li").all_inner_texts() == task.given
        inputs = page.locator("[data-testid=exercise-input]")
        assert inputs.count() == len(task.blanks)

        first = task.blanks[0]
        inputs.nth(0).fill(str(round(first.value + 1.5, 3)))
        page.locator("[data-testid=exercise-check]").click()
        page.wait_for_selector(f"[data-testid=exercise-verdict][data-blank={first.name}][data-verdict=wrong]")
        assert page.locator("[data-testid=exercise-feedback]").get_attribute("data-solved") == "false"
        assert page.locator("[data-testid=exercise-solution]").is_hidden()

        for index, blank in enumerate(task.blanks):
            inputs.nth(index).fill(f"{blank.value:.3f}".replace("-", "−"))  # the typographic minus reads too
        page.locator("[data-testid=exercise-check]").click()
        page.wait_for_selector("[data-testid=exercise-feedback][data-solved=true]")
        verdicts = page.locator("[data-testid=exercise-verdict]")
        assert [verdicts.nth(i).get_attribute("data-verdict") for i in range(verdicts.count())] == ["correct"] * len(
            task.blanks
        )
        lines = page.locator("[data-testid=exercise-solution] li").all_inner_texts()
        assert len(lines) == len(task.solution)
        assert all(line.math in text for line, text in zip(task.solution, lines, strict=True))
        assert bool(CJK.search(lines[0])) is (tag == "zh")
        _shot(page, f"exercise-{slug}-{tag}")


def test_reveal_new_exercise_and_language_switch(page, live_server) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, "partial-derivatives", 7)
    page.locator("[data-testid=exercise-reveal]").click()
    page.wait_for_selector("[data-testid=exercise-solution] li")
    assert page.locator("[data-testid=exercise-verdict][data-verdict=missing]").count() == 1
    page.locator("[data-testid=lang-switch]").click()
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    page.wait_for_function(
        "() => /[\\u4e00-\\u9fff]/.test(document.querySelector('[data-testid=exercise-solution] li')?.textContent || '')"
    )
    assert CJK.search(page.locator("[data-testid=exercise-question]").inner_text())
    page.locator("[data-testid=exercise-new]").click()
    page.wait_for_function("() => !new URL(location.href).searchParams.get('exercise')?.match(/^7$/)")
    seed = int(page.evaluate("new URL(location.href).searchParams.get('exercise')"))
    expected = generate("partial", seed).given
    page.wait_for_function(
        "given => [...document.querySelectorAll('[data-testid=exercise-given] li')].map(li => li.textContent).join('|') === given",
        arg="|".join(expected),
    )
    assert page.locator("[data-testid=exercise-solution]").is_hidden()


def test_lessons_without_exercises_hide_the_panel(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/lessons/feed-forward")
    page.wait_for_selector("[data-lesson][data-ready=true]")
    assert page.locator("[data-testid=exercises]").is_hidden()
