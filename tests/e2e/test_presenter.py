"""Presenter mode on a 1920×1080 projector: the step player fits the screen, every label and number of
the diagram and the op graph is large enough to read from the back row, the training view keeps what a
teacher shows (network, data sets, η, activation, optimizer), and the toggle shows whether it is on. Also
on 720- and 768-line projectors, and on a phone, whose small circles get smaller text."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page

SHOTS = Path("/tmp/shots/h11a")
PROJECTOR = {"width": 1920, "height": 1080}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
DIAGRAM = "[data-testid=network-diagram]"
MIN_TEXT_PX = 20 - 0.05  # 20 px, less what whole-pixel view boxes take off (a scale of 0.9998)

# The on-screen font size (computed size × the SVG's scale) of every visible, non-empty text element.
TEXT_SIZES = """(selector) => [...document.querySelectorAll(selector)]
  .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0
                 && getComputedStyle(t).visibility !== 'hidden')
  .map((t) => ({ cls: t.getAttribute('class'), text: t.textContent.trim(),
                 px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().d }))"""


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_presenting(page: Page, base: str, path: str = "/") -> None:
    page.goto(f"{base}{path}")
    page.get_by_test_id("presenter-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-presenter", "on")


def step_to(page: Page, index: int) -> None:
    """Press → until the player shows step `index`, each travel finished."""
    timeline = page.get_by_test_id("timeline")
    while int(timeline.input_value()) < index:
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(900)  # the last travel (700 ms) and the narration's follow-up frames
    # on a slow machine the travel may still be on its way: its dots are gone once it ends
    page.wait_for_function("() => document.querySelector('[data-testid=diagram-pulses]')?.dataset.pulses === '0'")


@pytest.mark.parametrize("lang", LOCALES)
def test_player_fits_the_projector_without_scrolling(browser, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport=PROJECTOR, locale=LOCALES[lang]) as page:
        open_presenting(page, live_server)
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        for index in (3, 8, 14):
            step_to(page, index)
            height = page.evaluate("[document.documentElement.scrollHeight, innerHeight]")
            assert height[0] <= height[1] + 1, f"the page scrolls at step {index}: {height}"
            for part in ("network-diagram", "narration", "step-next", "timeline"):
                box = page.get_by_test_id(part).first.bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"] + 1, part
        shot(page, f"presenter-playground-{lang}")


@pytest.mark.parametrize("lang", LOCALES)
def test_diagram_and_op_graph_text_reads_from_the_back_row(browser, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport=PROJECTOR, locale=LOCALES[lang]) as page:
        open_presenting(page, live_server)
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        seen: set[str] = set()
        for index in (1, 5, 8, 12, 16):  # forward, loss, backward, weight gradients, update
            step_to(page, index)
            for selector in (f"{DIAGRAM} text", "[data-testid=op-graph] text"):
                sizes = page.evaluate(TEXT_SIZES, selector)
                assert sizes, f"no text in {selector} at step {index}"
                small = [s for s in sizes if s["px"] < MIN_TEXT_PX]
                assert not small, f"step {index}: text under {MIN_TEXT_PX}px: {small}"
                seen.update(s["cls"] for s in sizes)
        # the measurement covered the labels that carry numbers, not just the headers
        assert {"node-value", "op-value", "op-grad", "layer-title"} <= seen, seen


def test_training_view_keeps_what_a_teacher_shows(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport=PROJECTOR) as page:
        page.goto(f"{live_server}/train")
        page.wait_for_selector("[data-testid=datasets] button")
        page.get_by_test_id("presenter-toggle").click()
        expect(page.locator("html")).to_have_attribute("data-presenter", "on")
        for shown in ("network", "datasets", "learning-rate", "activation", "optimizer", "plot", "play"):
            expect(page.get_by_test_id(shown)).to_be_visible()
        for hidden in ("editor", "own-data", "csv-text", "regularization", "seed"):
            expect(page.get_by_test_id(hidden)).to_be_hidden()
        shot(page, "presenter-train-en")


def test_training_network_neurons_keep_apart_and_below_their_headers(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """Neurons are buttons: presenter mode's larger buttons must not stretch them over their neighbours."""
    with checked_page(browser, viewport=PROJECTOR) as page:
        page.goto(f"{live_server}/train")
        page.wait_for_selector(".train .neuron")
        page.get_by_test_id("presenter-toggle").click()
        expect(page.locator("html")).to_have_attribute("data-presenter", "on")
        page.wait_for_timeout(300)  # the view lays itself out again for the new sizes
        boxes = page.locator(".train .neuron").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.bottom]; })"
        )
        header_bottom = page.locator(".train .net-column-header").evaluate_all(
            "els => Math.max(...els.map(e => e.getBoundingClientRect().bottom))"
        )
        assert len(boxes) >= 5
        for left, top, _ in boxes:
            assert top >= header_bottom, (top, header_bottom)
            below = [b for b in boxes if b[0] == left and b[1] > top]
            for _, other_top, _ in below:
                assert other_top >= min(b[2] for b in boxes if b[0] == left and b[1] == top), "neurons overlap"


@pytest.mark.parametrize("hidden_layers", [2, 4])
def test_training_network_resize_buttons_keep_apart_on_a_phone(browser, live_server, hidden_layers: int) -> None:  # type: ignore[no-untyped-def]
    """Each hidden column's − and +: on a phone in presenter mode (larger buttons) those of neighbouring
    columns ran into each other. Where there is no room beside each other they stand one above the other,
    the neurons still start below every header, and the Input and Output titles stay inside the view."""
    with checked_page(browser, viewport={"width": 390, "height": 844}) as page:
        page.goto(f"{live_server}/train?present=1")
        expect(page.locator("html")).to_have_attribute("data-presenter", "on")
        page.wait_for_selector(".train .neuron")
        for _ in range(hidden_layers - 2):
            page.get_by_test_id("layers-plus").click()
        expect(page.get_by_test_id(f"neurons-plus-{hidden_layers}")).to_be_visible()
        page.wait_for_timeout(200)  # the view lays itself out again
        box = "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
        buttons = page.locator(".train .net-resize button").evaluate_all(f"els => els.map({box})")
        assert len(buttons) == 2 * hidden_layers
        for a, b in itertools.combinations(buttons, 2):
            apart = a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5
            assert apart, f"resize buttons overlap: {a}, {b}"
        assert min(right - left for left, _, right, _ in buttons) >= 24, f"a button is too small to tap: {buttons}"
        headers = page.locator(".train .net-column-header").evaluate_all(f"els => els.map({box})")
        neurons = page.locator(".train .neuron").evaluate_all(f"els => els.map({box})")
        assert min(top for _, top, _, _ in neurons) >= max(bottom for _, _, _, bottom in headers), (
            "a header runs into a neuron"
        )
        view = page.get_by_test_id("network").bounding_box()
        titles = page.locator(".train .net-column-title").evaluate_all(f"els => els.map({box})")
        outside = [t for t in titles if t[0] < view["x"] - 0.5 or t[2] > view["x"] + view["width"] + 0.5]
        assert not outside, f"a column title runs off the network view: {outside}"


@pytest.mark.parametrize("lang", LOCALES)
def test_presenter_toggle_shows_whether_it_is_on(browser, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport=PROJECTOR, locale=LOCALES[lang]) as page:
        page.goto(f"{live_server}/lessons/backpropagation")
        toggle = page.get_by_test_id("presenter-toggle")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        look = "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, s.borderColor]; }"
        off = toggle.evaluate(look)
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        page.mouse.move(5, 1000)  # off the button: its look, not its hover
        on = toggle.evaluate(look)
        assert on[0] != off[0] and on[1] != off[1], f"the pressed toggle looks the same: {off} / {on}"
        page.locator("[data-testid=presenter-toggle]").screenshot(path=str(SHOTS / f"presenter-toggle-on-{lang}.png"))
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        assert toggle.evaluate(look) == off


@pytest.mark.parametrize("lang", LOCALES)
def test_backprop_lesson_player_fits_the_projector_with_readable_text(browser, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport=PROJECTOR, locale=LOCALES[lang]) as page:
        open_presenting(page, live_server, "/lessons/backpropagation")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        step_to(page, 8)
        player = page.get_by_test_id("lesson-player")
        player.scroll_into_view_if_needed()
        height = player.bounding_box()["height"]
        assert height <= PROJECTOR["height"], f"the lesson's player is {height}px tall"
        for selector in (f"{DIAGRAM} text", "[data-testid=op-graph] text"):
            small = [s for s in page.evaluate(TEXT_SIZES, selector) if s["px"] < MIN_TEXT_PX]
            assert not small, small
        page.evaluate("document.querySelector('[data-testid=lesson-player]').scrollIntoView()")
        shot(page, f"presenter-lesson-backprop-{lang}")


def test_delta_labels_keep_clear_of_the_next_circle(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport=PROJECTOR) as page:
        open_presenting(page, live_server)
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        step_to(page, 12)  # every hidden neuron's δ is shown
        overlaps = page.evaluate(
            """() => {
              const svg = document.querySelector('svg[data-testid=network-diagram]');
              const circles = [...svg.querySelectorAll('.node-circle')].map((c) => c.getBoundingClientRect());
              const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
              return [...svg.querySelectorAll('.delta-text')].filter((t) => t.textContent)
                .map((t) => t.getBoundingClientRect())
                .filter((box) => circles.some((c) => hit(box, c))).length;
            }"""
        )
        assert overlaps == 0


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_a_projector_of_fewer_lines_still_shows_the_diagrams_numbers(browser, live_server, size: tuple) -> None:  # type: ignore[no-untyped-def]
    """720 and 768 lines are common projectors: the diagram keeps the height that its neurons' values need
    (the legend is left out), every text on it still reads from the back row, the step's formula is shown
    to its result, and the page does not scroll."""
    viewport = {"width": size[0], "height": size[1]}
    with checked_page(browser, viewport=viewport) as page:
        open_presenting(page, live_server)
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        step_to(page, 5)
        sizes = page.evaluate(TEXT_SIZES, f"{DIAGRAM} text")
        values = [s for s in sizes if s["cls"] == "node-value"]
        assert len(values) >= 6, f"the neurons' values are not shown: {sizes}"
        small = [s for s in sizes if s["px"] < MIN_TEXT_PX]
        assert not small, f"text under {MIN_TEXT_PX}px: {small}"
        height = page.evaluate("[document.documentElement.scrollHeight, innerHeight]")
        assert height[0] <= height[1] + 1, f"the page scrolls: {height}"
        for part in ("network-diagram", "step-next", "timeline"):
            box = page.get_by_test_id(part).first.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= size[1] + 1, part
        # the loss step's result, inside the side column as it is scrolled (not cut off below it)
        result = page.get_by_test_id("narration").get_by_test_id("formula-result").last.bounding_box()
        column = page.locator(".player-side").bounding_box()
        assert result and column and result["y"] + result["height"] <= column["y"] + column["height"] + 1, (
            result,
            column,
        )
        assert result["y"] + result["height"] <= size[1], result
        shot(page, f"presenter-playground-{size[0]}x{size[1]}")


# Each neuron's symbol and value, as drawn: their boxes on screen, to see that the two lines keep apart.
NODE_LINES = """() => [...document.querySelectorAll('[data-testid=lesson-player] [data-testid=network-diagram] [data-node]')]
  .map((node) => [node.querySelector('.node-symbol'), node.querySelector('.node-value')])
  .filter(([symbol, value]) => symbol?.textContent.trim() && value?.textContent.trim())
  .map(([symbol, value]) => [symbol.getBoundingClientRect().bottom, value.getBoundingClientRect().top])"""


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_backprop_lesson_on_a_projector_of_fewer_lines(browser, live_server, size: tuple) -> None:  # type: ignore[no-untyped-def]
    """The lesson's player on 720 and 768 lines: the player fits the screen, a neuron's symbol and value do
    not run into each other, and the side column's panels keep their height and scroll instead of running
    over one another."""
    with checked_page(browser, viewport={"width": size[0], "height": size[1]}) as page:
        open_presenting(page, live_server, "/lessons/backpropagation")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        step_to(page, 5)
        player = page.get_by_test_id("lesson-player")
        player.scroll_into_view_if_needed()
        assert player.bounding_box()["height"] <= size[1], "the lesson's player is taller than the screen"
        lines = page.evaluate(NODE_LINES)
        assert len(lines) >= 6, lines
        assert all(symbol_bottom <= value_top + 4 for symbol_bottom, value_top in lines), lines
        small = [s for s in page.evaluate(TEXT_SIZES, f"{DIAGRAM} text") if s["px"] < MIN_TEXT_PX]
        assert not small, small
        panels = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid=lesson-player] .player-side > *')]
              .filter((panel) => panel.getBoundingClientRect().height > 0)
              .map((panel) => { const box = panel.getBoundingClientRect();
                                return [box.top, box.bottom, panel.scrollHeight, box.height]; })"""
        )
        for (_, bottom, _, _), (top, _, _, _) in itertools.pairwise(panels):
            assert top >= bottom - 1, f"side panels overlap: {panels}"
        for _, _, content, height in panels:
            assert content <= height + 1, f"a side panel is shorter than what it holds: {panels}"
        shot(page, f"presenter-lesson-backprop-{size[0]}x{size[1]}")


# Each neuron's circle, symbol and value, and each δ label, as drawn on screen.
NEURON_TEXT = """() => {
  const svg = document.querySelector('[data-testid=network-diagram]');
  const box = (element) => { const b = element.getBoundingClientRect();
                             return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; };
  const neurons = [...svg.querySelectorAll('[data-node]')].map((node) => ({
    id: node.dataset.node,
    circle: box(node.querySelector('.node-circle')),
    symbol: box(node.querySelector('.node-symbol')),
    value: node.querySelector('.node-value').textContent.trim() ? box(node.querySelector('.node-value')) : null,
  }));
  const deltas = [...svg.querySelectorAll('.delta-text')].filter((t) => t.textContent.trim()).map(box);
  return { neurons, deltas };
}"""


@pytest.mark.parametrize("lang", LOCALES)
def test_presenter_mode_on_a_phone_keeps_each_neurons_text_in_its_circle(browser, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    """A phone's circles are too small for the projector's 20 px: the diagram's text shrinks with them, so
    a value stays inside its neuron, under its symbol, and the δ labels keep clear of one another and of
    the circles."""
    with checked_page(browser, viewport={"width": 390, "height": 844}, locale=LOCALES[lang]) as page:
        open_presenting(page, live_server)
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        step_to(page, 12)
        drawn = page.evaluate(NEURON_TEXT)
        with_values = [n for n in drawn["neurons"] if n["value"]]
        assert len(with_values) >= 6, drawn
        for neuron in with_values:
            circle, symbol, value = neuron["circle"], neuron["symbol"], neuron["value"]
            diameter = circle["right"] - circle["left"]
            assert value["right"] - value["left"] <= diameter + 6, f"{neuron['id']}'s value runs out of its circle"
            assert symbol["bottom"] <= value["top"] + 4, f"{neuron['id']}'s symbol runs into its value"
        circles = [n["circle"] for n in drawn["neurons"]]
        deltas = drawn["deltas"]
        assert len(deltas) >= 3, drawn

        def hit(a: dict, b: dict) -> bool:
            return (
                a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
            )

        assert not [d for d in deltas if any(hit(d, c) for c in circles)], "a δ label runs into a circle"
        assert not [(a, b) for a, b in itertools.combinations(deltas, 2) if hit(a, b)], "δ labels overlap"
        shot(page, f"presenter-phone-{lang}")


# Every number on an edge and every target label, against the circles, the loss's square and the other
# labels (δ under the circles too). A text's box is its font's line box; its ink is a fifth shorter, so
# boxes are compared with a tenth of their height off the top and the bottom.
LABEL_CLASHES = """() => {
  const svg = document.querySelector("[data-testid=network-diagram]");
  const shown = (t) => t.textContent.trim() && t.getAttribute("visibility") !== "hidden" && t.getBoundingClientRect().width;
  const ink = (t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, left: r.left, right: r.right, top: r.top + r.height * 0.1, bottom: r.bottom - r.height * 0.1 };
  };
  const labels = [...svg.querySelectorAll(".edge-label, .target-label")].filter(shown).map(ink);
  const deltas = [...svg.querySelectorAll(".delta-text")].filter(shown).map(ink);
  const circles = [...svg.querySelectorAll(".node-circle")].map((c) => c.getBoundingClientRect());
  const square = svg.querySelector(".loss-box").getBoundingClientRect();
  const clashes = [];
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  labels.forEach((label, i) => {
    for (const c of circles) {
      const cx = (c.left + c.right) / 2, cy = (c.top + c.bottom) / 2;
      const nx = Math.max(label.left, Math.min(cx, label.right)), ny = Math.max(label.top, Math.min(cy, label.bottom));
      if (Math.hypot(nx - cx, ny - cy) < c.width / 2) clashes.push(`${label.text} on a circle`);
    }
    if (hit(label, square)) clashes.push(`${label.text} on the loss`);
    for (const other of [...labels.slice(i + 1), ...deltas]) if (hit(label, other)) clashes.push(`${label.text} on ${other.text}`);
  });
  return { clashes, labels: labels.length };
}"""


@pytest.mark.parametrize(
    ("viewport", "query"),
    [((1366, 768), "?present=1"), ((1024, 768), "?present=1"), ((390, 844), "?present=1"), ((1280, 800), "")],
)
def test_the_numbers_on_the_edges_keep_off_the_circles_and_the_other_labels(
    browser, live_server, viewport, query: str
) -> None:  # type: ignore[no-untyped-def]
    """A projector's 20 px numbers between columns close together: each edge's number moves along its edge
    (or off it, where two circles leave no room) until it covers no circle and no other label."""
    with checked_page(browser, viewport={"width": viewport[0], "height": viewport[1]}) as page:
        page.goto(f"{live_server}/{query}")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        steps = int(page.get_attribute(DIAGRAM, "data-ready") or 0)
        assert steps >= 18
        clashes, labelled = [], 0
        for index in range(steps):
            if index:
                step_to(page, index)
            found = page.evaluate(LABEL_CLASHES)
            labelled += found["labels"] > 1  # the target, and numbers on edges
            clashes += [f"step {index}: {clash}" for clash in found["clashes"]]
    assert labelled >= 10, "too few steps with numbers on their edges"
    assert not clashes, clashes


def test_a_large_networks_weight_labels_keep_the_back_rows_size(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """An 8 × 16 network's circles are too small for any text, but its columns leave room for the numbers on
    the lit edges and the targets: those keep 20 px on a projector."""
    sixteen = json.dumps([16] * 8)
    fragment = urlencode(
        {
            "layers": sixteen,
            "act": json.dumps(["tanh"] * 6),
            "out": "identity",
            "loss": "mse",
            "x": json.dumps([[0.1 * i - 0.8 for i in range(16)]]),
            "y": json.dumps([[0.5] * 16]),
            "step": 20,  # a neuron's forward step: the numbers its sixteen edges carry
        }
    )
    with checked_page(browser, viewport=PROJECTOR) as page:
        page.goto(f"{live_server}/?present=1#{fragment}")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        expect(page.locator(f"{DIAGRAM}.compact")).to_have_count(1)
        sizes = page.evaluate(TEXT_SIZES, f"{DIAGRAM} .edge-label, {DIAGRAM} .target-label")
        labels = [s for s in sizes if s["cls"].startswith("edge-label")]
        assert len(labels) == 16, sizes
        small = [s for s in sizes if s["px"] < MIN_TEXT_PX]
        assert not small, f"labels under {MIN_TEXT_PX}px: {small}"


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 900)], ids=lambda v: f"{v[0]}x{v[1]}")
def test_a_layers_warning_keeps_the_projected_diagrams_size(browser, live_server, size: tuple) -> None:  # type: ignore[no-untyped-def]
    """A pass whose hidden layer saturates (inputs ±10) is flagged in the layer's header; the legend does not
    spell it out on a projector, where a list that came and went between passes while training changed the
    diagram's height (68 px at 1920×1080). A learner's screen keeps the spelled-out warning."""

    def open_pass(page: Page, inputs: list, query: str) -> float:
        fragment = urlencode({"layers": json.dumps([2, 3, 1]), "x": json.dumps(inputs), "y": json.dumps([[1]])})
        page.goto("about:blank")  # a link differing only after # would be followed in place
        page.goto(f"{live_server}/{query}#{fragment}")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        expect(page.get_by_test_id("legend")).not_to_be_empty()
        return page.locator(DIAGRAM).bounding_box()["height"]

    with checked_page(browser, viewport={"width": size[0], "height": size[1]}) as page:
        calm = open_pass(page, [[0.1, 0.2]], "?present=1")
        expect(page.locator(f"{DIAGRAM} .layer-health").first).to_have_text("")
        flagged = open_pass(page, [[10, -10]], "?present=1")
        expect(page.locator(f"{DIAGRAM} .layer-header.layer-hidden .layer-health")).to_contain_text("saturated")
        assert flagged == pytest.approx(calm, abs=1), (calm, flagged)
        open_pass(page, [[10, -10]], "")
        expect(page.get_by_test_id("legend-health")).to_contain_text("Hidden 1")
        expect(page.get_by_test_id("legend-health")).to_be_visible()
