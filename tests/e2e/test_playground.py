"""The step player at /: diagram, narration against the API's own trace, controls, editing, URL state,
languages, presenter mode, phone layout and exports. The `page` fixture fails a test on console errors."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page, hold_back, screenshot, wait_until_asked

DIAGRAM = "[data-testid=network-diagram]"
READY = f"{DIAGRAM}[data-ready]"

# The playground's default state, as the API names it (static/js/player/model.js DEFAULT_MODEL).
DEFAULT = {
    "layers": [2, 3, 1],
    "activation": ["tanh"],
    "output_activation": "sigmoid",
    "loss": "bce",
    "seed": 1,
    "init": "auto",
    "inputs": [[1, 0.5]],
    "targets": [[1]],
    "learning_rate": 0.5,
    "sample": 0,
}
CLASSES = {
    "layers": [3, 2, 2, 3],
    "activation": ["relu", "tanh"],
    "output_activation": "identity",
    "loss": "cross_entropy",
    "seed": 4,
    "init": "auto",
    "inputs": [[0.5, -1, 2]],
    "targets": [[0, 0, 1]],
    "learning_rate": 0.3,
    "sample": 0,
}


def api_trace(base: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1/network/trace",
        data=json.dumps({**body, "include_neuron_graphs": False}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def state_hash(body: dict, **view: object) -> str:
    """The URL fragment the playground reads for this network (see static/js/pages/playground.js)."""
    params = {
        "layers": json.dumps(body["layers"]),
        "act": json.dumps(body["activation"]),
        "out": body["output_activation"],
        "loss": body["loss"],
        "seed": body["seed"],
        "x": json.dumps(body["inputs"]),
        "y": json.dumps(body["targets"]),
        "lr": body["learning_rate"],
        **{k: v for k, v in view.items()},
    }
    return "#" + urlencode(params)


def open_player(page: Page, base: str, fragment: str = "") -> None:
    page.goto(f"{base}/{fragment}")
    page.wait_for_selector(READY)


def step_index(page: Page) -> int:
    return int(page.get_by_test_id("timeline").input_value())


def results_shown(page: Page) -> list[str]:
    return page.locator("[data-testid=narration] [data-testid=formula-result]").all_inner_texts()


def test_diagram_draws_every_neuron_and_edge(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    diagram = page.locator(DIAGRAM)
    expect(diagram.locator("[data-node]")).to_have_count(2 + 3 + 1 + 1)  # and the loss node L
    expect(diagram.locator("[data-node='L']")).to_have_count(1)
    expect(diagram.locator("[data-edge]")).to_have_count(2 * 3 + 3 * 1 + 1)
    for layer, size in enumerate(DEFAULT["layers"]):
        for index in range(size):
            node = diagram.locator(f"[data-node='{layer}-{index}']")
            expect(node).to_have_attribute("data-layer", str(layer))
            expect(node).to_have_attribute("data-index", str(index))
    expect(diagram.locator("[data-edge='0-1>1-2']")).to_have_count(1)
    trace = api_trace(live_server, DEFAULT)
    labels = diagram.locator(".node-symbol").all_text_contents()
    assert labels == [label for layer in trace["layers"] for label in layer["labels"]] + ["L"]
    screenshot(page, "playground-1280-start")


@pytest.mark.parametrize("body", [DEFAULT, CLASSES], ids=["bce", "cross_entropy"])
def test_narration_follows_the_api_trace_step_by_step(page: Page, live_server: str, body: dict) -> None:
    trace = api_trace(live_server, body)
    open_player(page, live_server, state_hash(body))
    narration = page.get_by_test_id("narration")
    phase = page.get_by_test_id("phase")
    phase_names = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass", "update": "Weight update"}
    for step in trace["steps"]:
        assert step_index(page) == step["index"]
        # waits: the narration's module arrives after the first diagram, so the first step's text may not be in yet
        expect(narration).to_contain_text(step["formula"][0]["lhs"])
        assert results_shown(page) == [line["result"] for line in step["formula"]]
        expect(phase).to_have_text(phase_names[step["phase"]])
        if step["kind"] == "neuron_forward":
            expect(narration).to_contain_text(step["formula"][0]["substituted"])
        if step["index"] < len(trace["steps"]) - 1:
            page.get_by_test_id("step-next").click()
    expect(page.get_by_test_id("step-next")).to_be_disabled()


def test_keyboard_steps_plays_and_resets(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert step_index(page) == 2
    page.keyboard.press("ArrowLeft")
    assert step_index(page) == 1
    page.keyboard.press("PageDown")
    assert step_index(page) == 2
    page.keyboard.press("PageUp")
    assert step_index(page) == 1
    page.keyboard.press("Space")
    expect(page.get_by_test_id("play")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("timeline")).not_to_have_value(re.compile(r"^[01]$"))
    page.keyboard.press("Space")
    expect(page.get_by_test_id("play")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Home")
    assert step_index(page) == 0
    page.keyboard.press("End")
    assert step_index(page) == 17


def test_play_animates_values_along_the_edges(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#speed=0.25")
    page.get_by_test_id("step-next").click()
    page.wait_for_selector("[data-testid=diagram-pulses]:not([data-pulses='0'])")
    assert page.locator(f"{DIAGRAM} [data-edge].active").count() == 2
    page.wait_for_selector(f"{DIAGRAM} [data-node='1-0']:not(.pending)")


def test_granularity_groups_steps_by_layer_and_phase(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.get_by_test_id("granularity").select_option("layer")
    page.get_by_test_id("step-next").click()  # from the input step to all three hidden neurons at once
    assert step_index(page) == 3
    expect(page.locator("[data-testid=narration] .narration-step")).to_have_count(3)
    page.get_by_test_id("granularity").select_option("phase")
    page.get_by_test_id("step-next").click()  # the rest of the forward pass
    page.get_by_test_id("step-next").click()  # the loss
    assert step_index(page) == 5
    expect(page.get_by_test_id("phase")).to_have_text("Loss")


def test_editing_a_layer_redraws_the_diagram(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.get_by_test_id("neurons-plus-1").click()
    expect(page.locator(f"{DIAGRAM} [data-node^='1-']")).to_have_count(4)
    expect(page.locator(f"{DIAGRAM} [data-edge]")).to_have_count(2 * 4 + 4 + 1)
    page.get_by_test_id("layer-add").click()
    expect(page.locator(f"{DIAGRAM} [data-node^='2-']")).to_have_count(3)
    page.get_by_test_id("activation-2").select_option("relu")
    expect(page.locator(f"{DIAGRAM} .layer-header.layer-hidden").nth(1)).to_contain_text("ReLU")
    expect(page).to_have_url(re.compile(r"layers="))  # the link carries the edited network (written after 150 ms)
    page.get_by_test_id("layer-remove-1").click()
    expect(page.locator(f"{DIAGRAM} [data-node^='1-']")).to_have_count(3)


def test_inputs_targets_and_loss_pickers_retrace(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.get_by_test_id("input-0-0").fill("-2")
    page.get_by_test_id("input-0-0").press("Enter")
    expect(page.locator(f"{DIAGRAM} [data-node='0-0'] .node-value")).to_have_text("−2")
    trace = api_trace(live_server, {**DEFAULT, "inputs": [[-2, 0.5]]})
    page.get_by_test_id("step-next").click()
    assert results_shown(page) == [line["result"] for line in trace["steps"][1]["formula"]]
    page.get_by_test_id("loss-select").select_option("cross_entropy")
    expect(page.locator(f"{DIAGRAM} [data-node^='2-']")).to_have_count(2)
    expect(page.get_by_test_id("output-activation")).to_be_disabled()
    expect(page.get_by_test_id("output-activation")).to_have_value("identity")
    expect(page.get_by_test_id("target-0")).to_be_visible()
    page.get_by_test_id("target-0").select_option("1")
    expect(page.locator(f"{DIAGRAM} .target-label").nth(1)).to_have_text("y₂ = 1")


def test_clicking_a_weight_edits_it(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=1")
    page.locator(f"{DIAGRAM} [data-hit='0-0>1-0']").click()
    editor = page.get_by_test_id("weight-editor")
    expect(editor).to_be_visible()
    page.get_by_test_id("weight-input").fill("2")
    page.get_by_test_id("weight-input").press("Enter")
    expect(editor).to_be_hidden()
    expect(page.get_by_test_id("narration")).to_contain_text("2 × 1")
    expect(page).to_have_url(re.compile(r"[#&]w="))


def test_selecting_a_neuron_shows_its_op_graph_and_tooltip(page: Page, live_server: str) -> None:
    trace = api_trace(live_server, DEFAULT)
    open_player(page, live_server, "#step=12")
    page.locator(f"{DIAGRAM} [data-node='1-1']").click()
    graph = page.get_by_test_id("op-graph")
    expect(graph.locator("[data-op]")).to_have_count(2 * 3 + 4)
    expect(page.get_by_test_id("op-graph-panel")).to_contain_text("a₂⁽¹⁾")
    tooltip = page.get_by_test_id("tooltip")
    expect(tooltip).to_be_visible()
    delta = next(s for s in trace["steps"] if s["kind"] == "hidden_delta" and s["neuron"] == 1)
    expect(tooltip).to_contain_text(delta["formula"][-1]["result"])
    page.locator(f"{DIAGRAM} [data-node='0-0']").focus()
    expect(tooltip).to_contain_text("x₁")
    expect(page.get_by_test_id("follow-steps")).to_be_visible()


@pytest.mark.parametrize("then_leave", [False, True], ids=["clicked", "hovered-then-left"])
def test_a_neuron_touched_before_the_tooltip_arrives_is_shown_when_it_does(
    page: Page, live_server: str, then_leave: bool
) -> None:
    """The panels' modules come after the first diagram: a click in between must not be lost, and a
    pointer that has already left must not bring up a tooltip."""
    trace = api_trace(live_server, DEFAULT)
    held = hold_back(page, "**/js/player/tooltip.js*")
    open_player(page, live_server, "#step=12")
    neuron = page.locator(f"{DIAGRAM} [data-node='1-1']")
    if then_leave:
        neuron.hover()
        page.get_by_test_id("timeline").hover()
    else:
        neuron.click()
    wait_until_asked(page, held, "the tooltip's module")
    expect(page.get_by_test_id("tooltip")).to_have_count(0)
    held[0].continue_()
    expect(page.get_by_test_id("op-graph-panel")).to_be_visible()
    tooltip = page.get_by_test_id("tooltip")
    if then_leave:
        expect(tooltip).to_be_hidden()
        return
    delta = next(s for s in trace["steps"] if s["kind"] == "hidden_delta" and s["neuron"] == 1)
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(delta["formula"][-1]["result"])
    expect(neuron).to_have_attribute("aria-describedby", re.compile("diagram-tooltip"))


def test_a_link_followed_while_the_page_is_about_to_write_its_own_keeps_its_view(page: Page, live_server: str) -> None:
    """The page writes its view into the address 150 ms after a change. A link followed in that moment (a
    pasted address, a click on #…) must win: the pending write once replaced the new fragment with the old
    view before the hashchange was handled, and the player went back to step 0."""
    open_player(page, live_server)
    page.get_by_test_id("step-next").click()  # a change: the page's write of "#step=1" is now pending
    # the fragment changes without its event yet, as when the pending write's timer runs first
    page.evaluate("history.replaceState(null, '', '#step=6&pr=1')")
    page.wait_for_timeout(400)  # the pending write's time is over
    page.evaluate("window.dispatchEvent(new HashChangeEvent('hashchange'))")
    expect(page.get_by_test_id("timeline")).to_have_value("6")
    expect(page.get_by_test_id("predict-toggle")).to_be_checked()
    expect(page).to_have_url(re.compile(r"#.*step=6"))


def test_url_round_trip_restores_the_view(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.get_by_test_id("neurons-plus-1").click()
    expect(page.locator(f"{DIAGRAM} [data-node^='1-']")).to_have_count(4)
    page.get_by_test_id("learning-rate").fill("0.25")
    page.get_by_test_id("learning-rate").press("Enter")
    expect(page).to_have_url(re.compile(r"lr=0.25"))
    page.evaluate("document.activeElement.blur()")
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    page.get_by_test_id("numbers-toggle").uncheck()
    expect(page).to_have_url(re.compile(r"step=9.*num=0"))
    before = page.get_by_test_id("narration").inner_text()
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector(READY)
    assert step_index(page) == 9
    expect(page.locator(f"{DIAGRAM} [data-node^='1-']")).to_have_count(4)
    expect(page.get_by_test_id("numbers-toggle")).not_to_be_checked()
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.25")
    assert page.get_by_test_id("narration").inner_text() == before


def test_crafted_url_values_are_rejected(page: Page, live_server: str) -> None:
    open_player(page, live_server, '#layers=[2,"<img src=x>",1]&loss=evil&step=-4&x=[[1e999]]&sel=<b>')
    expect(page.locator(f"{DIAGRAM} [data-node]")).to_have_count(7)
    assert step_index(page) == 0
    assert page.locator("img[src=x], b").count() == 0


def test_language_switch_keeps_the_step(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=7")
    sentence = page.get_by_test_id("narration-sentence").first
    english = sentence.inner_text()
    numbers = results_shown(page)
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(sentence).not_to_have_text(english)
    assert re.search(r"[\u4e00-\u9fff]", sentence.inner_text())
    assert step_index(page) == 7
    assert results_shown(page) == numbers
    expect(page.get_by_test_id("phase")).to_have_text("反向传播")
    expect(page.locator(f"{DIAGRAM} .layer-title").first).to_have_text("输入层")
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(sentence).to_have_text(english)


def test_presenter_mode_makes_the_narration_big(browser, live_server: str) -> None:
    with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale="en-US") as page:
        open_player(page, live_server, "#step=3")
        page.get_by_test_id("presenter-toggle").click()
        expect(page.locator("html")).to_have_attribute("data-presenter", "on")
        expect(page.get_by_test_id("editor")).to_be_hidden()
        size = page.get_by_test_id("narration-sentence").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 28
        page.wait_for_timeout(400)
        screenshot(page, "playground-1920-presenter")
        page.get_by_test_id("presenter-toggle").click()
        expect(page.locator("html")).to_have_attribute("data-presenter", "off")
        expect(page.get_by_test_id("editor")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_phone_layout_has_no_horizontal_scroll(browser, live_server: str, lang: str) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "locale": lang, "has_touch": True, "is_mobile": True}
    with checked_page(browser, **phone) as page:
        open_player(page, live_server, "#step=8")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        diagram = page.locator(DIAGRAM).bounding_box()
        narration = page.get_by_test_id("narration").bounding_box()
        assert diagram["y"] < narration["y"]
        assert diagram["x"] >= 0 and diagram["x"] + diagram["width"] <= 390
        for control in ("step-prev", "play", "step-next", "timeline"):
            box = page.get_by_test_id(control).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.get_by_test_id("step-next").tap()
        assert step_index(page) == 9
        page.wait_for_timeout(500)
        screenshot(page, f"playground-390-{lang}")
        page.get_by_test_id("editor").scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_exports_download_json_svg_png_and_scripts(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=5")
    with page.expect_download() as download:
        page.get_by_test_id("export-json").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    trace = api_trace(live_server, DEFAULT)
    assert data["format"] == "backprop-lab/network"
    assert data["network"]["layers"] == [2, 3, 1]
    assert data["network"]["weights"] == [p["weight"] for p in trace["params"]]
    with page.expect_download() as download:
        page.get_by_test_id("export-svg").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text and "data-edge" in text and "style=" not in text
    with page.expect_download() as download:
        page.get_by_test_id("export-png").click()
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as download:
        page.get_by_test_id("export-numpy").click()
    assert download.value.suggested_filename.endswith(".py")
    assert "import numpy as np" in Path(download.value.path()).read_text(encoding="utf-8")


def test_import_json_restores_a_network(page: Page, live_server: str, tmp_path) -> None:
    document = {
        "format": "backprop-lab/network",
        "version": 1,
        "network": {"layers": [1, 2, 1], "activation": ["relu"], "output_activation": "identity", "loss": "mse",
                    "weights": [[[1.5], [-0.5]], [[2.0, 1.0]]], "biases": [[0.0, 0.25], [0.1]]},
        "inputs": [[2.0]],
        "targets": [[3.0]],
        "learning_rate": 0.1,
    }  # fmt: skip
    path = tmp_path / "net.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    open_player(page, live_server)
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.locator(f"{DIAGRAM} [data-node]")).to_have_count(1 + 2 + 1 + 1)
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("narration")).to_contain_text("1.5 × 2")


def shown_loss(page: Page) -> float:
    """The loss the readout shows (L = 0.1234 …), as a number."""
    match = re.match(r"L = ([^\s(·]+)", page.get_by_test_id("loss-readout").inner_text())
    assert match, page.get_by_test_id("loss-readout").inner_text()
    return float(match.group(1).replace("−", "-"))


def test_the_loss_shows_once_its_step_is_reached_and_the_update_says_what_it_does(page: Page, live_server: str) -> None:
    trace = api_trace(live_server, DEFAULT)
    loss_at = next(step["index"] for step in trace["steps"] if step["kind"] == "loss")
    update_at = next(step["index"] for step in trace["steps"] if step["kind"] == "update")
    open_player(page, live_server)
    readout = page.get_by_test_id("loss-readout")
    for _ in range(loss_at):
        expect(readout).to_have_text("L = ?")
        page.keyboard.press("ArrowRight")
    expect(readout).to_have_text(re.compile(r"^L = [0-9.]+$"))
    assert shown_loss(page) == pytest.approx(trace["loss"], rel=1e-3)
    page.get_by_test_id("timeline").fill(str(update_at))
    weights = sum(len(p["weight"]) * len(p["weight"][0]) + len(p["bias"]) for p in trace["params"])
    expect(readout).to_contain_text(f"updated: {weights} weights and biases, η = {DEFAULT['learning_rate']}")
    expect(readout).to_have_attribute("title", re.compile(rf"moves each of these {weights} weights and biases"))
    page.keyboard.press("Home")
    expect(readout).to_have_text("L = ?")


def test_training_steps_lower_the_loss(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=99")
    before = shown_loss(page)
    page.get_by_test_id("train-step").click()
    expect(page.get_by_test_id("loss-readout")).to_contain_text("was")
    page.get_by_test_id("train-count").fill("20")
    page.get_by_test_id("train-many").click()
    expect(page.get_by_test_id("player-status")).to_contain_text(re.compile(r"taken: 20\b"))
    assert shown_loss(page) < before
    expect(page).to_have_url(re.compile(r"[#&]w="))


def test_api_errors_are_shown_with_the_server_detail(page: Page, live_server: str) -> None:
    open_player(page, live_server)

    def refuse(route):  # type: ignore[no-untyped-def]
        route.fulfill(
            status=422,
            content_type="application/json",
            body=json.dumps({"detail": "too wide for me", "code": "invalid"}),
        )

    page.route("**/api/v2/network/trace", refuse)
    page.get_by_test_id("neurons-plus-1").click()
    error = page.get_by_test_id("player-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("too wide for me")
    expect(error).to_contain_text("The server refused")
    page.console_errors.clear()  # type: ignore[attr-defined]  # the browser logs the refused request itself


def test_a_network_the_server_refuses_is_not_changed_but_explained(page: Page, live_server: str) -> None:
    """bce with a linear output: the page sends what the link asks for and shows why the server refuses it."""
    page.goto(f"{live_server}/{state_hash({**DEFAULT, 'output_activation': 'identity'})}")
    error = page.get_by_test_id("player-error")
    expect(error).to_contain_text("The server refused")
    expect(error).to_contain_text("set output_activation to 'sigmoid'")
    page.console_errors.clear()  # type: ignore[attr-defined]  # the browser logs the refused request itself
    output = page.get_by_test_id("output-activation")
    expect(output).to_have_value("identity")
    output.select_option("sigmoid")  # open to fix what was refused
    expect(page.locator(READY)).to_be_attached()
    expect(error).to_be_hidden()
    expect(output).to_be_disabled()  # bce with sigmoid: the loss decides it from now on


def test_a_link_with_more_features_than_the_server_allows_is_explained(page: Page, live_server: str) -> None:
    """The page keeps no copy of the feature cap: it sends the link's 17 features and shows the server's 422."""
    features = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", *(f"x1+{k}" for k in range(10))]
    body = {**DEFAULT, "layers": [len(features), 3, 1]}
    page.goto(f"{live_server}/{state_hash(body, feat=json.dumps(features))}")
    error = page.get_by_test_id("player-error")
    expect(error).to_contain_text("The server refused")
    expect(error).to_contain_text("at most 16 are allowed")
    page.console_errors.clear()  # type: ignore[attr-defined]  # the browser logs the refused request itself


def test_screenshots_of_forward_and_backward_in_both_themes(browser, live_server: str) -> None:
    for theme, lang, fragment, name in [
        ("light", "en-US", "#step=4", "playground-1920-light-en-forward"),
        ("light", "en-US", "#step=12&sel=1-0", "playground-1920-light-en-backward"),
        ("dark", "zh-CN", "#step=3", "playground-1920-dark-zh-forward"),
        ("dark", "zh-CN", "#step=13", "playground-1920-dark-zh-backward"),
    ]:
        look = {"viewport": {"width": 1920, "height": 1080}, "locale": lang, "color_scheme": theme}
        with checked_page(browser, **look) as page:
            open_player(page, live_server, fragment)
            page.wait_for_timeout(500)
            screenshot(page, name)


def test_a_large_network_renders(page: Page, live_server: str) -> None:
    body = {**DEFAULT, "layers": [16] * 8, "activation": ["tanh"] * 6, "output_activation": "identity", "loss": "mse"}
    body["inputs"] = [[0.1 * i for i in range(16)]]
    body["targets"] = [[0.5] * 16]
    open_player(page, live_server, state_hash(body, step=200))
    expect(page.locator(f"{DIAGRAM} [data-node]")).to_have_count(8 * 16 + 1)
    expect(page.locator(f"{DIAGRAM} [data-edge]")).to_have_count(7 * 16 * 16 + 16)
    assert step_index(page) == 200
    screenshot(page, "playground-1280-8x16")


def test_presets_load_example_networks(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    page.get_by_test_id("preset-select").select_option("five-input")
    expect(page.locator(f"{DIAGRAM} [data-node^='0-']")).to_have_count(5)
    expect(page.locator(f"{DIAGRAM} [data-node^='2-']")).to_have_count(2)


def test_reduced_motion_steps_without_pulses(browser, live_server: str) -> None:
    with checked_page(browser, viewport={"width": 1280, "height": 800}, reduced_motion="reduce") as page:
        open_player(page, live_server, "#speed=0.25")
        page.get_by_test_id("step-next").click()
        expect(page.locator(f"{DIAGRAM} [data-node='1-0']")).not_to_have_class(re.compile("pending"))
        assert page.locator("[data-testid=diagram-pulses]").count() == 0


def test_player_and_diagram_mount_as_components(page: Page, live_server: str) -> None:
    """The lessons embed the player without its editor, and the diagram on its own."""
    open_player(page, live_server)
    page.evaluate(
        """async () => {
            const host = document.createElement("div");
            host.id = "embedded";
            document.querySelector("main").append(host);
            const { mountStepPlayer } = await import("/static/js/player/player.js");
            const player = mountStepPlayer(host, {
                network: { layers: [3, 2, 1], activation: "relu", output_activation: "identity", loss: "mse", seed: 5 },
                inputs: [[1, 2, 3]], targets: [[0.5]], learningRate: 0.1, keyboard: false,
            });
            await player.ready;
            player.next();
            window.embeddedStep = player.getState().step;
            const { renderDiagram } = await import("/static/js/player/diagram.js");
            const trace = player.getTrace();
            const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
            svg.id = "standalone";
            svg.classList.add("diagram");
            document.querySelector("main").append(svg);
            renderDiagram(svg, trace, { interactive: false });
        }"""
    )
    embedded = page.locator("#embedded")
    expect(embedded.locator("[data-node]")).to_have_count(3 + 2 + 1 + 1)
    expect(embedded.get_by_test_id("editor")).to_have_count(0)
    assert page.evaluate("window.embeddedStep") == 1
    standalone = page.locator("#standalone")
    expect(standalone.locator("[data-node]")).to_have_count(7)
    expect(standalone.locator("[data-node].pending")).to_have_count(0)  # a diagram without a step shows every value
    page.keyboard.press("ArrowRight")  # the page's player still owns the keys
    assert page.get_by_test_id("playground").get_by_test_id("timeline").input_value() == "1"


TRAVEL = """async ([layers, step]) => {
  const src = document.querySelector("script[src*='/js/pages/playground.js']").src;
  const base = src.slice(0, src.indexOf("/js/pages/"));
  const { mountStepPlayer } = await import(`${base}/js/player/player.js`);
  const { applyState, serializeState } = await import(`${base}/js/player/store.js`);
  const make = (id) => {
    const host = document.createElement("div");
    host.id = id;
    document.body.append(host);
    return mountStepPlayer(host, { network: { layers: [2, 3, 1] }, keyboard: false, showOpGraph: false });
  };
  const teacher = make("teacher");
  const student = make("student");
  await Promise.all([teacher.ready, student.ready]);
  await teacher.load({ network: { layers, activation: "relu", output_activation: "identity", loss: "mse" },
                       inputs: [[0.5, -1]], targets: [[0.2]], step });
  const travelled = serializeState(teacher.store.getState());
  applyState(student.store, travelled);
  await new Promise((resolve) => {
    const done = () => student.store.getState().trace.steps && !student.store.getState().busy;
    if (done() && student.store.getState().spec.layers.length === layers.length) return resolve();
    const stop = student.store.subscribe((state) => {
      if (!state.busy && state.spec.layers.length === layers.length && state.trace.steps) { stop(); resolve(); }
    });
  });
  const read = (player) => ({
    step: player.getState().step,
    layers: player.getState().model.layers,
    circles: player.element.querySelectorAll("[data-node]").length,
  });
  return { travelled: JSON.parse(travelled), teacher: read(teacher), student: read(student) };
}"""


def test_a_travelled_state_shows_the_same_network_and_step_in_another_player(page: Page, live_server: str) -> None:
    """The live classroom's path: one player's serialized state applied to another player's store."""
    open_player(page, live_server)
    result = page.evaluate(TRAVEL, [[2, 4, 1], 9])
    assert result["travelled"]["format"] == "backprop-lab/player-state"
    assert result["travelled"]["spec"]["layers"] == [2, 4, 1]
    assert result["travelled"]["view"]["step"] == 9
    assert result["student"] == result["teacher"]
    assert result["student"]["layers"] == [2, 4, 1] and result["student"]["step"] == 9
    assert result["student"]["circles"] >= 2 + 4 + 1
