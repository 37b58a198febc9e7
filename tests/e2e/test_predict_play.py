"""Predict, then reveal, with the step player's other controls: Play waits at each open question and goes on
once its answer is shown; typed, unchecked input survives a language switch; the network file carries the
predictions and an import restores them; Play pressed before the predict panel has arrived waits at its
question all the same, with its field taking the keys."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page, hold_back, wait_until_asked
from tests.e2e.test_playground import step_index
from tests.e2e.test_predict import _activation, _open, _score


def test_play_waits_at_each_question_and_goes_on_once_it_is_answered(page: Page, live_server: str) -> None:
    numbers = _open(page, f"{live_server}/#pr=1")
    page.get_by_test_id("speed").select_option("8")
    page.get_by_test_id("play").click()
    play = page.get_by_test_id("play")
    expect(play).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(1500)  # at speed 8 Play would have walked several steps by now
    assert step_index(page) == 0
    expect(play).to_have_attribute("aria-pressed", "true")  # still playing: waiting, not paused
    expect(page.get_by_test_id("predict-waiting")).to_be_visible()
    expect(page.get_by_test_id("predict-input")).to_be_focused()  # the keys go to the question

    page.keyboard.type(repr(_activation(numbers, 1, 0)))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "correct")
    page.wait_for_timeout(800)
    assert step_index(page) == 0, "the feedback is read before the step replaces it"
    expect(page.get_by_test_id("timeline")).to_have_value("1", timeout=5000)  # then Play goes on …
    page.wait_for_timeout(1200)
    assert step_index(page) == 1  # … and waits again at the next question
    expect(page.get_by_test_id("predict-question")).to_contain_text("a₂⁽¹⁾")

    # Reveal while waiting: the step shows at once and Play goes on
    page.get_by_test_id("predict-reveal").click()
    expect(page.get_by_test_id("timeline")).to_have_value("2")
    expect(play).to_have_attribute("aria-pressed", "true")
    play.click()
    expect(play).to_have_attribute("aria-pressed", "false")
    assert _score(page) == (1, 1)


def test_play_does_not_wait_without_predict_mode(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/")
    page.get_by_test_id("speed").select_option("8")
    page.get_by_test_id("play").click()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=timeline]').value) >= 3")


def test_typed_prediction_survives_a_language_switch(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/#pr=1")
    field = page.get_by_test_id("predict-input")
    field.fill("0.4321")
    question = page.get_by_test_id("predict-question")
    english = question.inner_text()
    page.get_by_test_id("lang-switch").click()
    expect(question).not_to_have_text(english)  # the panel was drawn again, in Chinese
    expect(page.get_by_test_id("predict-input")).to_have_value("0.4321")
    page.get_by_test_id("lang-switch").click()
    expect(question).to_have_text(english)
    expect(page.get_by_test_id("predict-input")).to_have_value("0.4321")
    # a sign question's pick stays too
    _open(page, f"{live_server}/#step=6&pr=1")
    page.get_by_test_id("predict-input").select_option("negative")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("predict-input")).to_have_value("negative")


def test_the_network_file_carries_the_predictions_and_an_import_restores_them(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    numbers = _open(page, f"{live_server}/#pr=1")
    page.get_by_test_id("predict-input").fill(repr(_activation(numbers, 1, 0)))
    page.get_by_test_id("predict-submit").click()
    page.get_by_test_id("predict-reveal").click()
    page.get_by_test_id("predict-input").fill("123")
    page.get_by_test_id("predict-submit").click()
    assert _score(page) == (1, 2)
    with page.expect_download() as download:
        page.get_by_test_id("export-json").click()
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["predict"]["on"] is True
    assert saved["predict"]["score"]["answered"] == 2
    assert saved["predict"]["answers"]["2"] == {"given": 123, "verdict": "wrong"}
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(saved), encoding="utf-8")

    # another learner's page, not predicting: the file brings the mode, the score and the answers
    _open(page, f"{live_server}/")
    expect(page.get_by_test_id("predict-toggle")).not_to_be_checked()
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.get_by_test_id("predict-toggle")).to_be_checked()
    expect(page.get_by_test_id("predict-score")).to_have_attribute("data-answered", "2")
    assert _score(page) == (1, 2)
    expect(page.get_by_test_id("predict-feedback")).to_have_attribute("data-verdict", "correct")  # step 1's answer
    expect(page.get_by_test_id("predict-input")).to_be_disabled()

    # a file saved before predictions travelled loads the network and leaves predict mode as it is
    del saved["predict"]
    path.write_text(json.dumps(saved), encoding="utf-8")
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.get_by_test_id("toast")).to_be_visible()
    expect(page.get_by_test_id("predict-toggle")).to_be_checked()
    assert _score(page) == (1, 2)


def test_play_pressed_before_the_predict_panel_arrives_gives_its_question_the_keys(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1920, "height": 1080}) as page:
        held = hold_back(page, "**/js/player/predict.js")  # so Play is pressed before the panel is in
        page.goto(f"{live_server}/#pr=1")
        page.wait_for_selector("[data-testid=network-diagram][data-ready]")
        wait_until_asked(page, held, "the predict panel")
        play = page.get_by_test_id("play")
        play.click()
        expect(play).to_have_attribute("aria-pressed", "true")
        expect(play).to_be_focused()
        for route in held:
            route.continue_()
        expect(page.get_by_test_id("predict-waiting")).to_be_visible()
        expect(page.get_by_test_id("predict-input")).to_be_focused()
        assert step_index(page) == 0
