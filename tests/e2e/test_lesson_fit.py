"""Lesson figures read well where they are shown: on a phone the chain-rule graph keeps the narrated
node in sight and lesson 6's formulas wrap before their result; the contour maps of lessons 3 and 4 are
smooth and keep their contrast in the dark theme. Pixels are read back from real screenshots."""

from __future__ import annotations

import base64
import itertools

import pytest

from tests.e2e.conftest import checked_page, screenshot
from tests.e2e.test_lessons import open_lesson

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "locale": "en-US"}
MAPS = [("partial-derivatives", "partial-map"), ("gradient", "gradient-map")]

# The plot area of a map (its clip rectangle) in the svg's own pixels, inset so no frame line is read.
PLOT_AREA = """svg => {
  const rect = svg.querySelector('clipPath rect');
  const m = svg.getScreenCTM();
  const box = svg.getBoundingClientRect();
  const x = rect.x.baseVal.value, y = rect.y.baseVal.value;
  const w = rect.width.baseVal.value, h = rect.height.baseVal.value;
  const inset = 4;
  return {
    left: Math.ceil(m.a * x + m.e - box.left) + inset,
    top: Math.ceil(m.d * y + m.f - box.top) + inset,
    right: Math.floor(m.a * (x + w) + m.e - box.left) - inset,
    bottom: Math.floor(m.d * (y + h) + m.f - box.top) - inset,
  };
}"""

# Decode a PNG in the page (a data: image drawn to a canvas) and return the luminance (0–255) of
# every pixel of a rectangle, row by row.
LUMINANCE = """async ([url, area]) => {
  const image = new Image();
  image.src = url;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const width = area.right - area.left, height = area.bottom - area.top;
  const data = context.getImageData(area.left, area.top, width, height).data;
  const rows = [];
  for (let j = 0; j < height; j++) {
    const row = [];
    for (let i = 0; i < width; i++) {
      const k = 4 * (j * width + i);
      row.push(0.2126 * data[k] + 0.7152 * data[k + 1] + 0.0722 * data[k + 2]);
    }
    rows.push(row);
  }
  return rows;
}"""


def map_luminance(page, testid: str, name: str) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """Luminance of the map's plot area as a screenshot shows it (saved as artifacts/screenshots/<name>)."""
    element = page.get_by_test_id(testid)
    element.scroll_into_view_if_needed()
    png = element.screenshot()
    (screenshot(page, name)).write_bytes(png)
    area = element.evaluate(PLOT_AREA)
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    return page.evaluate(LUMINANCE, [url, area])


def hide_everything_but_the_shading(page, testid: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_test_id(testid).evaluate(
        "svg => svg.querySelectorAll('line, path, circle, text').forEach(e => { e.style.visibility = 'hidden'; })"
    )


@pytest.mark.parametrize(("slug", "testid"), MAPS)
def test_dark_contour_map_keeps_its_contrast(browser, live_server: str, slug: str, testid: str) -> None:
    with checked_page(browser, viewport={"width": 1280, "height": 900}, color_scheme="dark") as page:
        open_lesson(page, live_server, slug)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        values = sorted(v for row in map_luminance(page, testid, f"lesson-map-dark-{slug}") for v in row)
        low, high = values[len(values) // 20], values[len(values) * 19 // 20]
        assert high - low >= 90, (low, high)


@pytest.mark.parametrize(("slug", "testid"), MAPS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contour_map_shading_is_smooth(browser, live_server: str, slug: str, testid: str, scheme: str) -> None:
    with checked_page(browser, viewport={"width": 1280, "height": 900}, color_scheme=scheme) as page:
        open_lesson(page, live_server, slug)
        page.wait_for_load_state("networkidle")
        hide_everything_but_the_shading(page, testid)
        rows = map_luminance(page, testid, f"lesson-map-shading-{scheme}-{slug}")
        middle_row = rows[len(rows) // 2]
        middle_column = [row[len(row) // 2] for row in rows]
        # the shade changes at every cell edge: blocks of 9 levels change a dozen times along a line
        # across the map, a smooth field (or a fine grid) at least 80 times
        for line in (middle_row, middle_column):
            changes = sum(abs(a - b) > 0.01 for a, b in itertools.pairwise(line))
            assert changes >= 80, (changes, len(line))


def test_phone_chain_rule_graph_keeps_the_narrated_node_in_view(browser, live_server: str) -> None:
    with checked_page(browser, **PHONE) as page:
        open_lesson(page, live_server, "chain-rule")
        page.wait_for_load_state("networkidle")
        scroller = page.locator(".graph-scroll")
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), "the graph fits: nothing to test"
        nxt = page.get_by_test_id("step-next")
        for step in range(40):
            area = scroller.bounding_box()
            boxes = [node.bounding_box() for node in page.locator(".graph-node.is-active rect").all()]
            assert boxes
            for box in boxes:
                assert box["x"] >= area["x"] - 0.5 and box["x"] + box["width"] <= area["x"] + area["width"] + 0.5, (
                    step,
                    box,
                    area,
                )
            if step == 3:
                scroller.scroll_into_view_if_needed()
                screenshot(page, "lesson-chain-rule-phone-step-3")
            if nxt.is_disabled():
                break
            nxt.tap()


def test_phone_backprop_formulas_wrap_before_their_result(browser, live_server: str) -> None:
    with checked_page(browser, **PHONE) as page:
        open_lesson(page, live_server, "backpropagation")
        page.wait_for_load_state("networkidle")
        nxt = page.get_by_test_id("step-next")
        checked = 0
        while not nxt.is_disabled():
            nxt.tap()
            narration = page.get_by_test_id("narration")
            overflowing = narration.evaluate(
                """n => [...n.querySelectorAll('.formula, .formula-line')]
                     .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
            )
            assert not overflowing, overflowing
            for result in page.get_by_test_id("formula-result").all():
                box = result.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (result.text_content(), box)
                checked += 1
        assert checked > 20
        page.get_by_test_id("narration").scroll_into_view_if_needed()
        screenshot(page, "lesson-backpropagation-phone-formulas")
