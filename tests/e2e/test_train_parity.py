"""The training view's Playground parity in a real browser: input features, the problem-type switch with
"discretize output", and real data (digits) with first-layer weight images and a confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_a11y import axe, axe_page, blocking_violations  # noqa: F401  (fixtures)
from tests.e2e.test_train import READY, open_train, pause, wait_for_steps

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots/parity")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def train_bodies(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every body the page posts to the training endpoints from now on."""
    bodies: list[dict] = []

    def record(request) -> None:  # type: ignore[no-untyped-def]
        if request.method == "POST" and "/network/train" in request.url:
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    return bodies


def painted_colours(page, selector: str) -> int:  # type: ignore[no-untyped-def]
    """How many different colours a canvas holds (a blank or uniform one has 1)."""
    return page.eval_on_selector(
        selector,
        """canvas => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            const seen = new Set();
            for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
            return seen.size;
        }""",
    )


def test_features_picker_feeds_the_network_and_paints_feature_neurons(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    bodies = train_bodies(page)
    assert page.locator("[data-testid=network] .neuron").count() == 2 + 4 + 2 + 1
    page.check("[data-testid=feature-x1sq]")
    page.check("[data-testid=feature-sinx2]")
    page.wait_for_selector(READY)
    page.wait_for_selector("[data-testid=neuron-0-3]")
    labels = page.locator("[data-testid=network] .neuron[data-neuron^='0-'] .neuron-label").all_text_contents()
    assert labels == ["x₁", "x₂", "x₁²", "sin x₂"]
    assert bodies[-1]["features"] == ["x1", "x2", "x1^2", "sin(x2)"]
    assert bodies[-1]["layers"][0] == 4
    assert "feat=" in page.url
    # the x₁² neuron shows its own heat map: a bowl along x₁, many colours, not a blank square
    page.wait_for_function("document.querySelector('[data-testid=neuron-0-2] canvas').dataset.empty === '0'")
    assert painted_colours(page, "[data-testid=neuron-0-2] canvas") > 5
    # the last feature left cannot be turned off
    for name in ("x1", "x2", "x1sq"):
        page.uncheck(f"[data-testid=feature-{name}]")
        page.wait_for_selector(READY)
    assert page.is_disabled("[data-testid=feature-sinx2]")
    assert bodies[-1]["features"] == ["sin(x2)"] and bodies[-1]["layers"][0] == 1
    # back to x₁, x₂: the request is a plain one again
    page.check("[data-testid=feature-x1]")
    page.wait_for_selector(READY)
    page.check("[data-testid=feature-x2]")
    page.wait_for_selector(READY)
    page.uncheck("[data-testid=feature-sinx2]")
    page.wait_for_selector(READY)
    assert "features" not in bodies[-1] and bodies[-1]["layers"][0] == 2
    shot(page, "e2e-features")


def test_regression_switch_and_discretized_output(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    for name in ("circle", "xor", "spiral", "digits", "iris"):
        assert page.is_visible(f"[data-testid=dataset-{name}]")
    assert not page.is_visible("[data-testid=dataset-plane]")
    page.click("[data-testid=problem-regression]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-plane][aria-checked=true]")
    for name in ("sine", "plane", "multigauss", "custom"):
        assert page.is_visible(f"[data-testid=dataset-{name}]")
    assert not page.is_visible("[data-testid=dataset-circle]")
    page.click("[data-testid=dataset-multigauss]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-multigauss][aria-checked=true]")
    assert page.get_attribute("[data-testid=problem-regression]", "aria-checked") == "true"

    # discretized, the map under the pointer reads −1, 0 or 1: the sign of the network's output
    box = page.locator("[data-testid=plot] canvas").first.bounding_box()
    assert box is not None
    point = (box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.move(*point)
    plain = page.text_content("[data-testid=readout]") or ""
    page.check("[data-testid=discretize]")
    page.mouse.move(point[0] + 1, point[1])
    rounded = page.text_content("[data-testid=readout]") or ""
    value = rounded.rsplit("→", 1)[-1].strip()
    assert value in {"1", "−1", "0"}, rounded
    assert plain.rsplit("→", 1)[-1].strip() not in {"1", "−1", "0"}, plain
    assert "disc=" in page.url
    shot(page, "e2e-regression-discretized")

    page.click("[data-testid=problem-classification]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-circle][aria-checked=true]")


def test_digits_run_shows_weight_images_confusion_matrix_and_accuracy(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    page.click("[data-testid=dataset-digits]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-digits][aria-checked=true]")
    assert page.is_visible("[data-testid=real-data]")
    assert not page.is_visible("[data-testid=plot] canvas")
    # 64 pixels as one input box, 8 hidden neurons each showing its weights as an 8×8 image, 10 outputs
    assert page.locator("[data-testid=network] .neuron").count() == 1 + 8 + 10
    page.select_option("[data-testid=optimizer]", "adam")
    page.wait_for_selector(READY)
    page.click("[data-testid=play]")
    wait_for_steps(page, 600, timeout=60)
    pause(page)

    images = page.locator("[data-testid=weight-images] canvas")
    assert images.count() == 8
    assert page.eval_on_selector("[data-testid=weight-image-0]", "c => [c.width, c.height]") == [8, 8]
    assert painted_colours(page, "[data-testid=weight-image-0]") > 10  # trained weights, not a flat square
    assert painted_colours(page, "[data-testid=neuron-1-0] canvas") > 10
    cells = page.eval_on_selector_all(
        "[data-testid=confusion] tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => +td.textContent))",
    )
    assert len(cells) == 10 and all(len(row) == 10 for row in cells)
    total = sum(map(sum, cells))
    right = sum(cells[i][i] for i in range(10))
    assert total == 898  # half of the 1,797 digits held out (the training-data slider's 50%)
    text = page.text_content("[data-testid=held-out-accuracy]") or ""
    assert f"({right} of {total})" in text
    assert right / total > 0.8, text
    shot(page, "e2e-digits")


def test_parity_controls_in_chinese(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server)
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.text_content("[data-testid=problem] .problem-label") == "问题类型"
    assert page.text_content("[data-testid=problem-regression]").strip() == "回归"
    assert page.text_content("[data-testid=features] legend") == "输入特征"
    assert "输出离散化" in (page.text_content("label:has([data-testid=discretize])") or "")
    page.click("[data-testid=dataset-digits]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-digits][aria-checked=true]")
    assert page.text_content("[data-testid=dataset-digits] .dataset-name") == "手写数字 8×8"
    assert "只适用于二维数据" in (page.text_content("[data-testid=features-note]") or "")
    assert page.is_visible("text=第一层权重图像") and page.is_visible("text=混淆矩阵")
    assert "留出样本上的准确率" in (page.text_content("[data-testid=held-out-accuracy]") or "")
    shot(page, "e2e-digits-zh")


def test_explaining_a_digit_shows_its_inputs_as_an_image_in_the_player(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "data=digits&hidden=[8]&opt=adam&steps=200")
    page.click("[data-testid=explain]")
    page.wait_for_selector("[data-testid=input-image-panel]:not([hidden])", timeout=30_000)
    pixels = json.loads(page.evaluate("new URLSearchParams(location.hash.slice(1)).get('x')"))[0]
    assert len(pixels) == 64
    assert page.eval_on_selector("[data-testid=input-image]", "c => [c.width, c.height]") == [8, 8]
    assert painted_colours(page, "[data-testid=input-image]") == len({round(v, 6) for v in pixels})
    box = page.locator("[data-testid=input-image]").bounding_box()
    assert box is not None
    # the pixel in row 2, column 4 is input x₂₀ (row by row from the top left)
    page.mouse.move(box["x"] + box["width"] * 3.5 / 8, box["y"] + box["height"] * 2.5 / 8)
    readout = page.text_content(".input-image-readout") or ""
    assert readout.startswith("x₂₀ = "), readout
    shot(page, "e2e-player-digit")
    # a 2-input network has no image
    page.goto(f"{live_server}/")
    page.wait_for_timeout(1500)
    assert not page.is_visible("[data-testid=input-image-panel]")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_on_the_digits_view(axe, axe_page, live_server, theme: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    axe_page.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    axe_page.goto(f'{live_server}/train#data=digits&hidden=[8]&feat=["x1","x1^2"]')
    axe_page.wait_for_selector(f"{READY} [data-testid=confusion]", timeout=30_000)
    assert not blocking_violations(axe, axe_page)


def test_explaining_a_network_fed_features_narrates_them_in_the_player(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, 'data=xor&hidden=[3]&feat=["x1","x2","x1^2","sin(x2)"]')
    traces: list[dict] = []
    page.on(
        "request",
        lambda request: (
            traces.append(json.loads(request.post_data or "{}"))
            if request.method == "POST" and "/api/v2/network/trace" in request.url
            else None
        ),
    )
    page.click("[data-testid=explain]")
    page.wait_for_url(f"{live_server}/#*", timeout=30_000)
    page.wait_for_selector("[data-testid=network-diagram][data-ready]", timeout=30_000)
    assert json.loads(page.evaluate("new URLSearchParams(location.hash.slice(1)).get('feat')")) == [
        "x1",
        "x2",
        "x1^2",
        "sin(x2)",
    ]
    # the player opens on the input step, where the features are narrated
    sentence = page.get_by_test_id("narration-sentence").last.inner_text()
    assert "4 input features: x₁, x₂, x₁², sin x₂" in sentence, sentence
    point = json.loads(page.evaluate("new URLSearchParams(location.hash.slice(1)).get('x')"))[0]
    assert len(point) == 2 and f"({point[0]:.4g}".replace("-", "−") in sentence
    formulas = page.locator(".formula-line .f-lhs").all_text_contents()
    assert formulas[:4] == ["x₁", "x₂", "x₁²", "sin x₂"]
    assert traces and traces[-1]["features"] == ["x1", "x2", "x1^2", "sin(x2)"] and traces[-1]["layers"][0] == 4
    shot(page, "e2e-player-features")
    # training in the player trains the same network: on the features of the points
    bodies = train_bodies(page)
    page.get_by_test_id("train-count").fill("3")
    with page.expect_response(lambda r: "/network/train" in r.url, timeout=30_000) as trained:
        page.get_by_test_id("train-many").click()
    assert trained.value.status == 200, trained.value.text()[:300]
    assert bodies and bodies[-1]["features"] == ["x1", "x2", "x1^2", "sin(x2)"]
    assert bodies[-1]["dataset"]["points"] == [point]
