"""The step player's Whole graph panel: every operation of the pass with the trace's numbers, lit as the
player steps, pan and zoom, selecting a neuron, a refusal for large networks, both languages, axe."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page
from tests.e2e.test_a11y import blocking_violations
from tests.e2e.test_playground import DEFAULT, open_player, state_hash, step_index

SHOTS = Path("/tmp/shots/graph")
GRAPH = "[data-testid=whole-graph]"


def trace_numbers(base: str, body: dict) -> dict:
    """The numbers of POST /api/v2/network/trace for a body, without the graph: what the boxes must show."""
    request = urllib.request.Request(
        f"{base}/api/v2/network/trace", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["numbers"]


class WholeGraphAxe(Axe):
    """axe-core run on the Whole graph panel only (the page's other panels have their own tests)."""

    def run(self, page, context=None, options=None):  # type: ignore[no-untyped-def]
        return super().run(page, context=".whole-graph", options=options or {"resultTypes": ["violations"]})


def open_graph(page: Page) -> None:
    page.get_by_test_id("whole-graph-toggle").click()
    page.wait_for_selector(f"{GRAPH} [data-node]")


def box_numbers(page: Page) -> dict[str, tuple[str, str]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=whole-graph] [data-node]')]
             .map((g) => [g.dataset.node, [g.querySelector('.wg-value').textContent,
                                           g.querySelector('.wg-grad').textContent]]))"""
    )


def number(text: str) -> float:
    return float(text.replace("∇", "").strip().replace("−", "-"))


def lit(page: Page) -> set[str]:
    return set(page.eval_on_selector_all(f"{GRAPH} [data-node].lit", "els => els.map(e => e.dataset.node)"))


def zoom(page: Page) -> tuple[float, float, float]:
    transform = page.get_by_test_id("whole-graph-viewport").get_attribute("transform") or ""
    x, y, k = map(float, re.findall(r"-?[\d.]+", transform))
    return x, y, k


def test_the_boxes_show_the_traces_numbers_once_reached(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    open_graph(page)
    expect(page.get_by_test_id("whole-graph-status")).to_contain_text("39")
    at_start = box_numbers(page)
    assert at_start["z1.0@0"] == ["?", "∇ ?"]  # nothing computed at the input step
    assert number(at_start["w1.0.0"][0]) != 0 and at_start["w1.0.0"][1] == "∇ ?"  # a weight is known
    page.keyboard.press("End")
    expect(page.locator(f"{GRAPH}[data-step='17']")).to_have_count(1)
    shown = box_numbers(page)
    n = trace_numbers(live_server, DEFAULT)
    expected = {
        "a0.1@0": (n["a"][0][0][1], n["grad_a"][0][0][1]),
        "w1.2.1": (n["W"][1][2][1], n["grad_W"][1][2][1]),
        "b1.1": (n["b"][1][1], n["grad_b"][1][1]),
        "p1.1.0@0": (n["W"][1][1][0] * n["a"][0][0][0], n["delta"][1][0][1]),
        "z1.2@0": (n["z"][1][0][2], n["delta"][1][0][2]),
        "a1.0@0": (n["a"][1][0][0], n["grad_a"][1][0][0]),
        "w2.0.1": (n["W"][2][0][1], n["grad_W"][2][0][1]),
        "z2.0@0": (n["z"][2][0][0], n["delta"][2][0][0]),
        "a2.0@0": (n["a"][2][0][0], n["grad_a"][2][0][0]),
        "L": (n["loss"], 1.0),
    }
    for node, (value, grad) in expected.items():
        text_value, text_grad = shown[node]
        assert number(text_value) == pytest.approx(value, rel=6e-4, abs=1e-9), node
        assert number(text_grad) == pytest.approx(grad, rel=6e-4, abs=1e-9), node


def test_the_lit_nodes_follow_the_step_and_the_keys_still_step(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=1")
    open_graph(page)
    first = lit(page)
    assert {"z1.0@0", "a1.0@0", "p1.0.1@0", "w1.0.1", "b1.0"} <= first and "z1.1@0" not in first
    page.get_by_test_id("whole-graph").click(position={"x": 5, "y": 5})  # focus the graph itself
    page.locator(".whole-graph-view").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{GRAPH}[data-step='2']")).to_have_count(1)
    assert step_index(page) == 2
    second = lit(page)
    assert "z1.1@0" in second and "z1.0@0" not in second
    page.keyboard.press("PageDown")
    expect(page.locator(f"{GRAPH}[data-step='3']")).to_have_count(1)
    page.keyboard.press("ArrowLeft")
    expect(page.locator(f"{GRAPH}[data-step='2']")).to_have_count(1)
    # a lit edge joins two lit boxes
    edges = page.eval_on_selector_all(
        f"{GRAPH} .wg-edge.lit", "els => els.map(e => [e.dataset.source, e.dataset.target])"
    )
    assert edges and all(source in second and target in second for source, target in edges)
    # the lit boxes are brought into view: their middle at the view's centre, some of them whole
    view = page.locator(".whole-graph-view").bounding_box()
    boxes = [page.locator(f"{GRAPH} [data-node='{node}']").bounding_box() for node in sorted(second)]
    assert view and all(boxes)
    middle = sum(b["x"] + b["width"] / 2 for b in boxes) / len(boxes)
    assert middle == pytest.approx(view["x"] + view["width"] / 2, abs=2)
    inside = [b for b in boxes if view["x"] <= b["x"] and b["x"] + b["width"] <= view["x"] + view["width"]]
    assert inside


def test_pan_and_zoom_change_the_view(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    open_graph(page)
    k0 = zoom(page)[2]
    page.get_by_test_id("whole-graph-zoom-in").click()
    assert zoom(page)[2] == pytest.approx(k0 * 1.25, rel=1e-3)
    page.get_by_test_id("whole-graph-zoom-out").click()
    page.get_by_test_id("whole-graph-zoom-out").click()
    assert zoom(page)[2] == pytest.approx(k0 / 1.25, rel=1e-3)
    page.locator(".whole-graph-view").focus()
    page.keyboard.press("+")
    assert zoom(page)[2] == pytest.approx(k0, rel=1e-3)
    page.keyboard.press("-")
    assert zoom(page)[2] == pytest.approx(k0 / 1.25, rel=1e-3)
    page.keyboard.press("0")  # the whole graph fits the view
    fitted = page.locator(f"{GRAPH} .wg-viewport").bounding_box()
    view = page.locator(".whole-graph-view").bounding_box()
    assert fitted and view and fitted["width"] <= view["width"] + 1 and fitted["height"] <= view["height"] + 1
    view = page.locator(".whole-graph-view").bounding_box()
    assert view
    before = zoom(page)
    page.mouse.move(view["x"] + 40, view["y"] + 40)
    page.mouse.wheel(0, -300)
    assert zoom(page)[2] > before[2]
    before = zoom(page)
    page.mouse.move(view["x"] + 200, view["y"] + 150)
    page.mouse.down()
    page.mouse.move(view["x"] + 140, view["y"] + 110, steps=5)
    page.mouse.up()
    x, y, k = zoom(page)
    assert (x - before[0], y - before[1]) == pytest.approx((-60, -40), abs=1) and k == before[2]
    assert step_index(page) == 0  # panning is not a click: nothing was selected or stepped


def test_clicking_a_node_selects_its_neuron(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=4")
    open_graph(page)
    page.get_by_test_id("whole-graph-fit").click()
    page.locator(f"{GRAPH} [data-node='z1.1@0'] rect").click()
    expect(page.locator("[data-testid=network-diagram] [data-node='1-1']")).to_have_class(re.compile("selected"))
    expect(page.locator(f"{GRAPH} [data-node='z1.1@0']")).to_have_class(re.compile("selected"))
    page.locator(f"{GRAPH} [data-node='w2.0.2'] rect").click()
    expect(page.locator("[data-testid=network-diagram] [data-node='2-0']")).to_have_class(re.compile("selected"))


def test_a_large_network_gets_the_servers_refusal(page: Page, live_server: str) -> None:
    big = {**DEFAULT, "layers": [2, 16, 16, 1], "activation": ["tanh", "tanh"]}
    open_player(page, live_server, state_hash(big))
    page.get_by_test_id("whole-graph-toggle").click()
    status = page.get_by_test_id("whole-graph-status")
    expect(status).to_contain_text("small networks")
    expect(status).to_contain_text("MAX_GRAPH_NODES")
    assert page.locator(f"{GRAPH} [data-node]").count() == 0
    page.console_errors.clear()  # type: ignore[attr-defined]  # the refused request is logged by the browser


def test_chinese_and_presenter_mode_keep_labels_legible(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale="zh-CN") as page:
        page.add_init_script("localStorage.setItem('lang', 'zh-CN')")
        open_player(page, live_server, "?present=1#step=8")
        open_graph(page)
        expect(page.get_by_test_id("whole-graph-toggle")).to_have_text("完整计算图")
        expect(page.get_by_test_id("whole-graph-status")).to_contain_text("个节点")
        page.wait_for_timeout(300)
        sizes = page.eval_on_selector_all(
            f"{GRAPH} [data-node].lit text", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert sizes and min(sizes) >= 20, sizes  # rendered glyph boxes of ≥ 20 px type
        page.locator(".whole-graph").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "presenter-zh.png"))


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)])
def test_axe_finds_no_serious_problems_with_the_graph_open(browser, live_server: str, size) -> None:  # type: ignore[no-untyped-def]
    width, height = size
    with checked_page(browser, viewport={"width": width, "height": height}, locale="en-US", bypass_csp=True) as page:
        open_player(page, live_server, "#step=9")
        open_graph(page)
        page.wait_for_timeout(200)
        assert not blocking_violations(WholeGraphAxe(), page)
        page.locator(".whole-graph").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"axe-{width}.png"))
