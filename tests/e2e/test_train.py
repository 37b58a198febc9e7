"""The training view in a real browser: training through the UI, pausing, the reader's own data, URL state,
"pause and explain", layouts, languages and themes."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

TRAIN = "[data-testid=train]"
READY = f"{TRAIN}[data-state=ready]"
COUNTER = "[data-testid=step-counter]"


def open_train(page, live_server: str, hash_: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/train{'#' + hash_ if hash_ else ''}")
    page.wait_for_selector(READY, timeout=30_000)


def steps_shown(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.get_attribute(COUNTER, "data-step") or 0)


def wait_for_steps(page, at_least: int, timeout: float = 30.0) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = steps_shown(page)
        if shown >= at_least:
            return shown
        page.wait_for_timeout(50)
    raise AssertionError(f"the step counter stayed below {at_least}")


def pause(page) -> None:  # type: ignore[no-untyped-def]
    page.click("[data-testid=play][aria-pressed=true]")
    page.wait_for_selector(READY, timeout=30_000)


def test_loads_with_datasets_network_and_heat_map(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    for name in ("xor", "circle", "gauss", "spiral", "spiral3", "moons", "digits", "iris", "custom"):
        assert page.is_visible(f"[data-testid=dataset-{name}]")
    assert not page.is_visible("[data-testid=dataset-sine]")  # regression sets wait behind the problem switch
    page.wait_for_selector("[data-testid=dataset-xor] svg .point")  # thumbnails drawn from server points
    assert int(page.get_attribute("[data-testid=heatmap-points]", "data-count")) == 300
    assert page.locator("[data-testid=network] .neuron").count() == 2 + 4 + 2 + 1
    assert page.text_content(COUNTER) == "0"
    assert page.get_attribute("[data-testid=colourbar]", "data-high") == "1"


def test_training_xor_through_the_ui_lowers_the_test_loss(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    page.click("[data-testid=dataset-xor]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-xor][aria-checked=true]")
    page.select_option("[data-testid=optimizer]", "adam")
    page.wait_for_selector(READY)
    before = float(page.get_attribute("[data-testid=test-loss]", "data-value"))
    page.click("[data-testid=play]")
    wait_for_steps(page, 400)
    pause(page)
    after = float(page.get_attribute("[data-testid=test-loss]", "data-value"))
    assert steps_shown(page) >= 400
    assert after < before * 0.8, (before, after)
    chart = page.locator("[data-testid=loss-chart]")
    assert int(chart.get_attribute("data-points")) > 10
    assert float(chart.get_attribute("data-test-loss")) == pytest.approx(after)
    assert float(chart.get_attribute("data-first-test-loss")) == pytest.approx(before)
    assert "data=xor" in page.url and "opt=adam" in page.url and f"steps={steps_shown(page)}" in page.url


def test_pause_stops_the_stream_and_resume_and_step_continue(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "speed=slow")
    page.click("[data-testid=play]")
    wait_for_steps(page, 30)
    pause(page)
    paused_at = steps_shown(page)
    page.wait_for_timeout(1200)
    assert steps_shown(page) == paused_at, "the counter kept going after pause"
    page.click("[data-testid=step]")
    page.wait_for_selector(f"{COUNTER}[data-step='{paused_at + 1}']")
    page.click("[data-testid=play]")
    wait_for_steps(page, paused_at + 40)
    pause(page)
    assert steps_shown(page) > paused_at + 1
    page.click("[data-testid=reset]")
    page.wait_for_selector(f"{COUNTER}[data-step='0']")


def test_points_added_by_clicking_are_trained_on(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "data=gauss&speed=fast")
    page.click("[data-testid=edit-mode]")
    page.click("[data-testid=clear-points]")
    page.wait_for_selector("[data-testid=dataset-custom][aria-checked=true]")
    assert page.get_attribute("[data-testid=heatmap-points]", "data-count") == "0"
    plane = page.locator("[data-testid=heatmap-points]")
    size = plane.bounding_box()["width"]
    clicks = [(0.2, 0.2, 0), (0.25, 0.3, 0), (0.3, 0.15, 0), (0.8, 0.8, 1), (0.7, 0.85, 1), (0.85, 0.7, 1)]
    for count, (fx, fy, label) in enumerate(clicks, start=1):
        page.click(f"[data-testid=class-{label}]")
        plane.click(position={"x": fx * size, "y": fy * size})
        page.wait_for_selector(f"[data-testid=heatmap-points][data-count='{count}']")
    page.wait_for_selector(READY)
    plane.click(position={"x": 0.31 * size, "y": 0.16 * size}, modifiers=["Shift"])  # removes the nearest
    page.wait_for_selector("[data-testid=heatmap-points][data-count='5']")
    page.wait_for_selector(READY)
    pts = json.loads(parse_qs(urlsplit(page.url).fragment)["pts"][0])
    assert len(pts) == 5 and {row[2] for row in pts} == {0, 1}
    before = float(page.get_attribute("[data-testid=train-loss]", "data-value"))
    page.click("[data-testid=play]")
    wait_for_steps(page, 200)
    pause(page)
    after = float(page.get_attribute("[data-testid=train-loss]", "data-value"))
    assert after < before
    assert page.text_content("[data-testid=accuracy]").startswith("100%")


def test_csv_with_a_bad_line_shows_its_number(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    page.click("[data-testid=own-data] summary")
    page.fill("[data-testid=csv-text]", "x1,x2,label\n0.5,0.25,1\n0.1,oops,0\n")
    page.click("[data-testid=csv-load]")
    error = page.wait_for_selector("[data-testid=csv-error]:not([hidden])")
    assert error.get_attribute("data-line") == "3"
    assert "Line 3" in page.text_content("[data-testid=csv-error-line]")
    assert "oops" in error.text_content()
    # The browser logs the expected 422 of the parse request; nothing else may be logged.
    page.console_errors[:] = [e for e in page.console_errors if "422" not in e]

    page.fill("[data-testid=csv-text]", "x1,x2,label\n-0.5,-0.5,0\n-0.6,-0.4,0\n0.5,0.5,1\n0.4,0.6,1\n")
    page.click("[data-testid=csv-load]")
    page.wait_for_selector("[data-testid=csv-status]:not([hidden])")
    assert page.is_hidden("[data-testid=csv-error]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-custom][aria-checked=true]")
    assert page.get_attribute("[data-testid=heatmap-points]", "data-count") == "4"


def test_url_round_trip_reproduces_setup_and_weights(page, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    hash_ = "data=moons&noise=0.1&seed=7&train=0.7&batch=5&lr=0.1&opt=momentum&reg=l2&rr=0.001&act=relu&hidden=[3,3]"
    open_train(page, live_server, hash_)
    assert page.get_attribute("[data-testid=dataset-moons]", "aria-checked") == "true"
    assert page.input_value("[data-testid=noise]") == "0.1"
    assert page.input_value("[data-testid=seed]") == "7"
    assert page.input_value("[data-testid=train-ratio]") == "0.7"
    assert page.input_value("[data-testid=batch-size]") == "5"
    assert page.input_value("[data-testid=learning-rate]") == "0.1"
    assert page.input_value("[data-testid=optimizer]") == "momentum"
    assert page.input_value("[data-testid=regularization]") == "l2"
    assert page.input_value("[data-testid=regularization-rate]") == "0.001"
    assert page.input_value("[data-testid=activation]") == "relu"
    assert page.locator("[data-testid=network] .neuron").count() == 2 + 3 + 3 + 1
    # change a few settings through the UI, train, pause and step: the URL follows
    page.click("[data-testid=neurons-plus-2]")
    page.wait_for_selector(READY)
    page.select_option("[data-testid=learning-rate]", "0.03")
    page.click("[data-testid=play]")
    wait_for_steps(page, 150)
    pause(page)
    page.select_option("[data-testid=learning-rate]", "0.01")
    page.wait_for_selector(READY)
    after_play = steps_shown(page)
    page.click("[data-testid=step]")
    page.wait_for_selector(f"{COUNTER}[data-step='{after_play + 1}']")
    page.wait_for_selector(READY)
    link = page.url
    state = parse_qs(urlsplit(link).fragment)
    assert json.loads(state["hidden"][0]) == [3, 4]
    assert state["lr"] == ["0.01"]
    steps, test_loss = steps_shown(page), page.get_attribute("[data-testid=test-loss]", "data-value")
    assert steps > 150

    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        second = other.new_page()
        second.goto(link)
        second.wait_for_selector(READY, timeout=60_000)
        assert steps_shown(second) == steps
        assert second.get_attribute("[data-testid=test-loss]", "data-value") == test_loss
        assert second.input_value("[data-testid=learning-rate]") == "0.01"
        assert second.locator("[data-testid=network] .neuron").count() == 2 + 3 + 4 + 1
    finally:
        other.close()


def test_pause_and_explain_opens_the_step_player_on_the_weights(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "data=xor&hidden=[4]&speed=fast")
    page.click("[data-testid=play]")
    wait_for_steps(page, 50)
    page.click("[data-testid=explain]")
    page.wait_for_url(f"{live_server}/#*", timeout=30_000)
    url = urlsplit(page.url)
    assert url.path == "/"
    # The player may drop values equal to its own defaults from the hash; everything else must be there.
    state = {key: values[0] for key, values in parse_qs(url.fragment).items()}
    assert json.loads(state["layers"]) == [2, 4, 1]
    weights, biases = json.loads(state["w"]), json.loads(state["b"])
    assert [len(w) for w in weights] == [4, 1] and len(weights[0][0]) == 2
    assert [len(b) for b in biases] == [4, 1]
    assert any(abs(v) > 0 for row in weights[0] for v in row)
    assert len(json.loads(state["x"])[0]) == 2 and json.loads(state.get("y", "[[1]]"))[0][0] in (0, 1)
    assert state.get("out", "sigmoid") == "sigmoid" and state.get("loss", "bce") == "bce"
    assert float(state["lr"]) == 0.03


def test_hovering_a_neuron_shows_its_heat_map(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "data=circle")
    output_caption = page.text_content("[data-testid=view-caption]")
    page.hover("[data-testid=neuron-1-2]")
    assert "neuron 3" in page.text_content("[data-testid=view-caption]")
    assert page.get_attribute("[data-testid=neuron-1-2]", "class").endswith("is-active")
    page.mouse.move(5, 5)
    assert page.text_content("[data-testid=view-caption]") == output_caption


def test_sine_shows_a_fitted_curve(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "data=sine&hidden=[6]&speed=max")
    assert page.is_visible("[data-testid=curve-plot]")
    assert page.is_hidden(".heat-canvas")
    assert int(page.get_attribute("[data-testid=curve-plot]", "data-samples")) > 50
    page.click("[data-testid=play]")
    wait_for_steps(page, 300)
    pause(page)
    assert float(page.get_attribute("[data-testid=test-loss]", "data-value")) < 0.5


def test_language_switch_retranslates_in_place(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    assert page.text_content("#data-heading") == "Data"
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.text_content("#data-heading") == "数据"
    assert page.text_content("[data-testid=layer-count]") == "2 个隐藏层"
    assert "步数" in page.text_content("[data-testid=loss-chart]")
    assert "隐藏层" in page.get_attribute("[data-testid=neuron-1-0]", "aria-label")
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=en]")
    assert page.text_content("[data-testid=layer-count]") == "2 hidden layers"


def test_phone_layout_has_no_horizontal_overflow(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    open_train(page, live_server, "data=xor&speed=max")
    page.click("[data-testid=play]")
    wait_for_steps(page, 300)
    pause(page)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    screenshot(page, "train-390x844-en")
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    screenshot(page, "train-390x844-zh")


def train_spiral(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "data=spiral&opt=adam&lr=0.01&hidden=[8,8]&speed=max")
    page.click("[data-testid=play]")
    wait_for_steps(page, 6000, timeout=60)
    pause(page)


def test_screenshots_after_training_on_spiral(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1920, "height": 1080})
    train_spiral(page, live_server)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    screenshot(page, "train-1920x1080-en-spiral")
    page.hover("[data-testid=neuron-2-1]")
    screenshot(page, "train-1920x1080-en-neuron")
    page.mouse.move(5, 5)

    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    screenshot(page, "train-1920x1080-zh-spiral")
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=en]")

    page.click("[data-testid=theme-toggle]")
    page.wait_for_selector("html[data-theme=dark]")
    screenshot(page, "train-1920x1080-dark")

    page.click("[data-testid=presenter-toggle]")
    page.wait_for_selector("html[data-presenter=on]")
    assert page.is_visible("[data-testid=datasets]") and page.is_hidden("[data-testid=own-data]")
    assert page.is_visible("[data-testid=loss-chart]") and page.is_visible(".heat-canvas")
    screenshot(page, "train-1920x1080-presenter-dark")
    page.click("[data-testid=theme-toggle]")
    page.wait_for_selector("html[data-theme=light]")
    screenshot(page, "train-1920x1080-presenter")


def test_reduced_motion_still_trains(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        open_train(page, live_server, "data=circle&speed=fast")
        page.click("[data-testid=play]")
        wait_for_steps(page, 200)
        pause(page)
        assert unquote(page.url).count("steps=") == 1
    finally:
        context.close()
    assert not errors
