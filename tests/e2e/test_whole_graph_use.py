"""Using the Whole graph panel: its boxes by keyboard (one tab stop, [ ] Enter, announced), the panel's
being open kept in the link, the expanded graph across the page, pinch zoom and a wheel that scrolls the
page unless asked to zoom; screenshots at 1920×1080, expanded, presenter, phone and in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import checked_page
from tests.e2e.test_a11y import blocking_violations
from tests.e2e.test_playground import open_player, step_index
from tests.e2e.test_whole_graph import GRAPH, WholeGraphAxe, open_graph, zoom

SHOTS = Path("/tmp/shots/graph2")
FOCUSED_NODE = "() => document.activeElement?.closest?.('[data-node]')?.dataset.node ?? null"


def focused_label(page: Page) -> str:
    return page.evaluate("() => document.activeElement.getAttribute('aria-label') || ''")


def test_the_boxes_are_one_tab_stop_moved_with_brackets_and_selected_with_enter(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=4")
    open_graph(page)
    page.get_by_test_id("whole-graph-expand").focus()
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED_NODE)
    assert first in {
        n for n in page.eval_on_selector_all(f"{GRAPH} [data-node].lit", "e => e.map(g => g.dataset.node)")
    }
    assert page.locator(f"{GRAPH} [data-node][tabindex='0']").count() == 1  # a roving tab stop, not 39
    label = focused_label(page)
    assert re.search(r"value -?[\d.−]+|value not computed yet", label) and "gradient" in label, label
    page.keyboard.press("]")
    second = page.evaluate(FOCUSED_NODE)
    assert second and second != first
    page.keyboard.press("[")
    assert page.evaluate(FOCUSED_NODE) == first
    # a box of neuron 1-1 of sample 1, reached with ] from the first box
    page.evaluate("() => document.querySelector('[data-testid=whole-graph] [data-node]').focus()")
    for _ in range(60):
        if page.evaluate(FOCUSED_NODE) == "z1.1@0":
            break
        page.keyboard.press("]")
    assert page.evaluate(FOCUSED_NODE) == "z1.1@0"
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=network-diagram] [data-node='1-1']")).to_have_class(re.compile("selected"))
    # the player's keys still step while a box has the focus, and the box stays focused
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{GRAPH}[data-step='5']")).to_have_count(1)
    page.keyboard.press("PageUp")
    page.keyboard.press("PageUp")
    expect(page.locator(f"{GRAPH}[data-step='3']")).to_have_count(1)
    assert step_index(page) == 3 and page.evaluate(FOCUSED_NODE) == "z1.1@0"
    # Tab leaves the graph in one press
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NODE) is None


def test_a_new_pass_keeps_the_focus_in_the_graph(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=3")
    open_graph(page)
    page.locator(f"{GRAPH} [data-node][tabindex='0']").focus()
    old = page.locator(f"{GRAPH} [data-node='w1.0.0'] .wg-value").text_content()
    page.evaluate(
        """async () => {
          const src = document.querySelector("script[src*='/js/pages/playground.js']").src;
          const { currentPlayer } = await import(`${src.slice(0, src.indexOf("/js/pages/"))}/js/classroom/bridge.js`);
          await currentPlayer().player.trainStep();
        }"""
    )
    expect(page.locator(f"{GRAPH} [data-node='w1.0.0'] .wg-value")).not_to_have_text(old or "")
    page.wait_for_function(FOCUSED_NODE)  # the new pass's box, where the old one was redrawn


def test_the_panel_being_open_is_kept_in_the_link(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=2")
    open_graph(page)
    page.wait_for_function("() => location.hash.includes('wg=1')")
    page.reload()
    page.wait_for_selector(f"{GRAPH} [data-node]")
    expect(page.get_by_test_id("whole-graph-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"{GRAPH}[data-step='2']")).to_have_count(1)
    page.get_by_test_id("whole-graph-toggle").click()
    page.wait_for_function("() => !location.hash.includes('wg=1')")
    page.reload()
    page.wait_for_selector("[data-testid=whole-graph-toggle]")
    expect(page.get_by_test_id("whole-graph-toggle")).to_have_attribute("aria-expanded", "false")
    # an older link, without wg, opens the playground as before: the panel closed
    open_player(page, live_server, "#step=3")
    expect(page.get_by_test_id("whole-graph-toggle")).to_have_attribute("aria-expanded", "false")


BRIDGE = """async (change) => {
  const src = document.querySelector("script[src*='/js/pages/playground.js']").src;
  const { currentPlayer } = await import(`${src.slice(0, src.indexOf("/js/pages/"))}/js/classroom/bridge.js`);
  const state = JSON.parse(currentPlayer().encode());
  if (change !== null) {
    state.view.wholeGraph = change;
    await currentPlayer().apply(JSON.stringify(state));
  }
  return state.view;
}"""


def test_a_live_class_carries_the_panel_being_open(page: Page, live_server: str) -> None:
    """The classroom's path: the state the page's player sends (bridge.js), applied as a student's is."""
    open_player(page, live_server, "#step=5")
    assert page.evaluate(BRIDGE, None)["wholeGraph"] is False
    page.evaluate(BRIDGE, True)  # the teacher opened it
    page.wait_for_selector(f"{GRAPH} [data-node]")
    expect(page.get_by_test_id("whole-graph-toggle")).to_have_attribute("aria-expanded", "true")
    assert page.evaluate(BRIDGE, None)["wholeGraph"] is True
    page.evaluate(BRIDGE, False)
    expect(page.get_by_test_id("whole-graph-toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".whole-graph-body")).to_be_hidden()


def test_expand_gives_the_graph_the_width_below_the_diagram_and_escape_returns_it(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale="en-US") as page:
        open_player(page, live_server, "#step=6")
        open_graph(page)
        narrow = page.locator(".whole-graph-view").bounding_box()
        page.get_by_test_id("whole-graph-expand").click()
        expect(page.get_by_test_id("whole-graph-expand")).to_have_attribute("aria-pressed", "true")
        wide = page.locator(".whole-graph-view").bounding_box()
        diagram = page.get_by_test_id("network-diagram").bounding_box()
        assert narrow and wide and diagram
        assert wide["width"] >= 2 * narrow["width"] and wide["width"] >= 1200, (narrow, wide)
        assert wide["y"] >= diagram["y"] + diagram["height"]  # below the diagram
        sizes = page.eval_on_selector_all(
            f"{GRAPH} [data-node].lit text", "e => e.map(t => t.getBoundingClientRect().height)"
        )
        assert sizes and min(sizes) >= 14, sizes
        page.wait_for_timeout(200)
        page.screenshot(path=str(SHOTS / "expanded-1920.png"), full_page=True)
        page.locator(f"{GRAPH} [data-node].lit").first.focus()
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("whole-graph-expand")).to_have_attribute("aria-pressed", "false")
        back = page.locator(".whole-graph-view").bounding_box()
        assert back and back["width"] == pytest.approx(narrow["width"], abs=2)
        assert page.evaluate(FOCUSED_NODE) is not None  # the focus stays on its box


def test_the_wheel_scrolls_the_page_unless_ctrl_or_focus_asks_it_to_zoom(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    open_graph(page)
    page.get_by_test_id("step-next").focus()  # the focus elsewhere
    view = page.locator(".whole-graph-view").bounding_box()
    assert view
    page.mouse.move(view["x"] + 60, view["y"] + 60)
    before = zoom(page)
    scrolled = page.evaluate("scrollY")
    page.mouse.wheel(0, 200)
    page.wait_for_function(f"() => scrollY !== {scrolled}")
    assert zoom(page) == before
    view = page.locator(".whole-graph-view").bounding_box()
    assert view
    page.mouse.move(view["x"] + 60, view["y"] + 60)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    assert zoom(page)[2] > before[2]
    hint = page.locator(".whole-graph-hint").inner_text()
    assert "Ctrl" in hint and "pinch" in hint


def test_two_fingers_pinch_to_zoom_about_their_middle(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 390, "height": 844}, locale="en-US", has_touch=True) as page:
        open_player(page, live_server)
        open_graph(page)
        page.locator(".whole-graph-view").scroll_into_view_if_needed()
        view = page.locator(".whole-graph-view").bounding_box()
        assert view
        x0, y0, k0 = zoom(page)
        cx, cy = view["x"] + view["width"] / 2, view["y"] + view["height"] / 2
        cdp = page.context.new_cdp_session(page)

        def touch(kind: str, spread: float) -> None:
            points = [{"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else points})

        touch("touchStart", 40)
        for spread in (50, 60, 70, 80):
            touch("touchMove", spread)
        touch("touchEnd", 80)
        x, y, k = zoom(page)
        assert k == pytest.approx(2 * k0, rel=0.02)
        # the graph's point under the fingers' middle stayed under it
        mx, my = cx - view["x"], cy - view["y"]
        assert ((mx - x) / k, (my - y) / k) == pytest.approx(((mx - x0) / k0, (my - y0) / k0), abs=1)
        assert step_index(page) == 0
        expect(page.locator("[data-testid=network-diagram] .selected")).to_have_count(0)  # a pinch is no tap


@pytest.mark.parametrize(
    ("name", "size", "locale", "query"),
    [
        ("normal-1920", (1920, 1080), "en-US", ""),
        ("presenter-1920", (1920, 1080), "en-US", "?present=1"),
        ("phone-390", (390, 844), "en-US", ""),
        ("zh-1920", (1920, 1080), "zh-CN", ""),
    ],
)
def test_axe_and_screenshots_with_the_graph_open_and_expanded(
    browser, live_server: str, name, size, locale, query
) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    width, height = size
    with checked_page(browser, viewport={"width": width, "height": height}, locale=locale, bypass_csp=True) as page:
        if locale == "zh-CN":
            page.add_init_script("localStorage.setItem('lang', 'zh-CN')")
        open_player(page, live_server, f"{query}#step=9&wg=1")
        page.wait_for_selector(f"{GRAPH} [data-node]")
        page.locator(f"{GRAPH} [data-node][tabindex='0']").focus()
        page.wait_for_timeout(300)
        assert not blocking_violations(WholeGraphAxe(), page)
        page.locator(".whole-graph").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        page.get_by_test_id("whole-graph-expand").click()
        page.wait_for_timeout(300)
        assert not blocking_violations(WholeGraphAxe(), page)
        page.locator(".whole-graph").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-expanded.png"))
