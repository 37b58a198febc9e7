"""The step player's pieces fit where they are read: on a phone the narration sits on screen with the
diagram and the Next button, the op graph's text is legible, the editor's targets stay in view on a wide
screen, long numbers in the weight and bias fields are rounded until focused, and neuron labels stay
inside their circles."""

from __future__ import annotations

import itertools
import json
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page, screenshot
from tests.e2e.test_playground import DEFAULT, DIAGRAM, api_trace, open_player, state_hash

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SHOTS = "player-fit"

# A network whose first activations are small, so their labels read like "−0.0467" (seven characters).
SMALL_VALUES = {
    "layers": [2, 3, 1],
    "activation": ["tanh"],
    "output_activation": "identity",
    "loss": "mse",
    "seed": 1,
    "init": "auto",
    "inputs": [[0.1, -0.05]],
    "targets": [[1]],
    "learning_rate": 0.5,
    "sample": 0,
}


def visible_height(page: Page, box: dict) -> float:
    """How many pixels of `box` (a bounding box in viewport coordinates) are inside the viewport."""
    viewport = page.viewport_size
    left, right = max(box["x"], 0), min(box["x"] + box["width"], viewport["width"])
    top, bottom = max(box["y"], 0), min(box["y"] + box["height"], viewport["height"])
    return bottom - top if right - left > 0 else 0


def test_phone_shows_the_narration_with_the_diagram_after_next(browser, live_server: str) -> None:
    for locale in ("en-US", "zh-CN"):
        with checked_page(browser, locale=locale, **PHONE) as page:
            open_player(page, live_server, "#step=8")
            page.get_by_test_id("step-next").tap()
            page.wait_for_timeout(400)
            diagram = page.locator(DIAGRAM).bounding_box()
            sentence = page.get_by_test_id("narration-sentence").first.bounding_box()
            nxt = page.get_by_test_id("step-next").bounding_box()
            assert visible_height(page, diagram) >= 220, diagram
            assert visible_height(page, sentence) >= 40, sentence
            assert visible_height(page, nxt) == nxt["height"], nxt
            screenshot(page, f"{SHOTS}-phone-next-{locale}")


def test_phone_op_graph_text_is_legible_and_no_node_is_cut_off(browser, live_server: str) -> None:
    with checked_page(browser, locale="en-US", **PHONE) as page:
        open_player(page, live_server, "#step=8")
        graph = page.get_by_test_id("op-graph")
        expect(graph.locator(".op-node")).not_to_have_count(0)
        graph.scroll_into_view_if_needed()
        sizes = graph.evaluate(
            """svg => [...svg.querySelectorAll('text')].map(t =>
                 parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
        )
        assert sizes and min(sizes) >= 12, sorted(sizes)[:5]
        # every node lies inside the part of the graph its scroll container can show
        reach = graph.evaluate(
            """svg => {
                 const box = svg.parentElement;
                 const area = box.getBoundingClientRect();
                 const left = area.left - box.scrollLeft;
                 const right = left + box.scrollWidth;
                 const scrolls = getComputedStyle(box).overflowX !== 'hidden' || box.scrollWidth <= box.clientWidth;
                 return [...svg.querySelectorAll('.op-node')].map(node => {
                   const r = node.getBoundingClientRect();
                   return {scrolls, inside: r.left >= left - 0.5 && r.right <= right + 0.5};
                 });
               }"""
        )
        assert all(node["scrolls"] and node["inside"] for node in reach), reach
        screenshot(page, f"{SHOTS}-phone-opgraph")


def test_wide_editor_grows_and_shows_every_target(browser, live_server: str) -> None:
    with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale="en-US") as page:
        open_player(page, live_server)
        page.get_by_test_id("preset-select").select_option("five-input")
        expect(page.locator(f"{DIAGRAM} [data-node^='2-']")).to_have_count(2)
        assert page.get_by_test_id("editor").bounding_box()["width"] > 320
        targets = page.locator("[data-testid^=target-0-]")
        expect(targets).to_have_count(2)
        for k in range(2):
            box = targets.nth(k).bounding_box()
            scroller = targets.nth(k).evaluate("e => e.closest('.table-scroll').getBoundingClientRect().toJSON()")
            assert box["x"] >= scroller["left"] - 0.5 and box["x"] + box["width"] <= scroller["right"] + 0.5
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1920
        screenshot(page, f"{SHOTS}-1920-five-input")


def test_weight_field_is_rounded_until_focused(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=1")
    trace = api_trace(live_server, DEFAULT)
    weight = trace["params"][0]["weight"][0][0]
    full = repr(weight)
    assert len(full) > 8, full  # a weight with many digits, as a fresh initialisation has
    page.locator(f"{DIAGRAM} [data-hit='0-0>1-0']").click()
    field = page.get_by_test_id("weight-input")
    expect(field).to_be_focused()
    assert float(field.input_value()) == weight
    page.get_by_test_id("weight-apply").focus()
    shown = field.input_value()
    assert len(shown.lstrip("-")) <= 7 and abs(float(shown) - weight) <= abs(weight) * 1e-3, shown
    assert full.lstrip("-").startswith(shown.lstrip("-")[:-1]), (shown, full)  # its last digit is rounded
    field.focus()
    assert float(field.input_value()) == weight
    field.fill("0.123456789")
    page.get_by_test_id("weight-apply").click()
    page.wait_for_function("() => decodeURIComponent(location.hash).includes('0.123456789')")
    expect(page.locator(DIAGRAM)).to_have_attribute("aria-busy", "false")  # the pass with the new weight is drawn
    page.locator(f"{DIAGRAM} [data-hit='0-0>1-0']").click()
    assert page.get_by_test_id("weight-input").input_value() == "0.123456789"


def test_bias_field_is_rounded_until_focused(page: Page, live_server: str) -> None:
    open_player(page, live_server, state_hash(SMALL_VALUES, sel="1-0"))
    field = page.get_by_test_id("bias-input")
    expect(field).to_be_visible()
    field.focus()
    field.fill("-0.0123456789")
    field.press("Enter")
    page.wait_for_function("() => decodeURIComponent(location.hash).includes('-0.0123456789')")
    expect(page.locator(DIAGRAM)).to_have_attribute("aria-busy", "false")  # the pass with the new bias is drawn
    field = page.get_by_test_id("bias-input")
    page.get_by_test_id("step-next").focus()
    assert field.input_value() == "-0.01235"
    field.focus()
    assert field.input_value() == "-0.0123456789"


def test_neuron_labels_stay_inside_their_circles(browser, live_server: str) -> None:
    # the hidden activations read like "−0.0467" with the diagram's three significant digits
    hidden = api_trace(live_server, SMALL_VALUES)["layers"][1]["a"][0]
    assert any(-0.1 < a < -0.01 for a in hidden), hidden
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 800}):
        with checked_page(browser, viewport=viewport, locale="en-US") as page:
            open_player(page, live_server, state_hash(SMALL_VALUES, step=6))
            spills = page.evaluate(
                """sel => [...document.querySelectorAll(sel + ' .node')].flatMap(g => {
                     const circle = g.querySelector('.node-circle, .loss-box');
                     if (!circle) return [];
                     const c = circle.getBBox();
                     return [...g.querySelectorAll('.node-value, .node-symbol')].filter(t => t.textContent).map(t => {
                       const b = t.getBBox();
                       return {text: t.textContent, left: b.x - c.x, right: c.x + c.width - b.x - b.width};
                     }).filter(r => r.left < -0.5 || r.right < -0.5);
                   })""",
                DIAGRAM,
            )
            assert not spills, spills
            screenshot(page, f"{SHOTS}-labels-{viewport['width']}")


def test_op_graph_scrolls_to_the_boxes_the_step_fills_in(page: Page, live_server: str) -> None:
    kinds = [step["kind"] for step in api_trace(live_server, DEFAULT)["steps"]]
    open_player(page, live_server)
    scroller = page.locator(".opgraph-scroll")
    for kind, op in (("hidden_delta", "a"), ("weight_grads", "w0"), ("neuron_forward", "a")):
        page.get_by_test_id("timeline").fill(str(kinds.index(kind)))
        box = page.locator(f"[data-testid=op-graph] [data-op='{op}']").bounding_box()
        area = scroller.bounding_box()
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), "the graph fits: nothing to scroll"
        assert box["x"] >= area["x"] - 0.5 and box["x"] + box["width"] <= area["x"] + area["width"] + 0.5, (
            kind,
            box,
            area,
        )


# Eight layers of four: the header row of ten columns (eight layers, the loss) is what crowds a phone.
EIGHT_LAYERS = "#" + urlencode(
    {
        "layers": json.dumps([2, 4, 4, 4, 4, 4, 4, 1]),
        "act": json.dumps(["tanh"] * 6),
        "out": "identity",
        "loss": "mse",
        "seed": 1,
        "x": json.dumps([[0.5, -0.5]]),
        "y": json.dumps([[0.5]]),
        "lr": 0.1,
    }
)
HEADER_LINES = {"title": ".layer-title", "sub": ".layer-sub"}


def header_row(page: Page, selector: str) -> list[dict]:
    """The text and horizontal extent, as drawn, of one line of the diagram's layer headers, left to right."""
    return page.eval_on_selector_all(
        f"{DIAGRAM} {selector}",
        """(texts) => texts
          .map((t) => ({ text: t.textContent, left: t.getBoundingClientRect().left, right: t.getBoundingClientRect().right }))
          .filter((t) => t.text)
          .sort((a, b) => a.left - b.left)""",
    )


def test_layer_headers_take_short_words_where_many_layers_share_a_phone(browser, live_server: str) -> None:
    for locale in ("en-US", "zh-CN"):
        with checked_page(browser, locale=locale, **PHONE) as page:
            open_player(page, live_server, EIGHT_LAYERS)
            diagram = page.locator(DIAGRAM).bounding_box()
            for line, selector in HEADER_LINES.items():
                row = header_row(page, selector)
                assert len(row) == 9, (line, row)  # eight layers and the loss
                for before, after in itertools.pairwise(row):
                    assert before["right"] <= after["left"], f"{locale} {line}: {before} overlaps {after}"
                assert row[0]["left"] >= diagram["x"] and row[-1]["right"] <= diagram["x"] + diagram["width"], row
            titles = [entry["text"] for entry in header_row(page, ".layer-title")]
            assert titles[1] in ("H1", "隐1"), titles
            screenshot(page, f"{SHOTS}/eight-layers-{locale}")
        with checked_page(browser, locale=locale, viewport={"width": 1920, "height": 1080}) as page:
            open_player(page, live_server, EIGHT_LAYERS)
            titles = [entry["text"] for entry in header_row(page, ".layer-title")]
            assert titles[1] in ("Hidden 1", "隐藏层 1"), titles  # room for the full words
            # narrowed to a phone's width, the same page rewrites its headers to fit
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_function(
                f"""() => document.querySelector("{DIAGRAM} .layer-header.layer-hidden .layer-title")
                  .textContent.length <= 3""",
                timeout=10_000,
            )
