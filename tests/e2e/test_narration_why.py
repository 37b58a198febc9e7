"""The step player says why at its key steps, and its op graph says whose gradient it shows: the "why"
notes (δ takes f′(z); no weight moves before every gradient is known; sigmoid + BCE gives δ = (ŷ − y)/N
with the step's own numbers) and the totals under "Inside a neuron", in both languages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from app.api.presets import XOR_BATCH_NETWORK
from tests.e2e.conftest import checked_page, screenshot
from tests.e2e.test_playground import CLASSES, DEFAULT, api_trace, open_player, state_hash

SHOTS = Path("/tmp/shots/teach")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _first(trace: dict, kind: str) -> dict:
    return next(step for step in trace["steps"] if step["kind"] == kind)


def test_sigmoid_bce_output_step_explains_delta_with_its_numbers(browser, live_server: str) -> None:
    trace = api_trace(live_server, DEFAULT)
    step = _first(trace, "output_delta")
    loss = _first(trace, "loss")
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh")):
        with checked_page(browser, viewport={"width": 1600, "height": 1000}, locale=locale) as page:
            open_player(page, live_server, f"#step={step['index']}")
            notes = page.get_by_test_id("narration-why")
            expect(notes).to_have_count(2)  # why × f′(z), and the sigmoid + BCE shortcut
            shortcut = notes.nth(1).inner_text()
            assert step["formula"][-1]["result"] in shortcut  # δ as the formula line writes it
            prediction = loss["values"]["prediction"][0]
            assert f"({prediction:.4g}".replace("-", "−") in shortcut
            assert "f′(z)" in notes.nth(0).inner_text()
            assert bool(CJK.search(shortcut)) is (tag == "zh")
            _shot(page, f"player-why-bce-{tag}")


def test_the_update_says_why_it_waits_once(page: Page, live_server: str) -> None:
    trace = api_trace(live_server, DEFAULT)
    update = _first(trace, "update")
    open_player(page, live_server, f"#step={update['index']}")
    expect(page.get_by_test_id("narration-why")).to_have_count(1)
    expect(page.get_by_test_id("narration-why")).to_contain_text("before")
    later = [s for s in trace["steps"] if s["kind"] == "update"][-1]
    assert later["index"] != update["index"]
    open_player(page, live_server, f"#step={later['index']}")
    page.reload()
    page.wait_for_selector("[data-testid=network-diagram][data-ready]")
    expect(page.locator(".narration-step")).to_have_count(1)
    expect(page.get_by_test_id("narration-why")).to_have_count(0)  # told once, at the first update


def test_op_graph_lists_the_batch_totals_the_update_uses(browser, live_server: str) -> None:
    body = {**XOR_BATCH_NETWORK, "activation": [XOR_BATCH_NETWORK["activation"]], "seed": 0}
    trace = api_trace(live_server, body)
    grads = next(s for s in trace["steps"] if s["kind"] == "weight_grads" and s["layer"] == 2)
    last = trace["steps"][-1]["index"]
    fragment = state_hash(
        body, w=str(body["weights"]).replace(" ", ""), b=str(body["biases"]).replace(" ", ""), step=last, sel="2-0"
    )
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh")):
        with checked_page(browser, viewport={"width": 1600, "height": 1000}, locale=locale) as page:
            open_player(page, live_server, fragment)
            panel = page.get_by_test_id("op-graph-panel")
            expect(panel).to_contain_text("1")  # the sample the boxes are about is named in the title
            totals = page.get_by_test_id("op-graph-totals")
            expect(totals.locator("li")).to_have_count(2 + 1 + 2)  # w₁, w₂, b, then a₁, a₂ over every path
            text = totals.inner_text()
            for line in grads["formula"]:
                assert line["result"] in text, (line, text)  # Σₙ, the same numbers as the narration
            assert bool(CJK.search(text)) is (tag == "zh")
            _shot(page, f"player-opgraph-totals-{tag}")


def test_op_graph_totals_wait_for_their_step(page: Page, live_server: str) -> None:
    trace = api_trace(live_server, DEFAULT)
    delta = next(s for s in trace["steps"] if s["kind"] == "output_delta")
    open_player(page, live_server, f"#step={delta['index']}&sel=2-0")
    expect(page.get_by_test_id("op-graph-totals").locator("li")).to_have_count(0)
    grads = next(s for s in trace["steps"] if s["kind"] == "weight_grads" and s["layer"] == 2)
    open_player(page, live_server, f"#step={grads['index']}&sel=2-0")
    page.reload()
    page.wait_for_selector("[data-testid=network-diagram][data-ready]")
    expect(page.get_by_test_id("op-graph-totals").locator("li")).to_have_count(3 + 1)


def test_cross_entropy_output_step_names_the_logit(browser, live_server: str) -> None:
    trace = api_trace(live_server, CLASSES)
    step = _first(trace, "output_delta")
    for locale, words in (("en-US", "logit z"), ("zh-CN", "logit z")):
        with checked_page(browser, viewport={"width": 1600, "height": 1000}, locale=locale) as page:
            open_player(page, live_server, state_hash(CLASSES, step=step["index"]))
            sentence = page.get_by_test_id("narration-sentence").last.inner_text()
            assert words in sentence and "δ = ∂L/∂z" in sentence
            assert "∂L/∂ŷ" not in sentence and "f′(z) = 1" in sentence
            # one line on the logit, and no "why × f′(z)": there is no slope to multiply
            lhs = page.locator(".narration-step").last.locator(".f-lhs").all_text_contents()
            assert len(lhs) == 1 and lhs[0].startswith("δ")
            expect(page.get_by_test_id("narration-why")).to_have_count(0)
