"""The legend's bar for δ: its three numbers stand apart, 0 under the bar's middle where its axis is, and the
bar as wide as its numbers, on an ordinary page and in presenter mode's larger type."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import checked_page

DELTA_SCALE = """() => {
  const box = (node) => { const r = node.getBoundingClientRect(); return { left: r.left, right: r.right }; };
  const ticks = [...document.querySelectorAll("[data-testid=legend] figure:has(svg.legend-delta) .colour-ticks span")];
  return {
    ticks: ticks.map((span) => ({ text: span.textContent, ...box(span) })),
    axis: box(document.querySelector("[data-testid=legend] .legend-axis")),
    bar: box(document.querySelector("[data-testid=legend] svg.legend-delta")),
    font: parseFloat(getComputedStyle(ticks[0]).fontSize),
  };
}"""


@pytest.mark.parametrize("query", ["", "?present=1"])
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_delta_bars_numbers_stand_apart_with_zero_under_its_axis(browser, live_server, query, locale) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale=locale) as page:
        page.goto(f"{live_server}/{query}")
        page.get_by_test_id("legend").locator("svg.legend-delta").wait_for()
        found = page.evaluate(DELTA_SCALE)
    low, zero, high = found["ticks"]
    assert [low["text"], zero["text"]] == ["−" + high["text"], "0"]
    gap = found["font"] * 0.5  # half a character of the monospaced numbers at least
    assert zero["left"] - low["right"] >= gap and high["left"] - zero["right"] >= gap, found
    axis = (found["axis"]["left"] + found["axis"]["right"]) / 2
    assert (zero["left"] + zero["right"]) / 2 == pytest.approx(axis, abs=1), "0 is not under the bar's axis"
    assert found["bar"]["left"] == pytest.approx(low["left"], abs=1)
    assert found["bar"]["right"] == pytest.approx(high["right"], abs=1)
